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
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from types import UnionType
from typing import Literal, Union, get_args, get_origin

from pydantic import ValidationError

from tranqsim.config import RunSettings, Strategy
from tranqsim.levers import REGISTRY
from tranqsim.loading import (ScenarioError, field_message, available, load_context, load_scenario,
                              load_strategy)
from tranqsim.model import EstateModel
from tranqsim.simulation import build_model
from tranqsim.ui.format import parse_number, text_for_input

# Every lever of the toolbox is editable; a lever switched off is built *dormant* (its window
# starts after any horizon), so that every model holds all levers and one can be switched on,
# re-dosed or stopped during the run (the Recorder's cost columns are fixed when the model is
# built). A dormant lever never acts and costs nothing: the run is the shipped strategy's.
DORMANT = 10_000_000
# values offered when a lever the strategy lacks is switched on (required fields have no default)
ADD_DEFAULTS = {"night_mediators": {"posts": 4}, "cctv": {"cameras": 10}}
ORGANISATIONS = ("none", "integrated", "dedicated")


def lever_fields(name: str) -> dict[str, tuple]:
    """The editable fields of a lever, {field: ("number",) or ("choice", options)}, window first.
    A ZSP zone given as a rectangle in a scenario file is kept as shipped (not offered here)."""
    out: dict[str, tuple] = {}
    for f, info in REGISTRY[name].Config.model_fields.items():
        ann = info.annotation
        options = [a for arg in (get_args(ann) if get_origin(ann) in (Union, UnionType) else (ann,))
                   if get_origin(arg) is Literal for a in get_args(arg)]
        out[f] = ("choice", tuple(options)) if options else ("number",)
    return out


MAIN_LEVERS: dict[str, dict[str, tuple]] = {name: lever_fields(name) for name in REGISTRY}


def contexts() -> list[str]:
    return available("contexts")


def strategies() -> list[str]:
    return available("strategies")


def strategy_levers(strategy: str) -> tuple[str, dict[str, dict | None]]:
    """(organisation, {lever: its editable fields as shipped, or None if the strategy lacks it})."""
    strat, _ = load_strategy(_shipped(strategy, "strategies"))
    out: dict[str, dict | None] = {}
    for name, fields in MAIN_LEVERS.items():
        cfg = getattr(strat.levers, name)
        out[name] = None if cfg is None else {f: getattr(cfg, f) for f in fields}
    return strat.organisation, out


def lever_form(strategy: str) -> dict:
    """The sidebar's initial lever values for a strategy: on/off and each field as text
    (numbers with a decimal comma, an open end as an empty field)."""
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
    """A typed value as a number when it reads as one ("2,5" too), else as typed (so that
    messages say 'got -3')."""
    return parse_number(text)


def _text(v) -> str:
    if v is None:
        return ""
    if not isinstance(v, (int, float, str)):
        return "—"  # a structured value (a ZSP rectangle): kept as shipped
    return text_for_input(v, "fr")


@dataclass(frozen=True)
class Choice:
    context: str = "priority_estate"
    strategy: str = "proximity_management"
    seed: str = "1"
    years: str = "5"
    form: dict | None = None  # lever_form() as edited; None: the strategy as shipped
    strategy_b: str = "withdrawal"
    form_b: dict | None = None  # the same for B in the compare view


class Refused(ValueError):
    """Bad values typed in the sidebar: ``errors`` maps a field key to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _shipped(name: str, kind: str) -> str:
    if name not in available(kind):
        raise Refused({kind: f"must be one of {available(kind)} (got {name!r})"})
    return name


def check(choice: Choice, which: str = "a") -> tuple[dict, dict]:
    """Validate the sidebar for run A (or B); returns (load_scenario overrides, run settings)
    or raises Refused.

    Each lever's fields are validated by the lever's own pydantic ``Config`` (merged with the
    strategy's shipped values, as ``load_scenario`` does), so the messages are those of
    scenario files: ``must be >= 0 (got -3)``. Levers switched off are built dormant.
    """
    errors: dict[str, str] = {}
    strategy = choice.strategy if which == "a" else choice.strategy_b
    form = choice.form if which == "a" else choice.form_b
    _shipped(choice.context, "contexts")
    _shipped(strategy, "strategies")
    run = {}
    for key in ("seed", "years"):
        try:
            run[key] = getattr(RunSettings.model_validate({key: _number(getattr(choice, key))}), key)
        except ValidationError as exc:
            err = exc.errors()[0]
            errors[key] = field_message(err, RunSettings, tuple(err["loc"]))
    form = form if form is not None else lever_form(strategy)
    overrides: dict = {}
    org = form["organisation"]
    if org not in ORGANISATIONS:
        errors["organisation"] = f"must be one of {list(ORGANISATIONS)} (got {org!r})"
    overrides["organisation"] = org
    strat, _ = load_strategy(strategy)
    levers: dict = {}
    for name, fields in MAIN_LEVERS.items():
        entry = form[name]
        shipped = getattr(strat.levers, name)
        Config = REGISTRY[name].Config
        base = shipped.model_dump(exclude_none=True) if shipped is not None else \
            dict(ADD_DEFAULTS.get(name, {}))
        if not entry["on"]:
            levers[name] = {**base, "start": DORMANT, "end": None}
            continue
        typed = {}
        for f in fields:
            text = entry.get(f, "")
            if text == "—":
                continue  # kept as shipped
            if f == "end" and str(text).strip() == "":
                typed[f] = None
            else:
                typed[f] = _number(text)
        try:
            cfg = Config.model_validate({**base, **typed})
        except ValidationError as exc:
            for err in exc.errors():
                f = str(err["loc"][0]) if err["loc"] else "start"
                errors.setdefault(f"{name}.{f}", field_message(err, Config, tuple(err["loc"])))
            continue
        levers[name] = cfg.model_dump()
    overrides["levers"] = levers
    if errors:
        raise Refused(errors)
    return overrides, run


def build(choice: Choice, which: str = "a") -> EstateModel:
    """A fresh model for run A (or B) of the choice."""
    ov, run = check(choice, which)
    strategy = choice.strategy if which == "a" else choice.strategy_b
    try:
        sc = load_scenario(context=_shipped(choice.context, "contexts"),
                           strategy=_shipped(strategy, "strategies"), **ov)
    except ScenarioError as exc:  # pragma: no cover - check() catches field errors first
        raise Refused({"scenario": str(exc)}) from None
    from tranqsim import overrides

    sc = overrides.apply(sc, overrides.from_environment())  # `tranqsim ui --set`, checked there
    return build_model(sc, seed=run["seed"], years=run["years"])


def change_levers(model: EstateModel, levers: dict[str, dict]) -> list[str]:
    """Give the running model new lever settings from today on; returns the levers changed.

    The model recomputes what its levers do on the days listed in ``change_days`` (see
    ``tranqsim.levers.in_force.apply_levers``). A changed lever is replaced by a new one with
    its new config (set up on the estate as at build), and today plus the new window's days are
    added to those days: the next step applies it. Its cost column stays its own.
    """
    changed = []
    in_force = model.state.in_force
    for name, cfg in levers.items():
        idx = next((i for i, lv in enumerate(in_force.levers) if lv.name == name), None)
        if idx is None:  # pragma: no cover - session models hold every lever
            raise Refused({name: "this run was built without the lever: press Reset"})
        new_cfg = REGISTRY[name].Config.model_validate(cfg)
        if new_cfg == in_force.levers[idx].config:
            continue
        lever = REGISTRY[name](new_cfg)
        lever.setup(model.state)
        in_force.levers[idx] = lever
        days = {model.day, new_cfg.start} | ({new_cfg.end} if new_cfg.end is not None else set())
        in_force.change_days = sorted(set(in_force.change_days) | days)
        changed.append(name)
    return changed


def context_title(name: str, lang: str) -> str:
    ctx, _ = load_context(name)
    return ctx.title.en if lang == "en" else ctx.title.fr


def strategy_title(name: str, lang: str) -> str:
    strat: Strategy
    strat, _ = load_strategy(name)
    return strat.title.en if lang == "en" else strat.title.fr


_LIVE: weakref.WeakSet = weakref.WeakSet()


def live_sessions() -> int:
    """How many :class:`Session` objects are alive (the UI server's status reports it: after the
    pages of a room are closed or culled, it goes back to 0, and their models with it)."""
    return len(_LIVE)


@dataclass(eq=False)  # hashed by identity, so that a WeakSet can hold it
class Session:
    """The running model(s). ``models[0]`` is the main one; ``models[1]`` the compare view's B.
    ``changes[i]`` lists ``(day, lever)`` for every lever changed during model i's run."""

    choice: Choice = field(default_factory=Choice)
    compare: bool = False
    models: list[EstateModel] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int = 0  # bumped at each reset: views rebuild their figures
    changes: list[list[tuple[int, str]]] = field(default_factory=lambda: [[], []])

    def __post_init__(self):
        _LIVE.add(self)
        if not self.models:
            self.reset(self.choice, self.compare)

    def reset(self, choice: Choice, compare: bool | None = None) -> None:
        """Rebuild the model(s) from a choice; raises Refused and keeps the old ones on bad input."""
        compare = self.compare if compare is None else compare
        models = [build(choice)]
        if compare:
            models.append(build(choice, "b"))
        with self.lock:
            self.choice, self.compare, self.models = choice, compare, models
            self.changes = [[], []]
            self.version += 1

    def apply_now(self, choice: Choice) -> list[list[str]]:
        """Apply the lever settings of ``choice`` to the running model(s) from today (the
        organisation, seed, horizon and strategies need a Reset). Raises Refused on bad values,
        changing nothing. Returns the levers changed, per model."""
        checked = [check(choice, w)[0]["levers"] for w in ("a", "b")[: len(self.models)]]
        with self.lock:
            out = []
            for i, (m, levers) in enumerate(zip(self.models, checked)):
                changed = change_levers(m, levers)
                self.changes[i].extend((m.day, name) for name in changed)
                out.append(changed)
            self.choice = choice
            return out
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


class KeptRuns:
    """Runs kept for the browsers that opened them, so that a reload finds its run.

    A reload is a new page, hence a new Solara kernel, from the same browser (the same Solara
    session cookie, the key here). A run is kept while a page of its browser uses it
    (:meth:`get` ... :meth:`release`, which the page calls when its kernel closes) and for
    ``grace`` seconds after the last one went: a reload closes the old page just before the
    new one asks, and a tab closed by mistake can be reopened. After that the run and its
    models are dropped, so that a room's memory comes back once its pages are gone (the UI
    server sets ``grace`` to at most its ``--idle-minutes``). Beyond ``limit`` runs the least
    recently used one is dropped (a page still using it keeps it, but a reload will not).
    """

    def __init__(self, limit: int = 8, grace: float = 120.0, clock=time.monotonic):
        self.limit, self.grace, self.clock = limit, grace, clock
        self._lock = threading.Lock()
        # key -> [run, pages using it, when the last one went (None while used)]
        self._runs: OrderedDict[str, list] = OrderedDict()

    def configure(self, limit: int | None = None, grace: float | None = None) -> None:
        with self._lock:
            self.limit = self.limit if limit is None else limit
            self.grace = self.grace if grace is None else grace

    def get(self, key: str, new=None):
        """The browser's run (one more page uses it), or ``new()`` kept for it."""
        self.sweep()
        with self._lock:
            entry = self._runs.get(key)
            if entry is not None:
                entry[1] += 1
                entry[2] = None
                self._runs.move_to_end(key)
                return entry[0]
        run = (new or Session)()  # built outside the lock: it takes a while
        with self._lock:
            self._runs[key] = [run, 1, None]
            self._runs.move_to_end(key)
            while len(self._runs) > self.limit:
                self._runs.popitem(last=False)
        return run

    def release(self, key: str, run) -> None:
        """A page using ``run`` went away (its kernel closed)."""
        with self._lock:
            entry = self._runs.get(key)
            if entry is not None and entry[0] is run:
                entry[1] = max(0, entry[1] - 1)
                if entry[1] == 0:
                    entry[2] = self.clock()

    def sweep(self) -> int:
        """Drop the runs unused for ``grace`` seconds; returns how many were dropped."""
        now = self.clock()
        with self._lock:
            old = [k for k, (_, users, gone) in self._runs.items()
                   if users == 0 and gone is not None and now - gone >= self.grace]
            for k in old:
                del self._runs[k]
        return len(old)

    def __len__(self) -> int:
        return len(self._runs)

    def __contains__(self, key: str) -> bool:
        return key in self._runs


KEPT = KeptRuns()
