"""Compare strategies in one context over several seeds, with common random numbers.

Seed ``k`` is the same for every strategy, so strategy differences are *paired*: the noise
shared by the two runs cancels, and the paired difference's confidence interval is much
narrower than the difference of two independent means. Intervals here are Student-t 95%
intervals over seeds (the experiments engine, issue 3, adds bootstrap intervals).
"""

from __future__ import annotations

import os

from tranqsim.pools import sigint_held, spawn_pool
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from tranqsim.loading import available, load_scenario
from tranqsim.simulation import simulate

METRICS = ("tranquillity_index", "incidents_per_1000_dwellings", "insecurity_share",
           "victimisation_rate", "disorder_index", "trust_landlord_mean", "trust_police_mean",
           "turnover_rate", "vacancy_rate", "staff_aggressions_per_100_staff",
           "cost_per_dwelling_eur", "public_cost_per_dwelling_eur")
STRATEGY_ORDER = ("withdrawal", "proximity_management", "social_prevention", "situational_prevention",
                  "partnership_zsp", "heavy_security", "global_approach")


def _run_one(args) -> dict:
    context, strategy, seed, years = args
    sc = load_scenario(context=context, strategy=strategy, years=years, seed=seed)
    res = simulate(sc)
    s = res.summary
    row = {"context": context, "strategy": strategy, "seed": seed}
    row.update({m: s[m] for m in METRICS})
    row["strategy_title_fr"] = sc.strategy.title.fr
    row["strategy_title_en"] = sc.strategy.title.en
    return row


def run_comparison(context: str = "priority_estate", strategies: list[str] | None = None,
                   seeds: int = 3, years: float = 5, workers: int | None = None,
                   progress=None) -> pd.DataFrame:
    """One row per (strategy, seed) with the summary metrics."""
    strategies = strategies or [s for s in STRATEGY_ORDER if s in available("strategies")]
    for s in strategies:  # fail fast on a bad name, before any work
        load_scenario(context=context, strategy=s, years=years)
    jobs = [(context, s, seed, years) for s in strategies for seed in range(1, seeds + 1)]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    rows = []
    if workers <= 1:
        for job in jobs:
            rows.append(_run_one(job))
            if progress:
                progress(1)
    else:
        with spawn_pool(workers) as ex:
            with sigint_held():  # map submits every job now, and the workers start
                results = ex.map(_run_one, jobs)
            for row in results:
                rows.append(row)
                if progress:
                    progress(1)
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame, baseline: str = "proximity_management") -> pd.DataFrame:
    """Per strategy: mean and 95% CI of each metric, and the paired difference from baseline."""
    out = []
    base = runs[runs["strategy"] == baseline].set_index("seed")
    for strat, grp in runs.groupby("strategy", sort=False):
        g = grp.set_index("seed")
        row = {"strategy": strat}
        for m in METRICS:
            mean, lo, hi = _mean_ci(g[m].to_numpy(float))
            row[m] = mean
            row[f"{m}_ci_low"], row[f"{m}_ci_high"] = lo, hi
            if not base.empty and strat != baseline:
                common = g.index.intersection(base.index)
                dmean, dlo, dhi = _mean_ci((g.loc[common, m] - base.loc[common, m]).to_numpy(float))
                row[f"{m}_diff"], row[f"{m}_diff_ci_low"], row[f"{m}_diff_ci_high"] = dmean, dlo, dhi
        out.append(row)
    return pd.DataFrame(out)


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(x))
    if x.size < 2 or np.all(x == x[0]):
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, x.size - 1) * np.std(x, ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


SHOWN = (("tranquillity_index", "TI", "{:.1f}"), ("insecurity_share", "insecure", "{:.0%}"),
         ("incidents_per_1000_dwellings", "incid./1000", "{:.0f}"),
         ("victimisation_rate", "victim.", "{:.1%}"), ("disorder_index", "disorder", "{:.2f}"),
         ("trust_landlord_mean", "trust L", "{:.2f}"), ("trust_police_mean", "trust P", "{:.2f}"),
         ("turnover_rate", "turnover", "{:.1%}"), ("cost_per_dwelling_eur", "EUR/dw/yr", "{:.0f}"))


def markdown_table(summary: pd.DataFrame, baseline: str) -> str:
    """Mean [95% CI] per strategy; TI and cost also as paired differences from the baseline."""
    head = ["strategy"] + [lab for _, lab, _ in SHOWN] + ["dTI vs base", "dEUR vs base"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in summary.iterrows():
        cells = [r["strategy"]]
        for m, _, fmt in SHOWN:
            cells.append(f"{fmt.format(r[m])} [{fmt.format(r[m + '_ci_low'])}, {fmt.format(r[m + '_ci_high'])}]")
        for m, fmt in (("tranquillity_index", "{:+.1f}"), ("cost_per_dwelling_eur", "{:+.0f}")):
            if f"{m}_diff" in r and not pd.isna(r.get(f"{m}_diff")):
                cells.append(f"{fmt.format(r[m + '_diff'])} [{fmt.format(r[m + '_diff_ci_low'])}, "
                             f"{fmt.format(r[m + '_diff_ci_high'])}]")
            else:
                cells.append("(baseline)" if r["strategy"] == baseline else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def save_comparison(runs: pd.DataFrame, summary: pd.DataFrame, out: Path, context: str,
                    baseline: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tranqsim.plots import OKABE_ITO

    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / "runs.csv", index=False)
    summary.to_csv(out / "comparison.csv", index=False)
    md = (f"# Strategy comparison: {context}\n\n{runs['seed'].nunique()} seeds per strategy "
          f"(common random numbers); mean [95% CI]; differences paired by seed against "
          f"`{baseline}`.\n\n" + markdown_table(summary, baseline))
    (out / "comparison.md").write_text(md)
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (_, r) in enumerate(summary.iterrows()):
        ax.errorbar(r["cost_per_dwelling_eur"], r["tranquillity_index"],
                    xerr=[[r["cost_per_dwelling_eur"] - r["cost_per_dwelling_eur_ci_low"]],
                          [r["cost_per_dwelling_eur_ci_high"] - r["cost_per_dwelling_eur"]]],
                    yerr=[[r["tranquillity_index"] - r["tranquillity_index_ci_low"]],
                          [r["tranquillity_index_ci_high"] - r["tranquillity_index"]]],
                    fmt="o", color=OKABE_ITO[i % len(OKABE_ITO)], label=r["strategy"], capsize=3)
    ax.set_xlabel("landlord cost, EUR per dwelling per year")
    ax.set_ylabel("tranquillity index (0-100)")
    ax.set_title(f"Strategies in {context}: cost and tranquillity (last 12 months)", loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(out / "cost_vs_tranquillity.png", dpi=110)
    plt.close(fig)
    return [out / "comparison.md", out / "comparison.csv", out / "runs.csv", out / "cost_vs_tranquillity.png"]
