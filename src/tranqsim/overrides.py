"""``--set KEY=VALUE`` on the command line: one setting changed without writing a file.

Keys name where a value acts, as an experiment's factors do:

- ``parameters.NAME`` (the parameter table, see ``tranqsim params``);
- ``levers.LEVER.FIELD`` (a lever of the strategy, switched on if the strategy lacks it);
  ``levers.LEVER=null`` removes the lever;
- ``context.SECTION.FIELD`` (the territory: ``context.estate.dwellings=400``);
- ``organisation`` (none, integrated, dedicated); ``years`` and ``seed`` (the run).

Values are read as YAML scalars (``12`` an integer, ``0.7`` a number, ``active`` a text,
``true``, ``null``) and validated like files: the same messages, naming the ``--set`` item
instead of a file line, e.g. ``--set levers.cctv.camera=12: strategy.levers.cctv.camera:
unknown field 'camera' (did you mean 'cameras'?)``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from tranqsim.errors import ScenarioError

#: the ``tranqsim ui --set`` items, as JSON, for the page's server process
UI_ENV = "TRANQSIM_UI_SET"

HEADS = ("parameters", "levers", "context", "organisation", "years", "seed")
KEY_FORMS = ("parameters.NAME", "levers.LEVER.FIELD", "context.SECTION.FIELD", "organisation", "years",
             "seed")


@dataclass(frozen=True)
class Setting:
    text: str  # as typed, for messages
    key: str
    value: Any

    @property
    def target(self) -> tuple[str, ...]:
        """Where the value goes in a scenario (``Scenario.model_dump()``)."""
        parts = tuple(self.key.split("."))
        head = parts[0]
        if head == "levers":
            return ("strategy", "levers", *parts[1:])
        if head == "organisation":
            return ("strategy", "organisation")
        if head in ("years", "seed"):
            return ("run", head)
        return parts


def parse(items: tuple[str, ...] | list[str]) -> list[Setting]:
    """``["parameters.g_police=0.7", ...]`` -> settings; ScenarioError on a malformed item."""
    import yaml

    out = []
    for text in items:
        key, eq, raw = text.partition("=")
        key = key.strip()
        shown = f"--set {text}"
        if not eq or not key:
            raise ScenarioError(f"{shown}: expected KEY=VALUE, e.g. --set parameters.g_police=0.7")
        head, *rest = key.split(".")
        if head not in HEADS:
            close = difflib.get_close_matches(head, HEADS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ScenarioError(f"{shown}: unknown setting {head!r} ({hint}keys: {', '.join(KEY_FORMS)})")
        depth = {"parameters": 1, "levers": (1, 2), "context": 2}.get(head, 0)
        if len(rest) not in (depth if isinstance(depth, tuple) else (depth,)) or any(not r for r in rest):
            form = next(f for f in KEY_FORMS if f.split(".")[0] == head)
            raise ScenarioError(f"{shown}: a {head} key reads {form}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        if isinstance(value, (dict, list)):
            raise ScenarioError(f"{shown}: give one value, not a mapping or a list")
        out.append(Setting(text, key, value))
    return out


def _owner(settings: list[Setting], loc: tuple) -> Setting | None:
    """The setting whose target is a prefix of an error's location (or the reverse)."""
    loc = tuple(str(x) for x in loc)
    for s in reversed(settings):
        n = min(len(s.target), len(loc))
        if s.target[:n] == loc[:n]:
            return s
    return None


def check_parameters(settings: list[Setting]) -> None:
    """Parameter names known and values in range, with the parameter table's messages."""
    from tranqsim.params import PARAMS

    for s in settings:
        if not s.key.startswith("parameters."):
            continue
        name = s.key.split(".", 1)[1]
        shown = f"--set {s.text}: {s.key}"
        if name not in PARAMS:
            close = difflib.get_close_matches(name, list(PARAMS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see `tranqsim params`)"
            raise ScenarioError(f"{shown}: unknown parameter {name!r}{hint}")
        v = s.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ScenarioError(f"{shown}: must be a number (got {v!r})")
        p = PARAMS[name]
        if not p.low <= v <= p.high:
            raise ScenarioError(f"{shown}: must be in [{p.low:g}, {p.high:g}] (got {v!r})")


def apply(scenario, settings: list[Setting]):
    """A new, validated Scenario: ``scenario`` with the settings applied."""
    from pydantic import ValidationError

    from tranqsim.config import Scenario
    from tranqsim.loading import _pick, field_message

    if not settings:
        return scenario
    check_parameters(settings)
    data = scenario.model_dump()
    for s in settings:
        node = data
        *path, last = s.target
        for part in path:
            if node.get(part) is None:  # a lever the strategy lacks: switched on
                node[part] = {}
            node = node[part]
            if not isinstance(node, dict):
                raise ScenarioError(f"--set {s.text}: {'.'.join(s.target)}: {part} takes no fields")
        if s.value is None and s.target[:2] == ("strategy", "levers") and len(s.target) == 3:
            node[last] = None  # levers.X=null: the lever removed
        else:
            node[last] = s.value
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = _pick(exc.errors())
        loc = tuple(err["loc"])
        owner = _owner(settings, loc)
        field = ".".join(str(x) for x in loc if not str(x)[:1].isupper() and "[" not in str(x))
        where = f"--set {owner.text}" if owner else "--set"
        raise ScenarioError(f"{where}: {field}: {field_message(err, Scenario, loc)}") from None


def as_factors(settings: list[Setting]) -> dict[str, Any]:
    """The settings as an experiment's fixed values (factor names: parameters., levers.,
    context., organisation); ScenarioError for years and seed (the sweep's own options)."""
    out = {}
    for s in settings:
        if s.key in ("years", "seed"):
            raise ScenarioError(f"--set {s.text}: a sweep takes {s.key} from its file "
                                f"(or --{s.key if s.key == 'years' else 'replicates'})")
        out[s.key] = s.value
    return out


def from_environment() -> list[Setting]:
    """The settings ``tranqsim ui --set`` passed to the page (checked there already)."""
    import json
    import os

    raw = os.environ.get(UI_ENV)
    return parse(json.loads(raw)) if raw else []
