"""The two local parameters fitted beside the rates: how concentrated incidents are across
buildings (``offenders.hot_spot_spread``) and how insecure residents feel
(``population.fear_offset``). Called by :func:`tranqsim.territory.fitting.fit` at each round,
on the same simulations as the rates (no extra runs), and for the intervals at the end.

Concentration. What makes incidents concentrate across buildings in the model: youth groups
at their home building and dealing points at their hall (their counts are fitted to the rates
already), near-repeat attractiveness (weak at a building's scale: a hall logging one incident a
week raises its own rate by about a quarter) and, the one parameter left free, the buildings'
lasting exposure: ``hot_spot_spread``, the log s.d. between buildings of their background
rates (:mod:`tranqsim.model`; crime concentrates at a few places for years, Weisburd 2015,
Criminology 53:133; Sherman, Gartin & Buerger 1989). It is chosen because its mechanism makes
the concentration of the incidents nobody in particular causes, is monotone in it, and leaves
the estate's total (pressure's statistic) unchanged; the groups' territoriality
(``group_home_bonus``) is a calibrated global parameter, and concentration is not monotone in
it (without it groups all gather at one hall). Its statistic is therefore the **Gini
coefficient of the background types' incidents** (bulky waste, cellar, vehicle crime: those
neither groups nor dealing make) across the register's buildings; the concentration of all
incidents is compared in the report, not fitted. Measured on a 10-building synthetic estate
(4 replicates): that Gini rose from 0.24 (spread 0) to 0.38, 0.52 and 0.67 (spread 0.5, 1,
1.5), about 0.3 a unit, with a replicate s.d. of 0.05-0.08 (which buildings are hot is drawn
anew in each replicate: the log is one such draw).

Survey. ``fear_offset`` (log-odds added to every hall's fear target, the estate's own level
beyond what disorder, incidents, victimisation and dealing explain) is fitted to the survey's
share feeling insecure; it is local (a context field, 0 in the shipped contexts), not the
calibrated ``fear_base``. Residents feel insecure when their fear target's log-odds plus their
own sensitivity (normal) is above 0, so the share moves in probit space: measured, 0.40 probit
a unit of offset (0.37 to 0.45 on two synthetic estates) -- the default slope. Satisfaction is
compared, not fitted (it answers the landlord's service, which the status-quo strategy sets).

Each round moves a parameter by (observed - simulated) / slope, the slope re-estimated as a
secant from the last two rounds (common seeds: the same buildings are hot in both, so the
difference is the parameter's effect), bounded. Interval: the fitted value +- 1.96 s.d. /
slope, the s.d. that of one log's (one survey's) statistic under the model: the replicates'
s.d. times sqrt(1 + 1/R) with R the rounds' replicates (the fitted value was set from their
mean), and for the survey the sampling variance o (1 - o) / n added, with n the survey's
respondents, or ``ASSUMED_RESPONDENTS`` when the survey does not say (stated in the report);
the fear offset's half-width also adds, in quadrature, what the rates' intervals move it by
(:func:`tranqsim.territory.fit_intervals.rates_in_fear`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

Z = 1.96
SPREAD_BOUNDS = (0.0, 3.0)  # as the context's field
FEAR_BOUNDS = (-4.0, 4.0)
ASSUMED_RESPONDENTS = 100  # a landlord's survey of one estate: assumption when not given
SHARE_FLOOR = 0.005  # probit of a share of 0 or 1 is infinite


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of counts across buildings (0: even; toward 1: all in one)."""
    c = np.sort(np.asarray(counts, float))
    n, total = c.size, c.sum()
    if n < 2 or total <= 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ c / (n * total))


def ginis(x: np.ndarray) -> np.ndarray:
    """Each replicate's Gini: x is (R, B)."""
    return np.array([gini(row) for row in x])


def probit(share: float) -> float:
    return float(norm.ppf(min(max(share, SHARE_FLOOR), 1 - SHARE_FLOOR)))


@dataclass(frozen=True)
class Slope:
    """A statistic's response to a parameter: the default (measured on synthetic estates, module
    docstring) moves the parameter each round; the probe's, bounded, carries the interval."""

    default: float
    low: float
    high: float
    probe_step: float
    bounds: tuple[float, float]

    def step(self, param: float, observed: float, simulated: float, max_move: float) -> float:
        move = min(max((observed - simulated) / self.default, -max_move), max_move)
        return min(max(param + move, self.bounds[0]), self.bounds[1])

    def probe_value(self, param: float) -> float:
        """Where to probe: one step up, or down at the upper bound."""
        up = param + self.probe_step
        return up if up <= self.bounds[1] else param - self.probe_step

    def probed(self, param: float, stat: float, probe_param: float, probe_stat: float) -> float:
        return min(max((probe_stat - stat) / (probe_param - param), self.low), self.high)


# Gini per unit spread: default 0.3 (measured); bounded below, so that a flat, noisy stretch
# widens the interval (to the whole range at worst) instead of sending the value far
SPREAD = Slope(0.3, 0.05, 1.0, 0.4, SPREAD_BOUNDS)
# probit of the insecure share per unit of fear offset: default 0.40 (measured)
FEAR = Slope(0.40, 0.1, 1.5, 0.5, FEAR_BOUNDS)
# fewer background incidents a building than this, and their Gini is mostly Poisson noise (about
# 0.33 at 3 a building): the spread is not fitted (kept at 0, every building alike)
MIN_PER_BUILDING = 3.0


def survey_insecure(survey: dict) -> tuple[float, int, bool] | None:
    """(share, respondents, respondents given?) when the survey gives the insecure share."""
    if "insecure" not in survey:
        return None
    n = survey.get("respondents")
    return float(survey["insecure"]), int(n or ASSUMED_RESPONDENTS), n is not None


def _sd(x: np.ndarray, rounds_replicates: int) -> float:
    sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    return sd * math.sqrt(1 + 1 / max(rounds_replicates, 1))


def spread_interval(spread: float, sim_ginis: np.ndarray, slope: float,
                    rounds_replicates: int) -> tuple[float, float]:
    # a Gini's s.d. at least that of a few counts' noise: 0.02 (a few replicates can agree)
    half = Z * max(_sd(sim_ginis, rounds_replicates), 0.02) / slope
    return max(SPREAD_BOUNDS[0], spread - half), min(SPREAD_BOUNDS[1], spread + half)


def survey_sd(observed: float, respondents: int, sim_shares: np.ndarray,
              rounds_replicates: int) -> float:
    """The s.d. of one survey's share under the model: the replicates' spread and sampling."""
    return math.sqrt(_sd(sim_shares, rounds_replicates) ** 2
                     + observed * (1 - observed) / respondents)


def fear_interval(offset: float, observed: float, respondents: int, sim_shares: np.ndarray,
                  slope: float, rounds_replicates: int, rate_halves: list[float] = ()
                  ) -> tuple[float, float]:
    """Through the probit's derivative at the simulated share (delta method), the rates'
    uncertainty added in quadrature (``rate_halves``: each rate's 95% half-width in offset
    units, :func:`tranqsim.territory.fit_intervals.rates_in_fear`)."""
    m = float(sim_shares.mean())
    sd = survey_sd(observed, respondents, sim_shares, rounds_replicates)
    dens = norm.pdf(probit(m))  # d share / d probit
    half = math.sqrt((Z * sd / dens / slope) ** 2 + sum(h * h for h in rate_halves))
    return max(FEAR_BOUNDS[0], offset - half), min(FEAR_BOUNDS[1], offset + half)
