"""Shared pieces of the kernels' A/B benchmarks (``bench_actors.py``, ``bench_deploy.py``,
``bench_deterrence.py``, ``bench_offenders.py``, ``bench_record.py``, ``bench_respond.py``):
the numpy reference each test keeps, and the per-block means the figures are medians of."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_module(name: str):
    """``tests/<name>.py`` as a module: where each kernel's numpy reference is kept."""
    spec = importlib.util.spec_from_file_location("_ref", ROOT / "tests" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def block_means(x, warmup: int, block: int) -> np.ndarray:
    """Means over consecutive blocks of ``block`` values, after the first ``warmup``."""
    x = np.asarray(x[warmup:])
    return x[: x.size // block * block].reshape(-1, block).mean(1)
