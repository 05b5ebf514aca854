"""Comparisons under uncertainty: how sure is the ranking, over parameter sets and seeds.

A sweep run over an ensemble (:mod:`tranqsim.ensemble`) holds, per context, one run per
strategy x parameter set x seed, with common random numbers: replicate ``k`` ran with the same
seed for every strategy and set. A *draw* is one (parameter set, seed) pair; every strategy
has a run on it, so strategies are compared draw by draw. For each context, metric and
strategy:

- ``mean`` and ``low``/``high``: the mean and the 2.5 % / 97.5 % quantiles of the metric over
  all draws (seed noise and parameter uncertainty together);
- ``seed_sd`` and ``set_sd``: the two kinds of spread apart. ``seed_sd`` is the within-set
  standard deviation over seeds (pooled over sets): what more replicates would average away.
  ``set_sd`` is the standard deviation of the per-set means over sets: what we do not know
  about the world, which no number of replicates reduces. The same two for the paired
  difference with the baseline (``diff_seed_sd``, ``diff_set_sd``);
- ``p_beats_baseline``: the share of paired draws in which the strategy does better than the
  baseline (ties count half); ``p_beats_baseline_sets``: the same on per-set means (seed
  noise averaged out: the probability over parameter uncertainty alone);
- ``p_best`` and ``p_best_sets``: the share of draws (of sets, on set means) in which the
  strategy is the best of those compared;
- ``expected_regret``: the mean over sets of (best strategy's set mean - this strategy's set
  mean), in the metric's units and counted in the better direction (0 for a strategy that is
  best in every set), and ``max_regret``, the worst set's.

"Better" is higher for the tranquillity index and trust, lower for incidents, insecurity,
victimisation, turnover, aggressions and costs (:data:`HIGHER_IS_BETTER`).

With one parameter set (the calibrated ensemble not shipped yet, or ``ensemble: none``) the
probabilities reflect seed noise only and ``set_sd`` is undefined; the table's note says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.ensemble import CENTRAL, NO_ENSEMBLE
from tranqsim.loading import ScenarioError

HIGHER_IS_BETTER = {
    "tranquillity_index": True, "trust_landlord_mean": True, "trust_police_mean": True,
    "satisfaction_mean": True, "reporting_rate": True,
    "incidents_per_1000_dwellings": False, "insecurity_share": False, "victimisation_rate": False,
    "turnover_rate": False, "vacancy_rate": False, "disorder_index": False,
    "staff_aggressions_per_100_staff": False, "cost_per_dwelling_eur": False,
    "public_cost_per_dwelling_eur": False, "squatted_dwellings": False, "dealing_points": False,
}
DEFAULT_METRICS = ("tranquillity_index", "insecurity_share", "cost_per_dwelling_eur",
                   "public_cost_per_dwelling_eur")


class UncertaintyError(ScenarioError):
    """The runs cannot support the analysis asked for (the CLI prints it and exits 2)."""


def _better(metric: str, directions: dict[str, bool] | None) -> float:
    d = {**HIGHER_IS_BETTER, **(directions or {})}
    if metric not in d:
        raise UncertaintyError(f"metric {metric!r}: say whether higher is better (directions=...)")
    return 1.0 if d[metric] else -1.0


def _share_better(u: np.ndarray) -> np.ndarray:
    """Share of rows (draws) in which each column is best, ties split."""
    best = u == np.nanmax(u, axis=1, keepdims=True)
    return (best / best.sum(1, keepdims=True)).mean(0)


def _p_beats(d: np.ndarray) -> float:
    """Share of ``d > 0`` (better), ties half; NaN with no draw."""
    if d.size == 0:
        return float("nan")
    return float(np.mean(d > 0) + 0.5 * np.mean(d == 0))


def _spreads(x: pd.Series) -> tuple[float, float]:
    """(pooled within-set SD over seeds, SD of the set means over sets); x indexed by
    (parameter_set, replicate)."""
    g = x.groupby(level=0)
    var = g.var(ddof=1).dropna()
    seed_sd = float(np.sqrt(var.mean())) if len(var) else float("nan")
    means = g.mean()
    set_sd = float(means.std(ddof=1)) if len(means) > 1 else float("nan")
    return seed_sd, set_sd


def summarise(runs: pd.DataFrame, baseline: str, metrics=None, factors: list[str] | None = None,
              note: str | None = None, directions: dict[str, bool] | None = None) -> pd.DataFrame:
    """One row per (context, other factors, metric, strategy); see the module docstring.
    ``note`` (what the parameter sets represent) is kept in ``table.attrs["note"]``."""
    if runs.empty:
        raise UncertaintyError("the sweep holds no finished run")
    runs = runs.copy()
    if "parameter_set" not in runs.columns:  # a sweep without sets ran the central one
        runs["parameter_set"] = CENTRAL
    strategies = list(dict.fromkeys(runs["strategy"]))
    if baseline not in strategies:
        raise UncertaintyError(f"baseline {baseline!r} is not in the sweep (strategies: {', '.join(strategies)})")
    metrics = list(metrics) if metrics else [m for m in DEFAULT_METRICS if m in runs.columns]
    missing = [m for m in metrics if m not in runs.columns]
    if missing:
        raise UncertaintyError(f"unknown metric(s) {', '.join(missing)}")
    keys = ["context"] + [f for f in (factors or []) if f in runs.columns]
    out = []
    for key, grp in runs.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            sign = _better(m, directions)
            wide = grp.pivot_table(index=["parameter_set", "replicate"], columns="strategy", values=m,
                                   aggfunc="first")
            names = [s for s in strategies if s in wide.columns]
            if baseline not in names:
                continue
            complete = wide[names].dropna()
            u = sign * complete.to_numpy(float)
            p_best = _share_better(u) if len(u) else np.full(len(names), np.nan)
            set_means = complete.groupby(level=0).mean()
            us = sign * set_means.to_numpy(float)
            p_best_sets = _share_better(us) if len(us) else np.full(len(names), np.nan)
            regret = (us.max(1, keepdims=True) - us) if len(us) else np.full((1, len(names)), np.nan)
            for j, s in enumerate(names):
                x = wide[s].dropna()
                pair = wide[[s, baseline]].dropna()
                d = pair[s] - pair[baseline]
                d_sets = d.groupby(level=0).mean()
                seed_sd, set_sd = _spreads(x)
                dseed, dset = _spreads(d) if s != baseline else (float("nan"), float("nan"))
                per_set = x.groupby(level=0).size()
                out.append({
                    **dict(zip(keys, key)), "metric": m, "strategy": s, "baseline": baseline,
                    "n_sets": int(per_set.size), "n_seeds": int(per_set.min()) if per_set.size else 0,
                    "n_draws": int(x.size), "mean": float(x.mean()),
                    "low": float(x.quantile(0.025)), "high": float(x.quantile(0.975)),
                    "seed_sd": seed_sd, "set_sd": set_sd,
                    "difference": float(d.mean()) if s != baseline else 0.0,
                    "diff_seed_sd": dseed, "diff_set_sd": dset,
                    "p_beats_baseline": _p_beats(sign * d.to_numpy(float)) if s != baseline else float("nan"),
                    "p_beats_baseline_sets": _p_beats(sign * d_sets.to_numpy(float)) if s != baseline
                    else float("nan"),
                    "p_best": float(p_best[j]), "p_best_sets": float(p_best_sets[j]),
                    "expected_regret": float(regret[:, j].mean()), "max_regret": float(regret[:, j].max()),
                })
    if not out:
        raise UncertaintyError(f"no draws with the baseline {baseline!r}")
    table = pd.DataFrame(out)
    n_sets = int(table["n_sets"].max())
    if note is None:
        note = NO_ENSEMBLE if n_sets <= 1 else f"{n_sets} parameter sets (provenance not recorded)"
    table.attrs["note"] = note
    return table


def ranking_flips(runs: pd.DataFrame, metric: str = "tranquillity_index", factors: list[str] | None = None,
                  directions: dict[str, bool] | None = None) -> pd.DataFrame:
    """Which parameters of the ensemble flip the ranking, and at what values.

    Per context, the best strategy of each parameter set (on its mean over seeds). For each
    parameter that varies across sets, the threshold that best splits the sets into "below"
    and "above", each side predicting its most frequent winner: ``explained`` is the share of
    sets whose winner the split gets right, ``gain`` how much more than naming the overall
    most frequent winner. Only splits whose two sides have different winners (a flip) are
    kept, best first. A one-split rule per parameter (a decision stump): a screening of what
    could change the recommendation, not a full scenario discovery (PRIM is item 4)."""
    sign = _better(metric, directions)
    params = [c for c in runs.columns if c.startswith("parameters.")]
    keys = ["context"] + [f for f in (factors or []) if f in runs.columns]
    out = []
    if "parameter_set" not in runs.columns or not params:
        return pd.DataFrame(columns=[*keys, "metric", "parameter", "threshold", "below_best", "above_best",
                                     "explained", "gain", "n_sets"])
    for key, grp in runs.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        means = grp.pivot_table(index="parameter_set", columns="strategy", values=metric, aggfunc="mean").dropna()
        if len(means) < 4:
            continue
        winner = (sign * means).idxmax(axis=1)
        base_rate = winner.value_counts(normalize=True).iloc[0]
        values = grp.groupby("parameter_set")[params].first().loc[means.index]
        for p in params:
            x = values[p].astype(float)
            cuts = np.unique(x.to_numpy())
            best = None
            for lo, hi in zip(cuts[:-1], cuts[1:]):
                t = (lo + hi) / 2
                below, above = winner[x <= t], winner[x > t]
                wb, wa = below.value_counts().index[0], above.value_counts().index[0]
                right = (below == wb).sum() + (above == wa).sum()
                if wb != wa and (best is None or right > best[0]):
                    best = (right, t, wb, wa)
            if best is not None:
                explained = best[0] / len(winner)
                out.append({**dict(zip(keys, key)), "metric": metric, "parameter": p.partition(".")[2],
                            "threshold": float(best[1]), "below_best": best[2], "above_best": best[3],
                            "explained": float(explained), "gain": float(explained - base_rate),
                            "n_sets": int(len(winner))})
    table = pd.DataFrame(out)
    return table.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True) if out else table


def flips_markdown(flips: pd.DataFrame, top: int = 8) -> str:
    if flips.empty:
        return ("No parameter flips the ranking: fewer than 4 parameter sets, or the same strategy is best "
                "in every set.\n")
    lines = ["| context | parameter | below the threshold, best is | threshold | above, best is | sets explained "
             "| gain over one winner |", "|---|---|---|---:|---|---:|---:|"]
    for r in flips.head(top).itertuples(index=False):
        lines.append(f"| {r.context} | {r.parameter} | {r.below_best} | {_f(r.threshold)} | {r.above_best} | "
                     f"{_f(r.explained, True)} | {_f(r.gain, True)} |")
    return "\n".join(lines) + "\n"


def _f(x: float, pct: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    if pct:
        return f"{100 * x:.0f}%"
    ax = abs(x)
    return f"{x:.0f}" if ax >= 100 else f"{x:.1f}" if ax >= 10 else f"{x:.2f}" if ax >= 1 else f"{x:.3f}"


def to_markdown(table: pd.DataFrame) -> str:
    """One table per context (and factor combination) and metric, strategies by expected regret."""
    note = table.attrs.get("note", "")
    single = int(table["n_sets"].max()) <= 1
    lines = ["# Under uncertainty: probabilities and regret", "", f"**Parameter sets:** {note}.", ""]
    if single:
        lines += ["With a single parameter set, every probability below reflects seed noise only: it says "
                  "nothing about whether the ranking survives what we do not know about the world.", ""]
    value_cols = {"metric", "strategy", "baseline", *_VALUES}
    keys = [c for c in table.columns if c not in value_cols]
    for key, grp in table.groupby(keys + ["metric"], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        title = ", ".join(f"{k} = {v}" for k, v in zip(keys + ["metric"], key))
        r0 = grp.iloc[0]
        lines += [f"## {title} (baseline: {r0['baseline']}; {r0['n_sets']} sets x {r0['n_seeds']} seeds)", "",
                  "| strategy | mean [95% of draws] | vs baseline | seed sd | set sd | P(beats baseline) "
                  "| P(beats), set means | P(best) | P(best), set means | expected regret |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in grp.sort_values("expected_regret", kind="stable").itertuples(index=False):
            base = r.strategy == r.baseline
            lines.append(
                f"| {r.strategy}{' (baseline)' if base else ''} | {_f(r.mean)} [{_f(r.low)}, {_f(r.high)}] | "
                f"{'-' if base else _f(r.difference)} | {_f(r.diff_seed_sd if not base else r.seed_sd)} | "
                f"{_f(r.diff_set_sd if not base else r.set_sd)} | "
                f"{'-' if base else _f(r.p_beats_baseline, True)} | "
                f"{'-' if base else _f(r.p_beats_baseline_sets, True)} | {_f(r.p_best, True)} | "
                f"{_f(r.p_best_sets, True)} | {_f(r.expected_regret)} |")
        lines.append("")
    lines.append("A draw is one parameter set and one seed; every strategy ran on the same draws (common "
                 "random numbers). Seed sd and set sd are the spreads of the difference with the baseline "
                 "(of the metric itself on the baseline's row): within a set over seeds (noise more "
                 "replicates remove), and of the set means over sets (parameter uncertainty). Expected "
                 "regret: mean over sets of how far the strategy's set mean falls short of the best "
                 "strategy's, in the metric's units.")
    return "\n".join(lines) + "\n"


_VALUES = ("n_sets", "n_seeds", "n_draws", "mean", "low", "high", "seed_sd", "set_sd", "difference",
           "diff_seed_sd", "diff_set_sd", "p_beats_baseline", "p_beats_baseline_sets", "p_best",
           "p_best_sets", "expected_regret", "max_regret")


def sweep_note(spec) -> str:
    """What the parameter sets of a stored sweep represent (from its manifest's spec)."""
    ps = getattr(spec, "parameter_sets", None)
    return ps.note if ps is not None else NO_ENSEMBLE


def from_sweep(folder: str | Path, baseline: str, metrics=None) -> tuple[pd.DataFrame, str]:
    """The table and its Markdown for a sweep folder (what ``tranqsim compare`` prints)."""
    from tranqsim.experiments import load
    from tranqsim.experiments.sensitivity import load_spec

    spec = load_spec(Path(folder))
    table = summarise(load(folder), baseline, metrics, factors=list(spec.factors), note=sweep_note(spec))
    return table, to_markdown(table)


def compare_section(folder: str | Path, baseline: str, metrics=None, out_dir: str | Path | None = None) -> str:
    """For ``tranqsim compare``: the Markdown of :func:`from_sweep` (metrics whose better
    direction is unknown are left out, and named), with ``uncertainty.csv``/``.md`` written to
    ``out_dir`` (default: the sweep folder) and named at the end."""
    chosen = [m for m in (metrics or []) if m in HIGHER_IS_BETTER] or None
    skipped = [m for m in (metrics or []) if m not in HIGHER_IS_BETTER]
    table, md = from_sweep(folder, baseline, chosen)
    paths = save(table, out_dir or folder)
    from tranqsim.experiments import load

    runs = load(folder)
    if "parameter_set" in runs.columns and runs["parameter_set"].nunique() > 1:
        md += "\n## Which parameters flip the ranking (tranquillity index)\n\n" + flips_markdown(
            ranking_flips(runs, "tranquillity_index"))
    if skipped:
        md += f"\n(no probabilities for {', '.join(skipped)}: which direction is better is not known)\n"
    return md + f"\nwritten: {paths[0]}, {paths[1]}"


def save(table: pd.DataFrame, out_dir: str | Path, stem: str = "uncertainty") -> tuple[Path, Path]:
    """Write ``stem.csv`` and ``stem.md`` atomically; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = out_dir / f"{stem}.csv", out_dir / f"{stem}.md"
    for path, text in zip(paths, (table.to_csv(index=False), to_markdown(table))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return paths
