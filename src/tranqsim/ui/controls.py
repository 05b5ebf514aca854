"""Sidebar and toolbar controls: scenario picker, lever controls, play / pause / step / reset, speed.

They edit a pending :class:`tranqsim.ui.session.Choice`; the app applies it (and reports what
was refused). Context and strategy come from the shipped ``scenarios/`` folder only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import solara
import solara.lab  # noqa: F401  (solara.v below)

from tranqsim.ui import session as ses
from tranqsim.ui.i18n import lever_label, message, tr


@solara.component
def LabelledSelect(label: str, value: str, options: list[tuple[str, str]],
                   on_value: Callable[[str], None], classes: list[str] | None = None):
    """A drop-down whose items show translated text but hold a stable value."""
    solara.v.Select(label=label, v_model=value, items=[{"text": t, "value": v} for v, t in options],
                    on_v_model=on_value, dense=True, hide_details=True, class_=" ".join(classes or []))


@solara.component
def ScenarioPicker(choice: solara.Reactive, lang: str, compare: bool,
                   on_pick: Callable[[ses.Choice], None], errors: dict[str, str]):
    """Context, strategy (and B in the compare view): applied at once. Seed and horizon: on Reset."""
    c = choice.value
    ctx_opts = [(n, ses.context_title(n, lang)) for n in ses.contexts()]
    strat_opts = [(n, ses.strategy_title(n, lang)) for n in ses.strategies()]

    def pick_context(name):
        on_pick(replace(choice.value, context=name))

    def pick_strategy(name):
        on_pick(replace(choice.value, strategy=name, form=ses.lever_form(name)))

    def pick_b(name):
        on_pick(replace(choice.value, strategy_b=name, form_b=ses.lever_form(name)))

    with solara.Column(gap="6px"):
        LabelledSelect(tr("context", lang), c.context, ctx_opts, pick_context, ["tranqsim-context"])
        LabelledSelect(tr("strategy_a" if compare else "strategy", lang), c.strategy, strat_opts,
                       pick_strategy, ["tranqsim-strategy"])
        if compare:
            LabelledSelect(tr("strategy_b", lang), c.strategy_b, strat_opts, pick_b,
                           ["tranqsim-strategy-b"])
            solara.Text(tr("compare_note", lang), style={"font-size": "0.8em"})
        with solara.Row(gap="6px"):
            solara.InputText(tr("seed", lang), value=c.seed, continuous_update=True,
                             on_value=lambda v: choice.set(replace(choice.value, seed=v)),
                             error=_err(errors, "seed", lang), dense=True, classes=["tranqsim-seed"])
            solara.InputText(tr("years", lang), value=c.years, continuous_update=True,
                             on_value=lambda v: choice.set(replace(choice.value, years=v)),
                             error=_err(errors, "years", lang), dense=True, classes=["tranqsim-years"])


def _err(errors: dict[str, str], key: str, lang: str) -> str | bool:
    return message(errors[key], lang) if key in errors else False


def field_label(lever: str, f: str, lang: str) -> str:
    return f"{lever_label(lever, lang)} — {tr('f_' + f, lang)}"


@solara.component
def LeverControls(choice: solara.Reactive, lang: str, errors: dict[str, str], which: str = "a"):
    """Every lever of the toolbox, each switchable, with its fields (window in days first) as
    typed text; ``which`` is the run edited ("a", or "b" in the compare view)."""
    key = "form" if which == "a" else "form_b"
    strategy = choice.value.strategy if which == "a" else choice.value.strategy_b
    form = getattr(choice.value, key) or ses.lever_form(strategy)
    prefix = "" if which == "a" else "b-"

    def set_field(lever, f, value):
        cur = getattr(choice.value, key) or ses.lever_form(strategy)
        choice.set(replace(choice.value, **{key: {**cur, lever: {**cur[lever], f: value}}}))

    def set_org(value):
        cur = getattr(choice.value, key) or ses.lever_form(strategy)
        choice.set(replace(choice.value, **{key: {**cur, "organisation": value}}))

    with solara.Column(gap="2px"):
        LabelledSelect(tr("organisation", lang), form["organisation"],
                       [(o, tr(f"org_{o}", lang)) for o in ses.ORGANISATIONS], set_org,
                       [f"tranqsim-{prefix}organisation"])
        for lever, fields in ses.MAIN_LEVERS.items():
            entry = form[lever]
            solara.Switch(label=lever_label(lever, lang), value=entry["on"],
                          on_value=lambda v, lever=lever: set_field(lever, "on", v),
                          classes=[f"tranqsim-{prefix}lever-{lever}"])
            if not entry["on"]:
                continue
            with solara.Row(gap="6px", style={"padding-left": "12px", "flex-wrap": "wrap",
                                              "row-gap": "18px", "margin-bottom": "8px"}):
                for f, (kind, *rest) in fields.items():
                    label = tr("f_" + f, lang)
                    if entry.get(f) == "—":
                        continue  # a structured value kept as shipped
                    if kind == "choice":
                        LabelledSelect(label, entry[f], [(v, tr("v_" + v, lang)) for v in rest[0]],
                                       lambda v, lever=lever, f=f: set_field(lever, f, v),
                                       [f"tranqsim-{prefix}{lever}-{f}"])
                    else:
                        solara.InputText(label, value=entry[f],
                                         continuous_update=True, dense=True,
                                         on_value=lambda v, lever=lever, f=f: set_field(lever, f, v),
                                         error=_err(errors, f"{lever}.{f}", lang),
                                         classes=[f"tranqsim-{prefix}{lever}-{f}"],
                                         style={"max-width": "110px" if f in ("start", "end") else "150px"})


def refusal_lines(errors: dict[str, str], lang: str) -> list[str]:
    """One line per refused value, naming the control as the sidebar does."""
    out = []
    for key, msg in errors.items():
        if "." in key:
            lever, f = key.split(".", 1)
            name = field_label(lever, f, lang) if f in ses.MAIN_LEVERS.get(lever, {}) else \
                f"{lever_label(lever, lang)} — {f}"
        else:
            name = tr(key, lang) if key in ("seed", "years", "context", "strategy", "organisation") else key
        out.append(f"{name} : {message(msg, lang)}" if lang == "fr" else f"{name}: {msg}")
    return out


@solara.component
def PlayControls(lang: str, playing: bool, speed: solara.Reactive, finished: bool,
                 on_step: Callable[[], None], on_play: Callable[[], None], on_reset: Callable[[], None],
                 day_text: str, every: int):
    with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(tr("reset", lang), color="primary", on_click=on_reset, classes=["tranqsim-reset"])
        solara.Button(tr("pause", lang) if playing else tr("play", lang), color="primary",
                      on_click=on_play, disabled=finished,
                      classes=["tranqsim-play"])
        solara.Button(tr("step", lang), color="primary", on_click=on_step,
                      disabled=playing or finished, classes=["tranqsim-step"])
        with solara.Column(gap="0px", style={"width": "300px"}):
            solara.SliderInt(tr("speed", lang), value=speed, min=1, max=60)
        solara.Text(day_text, classes=["tranqsim-day"], style={"font-weight": "bold", "font-size": "1.1em"})
        if playing and every > 1:
            solara.Text(tr("render_every", lang, n=every), style={"font-size": "0.8em"})
        if finished:
            solara.Text(tr("finished", lang), style={"font-size": "0.85em"})
