"""Experiments: parameter sweeps, replicates and policy comparisons (issue 3, in progress).

    from tranqsim import experiments
    exp = experiments.load_experiment("experiments/strategy_spectrum.yaml", replicates=2)
    experiments.run(exp, out="runs/spectrum", workers=2)
    df = experiments.load("runs/spectrum")
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tranqsim.experiments.runner import SweepReport, jobs, run_job
from tranqsim.experiments.runner import run as _run
from tranqsim.experiments.spec import Experiment, load_experiment
from tranqsim.experiments.store import (StoreDamaged, StoreError, StoreLocked, StoreMismatch, StoreWarning,
                                        read_manifest, read_table)


def run(path_or_spec: str | Path | Experiment, out: str | Path, executor=None, workers: int = 1,
        **kw) -> SweepReport:
    exp = path_or_spec if isinstance(path_or_spec, Experiment) else load_experiment(path_or_spec)
    return _run(exp, out, executor=executor, workers=workers, **kw)


def load(out: str | Path, table: str = "runs") -> pd.DataFrame:
    """The runs table (one row per run) of a sweep folder, or another of its tables, as a
    DataFrame: every chunk verified (``StoreDamaged`` names the damaged ones), one row per run
    id, and only the runs of the experiment in ``manifest.json`` (the run ids are recomputed
    from its spec; rows of other runs are dropped with a ``StoreWarning``)."""
    from pydantic import ValidationError

    try:
        exp = Experiment.model_validate(read_manifest(out)["spec"])
    except ValidationError as exc:
        err = exc.errors()[0]
        raise StoreError(f"{Path(out) / 'manifest.json'}: the experiment it records is not valid for this "
                         f"version of tranqsim ({'.'.join(map(str, err['loc']))}: {err['msg']})") from None
    return read_table(out, table, job_ids={j["run_id"] for j in jobs(exp)})


__all__ = ["Experiment", "StoreDamaged", "StoreError", "StoreLocked", "StoreMismatch", "StoreWarning",
           "SweepReport", "jobs", "load", "load_experiment", "run", "run_job"]
