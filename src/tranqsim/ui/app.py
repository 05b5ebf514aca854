"""The trainers' page: ``solara run tranqsim.ui.app`` (or ``tranqsim ui``) serves :func:`Page`.

Layout: an app bar (title, view switch, language switch); a sidebar (scenario picker, lever
controls, Reset); the main area with play / pause / step / reset and speed, then the estate map,
the charts, key figures and the incident log -- or, in the compare view, two estates side by
side on the same seed with the charts overlaid.

Mesa's ``SolaraViz`` serves one model with English labels fixed in its controls and a
drag-and-drop grid of components; this page needs a language switch, a refusal message on bad
lever values, and a second model for the compare view, so it is built from plain Solara
components in the same pattern (a reactive model, a controller with a play loop in a thread that
re-renders every *n* steps, components that redraw on a counter).
"""

from __future__ import annotations

import threading
import time

import solara

from tranqsim.metrics import COL
from tranqsim.ui import session as ses
from tranqsim.ui.charts import Charts
from tranqsim.ui.controls import (LabelledSelect, LeverControls, PlayControls, ScenarioPicker,
                                  refusal_lines)
from tranqsim.ui.i18n import DEFAULT, LANGS, tr
from tranqsim.ui.log import IncidentLog
from tranqsim.ui.map import LAYERS, EstateMap, Legend

MAX_RENDER_EVERY = 60  # days stepped between two redraws at most while playing
MIN_PAUSE = 0.05  # seconds between two redraws at least, however fast the play

CSS = """
.tranqsim-map img, .tranqsim-charts img { max-width: 100%; }
.tranqsim-log-line { line-height: 1.35; }
.v-input--switch { margin-top: 2px !important; }
"""


def key_figures(model) -> dict[str, str]:
    """Headline numbers since the start of the run, as the key-figures card shows them."""
    rec = model.recorder
    data = rec.data[: rec.n]
    if rec.n == 0:
        return {}
    last = data[-1]
    years = rec.n / 365
    status = "/".join(str(int(last[COL[f"halls_{s}"]])) for s in ("green", "yellow", "orange", "red"))
    return {"k_incidents": f"{data[:, COL['incidents']].mean():.1f}",
            "k_insecure": f"{last[COL['insecurity_share']]:.0%}",
            "k_trust": f"{last[COL['trust_landlord_mean']]:.2f} / {last[COL['trust_police_mean']]:.2f}",
            "k_vacancy": f"{last[COL['vacancy_rate']]:.1%}",
            "k_cost": f"{data[:, COL['cost_eur']].sum() / model.n_dwellings / years:,.0f}",
            "k_halls": status}


@solara.component
def KeyFigures(models: list, lang: str, tick: int):
    rows = [key_figures(m) for m in models]
    with solara.Card(tr("figures", lang), margin=0, classes=["tranqsim-figures"]):
        if not rows[0]:
            solara.Text("—")
            return
        head = "".join(f"<th style='text-align:right;padding-left:12px'>{h}</th>"
                       for h in (["A", "B"] if len(models) > 1 else []))
        body = "".join(
            f"<tr><td>{tr(k, lang)}</td>" + "".join(
                f"<td style='text-align:right;padding-left:12px'><b>{r.get(k, '')}</b></td>" for r in rows)
            + "</tr>" for k in rows[0])
        solara.HTML("table", unsafe_innerHTML=f"<tr><th></th>{head}</tr>{body}",
                    style="font-size:0.9em")


@solara.component
def Page():
    lang = solara.use_reactive(DEFAULT)
    view = solara.use_reactive("run")
    sess = solara.use_memo(ses.Session, dependencies=[])
    choice = solara.use_reactive(ses.Choice(form=ses.lever_form(ses.Choice().strategy)))
    errors = solara.use_reactive({})
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(8)
    every = solara.use_reactive(1)
    layer = solara.use_reactive("status")
    L = lang.value

    # One render at a time: the play thread steps and redraws under this gate, and the handlers
    # that change the run take it too, so a click (Pause, Reset...) is never rendered while the
    # play thread changes state under it (Solara then gives up: "too many renders").
    gate = solara.use_memo(threading.RLock, dependencies=[])

    def gated(f):
        def run(*args, **kwargs):
            with gate:
                return f(*args, **kwargs)
        return run

    def redraw():
        tick.set(tick.value + 1)

    @gated
    def apply(new: ses.Choice, compare: bool | None = None) -> bool:
        """Rebuild the model(s) from ``new``; on bad values keep them and show why."""
        playing.set(False)
        try:
            sess.reset(new, compare)
        except ses.Refused as exc:
            errors.set(exc.errors)
            return False
        errors.set({})
        redraw()
        return True

    @gated
    def pick(new: ses.Choice):
        choice.set(new)
        apply(new)

    @gated
    def step():
        sess.step(1)
        redraw()

    @gated
    def toggle_play():
        playing.set(not playing.value)

    def play_loop(cancel: threading.Event):
        """Step at the chosen speed; when a redraw takes longer than the days it shows, draw
        every n days instead (n doubles or halves to keep up). Between two redraws the thread
        rests at least half as long as it worked, so that clicks get through."""
        n = 1
        while not cancel.is_set():
            with gate:
                if not playing.value:
                    break
                if sess.finished:
                    playing.set(False)
                    break
                t0 = time.perf_counter()
                sess.step(n)
                redraw()
                elapsed = time.perf_counter() - t0
            rest = max(MIN_PAUSE, 0.5 * elapsed)
            period = n / max(speed.value, 1)
            if elapsed + rest > 1.1 * period and n < MAX_RENDER_EVERY:
                n = min(MAX_RENDER_EVERY, n * 2)
            elif elapsed + rest < 0.4 * period and n > 1:
                n //= 2
            if every.value != n:
                with gate:
                    every.set(n)
            cancel.wait(max(rest, period - elapsed))

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    @gated
    def switch_view(v: str):
        view.set(v)
        apply(choice.value, compare=(v == "compare"))

    compare = sess.compare
    models = sess.models
    m = sess.model
    solara.Style(CSS)
    solara.Title("tranqsim")
    with solara.AppBar():  # the title; the switches sit in the page (testable without a browser)
        solara.AppBarTitle(tr("app_title", L))

    with solara.Sidebar():
        with solara.Card(tr("scenario", L), margin=0):
            ScenarioPicker(choice, L, compare, pick, errors.value)
        with solara.Card(tr("levers", L), margin=0):
            LeverControls(choice, L, errors.value)
            solara.Button(tr("reset", L), color="primary", on_click=lambda: apply(choice.value),
                          classes=["tranqsim-reset-side"], style={"margin-top": "8px"})
        if errors.value:
            solara.Error("\n".join([tr("refused", L)] + refusal_lines(errors.value, L)),
                         classes=["tranqsim-refused"])

    c = sess.choice
    with solara.Row(gap="8px", justify="end"):
        solara.Button(tr("view_compare", L) if view.value == "run" else tr("view_run", L), outlined=True,
                      on_click=lambda: switch_view("compare" if view.value == "run" else "run"),
                      classes=["tranqsim-view"])
        solara.Button(tr("switch_lang", L), outlined=True, classes=["tranqsim-lang"],
                      on_click=gated(lambda: lang.set(LANGS[1 - LANGS.index(L)])))
    names = ses.strategy_title(c.strategy, L) + (f" / {ses.strategy_title(c.strategy_b, L)}" if compare else "")
    solara.Text(f"{ses.context_title(c.context, L)} × {names} — {tr('seed', L).lower()} {m.spec.run.seed}",
                classes=["tranqsim-subtitle"], style={"font-weight": "bold"})
    day_text = tr("day", L, day=m.day, total=m.days_total)
    PlayControls(L, playing.value, speed, sess.finished, step, toggle_play,
                 lambda: apply(choice.value), day_text, every.value)
    if errors.value:
        solara.Error("\n".join([tr("refused", L)] + refusal_lines(errors.value, L)))

    with solara.Row(style={"align-items": "center"}):
        LabelledSelect(tr("colour_by", L), layer.value,
                       [(k, tr(f"layer_{k}", L)) for k in LAYERS], gated(layer.set), ["tranqsim-layer"])
    t = tick.value
    if not compare:
        with solara.Columns([5, 7]):
            with solara.Column(gap="4px"):
                EstateMap(m, layer.value, t, sess.version, lock=sess.lock)
                Legend(layer.value, L)
            with solara.Column(gap="4px"):
                Charts(models, L, t, sess.version, lock=sess.lock)
        with solara.Columns([7, 5]):
            IncidentLog(m, L, t)
            KeyFigures(models, L, t)
    else:
        with solara.Columns([1, 1]):
            for label, mm, name in (("A", models[0], sess.choice.strategy),
                                    ("B", models[1], sess.choice.strategy_b)):
                with solara.Column(gap="4px"):
                    solara.Text(f"{label} — {ses.strategy_title(name, L)}", style={"font-weight": "bold"})
                    EstateMap(mm, layer.value, t, sess.version, width_in=4.2, lock=sess.lock)
        Legend(layer.value, L)
        with solara.Columns([7, 5]):
            Charts(models, L, t, sess.version, lock=sess.lock)
            KeyFigures(models, L, t)
        with solara.Columns([1, 1]):
            IncidentLog(models[0], L, t, height="220px")
            IncidentLog(models[1], L, t, height="220px")


page = Page
