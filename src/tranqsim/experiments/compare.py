"""Policy comparisons from a sweep: paired differences with bootstrap intervals.

Replicate ``k`` of every design point ran with the same seed (common random numbers), so the
difference ``strategy - baseline`` is taken *within* replicate ``k``: the noise the two runs
share cancels. For each context (and each combination of the other factors, in grid designs)
and each metric we report

- the baseline's and the strategy's means over replicates;
- the mean paired difference with a 95% bias-corrected and accelerated (BCa) bootstrap
  interval (``scipy.stats.bootstrap``; Efron & Tibshirani 1993, ch. 14);
- the relative change, in % of the baseline mean;
- an effect size, Cohen's *d* with the average of the two arms' standard deviations as the
  standardiser (``d_av``, Cumming 2012; Lakens 2013). We do not use ``d_z`` (mean / sd of the
  paired differences): with common random numbers the differences' spread shrinks with the
  shared noise, so ``d_z`` grows with how well the seeds are paired, not with the size of the
  effect. ``d_av`` compares the effect with the run-to-run variability an estate shows.

An interval whose two ends have the same sign is marked significant at the 5% level.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

DEFAULT_METRICS = ("tranquillity_index", "incidents_per_1000_dwellings", "insecurity_share",
                   "victimisation_rate", "trust_landlord_mean", "trust_police_mean", "turnover_rate",
                   "staff_aggressions_per_100_staff", "cost_per_dwelling_eur")
N_RESAMPLES = 9999


class CompareError(ValueError):
    """The sweep cannot support the comparison asked for."""


def paired_interval(diff: np.ndarray, seed: int = 0, confidence: float = 0.95) -> tuple[float, float]:
    """BCa bootstrap interval of the mean of paired differences (NaN when under 3 pairs)."""
    diff = np.asarray(diff, float)
    if len(diff) < 3:
        return float("nan"), float("nan")
    if np.ptp(diff) == 0:  # no spread: the bootstrap distribution is a point
        return float(diff[0]), float(diff[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa warns on near-degenerate samples; we fall back below
        res = stats.bootstrap((diff,), np.mean, confidence_level=confidence, method="BCa",
                              n_resamples=N_RESAMPLES, rng=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    if not (np.isfinite(lo) and np.isfinite(hi)):
        res = stats.bootstrap((diff,), np.mean, confidence_level=confidence, method="percentile",
                              n_resamples=N_RESAMPLES, rng=np.random.default_rng(seed))
        lo, hi = res.confidence_interval
    return float(lo), float(hi)


def cohens_d_av(a: np.ndarray, b: np.ndarray) -> float:
    """Mean difference (b - a) over the average of the two standard deviations."""
    sd = (np.std(a, ddof=1) + np.std(b, ddof=1)) / 2 if len(a) > 1 else 0.0
    diff = float(np.mean(b) - np.mean(a))
    if sd == 0:
        return 0.0 if diff == 0 else float("inf") * np.sign(diff)
    return diff / sd


def _metric_columns(runs: pd.DataFrame, metrics) -> list[str]:
    if metrics:
        missing = [m for m in metrics if m not in runs.columns]
        if missing:
            known = sorted(c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c]))
            raise CompareError(f"unknown metric(s) {', '.join(missing)}; stored metrics: {', '.join(known)}")
        return list(metrics)
    return [m for m in DEFAULT_METRICS if m in runs.columns]


def compare(runs: pd.DataFrame, baseline: str, metrics=None, factors: list[str] | None = None,
            seed: int = 0) -> pd.DataFrame:
    """One row per (context, other factors, strategy != baseline, metric)."""
    if runs.empty:
        raise CompareError("the sweep holds no finished run")
    strategies = list(dict.fromkeys(runs["strategy"]))
    if baseline not in strategies:
        raise CompareError(f"baseline {baseline!r} is not in the sweep (strategies: {', '.join(strategies)})")
    cols = _metric_columns(runs, metrics)
    keys = ["context"] + [f for f in (factors or []) if f in runs.columns]
    out = []
    for key, grp in runs.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        # a pair is one seed in one parameter set (common random numbers across strategies)
        pair = ["parameter_set", "replicate"] if "parameter_set" in grp.columns else "replicate"
        base = grp[grp["strategy"] == baseline].set_index(pair)
        if base.empty:
            continue
        for strat in strategies:
            if strat == baseline:
                continue
            other = grp[grp["strategy"] == strat].set_index(pair)
            common = other.index.intersection(base.index).sort_values()
            if common.empty:
                continue
            for m in cols:
                a = base.loc[common, m].to_numpy(float)
                b = other.loc[common, m].to_numpy(float)
                d = b - a
                lo, hi = paired_interval(d, seed=seed)
                mean_a = float(a.mean())
                out.append({**dict(zip(keys, key)), "strategy": strat, "baseline": baseline, "metric": m,
                            "n_pairs": len(common), "baseline_mean": mean_a, "strategy_mean": float(b.mean()),
                            "difference": float(d.mean()), "ci_low": lo, "ci_high": hi,
                            "relative_change_pct": 100 * float(d.mean()) / mean_a if mean_a else float("nan"),
                            "cohens_d": cohens_d_av(a, b),
                            "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0))})
    if not out:
        raise CompareError(f"no replicate pairs between {baseline!r} and another strategy")
    return pd.DataFrame(out)


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    ax = abs(x)
    return f"{x:.0f}" if ax >= 1000 else f"{x:.1f}" if ax >= 10 else f"{x:.3f}" if ax < 1 else f"{x:.2f}"


def to_markdown(table: pd.DataFrame) -> str:
    """One section per context (and factor combination), one row per strategy x metric."""
    lines = []
    keys = [c for c in table.columns if c not in _VALUE_COLS]
    group_keys = [k for k in keys if k not in ("strategy", "baseline", "metric")]
    for key, grp in table.groupby(group_keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        title = ", ".join(f"{k} = {v}" for k, v in zip(group_keys, key))
        base = grp["baseline"].iloc[0]
        lines += [f"## {title} (baseline: {base})", "",
                  "| strategy | metric | baseline | strategy | difference [95% CI] | change | d | n |",
                  "|---|---|---:|---:|---|---:|---:|---:|"]
        for r in grp.itertuples(index=False):
            star = " *" if r.significant else ""
            lines.append(f"| {r.strategy} | {r.metric} | {_fmt(r.baseline_mean)} | {_fmt(r.strategy_mean)} | "
                         f"{_fmt(r.difference)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]{star} | "
                         f"{_fmt(r.relative_change_pct)}% | {_fmt(r.cohens_d)} | {r.n_pairs} |")
        lines.append("")
    lines.append("Differences are strategy - baseline within each replicate (common random numbers); "
                 "intervals are paired BCa bootstrap 95% intervals; * marks an interval that excludes 0; "
                 "d is Cohen's d_av.")
    return "\n".join(lines) + "\n"


_VALUE_COLS = ("n_pairs", "baseline_mean", "strategy_mean", "difference", "ci_low", "ci_high",
               "relative_change_pct", "cohens_d", "significant")


def save(table: pd.DataFrame, out_dir: str | Path, stem: str = "compare") -> tuple[Path, Path]:
    """Write ``stem.csv`` and ``stem.md`` atomically; return their paths."""
    import os

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, md = out_dir / f"{stem}.csv", out_dir / f"{stem}.md"
    for path, text in ((csv, table.to_csv(index=False)), (md, to_markdown(table))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return csv, md
