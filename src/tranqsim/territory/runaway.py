"""Runaway periods: simulated years in which a hot building's near-repeat feedback ran away
(up to its saturation, ``attract_max``) and the log's counts several times the others'. The
territory fit matches its statistics on the *ordinary* periods and says which it set aside
(why and what was measured: :mod:`tranqsim.territory.fitting`, "Runaway periods")."""

from __future__ import annotations

import math

import numpy as np


def runaway_note(x: np.ndarray, days: int) -> str:
    """Which of the final simulated periods pressure's interval was taken from."""
    keep = ordinary(x)
    if keep.all():
        return f"interval from {x.size} simulated periods, none ran away"
    per_year = 365 / days
    return (f"rounds and interval on the ordinary simulated periods: {int((~keep).sum())} of "
            f"{x.size} set aside (" + ", ".join(f"{v * per_year:.0f}" for v in np.sort(x[~keep]))
            + f" a year against an ordinary {typical(x) * per_year:.0f}: a hot building's "
            "near-repeat ran away)")


RUNAWAY_SDS = 3.5  # a period this many robust s.d. above the median ran away (fitting.py)


def ordinary(x: np.ndarray) -> np.ndarray:
    """The periods that did not run away: at most ``RUNAWAY_SDS`` robust s.d. above the
    replicates' median (the interquartile range / 1.349, a normal's, at least Poisson's), which
    a few runaway periods do not move. A runaway only adds incidents, so only the upper side.
    Fewer than 4 replicates: every one."""
    if x.size < 4:
        return np.ones(x.size, bool)
    m = float(np.median(x))
    q1, q3 = np.quantile(x, [0.25, 0.75])
    sd = max(float(q3 - q1) / 1.349, math.sqrt(max(m, 1.0)))
    return x <= m + RUNAWAY_SDS * sd


def typical(x: np.ndarray) -> float:
    """The ordinary periods' mean (the fit matches its statistics on them)."""
    return float(x[ordinary(x)].mean()) if x.size else 0.0
