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
import stat
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver
from pydantic import BaseModel, ValidationError

from tranqsim.config import Context, RunSettings, Scenario, Strategy
from tranqsim.errors import ScenarioError
from tranqsim.levers import REGISTRY


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


# Bounds on what a file may cost before it is understood. The shipped files are under 2 KB and
# five levels deep; a hand-written file stays far below both.
MAX_FILE_BYTES = 1 << 20  # 1 MiB: parsed in at most a few seconds
MAX_DEPTH = 50  # nested mappings and lists

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"{kind}, not a regular file: give a YAML file"


def _too_big(size: int) -> str:
    return (f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes, 1 MiB): "
            "scenario, context, strategy and experiment files are a few kilobytes")


def _os_problem(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__


def _read_bytes(path: Path, shown: str) -> tuple[bytes, tuple | None]:
    """The file's bytes and its cache key, reading only a regular file of bounded size.

    The path is checked with ``stat`` before it is opened, so a directory, a device such as
    ``/dev/zero`` or a FIFO is refused without being opened. It is then opened non-blocking
    (opening a FIFO swapped in meanwhile returns at once instead of waiting for a writer) and
    checked again on the open descriptor, and at most ``MAX_FILE_BYTES + 1`` bytes are read, so
    neither a swapped-in file nor one that grows while being read costs more than the limit."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ScenarioError(f"{shown}: cannot read: {_os_problem(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(f"{shown}: {_not_regular(st.st_mode)}")
    if st.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{shown}: {_too_big(st.st_size)}")
    key = (os.path.realpath(path), st.st_mtime_ns, st.st_size, st.st_ino)
    if key in _PARSED:
        return b"", key
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read: {_os_problem(exc)}") from None
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            raise ScenarioError(f"{shown}: {_not_regular(fst.st_mode)}")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read: {_os_problem(exc)}") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{shown}: {_too_big(len(raw))}")
    return raw, key


def _bounded_loader(base: type) -> type:
    class Loader(Composer, base, SafeConstructor, Resolver):  # Composer first: its compose_node
        """A safe YAML loader that refuses aliases and nesting deeper than ``MAX_DEPTH``.

        Both are checked while the node tree is composed, event by event, so neither an alias
        bomb (a 465-byte file whose expansion has billions of nodes) nor ten thousand nested
        brackets costs more than the text itself: PyYAML's composer recurses once per level
        (a deep file would end in ``RecursionError`` before any check on the finished tree
        could run), and although the tree shares an alias's node, every walk over the tree
        (the duplicate-key check, pydantic, deep copies) would follow each expansion.
        tranqsim's files never need anchors; refusing them is simpler than walking each once."""

        def __init__(self, stream: str, shown: str) -> None:
            base.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.shown, self.depth = shown, 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            at = f"{self.shown}:{event.start_mark.line + 1}"
            if isinstance(event, yaml.AliasEvent):
                raise ScenarioError(f"{at}: YAML alias *{event.anchor} refused: tranqsim files do "
                                    "not use anchors and aliases (&name, *name); write the value out")
            nests = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            if nests and self.depth >= MAX_DEPTH:
                raise ScenarioError(f"{at}: nested more than {MAX_DEPTH} levels deep")
            self.depth += nests
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= nests

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, OverflowError) as exc:  # e.g. !!timestamp 2020-99-99
                raise ScenarioError(f"{self.shown}:{node.start_mark.line + 1}: cannot read value "
                                    f"{str(node.value)[:40]!r}: {exc}") from None

    return Loader


try:  # libyaml's parser (about 5x faster) under PyYAML's own composer, which the checks need
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

_Loader = _bounded_loader(_Parser)
_PARSED: dict[tuple, tuple[Any, yaml.Node]] = {}  # (path, mtime, size, inode) -> parsed


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None, str]:
    """Parse a YAML file into (data, node tree, display name), or raise ScenarioError.

    Bounded before any work: regular files only, at most ``MAX_FILE_BYTES``, no aliases, at most
    ``MAX_DEPTH`` levels (see :func:`_read_bytes` and :func:`_bounded_loader`); every failure is
    one ``file:line: message`` ScenarioError.

    A file read before and unchanged since (same modification time, size and inode) is not
    parsed again: a sweep's worker loads the same few context and strategy files for every run,
    and parsing them cost about 20 ms a run. The data is handed out as a deep copy (callers may
    change it); the node tree is only read."""
    shown = _display(path)
    raw, key = _read_bytes(path, shown)
    if key in _PARSED:
        data, node = _PARSED[key]
        return copy.deepcopy(data), node, shown
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ScenarioError(f"{shown}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}): "
                            "save the file as UTF-8") from None
    try:
        loader = _Loader(text, shown)  # the pure-Python reader checks characters here
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        loader.dispose()
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{shown}{_yaml_line(exc, text)}: malformed YAML: {_yaml_problem(exc)}") from None
    except RecursionError:  # not expected below MAX_DEPTH; a message all the same
        raise ScenarioError(f"{shown}: nested too deeply") from None
    if node is None:
        raise ScenarioError(f"{shown}: file is empty")
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError(f"{shown}:{node.start_mark.line + 1}: expected a mapping of keys at top level")
    _check_duplicates(node, shown)
    _PARSED[key] = (copy.deepcopy(data), node)
    return data, node, shown


def _yaml_line(exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f":{mark.line + 1}"
    position = getattr(exc, "position", None)  # a ReaderError (e.g. a control character)
    return f":{text[:position].count(chr(10)) + 1}" if isinstance(position, int) else ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    return getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]


def _check_duplicates(root: yaml.Node, shown: str) -> None:
    """Refuse a key given twice in one mapping (PyYAML keeps the last one silently); the
    first duplicate in the file is named.

    Iterative, over a tree without shared nodes (aliases are refused), so its cost is the
    file's size whatever its shape."""
    first: tuple[int, str] | None = None
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                key = str(k.value)
                where = f"{path}.{key}" if path else key
                if key in seen and (first is None or k.start_mark.line < first[0]):
                    first = (k.start_mark.line, where)
                seen.add(key)
                stack.append((v, where))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node.value))
    if first is not None:
        raise ScenarioError(f"{shown}:{first[0] + 1}: {first[1]}: duplicate key")


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
    """The error to show. An unknown key comes first: a misspelt field (``camera``) also leaves
    the right one (``cameras``) missing, and "did you mean 'cameras'?" is the useful message.
    Otherwise the first: for unions pydantic reports one error per branch, the first names the
    simplest form."""
    return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])


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
