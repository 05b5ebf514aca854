"""The incident log in plain words: "Jour 212 — hall B3 : occupation de hall (soirée) ; un
médiateur a désamorcé", newest first.

It reads the model's own record of each day's incidents (``model.events``: place, type, phase,
witnessed, reported, handler per incident), so nothing is recomputed here.
Places are named as on a landlord's plan: building letters (A, B, ..., Z, AA, ...) and the hall
number within the building; public places by the nearest hall.
"""

from __future__ import annotations

import numpy as np
import solara

from tranqsim.estate import PlaceKind
from tranqsim.incidents import HANDLERS
from tranqsim.ui.i18n import incident_label, phase_suffix, tr

MAX_LINES = 60


def building_code(b: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the letters landlords use for buildings."""
    s = ""
    b += 1
    while b:
        b, r = divmod(b - 1, 26)
        s = chr(65 + r) + s
    return s


def hall_codes(model) -> list[str]:
    """Code of every hall ("B3": building B, third hall), in hall order."""
    lay = model.layout
    codes, first = [], {}
    for i, b in enumerate(lay.building[lay.hall_places].tolist()):
        first.setdefault(b, i)
        codes.append(f"{building_code(b)}{i - first[b] + 1}")
    return codes


def place_name(model, place: int, lang: str, codes: list[str] | None = None) -> str:
    codes = hall_codes(model) if codes is None else codes
    kind = int(model.layout.kind[place])
    if kind == PlaceKind.HALL:
        return tr("hall", lang, code=codes[int(model.hall_of_place[place])])
    key = {PlaceKind.STREET: "near_street", PlaceKind.CAR_PARK: "near_car_park",
           PlaceKind.SQUARE: "near_square"}[PlaceKind(kind)]
    return tr(key, lang, code=codes[int(model.nearest_hall[place])])


def outcome(handler: int, reported: bool, witnessed: bool, lang: str) -> str:
    name = HANDLERS[handler]
    if name != "none":
        return tr(f"h_{name}", lang)
    if reported:
        return tr("h_reported", lang)
    return tr("h_witnessed" if witnessed else "h_unseen", lang)


def lines(model, lang: str, limit: int = MAX_LINES) -> list[str]:
    """The last ``limit`` incidents as sentences, newest first (by day; within a day, night
    before evening before day)."""
    out: list[str] = []
    codes = hall_codes(model)
    for d, ps, ts, hs, wit, rep, handler in reversed(model.events):
        order = np.argsort(-hs, kind="stable")
        for i in order:
            out.append(tr("log_line", lang, day=d + 1, place=place_name(model, int(ps[i]), lang, codes),
                          what=incident_label(int(ts[i]), lang), phase=phase_suffix(int(hs[i]), lang),
                          outcome=outcome(int(handler[i]), bool(rep[i]), bool(wit[i]), lang)))
            if len(out) >= limit:
                return out
    return out


@solara.component
def IncidentLog(model, lang: str, tick: int, height: str = "320px"):
    """The log card; ``tick`` changes whenever the model moved (it drives the redraw)."""
    text = solara.use_memo(lambda: lines(model, lang), dependencies=[id(model), model.day, lang, tick])
    with solara.Card(tr("log", lang), margin=0, classes=["tranqsim-log"]):
        if not text:
            solara.Text(tr("log_empty", lang))
            return
        with solara.Column(gap="0px", style={"max-height": height, "overflow-y": "auto",
                                              "font-size": "15px"}):
            for line in text:
                solara.Text(line, classes=["tranqsim-log-line"])
