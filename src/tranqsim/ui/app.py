"""The trainers' page: ``solara run tranqsim.ui.app`` (or ``tranqsim ui``) serves :func:`Page`.

Layout: an app bar (title); a sidebar (scenario picker, every lever of the toolbox with its
window, "Apply now" -- the levers change in the running estate from today -- and Reset); the main
area with the view, help and language switches, play / pause / step / reset and speed, then the
estate map, the charts, today's key figures and the incident log -- or, in the compare view, two
estates side by side on the same seed, each with its own lever settings, with the charts
overlaid. The run is kept by the browser's Solara session id, so a page reload finds it.

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
from tranqsim.ui import format as fmt
from tranqsim.ui import session as ses
from tranqsim.ui.charts import Charts
from tranqsim.ui.controls import (LabelledSelect, LeverControls, PlayControls, ScenarioPicker,
                                  refusal_lines)
from tranqsim.ui.help import HelpPanel
from tranqsim.ui.i18n import DEFAULT, LANGS, lever_label, tr
from tranqsim.ui.log import IncidentLog
from tranqsim.ui.map import LAYERS, EstateMap, Legend

MAX_RENDER_EVERY = 60  # days stepped between two redraws at most while playing
MIN_PAUSE = 0.05  # seconds between two redraws at least, however fast the play
COST_WINDOW = 30  # days over which today's cost rate is measured

# Room-sized text; the charts' image is shown at its natural size (its text is drawn at 15 px);
# card titles wrap between words, not inside them (Vuetify's default is break-all); Solara's
# "runs on Solara" banner would sit over the legends at 1280x720.
CSS = """
.tranqsim-map img { max-width: 100%; }
.tranqsim-charts { width: 560px; max-width: none; }
.tranqsim-log-line { font-size: 15px; }
.tranqsim-log-line { line-height: 1.35; }
.v-input--switch { margin-top: 2px !important; }
.v-card__title, .v-toolbar__title { word-break: normal !important; overflow-wrap: normal !important;
  white-space: normal; hyphens: none; }
.v-application { font-size: 15px; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""


def key_figures(model, lang: str = "fr") -> dict[str, str]:
    """Today's headline numbers (the last day simulated), as the key-figures card shows them.

    The landlord's cost is a yearly rate over the last 30 days once a month has run; before
    that, what was spent so far (a few days' spending times 365/5 would mislead a room)."""
    rec = model.recorder
    if rec.n == 0:
        return {}
    data = rec.data[: rec.n]
    last = data[-1]
    status = " / ".join(str(int(last[COL[f"halls_{s}"]])) for s in ("green", "yellow", "orange", "red"))
    trust = f"{fmt.number(last[COL['trust_landlord_mean']], lang, 2)} / " \
            f"{fmt.number(last[COL['trust_police_mean']], lang, 2)}"
    out = {"k_incidents": fmt.number(last[COL["incidents"]], lang),
           "k_incidents_week": fmt.number(data[-7:, COL["incidents"]].sum(), lang),
           "k_insecure": fmt.percent(last[COL["insecurity_share"]], lang),
           "k_trust": trust,
           "k_vacancy": fmt.percent(last[COL["vacancy_rate"]], lang, 1)}
    cost = data[:, COL["cost_eur"]] / model.n_dwellings
    if rec.n >= COST_WINDOW:
        out["k_cost_rate"] = fmt.euros(cost[-COST_WINDOW:].sum() * 365 / COST_WINDOW, lang)
    else:
        out["k_cost_so_far"] = fmt.euros(cost.sum(), lang)
    out["k_halls"] = status
    return out


def kept_session() -> ses.Session:
    """The browser's run if it has one, else a new one, kept across page reloads by the
    browser's Solara session id (a cookie) while the page lives and shortly after
    (:class:`tranqsim.ui.session.KeptRuns`)."""
    from solara.server.kernel_context import get_current_context

    try:
        key = solara.get_session_id()
        kernel = get_current_context()
    except Exception:  # rendered without a server (tests, benchmarks): nothing to keep
        return ses.Session()
    sess = ses.KEPT.get(key)
    kernel.on_close(lambda: ses.KEPT.release(key, sess))
    return sess


@solara.component
def KeyFigures(models: list, lang: str, tick: int):
    rows = [key_figures(m, lang) for m in models]
    with solara.Card(tr("figures", lang), margin=0, classes=["tranqsim-figures"]):
        if not rows[0]:
            solara.Text("—")
            return
        head = "".join(f"<th style='text-align:right;padding-left:12px'>{h}</th>"
                       for h in (["A", "B"] if len(models) > 1 else []))
        keys = list(dict.fromkeys(k for r in rows for k in r))
        body = "".join(
            f"<tr><td>{tr(k, lang)}</td>" + "".join(
                f"<td style='text-align:right;padding-left:12px;white-space:nowrap'><b>{r.get(k, '')}</b></td>" for r in rows)
            + "</tr>" for k in keys)
        solara.HTML("table", unsafe_innerHTML=f"<tr><th></th>{head}</tr>{body}",
                    style="font-size:15px", classes=["tranqsim-figures-table"])


@solara.component
def Page():
    lang = solara.use_reactive(DEFAULT)
    sess = solara.use_memo(kept_session, dependencies=[])
    view = solara.use_reactive("compare" if sess.compare else "run")
    choice = solara.use_reactive(sess.choice if sess.choice.form is not None else
                                 ses.Choice(form=ses.lever_form(ses.Choice().strategy),
                                            form_b=ses.lever_form(ses.Choice().strategy_b)))
    editing = solara.use_reactive("a")
    show_help = solara.use_reactive(False)
    notice = solara.use_reactive("")
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
    def apply_now():
        """The levers as set in the sidebar, applied to the running estate(s) from today."""
        try:
            changed = sess.apply_now(choice.value)
        except ses.Refused as exc:
            errors.set(exc.errors)
            return
        errors.set({})
        names = sorted({lever_label(n, lang.value) for c in changed for n in c})
        notice.set(tr("applied", lang.value, day=sess.model.day, levers=", ".join(names))
                   if names else tr("nothing_changed", lang.value))
        redraw()

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
        with solara.Card(tr("levers", L), margin=0, classes=["tranqsim-levers"]):
            solara.Text(tr("org_on_reset", L), style={"font-size": "13px", "margin-bottom": "14px",
                                                      "display": "block"})
            which = editing.value if compare else "a"
            if compare:
                with solara.Row(style={"align-items": "center"}):
                    solara.Text(tr("edit_run", L))
                    solara.ToggleButtonsSingle(value=editing, values=["a", "b"],
                                               classes=["tranqsim-edit-run"])
            LeverControls(choice, L, errors.value, which)
            with solara.Row(gap="6px", style={"margin-top": "8px", "flex-wrap": "wrap"}):
                solara.Button(tr("apply_now", L), color="primary", on_click=apply_now,
                              classes=["tranqsim-apply-now"])
                solara.Button(tr("reset", L), outlined=True, on_click=lambda: apply(choice.value),
                              classes=["tranqsim-reset-side"])
            if notice.value:
                solara.Text(notice.value, classes=["tranqsim-notice"], style={"font-size": "13px"})
        if errors.value:
            solara.Error("\n".join([tr("refused", L)] + refusal_lines(errors.value, L)),
                         classes=["tranqsim-refused"])

    c = sess.choice
    with solara.Row(gap="8px", justify="end"):
        solara.Button(tr("view_compare", L) if view.value == "run" else tr("view_run", L), outlined=True,
                      on_click=lambda: switch_view("compare" if view.value == "run" else "run"),
                      classes=["tranqsim-view"])
        solara.Button(tr("help_close" if show_help.value else "help_open", L), outlined=True,
                      classes=["tranqsim-help-button"],
                      on_click=gated(lambda: show_help.set(not show_help.value)))
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
    if show_help.value:
        HelpPanel(L, c.strategy, layer.value)

    with solara.Row(style={"align-items": "center"}):
        LabelledSelect(tr("colour_by", L), layer.value,
                       [(k, tr(f"layer_{k}", L)) for k in LAYERS], gated(layer.set), ["tranqsim-layer"])
    t = tick.value
    if not compare:
        with solara.Columns([4, 8]):
            with solara.Column(gap="4px"):
                EstateMap(m, layer.value, t, sess.version, lock=sess.lock)
                Legend(layer.value, L)
            with solara.Column(gap="4px"):
                Charts(models, L, t, sess.version, lock=sess.lock, changes=sess.changes)
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
        # the charts' 560 px and the two columns of figures do not share a row at 1280 px
        Charts(models, L, t, sess.version, lock=sess.lock, changes=sess.changes)
        KeyFigures(models, L, t)
        with solara.Columns([1, 1]):
            IncidentLog(models[0], L, t, height="220px")
            IncidentLog(models[1], L, t, height="220px")


page = Page
