"""The UI's state without any widget: what the trainer picked, the running model(s), validation.

A :class:`Choice` is what the sidebar holds (context, strategy, seed, horizon, lever values as
typed). :func:`build` turns it into a model through the same calls as the CLI
(``tranqsim.load_scenario`` + ``build_model``): only shipped context and strategy names are
accepted (no file paths), and lever values go through the levers' own pydantic configs, so a bad
value is refused with the same message as in a scenario file. :class:`Session` holds the model
(and, in the compare view, a second one on the same seed) and steps it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from pydantic import ValidationError

from tranqsim.config import RunSettings, Strategy
from tranqsim.levers import REGISTRY
from tranqsim.loading import (ScenarioError, field_message, available, load_context, load_scenario,
                              load_strategy)
from tranqsim.model import EstateModel
from tranqsim.simulation import build_model

# The levers a trainer adjusts from the sidebar, and which of their fields (kind, choices).
# Other levers of a strategy run as shipped.
MAIN_LEVERS: dict[str, dict[str, tuple]] = {
    "caretakers": {"per_100_dwellings": ("number",)},
    "night_mediators": {"posts": ("number",), "shift": ("choice", ("evening", "evening_and_night"))},
    "police": {"level": ("number",), "mode": ("choice", ("random", "hot_spot")),
               "style": ("choice", ("community", "standard", "order_maintenance"))},
    "cctv": {"cameras": ("number",), "monitoring": ("choice", ("passive", "active"))},
    "rapid_repair": {"repair_days": ("number",), "tag_removal_days": ("number",)},
    "private_security": {"level": ("number",)},
}
# values offered when a lever the strategy lacks is switched on (required fields have no default)
ADD_DEFAULTS = {"night_mediators": {"posts": 4}, "cctv": {"cameras": 10}}
ORGANISATIONS = ("none", "integrated", "dedicated")


def contexts() -> list[str]:
    return available("contexts")


def strategies() -> list[str]:
    return available("strategies")


def strategy_levers(strategy: str) -> tuple[str, dict[str, dict | None]]:
    """(organisation, {main lever: its fields as shipped, or None if the strategy lacks it})."""
    strat, _ = load_strategy(_shipped(strategy, "strategies"))
    out: dict[str, dict | None] = {}
    for name, fields in MAIN_LEVERS.items():
        cfg = getattr(strat.levers, name)
        if cfg is None:
            out[name] = None
        else:
            out[name] = {f: getattr(cfg, f) for f in fields}
    return strat.organisation, out


def lever_form(strategy: str) -> dict:
    """The sidebar's initial lever values for a strategy: on/off and each field as text."""
    org, levers = strategy_levers(strategy)
    form: dict = {"organisation": org}
    for name, fields in MAIN_LEVERS.items():
        cfg = levers[name]
        if cfg is None:
            defaults = REGISTRY[name].Config.model_fields
            cfg = {f: ADD_DEFAULTS.get(name, {}).get(f, defaults[f].default) for f in fields}
        form[name] = {"on": levers[name] is not None, **{f: _text(v) for f, v in cfg.items()}}
    return form


def _number(text):
    """A typed value as a number when it reads as one (so messages say 'got -3'), else as is."""
    t = str(text).strip()
    for conv in (int, float):
        try:
            return conv(t)
        except ValueError:
            pass
    return t


def _text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class Choice:
    context: str = "priority_estate"
    strategy: str = "proximity_management"
    seed: str = "1"
    years: str = "5"
    form: dict | None = None  # lever_form() as edited; None: the strategy as shipped
    strategy_b: str = "withdrawal"


class Refused(ValueError):
    """Bad values typed in the sidebar: ``errors`` maps a field key to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _shipped(name: str, kind: str) -> str:
    if name not in available(kind):
        raise Refused({kind: f"must be one of {available(kind)} (got {name!r})"})
    return name


def check(choice: Choice) -> tuple[dict, dict]:
    """Validate the sidebar; returns (load_scenario overrides, run settings) or raises Refused.

    Each lever's fields are validated by the lever's own pydantic ``Config`` (merged with the
    strategy's shipped values, as ``load_scenario`` does), so the messages are those of
    scenario files: ``must be >= 0 (got -3)``.
    """
    errors: dict[str, str] = {}
    _shipped(choice.context, "contexts")
    _shipped(choice.strategy, "strategies")
    run = {}
    for key in ("seed", "years"):
        try:
            run[key] = getattr(RunSettings.model_validate({key: _number(getattr(choice, key))}), key)
        except ValidationError as exc:
            err = exc.errors()[0]
            errors[key] = field_message(err, RunSettings, tuple(err["loc"]))
    overrides: dict = {}
    if choice.form is not None:
        org = choice.form["organisation"]
        if org not in ORGANISATIONS:
            errors["organisation"] = f"must be one of {list(ORGANISATIONS)} (got {org!r})"
        overrides["organisation"] = org
        strat, _ = load_strategy(choice.strategy)
        levers: dict = {}
        for name, fields in MAIN_LEVERS.items():
            entry = choice.form[name]
            if not entry["on"]:
                levers[name] = None
                continue
            shipped = getattr(strat.levers, name)
            base = shipped.model_dump(exclude_none=True) if shipped is not None else {}
            typed = {f: _number(entry[f]) for f in fields}
            Config = REGISTRY[name].Config
            try:
                cfg = Config.model_validate({**base, **typed})
            except ValidationError as exc:
                for err in exc.errors():
                    f = str(err["loc"][0]) if err["loc"] else "start"
                    errors.setdefault(f"{name}.{f}", field_message(err, Config, tuple(err["loc"])))
                continue
            levers[name] = {f: getattr(cfg, f) for f in fields}
        overrides["levers"] = levers
    if errors:
        raise Refused(errors)
    return overrides, run


def build(choice: Choice, strategy: str | None = None, overrides: dict | None = None) -> EstateModel:
    """A fresh model for the choice (or for ``strategy`` as shipped, same context/seed/years)."""
    ov, run = check(choice)
    if strategy is not None:
        ov = overrides or {}
    try:
        sc = load_scenario(context=_shipped(choice.context, "contexts"),
                           strategy=_shipped(strategy or choice.strategy, "strategies"), **ov)
    except ScenarioError as exc:  # pragma: no cover - check() catches field errors first
        raise Refused({"scenario": str(exc)}) from None
    return build_model(sc, seed=run["seed"], years=run["years"])


def context_title(name: str, lang: str) -> str:
    ctx, _ = load_context(name)
    return ctx.title.en if lang == "en" else ctx.title.fr


def strategy_title(name: str, lang: str) -> str:
    strat: Strategy
    strat, _ = load_strategy(name)
    return strat.title.en if lang == "en" else strat.title.fr


@dataclass
class Session:
    """The running model(s). ``models[0]`` is the main one; ``models[1]`` the compare view's B."""

    choice: Choice = field(default_factory=Choice)
    compare: bool = False
    models: list[EstateModel] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int = 0  # bumped at each reset: views rebuild their figures

    def __post_init__(self):
        if not self.models:
            self.reset(self.choice, self.compare)

    def reset(self, choice: Choice, compare: bool | None = None) -> None:
        """Rebuild the model(s) from a choice; raises Refused and keeps the old ones on bad input."""
        compare = self.compare if compare is None else compare
        a = build(choice)
        models = [a]
        if compare:
            models.append(build(replace(choice, form=None), strategy=choice.strategy_b))
        with self.lock:
            self.choice, self.compare, self.models = choice, compare, models
            self.version += 1

    @property
    def model(self) -> EstateModel:
        return self.models[0]

    @property
    def finished(self) -> bool:
        return self.model.day >= self.model.days_total

    def step(self, days: int = 1) -> int:
        """Advance every model ``days`` days (not past the horizon); returns the days done."""
        with self.lock:
            n = max(0, min(days, self.model.days_total - self.model.day))
            for m in self.models:
                for _ in range(n):
                    m.step()
            return n
