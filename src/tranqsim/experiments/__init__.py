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
from tranqsim.experiments.store import StoreMismatch, read_table


def run(path_or_spec: str | Path | Experiment, out: str | Path, executor=None, workers: int = 1,
        **kw) -> SweepReport:
    exp = path_or_spec if isinstance(path_or_spec, Experiment) else load_experiment(path_or_spec)
    return _run(exp, out, executor=executor, workers=workers, **kw)


def load(out: str | Path, table: str = "runs") -> pd.DataFrame:
    """The runs table (one row per run) of a sweep folder, as a DataFrame."""
    return read_table(out, table)


__all__ = ["Experiment", "StoreMismatch", "SweepReport", "jobs", "load", "load_experiment", "run",
           "run_job"]
