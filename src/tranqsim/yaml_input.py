"""Reading a YAML file safely and with its lines: bounded in size and depth, no aliases, no
FIFOs or devices, duplicate keys refused; PyYAML's composed node tree keeps every key's line,
which :mod:`tranqsim.field_errors` joins to pydantic's error paths."""

from __future__ import annotations

import copy
import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from tranqsim.errors import ScenarioError


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
