"""The results store: a folder of Parquet chunks that survives crashes and knows what it holds.

- ``DIR/manifest.json`` names the experiment: its spec and its *identity*, the SHA-256 of
  every context and strategy file it names (shipped ones too), the resolved parameter table
  (``calibrated.json`` included) and the package version. ``spec_hash`` covers all of them but
  the replicates, so a later command on the same folder that changes anything else, a
  strategy file edited in place included, is refused and told what differs; more replicates
  extend the same experiment (replicate k's seed does not depend on how many there are).
- ``DIR/runs/``, ``DIR/errors/`` and ``DIR/timeseries/`` hold Parquet chunks (see
  :mod:`tranqsim.experiments.chunks`): each written to a temporary file and renamed into place
  (``os.replace`` is atomic), so a ``kill -9`` loses at most the rows not yet flushed; each
  checked on every read; all chunks of a table share one schema.
- ``DIR/.lock``: one writer at a time (:mod:`tranqsim.experiments.lock`), held by a sweep from
  the moment it opens the store until it ends.

Reading (:func:`read_table`) keeps the first row of each run id (a chunk copied twice does not
count twice) and, given the experiment's run ids, ignores rows of other experiments with one
warning naming their chunks. A run is done when its row (or its error) is stored, and its time
series too when the experiment keeps them; ``tranqsim store check DIR --move-damaged`` moves
damaged chunks to ``DIR/damaged/`` so that the next sweep reruns their runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa

from tranqsim.experiments.chunks import (Damage, StoreDamaged, align, chunk_files, damage_message, read_chunk,
                                         same_schema, stem_of, union, write_chunk)
from tranqsim.experiments.lock import StoreLock, StoreLocked
from tranqsim.loading import ScenarioError

TABLES = ("runs", "errors", "timeseries")
DAMAGED = "damaged"


class StoreMismatch(ScenarioError):
    """The folder holds another experiment."""


class StoreError(ScenarioError):
    """The folder is not a store this command can use."""


class StoreWarning(UserWarning):
    """Something in the store is ignored (rows of another experiment)."""


# what may change between two commands on the same folder: more replicates extend the same
# experiment (replicate k's seed does not depend on how many there are); the description is prose
EXTENSIBLE = ("replicates", "description")


# ------------------------------------------------------------------ identity
def identity(spec: dict) -> dict:
    """What, beyond the spec, decides the results: input files' content, parameters, version."""
    from tranqsim import __version__, loading
    from tranqsim.params import PARAMS

    inputs = {}
    for key, kind in (("contexts", "context"), ("strategies", "strategy")):
        inputs[key] = {}
        for ref in spec.get(key, []):
            path, _ = loading._resolve(kind, ref, key)
            inputs[key][ref] = _file_sha256(path, kind)
    return {"inputs": inputs, "parameters": {n: p.value for n, p in PARAMS.items()}, "version": __version__}


def _file_sha256(path: Path, kind: str) -> str:
    """SHA-256 of a context or strategy file, read as ``tranqsim.loading`` reads it: a regular
    file only (a FIFO or ``/dev/zero`` would block or never end), opened non-blocking, checked
    again once open, and no more than the size limit of scenario files."""
    from tranqsim.yaml_input import MAX_FILE_BYTES, _not_regular, _too_big

    named = f"the {kind} file named in the experiment"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if not stat.S_ISREG(mode := os.stat(path).st_mode):
            raise ScenarioError(f"{path}: {named} is {_not_regular(mode)}")
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(mode := os.fstat(fd).st_mode):
                raise ScenarioError(f"{path}: {named} is {_not_regular(mode)}")
            data = os.read(fd, MAX_FILE_BYTES + 1)
            while len(data) <= MAX_FILE_BYTES and (more := os.read(fd, MAX_FILE_BYTES + 1 - len(data))):
                data += more
        finally:
            os.close(fd)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: cannot read {named} ({getattr(exc, 'strerror', None) or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: {named}: {_too_big(len(data))}")
    return hashlib.sha256(data).hexdigest()


def _core(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k not in EXTENSIBLE}


def spec_hash(spec: dict, ident: dict) -> str:
    key = {"spec": _core(spec), "identity": ident}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _short(v) -> str:
    s = json.dumps(v, default=str)
    return s if len(s) <= 60 else s[:57] + "..."


def differences(old: dict, spec: dict, ident: dict) -> list[str]:
    """What differs between a manifest and this experiment, in words."""
    out = []
    a, b = _core(old.get("spec", {})), _core(spec)
    out += [f"{k}: {_short(a.get(k))} -> {_short(b.get(k))}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    was = old.get("identity", {})
    for key, kind in (("contexts", "context"), ("strategies", "strategy")):
        before = was.get("inputs", {}).get(key, {})
        out += [f"{kind} file {ref} changed since the store was created"
                for ref, sha in ident["inputs"][key].items() if ref in before and before[ref] != sha]
    pa_, pb = was.get("parameters", {}), ident["parameters"]
    changed = [n for n in sorted(set(pa_) | set(pb)) if pa_.get(n) != pb.get(n)]
    if changed:
        shown = ", ".join(f"{n}: {pa_.get(n)} -> {pb.get(n)}" for n in changed[:4])
        more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
        out.append(f"parameter table changed ({shown}{more}; params.py or calibrated.json)")
    if was.get("version") != ident["version"]:
        out.append(f"tranqsim version {was.get('version')} -> {ident['version']}")
    return out


# ------------------------------------------------------------------ the store (one writer)
class Store:
    """An open store: locked, checked against ``spec``, its chunks verified. ``close()`` (or
    leaving a ``with`` block) releases the lock."""

    def __init__(self, root: str | Path, spec: dict):
        self.root = Path(root)
        ident = identity(spec)  # first: an input file that cannot be read leaves no folder behind
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot create the folder ({exc.strerror})") from None
        self.lock = StoreLock(self.root).acquire()
        try:
            self._open(spec, ident)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, spec: dict, ident: dict) -> None:
        self.hash = spec_hash(spec, ident)
        manifest = self.root / "manifest.json"
        old = None
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text())
                old["spec"]  # noqa: B018 - the one key every manifest has
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(f"{manifest}: unreadable manifest ({exc}); choose another --out folder") from None
        if old is not None and "identity" not in old:
            raise StoreMismatch(
                f"{self.root}: made by an earlier tranqsim that did not record its input files' content, "
                "its parameters or its version, so whether they changed cannot be checked; sweep into a "
                "new --out folder (compare, sensitivity and report still read this one)")
        if old is not None and old.get("spec_hash") != self.hash:
            diffs = differences(old, spec, ident) or [f"spec {old.get('spec_hash')} -> {self.hash}"]
            raise StoreMismatch(
                f"{self.root}: holds another experiment: {'; '.join(diffs)}. Only the replicates (and the "
                "description) may change between commands on one folder; choose another --out folder")
        for t in TABLES:
            (self.root / t).mkdir(exist_ok=True)
            for stale in (self.root / t).glob(".*.tmp"):  # a chunk being written when killed
                stale.unlink(missing_ok=True)
        self._scan(bool(spec.get("timeseries")))  # before the manifest: a refusal changes nothing
        if old is None or spec.get("replicates", 0) > old["spec"].get("replicates", 0):
            # new folder, or more replicates: the manifest records the largest experiment asked for
            tmp = manifest.with_suffix(".tmp")
            created = old["created"] if old else time.strftime("%Y-%m-%dT%H:%M:%S")
            tmp.write_text(json.dumps({"spec_hash": self.hash, "spec": spec, "identity": ident,
                                       "created": created}, indent=2, default=str))
            os.replace(tmp, manifest)

    def _scan(self, timeseries: bool) -> None:
        """Verify every chunk, list the run ids stored, and bring every chunk of a table to the
        table's schema (a crash in the middle of a widening can leave a few behind)."""
        self.schemas: dict[str, pa.Schema] = {}
        ids: dict[str, set] = {}
        damaged: list[Damage] = []
        behind: dict[str, list[Path]] = {}
        for t in TABLES:
            ids[t] = set()
            seen: list[tuple[Path, pa.Schema]] = []
            for f in chunk_files(self.root / t):
                try:
                    # a time-series chunk can be large: its run ids only, their pages verified
                    tab, schema = read_chunk(f, ["run_id"], whole=t != "timeseries")
                except Damage as d:
                    damaged.append(d)
                    continue
                ids[t].update(tab.column("run_id").to_pylist())
                seen.append((f, schema))
            for _, s in seen:
                self.schemas[t] = s.remove_metadata() if t not in self.schemas else union(self.schemas[t], s)
            behind[t] = [f for f, s in seen if not same_schema(s, self.schemas[t])] if seen else []
        if damaged:
            raise StoreDamaged(damage_message(self.root, damaged))
        for t, files in behind.items():
            if files:
                self._rewrite(t, files)
        done = ids["runs"] & ids["timeseries"] if timeseries else ids["runs"]
        self._done = done | ids["errors"]

    def close(self) -> None:
        self.lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, table: str, rows: list[dict] | pd.DataFrame) -> None:
        """Add a chunk; a column new to the table widens the table's schema, and the chunks
        written before it are rewritten with the column as nulls (rare: a lever's cost column
        the first strategies did not have)."""
        if not self.lock.held:
            raise StoreError(f"{self.root}: the store is closed")
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        if df.empty:
            return
        tab = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
        cur = self.schemas.get(table)
        schema = tab.schema if cur is None else union(cur, tab.schema)
        if cur is not None and not same_schema(schema, cur):
            self.schemas[table] = schema
            self._rewrite(table, chunk_files(self.root / table))
        self.schemas[table] = schema
        write_chunk(self.root / table, align(tab, schema))

    def _rewrite(self, table: str, files: list[Path]) -> None:
        schema = self.schemas[table]
        for f in files:
            try:
                tab, old = read_chunk(f)
            except Damage as d:
                raise StoreDamaged(damage_message(self.root, [d])) from None
            if same_schema(old, schema):
                continue
            # new file first, then the old one goes: a crash in between leaves the same rows
            # twice, which reading de-duplicates; never none
            new = write_chunk(self.root / table, align(tab, schema), stem=stem_of(f))
            if new != f:
                f.unlink()

    def done_ids(self) -> set[str]:
        return set(self._done)


# ------------------------------------------------------------------ reading
def read_manifest(root: str | Path) -> dict:
    manifest = Path(root) / "manifest.json"
    if not manifest.is_file():
        raise StoreError(f"{root}: not a sweep folder (no manifest.json); run `tranqsim sweep` first")
    try:
        data = json.loads(manifest.read_text())
        data["spec"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{manifest}: unreadable manifest ({exc})") from None
    return data


def read_table(root: str | Path, table: str = "runs", job_ids: set[str] | None = None) -> pd.DataFrame:
    """One table of the store, every chunk verified: raises ``StoreDamaged`` naming the damaged
    chunks. Keeps the first row of each run id (the first chunk's rows, for time series);
    with ``job_ids``, drops rows of other runs with one ``StoreWarning`` naming their chunks."""
    root = Path(root)
    for attempt in range(3):
        try:
            return _read_table(root, table, job_ids, vanished_ok=attempt < 2)
        except _Vanished:  # a running sweep rewrote a chunk while we listed them: list again
            continue
    raise AssertionError("unreachable")


class _Vanished(Exception):
    pass


def _read_table(root: Path, table: str, job_ids: set[str] | None, vanished_ok: bool) -> pd.DataFrame:
    frames, damaged, foreign = [], [], []
    seen: set = set()
    for f in chunk_files(root / table):
        try:
            tab, _ = read_chunk(f)
        except Damage as d:
            if vanished_ok and not f.exists():
                raise _Vanished from None
            damaged.append(d)
            continue
        df = tab.to_pandas()
        rid = df["run_id"]
        keep = ~rid.isin(seen)
        if table != "timeseries":  # a run has many rows of time series, one row otherwise
            keep &= ~rid.duplicated()
        if job_ids is not None:
            other = ~rid.isin(job_ids)
            if other.any():
                foreign.append((f, int(other.sum())))
                keep &= ~other
        seen.update(rid[keep].unique())
        frames.append(df[keep] if not keep.all() else df)
    if damaged:
        raise StoreDamaged(damage_message(root, damaged))
    if foreign:
        names = ", ".join(f"{table}/{f.name} ({n} row{'s' if n > 1 else ''})" for f, n in foreign)
        warnings.warn(StoreWarning(
            f"{root}: ignored rows of runs that are not in this experiment (chunks copied from another "
            f"sweep?): {names}; move these files out of the folder"), stacklevel=3)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def check(root: str | Path, move: bool = False) -> tuple[int, list[Damage]]:
    """Verify every chunk of every table: (chunks checked, damaged ones). With ``move``, under
    the store's lock, the damaged chunks go to ``DIR/damaged/TABLE/`` (kept, not deleted): the
    next sweep reruns their runs."""
    root = Path(root)
    read_manifest(root)
    lock = StoreLock(root).acquire() if move else None
    try:
        n, damaged = 0, []
        for t in TABLES:
            for f in chunk_files(root / t):
                n += 1
                try:
                    read_chunk(f)
                except Damage as d:
                    damaged.append(d)
        if move:
            for d in damaged:
                dest = root / DAMAGED / d.path.parent.name / d.path.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                k = 1
                while dest.exists():
                    dest = dest.with_name(f"{d.path.stem}.{k}{d.path.suffix}")
                    k += 1
                os.replace(d.path, dest)
                d.path = dest
    finally:
        if lock is not None:
            lock.release()
    return n, damaged


__all__ = ["DAMAGED", "EXTENSIBLE", "TABLES", "Store", "StoreDamaged", "StoreError", "StoreLocked",
           "StoreMismatch", "StoreWarning", "check", "damage_message", "differences", "identity",
           "read_manifest", "read_table", "spec_hash"]
