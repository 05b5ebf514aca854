"""Reading scenario, context and strategy files, with errors that name file, line and field.

PyYAML's composed node tree keeps every key's line; pydantic's errors give the field path.
Walking the node tree along the error path joins the two:
``scenarios/x.yaml:12: strategy.levers.cctv.cameras: must be >= 0``.
Every failure (missing file, malformed YAML, typo, wrong type, out-of-range value, unknown
lever, context or strategy) becomes one :class:`ScenarioError`; the CLI prints it and exits 2.
"""

from __future__ import annotations

import copy
import difflib
import os
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tranqsim.config import Context, RunSettings, Scenario, Strategy
from tranqsim.levers import REGISTRY


class ScenarioError(Exception):
    """Bad input: the message names the file, the line and the field."""


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


# --------------------------------------------------------------------------- YAML with lines
def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


_PARSED: dict[tuple, tuple[Any, yaml.Node]] = {}  # (path, mtime, size) -> parsed, see read_yaml


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None, str]:
    """Parse a YAML file into (data, node tree, display name), or raise ScenarioError.

    A file read before and unchanged since (same modification time and size) is not parsed
    again: a sweep's worker loads the same few context and strategy files for every run, and
    parsing them cost about 20 ms a run. The data is handed out as a deep copy (callers may
    change it); the node tree is only read."""
    shown = _display(path)
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None  # reported below, by the read
    if key is not None and key in _PARSED:
        data, node = _PARSED[key]
        return copy.deepcopy(data), node, shown
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: no such file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{shown}: cannot read: {exc.__class__.__name__}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{shown}{line}: malformed YAML: {problem}") from None
    if node is None:
        raise ScenarioError(f"{shown}: file is empty")
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError(f"{shown}:{node.start_mark.line + 1}: expected a mapping of keys at top level")
    _check_duplicates(node, shown)
    if key is not None:
        _PARSED[key] = (copy.deepcopy(data), node)
    return data, node, shown


def _check_duplicates(node: yaml.Node, shown: str, path: str = "") -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = str(k.value)
            where = f"{path}.{key}" if path else key
            if key in seen:
                raise ScenarioError(f"{shown}:{k.start_mark.line + 1}: {where}: duplicate key")
            seen.add(key)
            _check_duplicates(v, shown, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _check_duplicates(v, shown, f"{path}[{i}]")


def _walk(node: yaml.Node | None, loc: tuple) -> tuple[int | None, list[str], bool]:
    """Follow a pydantic error location through the node tree.

    Returns the best line, the path components that exist in the file (union tags such as
    ``Zone`` or ``literal[...]`` are skipped), and whether the last component was a key
    found in a mapping (for 'unknown field' errors the key's own line is wanted).
    """
    line = node.start_mark.line + 1 if node is not None else None
    parts: list[str] = []
    key_line = False
    for comp in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(comp):
                    parts.append(str(comp))
                    line, node, key_line = k.start_mark.line + 1, v, True
                    break
            else:
                if isinstance(comp, str) and not _is_tag(comp):
                    parts.append(comp)  # a missing key: keep the name, line of the parent
                continue
        elif isinstance(node, yaml.SequenceNode) and isinstance(comp, int) and comp < len(node.value):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{comp}]"]
            node = node.value[comp]
            line = node.start_mark.line + 1
        elif not _is_tag(str(comp)):
            parts.append(str(comp))
    return line, parts, key_line


def _is_tag(comp: str) -> bool:
    return comp[:1].isupper() or "[" in comp or comp in {"str", "int", "float", "bool"}


# --------------------------------------------------------------------------- messages
def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """The field names allowed at ``loc`` inside ``model`` (for 'did you mean')."""
    cls: Any = model
    for comp in loc:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return None
        f = cls.model_fields.get(str(comp))
        if f is None:
            continue  # union tag
        cls = _model_in(f.annotation)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return list(cls.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            m = _model_in(arg)
            if m is not None:
                return m
    return None


def field_message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    """One pydantic error in plain words (also used by the UI's lever controls)."""
    t, ctx, given = err["type"], err.get("ctx", {}), err.get("input")
    if t == "extra_forbidden":
        key = str(loc[-1])
        parent = tuple(loc[:-1])
        allowed = _allowed_keys(model, parent) or []
        if parent and str(parent[-1]) == "levers":
            return f"unknown lever {key!r} (known: {', '.join(REGISTRY)})"
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else (
            f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown field {key!r}{hint}"
    bounds = {"greater_than_equal": (">=", "ge"), "less_than_equal": ("<=", "le"),
              "greater_than": (">", "gt"), "less_than": ("<", "lt")}
    if t in bounds:
        op, k = bounds[t]
        return f"must be {op} {ctx.get(k)} (got {given!r})"
    if t == "missing":
        return "required field missing"
    if t in ("int_parsing", "int_type", "int_from_float"):
        return f"must be an integer (got {given!r})"
    if t in ("float_parsing", "float_type"):
        return f"must be a number (got {given!r})"
    if t in ("bool_parsing", "bool_type"):
        return f"must be true or false (got {given!r})"
    if t == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {given!r})"
    if t in ("string_type",):
        return f"must be a text (got {given!r})"
    if t in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of keys (got {given!r})"
    if t == "string_too_short":
        return "must not be empty"
    msg = err.get("msg", "invalid value")
    return msg.removeprefix("Value error, ")


def _pick(errors: list[dict]) -> dict:
    # For unions pydantic reports one error per branch; the first names the simplest form.
    return errors[0]


def validate(model: type[BaseModel], data: Any, node: yaml.Node | None, shown: str,
             prefix: tuple = ()) -> Any:
    """Validate ``data`` against ``model``; on failure raise one ScenarioError with file:line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = _pick(exc.errors())
        loc = tuple(err["loc"])
        line, parts, _ = _walk(node, loc)
        field = ".".join(list(prefix) + parts) or "(top level)"
        where = f"{shown}:{line}" if line is not None else shown
        raise ScenarioError(f"{where}: {field}: {field_message(err, model, loc)}") from None


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
