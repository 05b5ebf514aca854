"""The results store: a folder of Parquet chunks that survives crashes.

``DIR/manifest.json`` names the experiment (a hash of its resolved spec); ``DIR/runs/``,
``DIR/errors/`` and ``DIR/timeseries/`` hold Parquet chunks, each written to a temporary file
and renamed into place (``os.replace`` is atomic), so a ``kill -9`` loses at most the rows not
yet flushed and never leaves a half-written chunk. Finished run ids are read back on restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pandas as pd

TABLES = ("runs", "errors", "timeseries")


class StoreMismatch(Exception):
    """The folder holds another experiment."""


# what may change between two commands on the same folder: more replicates extend the same
# experiment (replicate k's seed does not depend on how many there are); the description is prose
EXTENSIBLE = ("replicates", "description")


def spec_hash(spec: dict) -> str:
    core = {k: v for k, v in spec.items() if k not in EXTENSIBLE}
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()[:16]


class Store:
    def __init__(self, root: str | Path, spec: dict):
        self.root = Path(root)
        self.hash = spec_hash(spec)
        manifest = self.root / "manifest.json"
        old = json.loads(manifest.read_text()) if manifest.exists() else None
        if old is not None and old.get("spec_hash") != self.hash:
            raise StoreMismatch(
                f"{self.root}: holds another experiment (spec {old.get('spec_hash')}, this one "
                f"{self.hash}; only replicates may change between runs); choose another --out folder")
        if old is None or spec.get("replicates", 0) > old["spec"].get("replicates", 0):
            # new folder, or more replicates: the manifest records the largest experiment asked for
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = manifest.with_suffix(".tmp")
            created = old["created"] if old else time.strftime("%Y-%m-%dT%H:%M:%S")
            tmp.write_text(json.dumps({"spec_hash": self.hash, "spec": spec, "created": created},
                                      indent=2, default=str))
            os.replace(tmp, manifest)
        for t in TABLES:
            (self.root / t).mkdir(exist_ok=True)
            for stale in (self.root / t).glob(".*.tmp"):  # a chunk being written when killed
                stale.unlink(missing_ok=True)

    def write(self, table: str, rows: list[dict] | pd.DataFrame) -> None:
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        if df.empty:
            return
        name = f"part-{time.time_ns()}-{os.getpid()}.parquet"
        tmp = self.root / table / f".{name}.tmp"
        try:
            df.to_parquet(tmp, index=False)
            os.replace(tmp, self.root / table / name)
        except BaseException:
            tmp.unlink(missing_ok=True)  # never leave half a chunk behind
            raise

    def done_ids(self) -> set[str]:
        ids: set[str] = set()
        for t in ("runs", "errors"):
            for f in sorted((self.root / t).glob("part-*.parquet")):
                ids.update(pd.read_parquet(f, columns=["run_id"])["run_id"])
        return ids


def read_table(root: str | Path, table: str = "runs") -> pd.DataFrame:
    files = sorted((Path(root) / table).glob("part-*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
