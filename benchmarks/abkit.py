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


def summary(timings, warmup: int, block: int) -> dict:
    """{name: {old_us, new_us, ratio_old_over_new}} from {name: {"old": [s...], "new": [s...]}}:
    medians over blocks of the per-day means, and the median of the per-block ratios."""
    import statistics

    out = {}
    for name, d in timings.items():
        o, n = block_means(d["old"], warmup, block), block_means(d["new"], warmup, block)
        out[name] = {"old_us": 1e6 * statistics.median(o), "new_us": 1e6 * statistics.median(n),
                     "ratio_old_over_new": statistics.median(o / n)}
    return out


def add_arguments(ap, contexts=("calm_neighbourhood", "large_estate"), strategy: str | None = None) -> None:
    """The A/B scripts' common options: contexts, strategy, days, block, warmup, seed."""
    ap.add_argument("--contexts", nargs="+", default=list(contexts))
    if strategy is not None:
        ap.add_argument("--strategy", default=strategy)
    ap.add_argument("--days", type=int, default=360)
    ap.add_argument("--block", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
