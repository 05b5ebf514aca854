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


def function_lines(model, lang: str, codes: list[str] | None = None) -> dict[int, list[str]]:
    """The tranquillity function's actions by day (issue 17): diagnoses, warnings, tenancy
    procedures, withdrawals after aggressions, points closed by prosecution; newest last."""
    cw = getattr(model, "casework", None)
    out: dict[int, list[str]] = {}
    if cw is None:
        return out
    for d, kind, place, n in cw.log[-4 * MAX_LINES:]:
        where = place_name(model, place, lang, codes) if place >= 0 else ""
        out.setdefault(d, []).append(tr(f"fn_{kind}", lang, day=d + 1, place=where, n=n))
    return out


def lines(model, lang: str, limit: int = MAX_LINES, actions: bool = False) -> list[str]:
    """The last ``limit`` incidents as sentences, newest first (by day; within a day, night
    before evening before day); with ``actions``, the tranquillity function's actions of each
    day before its incidents (issue 17)."""
    out: list[str] = []
    codes = hall_codes(model)
    acts = function_lines(model, lang, codes) if actions else {}
    for d, ps, ts, hs, wit, rep, handler in reversed(model.events):
        for line in acts.get(d, ()):  # the function acts after the day's incidents
            out.append(line)
            if len(out) >= limit:
                return out
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
    text = solara.use_memo(lambda: lines(model, lang, actions=True), dependencies=[id(model), model.day, lang, tick])
    with solara.Card(tr("log", lang), margin=0, classes=["tranqsim-log"]):
        if not text:
            solara.Text(tr("log_empty", lang))
            return
        with solara.Column(gap="0px", style={"max-height": height, "overflow-y": "auto",
                                              "font-size": "15px"}):
            for line in text:
                solara.Text(line, classes=["tranqsim-log-line"])
