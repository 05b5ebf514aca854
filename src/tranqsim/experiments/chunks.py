"""Parquet chunks of the results store: written once, checked on every read.

A chunk is written to a temporary file with a CRC-32 checksum on every data page
(``write_page_checksum``), then renamed to ``part-<ns>-<pid>-<digest>.parquet``, where
``digest`` is the first 32 hex digits of the SHA-256 of the file's bytes. Reading checks both:

- the digest in the name catches a change anywhere in the file. Page checksums alone do not
  cover the footer (column names, types, the pandas metadata) nor the page headers: flipping
  each bit of a small chunk in turn, 8 of about 3,000 flips read back changed with page
  verification on and no error (a renamed column, for one);
- ``page_checksum_verification`` (pyarrow) checks the data pages, and so does any other
  Parquet reader pointed at the folder (pandas, DuckDB, Spark), which knows nothing of names.

A chunk that fails is reported with what is wrong (``Damage``); :func:`damage_message` is the
one text that ``sweep``, ``compare``, ``sensitivity``, ``report`` and ``store check`` print.
Chunks of one table share one Arrow schema (:func:`union`, :func:`align`): a column missing
from some rows is stored as nulls of its type, so ``pd.read_parquet(DIR / "runs")`` sees every
column (it takes the schema of the first file it opens).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tranqsim.loading import ScenarioError

NAME = re.compile(r"^(part-\d+-\d+)(?:-([0-9a-f]{32}))?\.parquet$")
DIGITS = 32  # hex digits of SHA-256 kept in a chunk's name


class StoreDamaged(ScenarioError):
    """One or more chunks cannot be trusted (the message names them and says what to do)."""


@dataclass
class Damage(Exception):
    path: Path
    reason: str


def chunk_files(folder: Path) -> list[Path]:
    """The chunks of one table, oldest first (the name starts with the write time in ns)."""
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGITS]


def read_chunk(path: Path, columns: list[str] | None = None, whole: bool = True) -> tuple[pa.Table, pa.Schema]:
    """(table, full schema) of a chunk, or raise ``Damage`` saying what is wrong.

    ``whole=False`` reads only ``columns`` from disk and skips the digest (used to list the run
    ids of large time-series chunks when a sweep starts; their pages are still verified)."""
    name = NAME.match(path.name)
    try:
        if whole:
            data = path.read_bytes()
            size = len(data)
            head, tail = data[:4], data[-4:]
        else:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                head = fh.read(4)
                fh.seek(max(size - 4, 0))
                tail = fh.read(4)
    except OSError as exc:
        raise Damage(path, f"cannot be read: {exc.strerror or exc}") from None
    if head != b"PAR1":
        raise Damage(path, "not a Parquet file (it does not start with the Parquet marker)"
                     if size else "empty file")
    if size < 12 or tail != b"PAR1":
        raise Damage(path, "truncated (the end of the file, where Parquet keeps its layout, is missing)")
    if whole and name and name.group(2) and digest(data) != name.group(2):
        raise Damage(path, "its bytes changed after it was written (SHA-256 differs from the one in its name)")
    try:
        pf = pq.ParquetFile(pa.BufferReader(data) if whole else path, page_checksum_verification=True)
        schema = pf.schema_arrow
        if "run_id" not in schema.names:
            raise Damage(path, "no run_id column: not a chunk of a sweep")
        table = pf.read(columns=columns)
    except Damage:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "checksum" in msg.lower() or "crc" in msg.lower():
            raise Damage(path, f"a data page fails its checksum ({msg})") from None
        raise Damage(path, f"unreadable Parquet ({msg})") from None
    return table, schema


def damage_message(root: str | Path, damaged: list[Damage]) -> str:
    """The one line every command prints about damaged chunks."""
    root = Path(root)
    n = len(damaged)
    what = "; ".join(f"{_rel(d.path, root)}: {d.reason}" for d in damaged)
    it, its = ("it", "its") if n == 1 else ("them", "their")
    return (f"{root}: {n} damaged chunk{'s' if n > 1 else ''}, whose results cannot be trusted: {what}. "
            f"Move {it} aside with `tranqsim store check {root} --move-damaged`, then rerun the same "
            f"`tranqsim sweep` command on this folder to run {its} runs again")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def write_chunk(folder: Path, table: pa.Table, stem: str | None = None) -> Path:
    """Write ``table`` as a new chunk of ``folder``, atomically; return its path. ``stem``
    (``part-<ns>-<pid>``) keeps a rewritten chunk in its place in the read order."""
    stem = stem or f"part-{time.time_ns()}-{os.getpid()}"
    tmp = folder / f".{stem}.tmp"
    try:
        pq.write_table(table, tmp, write_page_checksum=True)
        path = folder / f"{stem}-{digest(tmp.read_bytes())}.parquet"
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave half a chunk behind
        raise
    return path


def stem_of(path: Path) -> str | None:
    m = NAME.match(path.name)
    return m.group(1) if m else None


def union(a: pa.Schema, b: pa.Schema) -> pa.Schema:
    """Every column of ``a`` then the new ones of ``b``; a column of two types takes the wider
    (int -> float, null -> anything), or text when they have nothing in common."""
    try:
        return pa.unify_schemas([a, b], promote_options="permissive").remove_metadata()
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    fields = {f.name: f for f in a}
    for f in b:
        old = fields.get(f.name)
        if old is None or old.type.equals(f.type):
            fields.setdefault(f.name, f)
            continue
        try:
            fields[f.name] = pa.unify_schemas([pa.schema([old]), pa.schema([f])],
                                              promote_options="permissive").field(0)
        except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            fields[f.name] = pa.field(f.name, pa.string())
    return pa.schema(list(fields.values()))


def align(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly ``schema``'s columns, in its order: absent ones as nulls."""
    cols = []
    for f in schema:
        if f.name in table.column_names:
            c = table.column(f.name)
            cols.append(c if c.type.equals(f.type) else c.cast(f.type))
        else:
            cols.append(pa.nulls(len(table), f.type))
    return pa.Table.from_arrays(cols, schema=schema)


def same_schema(a: pa.Schema, b: pa.Schema) -> bool:
    return a.remove_metadata().equals(b.remove_metadata())
