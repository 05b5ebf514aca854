"""What a mix costs the landlord, before running it, from the model's own cost accounting.

The *tranquillity spending* of a strategy is what its levers and its tranquillity function
cost the landlord per dwelling and year, averaged over the run: each lever's ``annual_cost``
(the function the model charges every day it is active, :mod:`tranqsim.levers.in_force`)
times the share of the run it is active, plus the officers of a dedicated organisation. It
depends on the estate (how many halls, public places, buildings) and on the cost parameters,
not on chance, so it is known before any run: the search keeps every mix at or under the
budget by construction. Costs are taken at the parameter table's central values.

What the landlord pays *as a result* (repairs, lost rent on vacant dwellings, squats,
evictions) is an outcome, measured by the runs: ``cost_per_dwelling_eur`` counts both.
"""

from __future__ import annotations

from functools import lru_cache

from tranqsim.config import Strategy
from tranqsim.levers import REGISTRY
from tranqsim.organisation import officer_posts


@lru_cache(maxsize=8)
def _state(context: str):
    """A built model's state for ``context`` (central parameters; layout and initial risk are
    what the levers' set-up reads)."""
    from tranqsim.loading import load_scenario
    from tranqsim.simulation import build_model

    return build_model(load_scenario(context=context, strategy="withdrawal", years=1, seed=1)).state


def spending(context: str, strategy: Strategy, days: int) -> dict[str, float]:
    """EUR per dwelling per year, by lever (and ``organisation``), averaged over ``days``."""
    s = _state(context)
    out = {}
    for name, cfg in strategy.levers:
        if cfg is None:
            continue
        lev = REGISTRY[name](cfg)
        lev.setup(s)
        end = days if cfg.end is None else min(cfg.end, days)
        share = max(0, end - min(cfg.start, days)) / days
        out[name] = lev.annual_cost(s) * share / s.static.n_dwellings
    out["organisation"] = officer_posts(strategy.organisation, s.static.n_dwellings) * s.p.cost_officer_post \
        / s.static.n_dwellings
    return out


def total_spending(context: str, strategy: Strategy, days: int) -> float:
    return float(sum(spending(context, strategy, days).values()))


def repair(mix: dict, context: str, budget: float, days: int, doses, steps: int = 14) -> tuple[dict, float, float]:
    """(mix within budget, its spending, excess at zero spend doses). Over budget, the doses
    marked ``spend`` are scaled down together by the largest factor in [0, 1] that fits
    (bisection: spending grows with every spend dose); the switches and options are kept.
    When even factor 0 is over budget the excess (> 0) says by how much: the mix is infeasible."""
    from tranqsim.optimise.space import to_strategy

    def scaled(f: float) -> dict:
        out = dict(mix)
        for d in doses:
            if d.spend and d.name in out:
                v = out[d.name] * f
                out[d.name] = int(v) if d.kind == "int" else v  # floor: never above the budget
        return out

    def cost(m: dict) -> float:
        return total_spending(context, to_strategy(m), days)

    c = cost(mix)
    if c <= budget:
        return mix, c, 0.0
    c0 = cost(scaled(0.0))
    if c0 > budget:
        return scaled(0.0), c0, c0 - budget
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        if cost(scaled(mid)) <= budget:
            lo = mid
        else:
            hi = mid
    best = scaled(lo)
    return best, cost(best), 0.0
