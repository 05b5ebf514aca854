"""The ensemble: named sets of plausible parameter values, with where they come from.

Comparisons under uncertainty run every strategy on every parameter set of the ensemble,
crossed with seeds (common random numbers: replicate ``k`` has the same seed in every set and
strategy). The calibrated ensemble is the calibration's posterior sample (issue 16, item 6);
once produced it is shipped as ``src/tranqsim/ensemble.json`` (:data:`SHIPPED`) and
experiments use it by default (``ensemble: shipped``).

Until it exists nothing is made up in its place: ``shipped`` with no file resolves to the
central parameter set alone (the parameter table's values) and every result says so
(:data:`NO_ENSEMBLE`). An ensemble drawn from the parameter table's *ranges*
(:func:`draw_from_ranges`) is prior uncertainty, not calibration: it is marked
``calibrated: false`` and :func:`save` refuses to ship it.

File format (JSON, or Parquet with the same content)::

    {"format": "tranqsim-ensemble/1",
     "provenance": {"method": "...", "calibrated": true, "source": "...", ...},
     "sets": [{"id": "s000", "values": {"g_police": 0.61, ...}}, ...]}

A Parquet ensemble has one row per set, a column ``id`` and one column per parameter, and the
provenance as JSON in the schema metadata key ``tranqsim.provenance``. Every value is checked
against the parameter table's ``[low, high]`` range on load.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tranqsim.loading import ScenarioError
from tranqsim.params import PARAMS

FORMAT = "tranqsim-ensemble/1"
#: where the calibrated ensemble is shipped (absent until a calibration produces it)
SHIPPED = Path(__file__).with_name("ensemble.json")
#: the id of the parameter table's own values (no overrides)
CENTRAL = "central"
#: what every comparison says when it runs on the central set only
NO_ENSEMBLE = "no parameter uncertainty: the calibrated ensemble is not shipped yet"
NONE_CHOSEN = "no parameter uncertainty: the experiment sets ensemble: none (central parameter set only)"
#: ensembles larger than this are refused (a sweep multiplies its runs by the number of sets)
MAX_SETS = 10_000


@dataclass
class Ensemble:
    """Parameter sets (id -> overrides of the parameter table) and their provenance."""

    sets: dict[str, dict[str, float]]
    provenance: dict = field(default_factory=dict)
    source: str = ""  # where it was read from, for messages

    @property
    def calibrated(self) -> bool:
        return bool(self.provenance.get("calibrated", False))

    @property
    def parameters(self) -> list[str]:
        return sorted({n for v in self.sets.values() for n in v})

    def note(self) -> str:
        """One line saying what uncertainty the sets represent."""
        if list(self.sets) == [CENTRAL] and not self.sets[CENTRAL]:
            return self.provenance.get("note") or NO_ENSEMBLE
        what = f"{len(self.sets)} parameter sets over {len(self.parameters)} parameters"
        if self.provenance.get("subset"):
            what += f" ({self.provenance['subset']})"
        method = self.provenance.get("method", "unknown method")
        if self.calibrated:
            return f"{what}, calibrated ({method}; {self.source or 'ensemble file'})"
        return (f"{what}, NOT calibrated ({method}; {self.source or 'ensemble file'}): "
                "prior uncertainty, not the calibrated ensemble")

    def to_dict(self) -> dict:
        return {"format": FORMAT, "provenance": self.provenance,
                "sets": [{"id": k, "values": v} for k, v in self.sets.items()]}


def central(note: str = NO_ENSEMBLE) -> Ensemble:
    """The parameter table's values alone: no parameter uncertainty."""
    return Ensemble({CENTRAL: {}}, {"method": "central parameter set", "calibrated": False, "note": note},
                    source="the parameter table")


# ------------------------------------------------------------------ validation
def validate(data, shown: str) -> Ensemble:
    """An :class:`Ensemble` from the file's decoded content; ``ScenarioError`` naming the
    path and the field otherwise."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{shown}: an ensemble file holds a JSON object (format, provenance, sets)")
    if data.get("format") != FORMAT:
        raise ScenarioError(f"{shown}: format: expected {FORMAT!r} (got {data.get('format')!r})")
    prov = data.get("provenance")
    if not isinstance(prov, dict) or not isinstance(prov.get("method"), str) or not prov["method"].strip():
        raise ScenarioError(f"{shown}: provenance: give at least a method (how the sets were made) "
                            "and calibrated: true|false")
    if not isinstance(prov.get("calibrated"), bool):
        raise ScenarioError(f"{shown}: provenance.calibrated: must be true or false")
    sets = data.get("sets")
    if not isinstance(sets, list) or not sets:
        raise ScenarioError(f"{shown}: sets: give a non-empty list of {{id, values}}")
    if len(sets) > MAX_SETS:
        raise ScenarioError(f"{shown}: sets: {len(sets):,} sets, above the limit of {MAX_SETS:,}")
    out: dict[str, dict[str, float]] = {}
    for i, s in enumerate(sets):
        where = f"{shown}: sets[{i}]"
        if not isinstance(s, dict) or set(s) - {"id", "values", "weight"}:
            raise ScenarioError(f"{where}: each set is {{id, values}}")
        sid = s.get("id")
        if not isinstance(sid, str) or not sid.strip() or sid == CENTRAL:
            raise ScenarioError(f"{where}.id: a non-empty name other than {CENTRAL!r} (got {sid!r})")
        if sid in out:
            raise ScenarioError(f"{where}.id: {sid!r} is used twice")
        vals = s.get("values")
        if not isinstance(vals, dict):
            raise ScenarioError(f"{where}.values: a mapping parameter -> value")
        clean = {}
        for name, v in vals.items():
            if name not in PARAMS:
                raise ScenarioError(f"{where}.values.{name}: unknown parameter (see `tranqsim params`)")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ScenarioError(f"{where}.values.{name}: not a finite number ({v!r})")
            p = PARAMS[name]
            if not p.low <= v <= p.high:
                raise ScenarioError(f"{where}.values.{name}: {v!r} is outside the parameter's range "
                                    f"[{p.low:g}, {p.high:g}]")
            clean[name] = float(v)
        out[sid] = clean
    return Ensemble(out, dict(prov), source=shown)


def load(path: str | Path) -> Ensemble:
    """Read and validate an ensemble file (``.json`` or ``.parquet``)."""
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise ScenarioError(f"{shown}: no such ensemble file")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            tab = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several kinds on a damaged file
            raise ScenarioError(f"{shown}: cannot read the Parquet ensemble ({exc})") from None
        meta = (tab.schema.metadata or {}).get(b"tranqsim.provenance")
        try:
            prov = json.loads(meta) if meta else None
        except ValueError:
            prov = None
        if "id" not in tab.column_names:
            raise ScenarioError(f"{shown}: a Parquet ensemble needs a column 'id'")
        df = tab.to_pandas()
        names = [c for c in df.columns if c != "id"]
        data = {"format": FORMAT, "provenance": prov,
                "sets": [{"id": str(r["id"]), "values": {n: float(r[n]) for n in names}}
                         for r in df.to_dict("records")]}
    else:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ScenarioError(f"{shown}: not a readable JSON ensemble ({exc})") from None
    return validate(data, shown)


#: replaces ``shipped`` wherever it is asked for (``none``, ``shipped:K``, a path): quick trials,
#: and the test suite, whose sweeps test the machinery, not the parameter uncertainty
ENV = "TRANQSIM_ENSEMBLE"


def resolve(ref: str | None, base: Path | None = None) -> Ensemble:
    """``shipped`` (the calibrated ensemble if shipped, else the central set with
    :data:`NO_ENSEMBLE`), ``none`` (the central set), or a path: relative paths are looked
    up beside ``base`` (the experiment file's folder) first, then in the working directory.

    ``REF:K`` keeps the first ``K`` sets of ``REF`` (``shipped:10``): the calibration writes
    its sets in random order, so a prefix is a random subsample, the same one every time (a
    quick trial, or an optimiser's search before its confirmation on every set). The
    environment variable ``TRANQSIM_ENSEMBLE`` replaces ``shipped`` (and ``None``) by its
    value, and the note says so."""
    env = os.environ.get(ENV, "").strip()
    head, _, tail = (ref or "").rpartition(":")
    if ref not in (None, "shipped") and head == "shipped" and tail.isdigit() and env and env != "shipped":
        # ``shipped:K`` under the override: the first K sets of what replaces ``shipped``
        ens, k = resolve(None, base), int(tail)
        if 0 < k < len(ens.sets):
            ens = Ensemble(dict(list(ens.sets.items())[:k]),
                           {**ens.provenance, "subset": f"the first {k} of {len(ens.sets)} sets"},
                           source=ens.source)
        return ens
    if ref in (None, "shipped") and env and env != "shipped":
        ens = _resolve(env, base)
        if list(ens.sets) == [CENTRAL] and not ens.sets[CENTRAL]:
            ens.provenance = {**ens.provenance,
                              "note": f"no parameter uncertainty: {ENV}={env} (central parameter set only)"}
        else:
            ens.source = f"{ens.source}, from {ENV}={env}"
        return ens
    return _resolve(ref, base)


def _resolve(ref: str | None, base: Path | None) -> Ensemble:
    k = None
    if ref not in (None, "none") and ":" in ref:
        head, _, tail = ref.rpartition(":")
        if tail.isdigit() and head:
            ref, k = head, int(tail)
            if k < 1:
                raise ScenarioError(f"{ref}:{tail}: keep at least one parameter set")
    if ref in (None, "shipped"):
        ens = load(SHIPPED) if SHIPPED.exists() else central(NO_ENSEMBLE)
    elif ref == "none":
        return central(NONE_CHOSEN)
    else:
        path = Path(ref)
        if not path.is_absolute() and base is not None and (base / path).is_file():
            path = base / path
        ens = load(path)
    if k is not None and k < len(ens.sets) and list(ens.sets) != [CENTRAL]:
        n = len(ens.sets)
        ens = Ensemble(dict(list(ens.sets.items())[:k]),
                       {**ens.provenance, "subset": f"the first {k} of {n} sets"}, source=ens.source)
    return ens


# ------------------------------------------------------------------ making and writing
def draw_from_ranges(names: list[str], n: int, seed: int = 0,
                     ranges: dict[str, tuple[float, float]] | None = None) -> Ensemble:
    """``n`` sets drawn by a scrambled Latin hypercube, uniformly within each parameter's range
    (``ranges`` or the parameter table's ``[low, high]``). Prior uncertainty, NOT a
    calibration: marked ``calibrated: false`` (tests use it as a fixture)."""
    from scipy.stats import qmc

    for name in names:
        if name not in PARAMS:
            raise ScenarioError(f"unknown parameter {name!r}")
    rng = ranges or {}
    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    sets = {}
    for i, row in enumerate(unit):
        vals = {}
        for u, name in zip(row, names):
            lo, hi = rng.get(name, (PARAMS[name].low, PARAMS[name].high))
            vals[name] = round(float(lo + u * (hi - lo)), 6)
        sets[f"p{i:03d}"] = vals
    prov = {"method": f"Latin hypercube over the parameter ranges (seed {seed})", "calibrated": False,
            "note": "prior draws, not calibrated"}
    return Ensemble(sets, prov, source="drawn from ranges")


def save(ens: Ensemble, path: str | Path) -> Path:
    """Write an ensemble (JSON, or Parquet by suffix) atomically. Refuses to write an
    ensemble that is not calibrated to :data:`SHIPPED`: what is shipped is the calibration's."""
    path = Path(path)
    if path.resolve() == SHIPPED.resolve() and not ens.calibrated:
        raise ScenarioError(f"{path}: only a calibrated ensemble is shipped (this one's provenance says "
                            f"calibrated: false: {ens.provenance.get('method')})")
    validate(ens.to_dict(), str(path))
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix == ".parquet":
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        df = pd.DataFrame([{"id": k, **v} for k, v in ens.sets.items()])
        tab = pa.Table.from_pandas(df, preserve_index=False)
        tab = tab.replace_schema_metadata({b"tranqsim.provenance": json.dumps(ens.provenance).encode()})
        pq.write_table(tab, tmp)
    else:
        tmp.write_text(json.dumps(ens.to_dict(), indent=1))
    os.replace(tmp, path)
    return path


__all__ = ["CENTRAL", "ENV", "FORMAT", "NONE_CHOSEN", "NO_ENSEMBLE", "SHIPPED", "Ensemble", "central",
           "draw_from_ranges", "load", "resolve", "save", "validate"]
