"""The numbers of the report, per context: ranking, paired differences, frontier, costs, side effects.

Intervals are the experiments engine's: a BCa bootstrap of the mean over replicates for each
strategy's level, and ``experiments.compare`` (paired BCa) for differences from the status quo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tranqsim.experiments.compare import compare, paired_interval
from tranqsim.report.i18n import MAIN, METRICS


def ranking(runs: pd.DataFrame, strategies: list[str]) -> pd.DataFrame:
    """One row per strategy: ``m``, ``m_lo``, ``m_hi`` for each main metric, ``n``; ranked by the
    tranquillity index (best first)."""
    rows = []
    for s in strategies:
        g = runs[runs["strategy"] == s].sort_values("replicate")
        if g.empty:
            continue
        row = {"strategy": s, "n": len(g)}
        for m in MAIN:
            v = g[m].to_numpy(float)
            lo, hi = paired_interval(v)
            row.update({m: float(v.mean()), f"{m}_lo": lo, f"{m}_hi": hi})
        rows.append(row)
    df = pd.DataFrame(rows).sort_values("tranquillity_index", ascending=False, kind="stable")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.reset_index(drop=True)


def differences(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """``experiments.compare`` on the main metrics: strategy - baseline within replicates."""
    return compare(runs, baseline, metrics=list(MAIN))


def diff_lookup(diffs: pd.DataFrame) -> dict:
    """(strategy, metric) -> row of the differences table."""
    return {(r.strategy, r.metric): r for r in diffs.itertuples(index=False)}


def verdict(metric: str, row) -> int:
    """+1 significantly better than the baseline, -1 significantly worse, 0 neither."""
    if not row.significant:
        return 0
    return int(np.sign(row.difference) * METRICS[metric][0])


def frontier(rank: pd.DataFrame) -> pd.DataFrame:
    """Cost-effectiveness on the means: ``dominated_by`` (a strategy costing no more and reaching
    at least as high an index, strictly better on one) and ``on_frontier``."""
    cost = rank["cost_per_dwelling_eur"].to_numpy(float)
    ti = rank["tranquillity_index"].to_numpy(float)
    by = []
    for i in range(len(rank)):
        dom = (cost <= cost[i]) & (ti >= ti[i]) & ((cost < cost[i]) | (ti > ti[i]))
        # the cheapest of the dominating strategies names the dominance
        j = np.flatnonzero(dom)
        by.append(rank["strategy"].iloc[j[np.argmin(cost[j])]] if j.size else None)
    out = rank[["strategy", "cost_per_dwelling_eur", "tranquillity_index"]].copy()
    out["dominated_by"] = by
    out["on_frontier"] = out["dominated_by"].isna()
    return out.sort_values("cost_per_dwelling_eur", kind="stable").reset_index(drop=True)


def frontier_steps(front: pd.DataFrame) -> list[dict]:
    """Consecutive frontier strategies by cost: extra index points, extra cost, cost per point."""
    f = front[front["on_frontier"]]
    steps = []
    for a, b in zip(f.itertuples(index=False), f.iloc[1:].itertuples(index=False)):
        dti = b.tranquillity_index - a.tranquillity_index
        dcost = b.cost_per_dwelling_eur - a.cost_per_dwelling_eur
        steps.append({"from": a.strategy, "to": b.strategy, "dti": dti, "dcost": dcost,
                      "per_point": dcost / dti if dti > 0 else float("nan")})
    return steps


def cost_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c.startswith("cost_by_lever_eur.")]


def cost_breakdown(runs: pd.DataFrame, strategies: list[str]) -> pd.DataFrame:
    """Mean cost per dwelling per year by cost key (levers and event costs): strategies x keys.
    The row sums equal the mean ``cost_per_dwelling_eur``."""
    cols = cost_columns(runs)
    per_dw = runs[cols].div(runs["dwellings"], axis=0).fillna(0.0)  # absent lever: no cost
    per_dw["strategy"] = runs["strategy"]
    table = per_dw.groupby("strategy", sort=False).mean().reindex([s for s in strategies
                                                                    if s in set(runs["strategy"])])
    table.columns = [c.split(".", 1)[1] for c in table.columns]
    return table.loc[:, (table != 0).any(axis=0)]


def cost_group(key: str) -> str:
    """The lever family of a cost key (``caretakers`` -> ``management``); event costs are their own."""
    from tranqsim.levers import REGISTRY

    return REGISTRY[key].family if key in REGISTRY else key


def public_costs(runs: pd.DataFrame, strategies: list[str]) -> dict[str, float]:
    """Mean public partners' cost per dwelling per year (police, justice) of each strategy."""
    return {s: float(runs.loc[runs["strategy"] == s, "public_cost_per_dwelling_eur"].mean()) for s in strategies}


NEGLIGIBLE_PCT = 1.0  # with common random numbers tiny differences are significant: not worth a word


def side_effects(diffs: pd.DataFrame, strategies: list[str]) -> list[dict]:
    """Per strategy: metrics significantly better (gains) and worse (losses) than the baseline,
    leaving out changes under ``NEGLIGIBLE_PCT`` % of the baseline's mean."""
    look = diff_lookup(diffs)
    out = []
    for s in strategies:
        gains, losses = [], []
        for m in MAIN:
            row = look.get((s, m))
            if row is None:
                continue
            v = verdict(m, row)
            if abs(row.relative_change_pct) < NEGLIGIBLE_PCT:
                continue
            if v > 0:
                gains.append((m, row))
            elif v < 0:
                losses.append((m, row))
        if any(s == k[0] for k in look):
            out.append({"strategy": s, "gains": gains, "losses": losses})
    return out


def best_strategy(rank: pd.DataFrame, baseline: str) -> str:
    """The strategy with the highest mean index other than the baseline (the baseline itself when
    it is the only strategy)."""
    others = rank[rank["strategy"] != baseline]
    return str(others["strategy"].iloc[0]) if len(others) else baseline
