"""Reading scenario, context and strategy files, with errors that name file, line and field.

PyYAML's composed node tree keeps every key's line; pydantic's errors give the field path.
Walking the node tree along the error path joins the two:
``scenarios/x.yaml:12: strategy.levers.cctv.cameras: must be >= 0``.
Every failure (missing file, malformed YAML, typo, wrong type, out-of-range value, unknown
lever, context or strategy) becomes one :class:`ScenarioError`; the CLI prints it and exits 2.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from tranqsim.config import Context, RunSettings, Scenario, Strategy
from tranqsim.errors import ScenarioError
# reading files and wording errors live in their own modules; importers of these names from
# here keep working
from tranqsim.field_errors import _pick, _walk, field_message, validate  # noqa: F401
from tranqsim.yaml_input import MAX_DEPTH, MAX_FILE_BYTES, _display, read_yaml  # noqa: F401


def scenarios_dir() -> Path:
    """The shipped scenarios folder (``TRANQSIM_SCENARIOS`` overrides it)."""
    env = os.environ.get("TRANQSIM_SCENARIOS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def available(kind: str) -> list[str]:
    """Names of shipped ``contexts`` or ``strategies``."""
    folder = scenarios_dir() / kind
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


# --------------------------------------------------------------------------- resolution
def _resolve(kind: str, ref: Any, origin: str) -> tuple[Path, str]:
    """A name (``priority_estate``) or a path to a file -> (path, display name)."""
    folder = "contexts" if kind == "context" else "strategies"
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(f"{origin}: must be a name or a file path (got {ref!r})")
    if ref.endswith((".yaml", ".yml")) or os.sep in ref or "/" in ref:
        return Path(ref), Path(ref).stem
    path = scenarios_dir() / folder / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(available(folder)) or "none found"
        close = difflib.get_close_matches(ref, available(folder), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ScenarioError(f"{origin}: unknown {kind} {ref!r} ({hint}known: {known})")
    return path, ref


def load_context(ref: str | Path, origin: str = "--context") -> tuple[Context, str]:
    path, name = _resolve("context", str(ref), origin)
    data, node, shown = read_yaml(path)
    return validate(Context, data, node, shown, ("context",)), name


def load_strategy(ref: str | Path, origin: str = "--strategy") -> tuple[Strategy, str]:
    path, name = _resolve("strategy", str(ref), origin)
    data, node, shown = read_yaml(path)
    return validate(Strategy, data, node, shown, ("strategy",)), name


def _sub_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def _key_line(node: yaml.Node | None, key: str, shown: str) -> str:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == key:
                return f"{shown}:{k.start_mark.line + 1}"
    return shown


def _check_parameters(raw: Any, node: yaml.Node | None, shown: str, where: str) -> dict[str, float]:
    """Overrides of the parameter table: known names, numbers, within each entry's range."""
    from tranqsim.params import PARAMS

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: parameters: must be a mapping of parameter names to numbers")
    out = {}
    for name, value in raw.items():
        line, _, _ = _walk(node, (name,))
        at = f"{shown}:{line}: parameters.{name}" if line is not None else f"{shown}: parameters.{name}"
        if name not in PARAMS:
            close = difflib.get_close_matches(str(name), list(PARAMS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see `tranqsim params`)"
            raise ScenarioError(f"{at}: unknown parameter {name!r}{hint}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"{at}: must be a number (got {value!r})")
        p = PARAMS[name]
        if not p.low <= value <= p.high:
            raise ScenarioError(f"{at}: must be in [{p.low:g}, {p.high:g}] (got {value!r})")
        out[name] = float(value)
    return out


_SCENARIO_KEYS = ("context", "strategy", "run", "parameters", "context_name", "strategy_name",
                  "tranqsim_version")


def load_scenario(path: str | Path | None = None, context: str | Path | Context | None = None,
                  strategy: str | Path | Strategy | None = None, **overrides: Any) -> Scenario:
    """Build a validated :class:`Scenario`.

    ``path`` is a scenario file (``context``/``strategy`` by name, path or inline, ``run``,
    ``parameters``); ``context`` and ``strategy`` (names, paths or objects) take precedence
    over the file. Overrides: ``years``, ``seed``, ``parameters`` (dict), ``organisation``,
    ``levers`` (dict of lever configs merged into the strategy's; ``None`` removes a lever).
    Defaults: ``priority_estate`` x ``proximity_management``, 5 years, seed 1.
    """
    unknown = set(overrides) - {"years", "seed", "parameters", "organisation", "levers"}
    if unknown:
        raise ScenarioError(f"overrides: unknown option(s) {', '.join(sorted(unknown))}")
    ctx_obj: Context | None = context if isinstance(context, Context) else None
    strat_obj: Strategy | None = strategy if isinstance(strategy, Strategy) else None
    ctx_name = strat_name = "custom"
    run: dict[str, Any] = {}
    params: dict[str, float] = {}
    ctx_ref: Any = None if ctx_obj else context
    strat_ref: Any = None if strat_obj else strategy
    ctx_origin, strat_origin = "--context", "--strategy"
    if path is not None:
        data, node, shown = read_yaml(Path(path))
        for key in data:
            if key not in _SCENARIO_KEYS:
                close = difflib.get_close_matches(str(key), _SCENARIO_KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else \
                    f" (allowed: {', '.join(_SCENARIO_KEYS)})"
                raise ScenarioError(f"{_key_line(node, key, shown)}: {key}: unknown field {key!r}{hint}")
        for key in ("context", "strategy"):
            if key in data and not isinstance(data[key], (str, dict)):
                raise ScenarioError(f"{_key_line(node, key, shown)}: {key}: must be a name, a file "
                                    f"path or a mapping (got {data[key]!r})")
        if ctx_ref is None and ctx_obj is None and "context" in data:
            if isinstance(data["context"], dict):
                ctx_obj = validate(Context, data["context"], _sub_node(node, "context"), shown, ("context",))
                ctx_name = str(data.get("context_name") or Path(path).stem)
            else:
                ctx_ref, ctx_origin = data["context"], _key_line(node, "context", shown) + ": context"
        if strat_ref is None and strat_obj is None and "strategy" in data:
            if isinstance(data["strategy"], dict):
                strat_obj = validate(Strategy, data["strategy"], _sub_node(node, "strategy"), shown,
                                     ("strategy",))
                strat_name = str(data.get("strategy_name") or Path(path).stem)
            else:
                strat_ref, strat_origin = data["strategy"], _key_line(node, "strategy", shown) + ": strategy"
        if "run" in data:
            validate(RunSettings, data["run"], _sub_node(node, "run"), shown, ("run",))
            run = dict(data["run"] or {})
        if "parameters" in data:
            params = _check_parameters(data["parameters"], _sub_node(node, "parameters"), shown,
                                       _key_line(node, "parameters", shown))
    if ctx_obj is None:
        ctx_obj, ctx_name = load_context(ctx_ref or "priority_estate", ctx_origin)
    elif isinstance(context, Context):
        ctx_name = "custom"
    if strat_obj is None:
        strat_obj, strat_name = load_strategy(strat_ref or "proximity_management", strat_origin)

    if "organisation" in overrides or "levers" in overrides:
        merged = strat_obj.model_dump(exclude_none=True)
        if "organisation" in overrides:
            merged["organisation"] = overrides["organisation"]
        for name, cfg in (overrides.get("levers") or {}).items():
            if cfg is None:
                merged["levers"].pop(name, None)
            else:
                base = merged["levers"].get(name, {})
                merged["levers"][name] = {**base, **(cfg.model_dump(exclude_none=True)
                                                     if isinstance(cfg, BaseModel) else cfg)}
        strat_obj = validate(Strategy, merged, None, "overrides", ("strategy",))
    if overrides.get("years") is not None:
        run["years"] = overrides["years"]
    if overrides.get("seed") is not None:
        run["seed"] = overrides["seed"]
    if overrides.get("parameters"):
        params = {**params, **_check_parameters(overrides["parameters"], None, "overrides", "overrides")}
    run_obj = validate(RunSettings, run, None, "options", ("run",))
    return validate(Scenario, {"context_name": ctx_name, "strategy_name": strat_name,
                               "context": ctx_obj, "strategy": strat_obj, "run": run_obj,
                               "parameters": params}, None, "options")
