"""The intervals a territory fit gives (:func:`tranqsim.territory.fitting.fit`).

Intervals. Under the model the log is one realisation: a statistic's count varies between
periods with the replicates' standard deviation ``sd`` (at least Poisson's; times
sqrt(1 + 1/R) for the uncertainty of the simulated mean; for pressure's statistic, those of the
ordinary periods). Pressure's 95% interval is
``pressure * exp(+-1.96 * sd / mean / min(e, 1))`` (the delta method through the elasticity;
above 1 the direct, proportional effect is used, so a noisy secant cannot narrow it). For
groups and points it is the range of whole numbers whose yield lies within
observed +- 1.96 sd; for groups it is given as every rate per 1,000 dwellings that rounds to
those counts, and the 1.96 sd is widened, in quadrature, by how far the group types' yield
without groups moves over pressure's interval (the groups are fitted given pressure; with
that interval alone the full-size recovery's tense estate, under the emulator's parameter set,
read 4.15 [2.94, 4.67] groups per 1,000 for a hidden 5). Disorder: the 2.5-97.5% range of the replicates' end disorder, widened by
pressure's relative interval (disorder is made by incidents, which scale with pressure). The simulated rates'
intervals are 95% prediction intervals for one period: mean +- 1.96 sd, floored at 0.

Local parameters' intervals: fitted value +- 1.96 s.d. / probed slope, the s.d. that of one
log's Gini (one survey's share, with its sampling error: its respondents, or 100 assumed) under
the model (see :mod:`tranqsim.territory.fit_local`).

The fear offset's interval also carries the rates' (:func:`rates_in_fear`): incidents, groups
and dealing raise fear, so an error in them passes into the offset fitted given them; with
marginal intervals the full-size recovery test's middle and tense estates missed their hidden
offsets (docs/data.md, limits). There pressure moves with the groups that match the log given
it, and the groups' own interval is the one given the fitted pressure (pressure's uncertainty
is counted once).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from tranqsim.territory import fit_local
from tranqsim.territory.contexts import Theta
from tranqsim.territory.fit_local import Z
from tranqsim.territory.fit_runs import Observed, Simulated, clip
from tranqsim.territory.runaway import ordinary, typical


def groups_count(obs: Observed, without_groups: float, per_group: float) -> float:
    """The groups (a continuous count) whose yield makes up the log's group types beyond what
    the estate yields without groups."""
    return max(0.0, (obs.stat("youth_groups_per_1000") - without_groups) / per_group)


def groups_rate(obs: Observed, without_groups: float, per_group: float) -> float:
    """Those groups, a whole number (the model's), as a rate per 1,000 dwellings."""
    per_1000 = 1000 / sum(b.dwellings for b in obs.buildings)
    return clip("youth_groups_per_1000", round(groups_count(obs, without_groups, per_group)) * per_1000)


def count_sd(x: np.ndarray, floor_count: float, robust: bool = False) -> float:
    """The standard deviation of one period's count under the model, from the replicates,
    at least Poisson's (a few replicates can underestimate the spread), widened by the
    uncertainty of the replicates' mean (sqrt(1 + 1/R)); ``robust``: of the ordinary periods
    only (:func:`ordinary`)."""
    if robust:
        x = x[ordinary(x)]
    R = x.shape[0]
    sd = float(x.std(ddof=1)) if R > 1 else 0.0
    return max(sd, math.sqrt(max(floor_count, 1.0))) * math.sqrt(1 + 1 / R)


def intervals(theta: Theta, sim: Simulated, e_pressure: float, per_point: float | None,
               per_group: float | None, without_groups: float, obs: Observed,
               carry_pressure: bool = True) -> dict[str, tuple[float, float]]:
    """The rates' 95% intervals (pressure, groups, dealing points, disorder): module docstring."""
    out: dict[str, tuple[float, float]] = {}
    D = sum(b.dwellings for b in obs.buildings)
    x = sim.stat("pressure")
    m = max(typical(x), 1e-9)
    # through the structural elasticity (1: background rates are proportional to pressure),
    # not the secant one, whose noise could only narrow the interval (bounded above 1); the
    # ordinary periods' mean and s.d., as pressure is matched on them (a runaway year would
    # set the s.d.)
    half = Z * count_sd(x, m, robust=True) / m / min(e_pressure, 1.0)
    out["pressure"] = (clip("pressure", theta.pressure * math.exp(-half)),
                       clip("pressure", theta.pressure * math.exp(half)))
    # integers (groups, points): the counts whose yield brackets the observation's interval
    keep = ordinary(sim.stat("pressure"))  # the periods pressure's statistic kept
    o = obs.stat("youth_groups_per_1000")
    x = sim.stat("youth_groups_per_1000")[keep]
    sd = count_sd(x, float(x.mean()))
    if per_group:
        # the group types' yield without groups moves with pressure (through its elasticity, as
        # in the rounds): an error in pressure passes into the groups fitted given it, carried in
        # quadrature with the count's own spread (``carry_pressure``; without it, the interval
        # given the fitted pressure, which the fear offset's interval uses, moving pressure and
        # groups together: rates_in_fear)
        p_lo, p_hi = out["pressure"]
        moved = without_groups * ((p_hi / theta.pressure) ** e_pressure
                                  - (p_lo / theta.pressure) ** e_pressure) / 2 if carry_pressure else 0.0
        half = math.hypot(Z * sd, moved)
        lo = max(0, math.floor((o - half - without_groups) / per_group))
        hi = max(lo, math.ceil((o + half - without_groups) / per_group))
    else:
        lo, hi = 0, round(theta.youth_groups_per_1000 * D / 1000) + 1
    # every rate per 1,000 dwellings that rounds to those counts of groups
    out["youth_groups_per_1000"] = (max(0.0, (lo - 0.5) * 1000 / D), (hi + 0.5) * 1000 / D)
    o = obs.stat("dealing_points")
    x = sim.stat("dealing_points")[keep]
    if per_point:
        sd = count_sd(x, float(x.mean()))
        if o > 0:
            lo = max(0, math.floor((o - Z * sd) / per_point))
            hi = max(lo, math.ceil((o + Z * sd) / per_point))
        else:  # none logged: below the count whose expected yield leaves 0 with 5% chance (3)
            lo, hi = 0, math.floor(3.0 / per_point)
        out["dealing_points"] = (float(lo), float(hi))
    else:
        out["dealing_points"] = (0.0, float(theta.dealing_points) + 1)
    # end disorder varies between replicates, and scales with the incidents that make it,
    # hence with pressure: its range is widened by pressure's relative interval
    lo, hi = np.quantile(sim.disorder, [0.025, 0.975])
    p_lo, p_hi = out["pressure"]
    out["disorder"] = (float(lo) * p_lo / theta.pressure, min(1.0, float(hi) * p_hi / theta.pressure))
    return out


def rates_in_fear(theta: Theta, rate_intervals: dict[str, tuple[float, float]],
                  run: Callable[[Theta], Simulated], dwellings: int, fear_slope: float,
                  base: float, groups_at: Callable[[float], float] | None = None) -> dict[str, float]:
    """How far each rate's interval moves the fear offset that matches the survey.

    The offset is fitted given the rates; the rates are uncertain, and what they set (incidents,
    groups, dealing) raises fear, so an error in them passes into the offset (measured on the
    synthetic landlords: docs/data.md, limits). Each rate is set in turn to each edge of its
    interval, the others at their fitted values, on the fitting seeds (common seeds: the
    difference is that rate's effect); the larger move of the insecure share's probit, over the
    fear slope, is that rate's half-width in offset units (the edges are 95% bounds, as is the
    survey's half-width it is added to in quadrature). Groups and dealing points are whole
    numbers: their edges are the counts at the interval's ends. An interval that is a single
    value adds nothing. ``run``: the model over the log's period on the fitting seeds;
    ``base``: the insecure share's probit at the fitted values, same seeds; ``dwellings``: the
    estate's.

    ``groups_at`` (pressure -> groups per 1,000): the groups that match the log given that
    pressure. Pressure then moves with them: the log fixes the group types' count, so a higher
    pressure leaves fewer incidents to groups, and fear, which answers the incidents residents
    live with, moves less than with groups held (moving both to their edges apart would count
    pressure's uncertainty twice). The groups' own interval is then the one given the fitted
    pressure."""
    out: dict[str, float] = {}
    for name in ("pressure", "youth_groups_per_1000", "dealing_points"):
        lo, hi = rate_intervals[name]
        if name == "youth_groups_per_1000":  # the interval holds every rate rounding to a count
            D = dwellings
            edges = [round(lo * D / 1000 + 0.5) * 1000 / D, round(hi * D / 1000 - 0.5) * 1000 / D]
        elif name == "dealing_points":
            edges = [int(lo), int(hi)]
        else:
            edges = [lo, hi]
        value = getattr(theta, name)

        def at(e, name=name):
            if name == "pressure" and groups_at is not None:
                return replace(theta, pressure=e, youth_groups_per_1000=groups_at(e))
            return replace(theta, **{name: e})

        moves = [abs(fit_local.probit(float(run(at(e)).insecure.mean()))
                     - base) for e in edges if abs(e - value) > 1e-9]
        if moves:
            out[name] = max(moves) / fear_slope
    return out


def prediction_interval(x: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) of replicate counts: a 95% prediction interval for one period."""
    R = x.shape[0]
    m = float(x.mean())
    # at least Poisson noise: a few replicates can underestimate the spread
    sd = max(float(x.std(ddof=1)) if R > 1 else 0.0, math.sqrt(max(m, 0.0)))
    half = Z * sd * math.sqrt(1 + 1 / R)
    return m, max(0.0, m - half), m + half
