"""Fitting an estate's local parameters to its incident log: a few rounds of multiplicative
correction on short simulations, then intervals from the replicates' spread.

Method. Each parameter is tied to the statistic of the log that it drives most directly:

- offender ``pressure`` (scales the background rates of every type) <- the *background types*,
  which youth groups and dealing points do not produce: bulky waste, cellar and vehicle crime;
- ``youth_groups_per_1000`` <- the *group types*: hall occupation, degradation, tags, noise and
  incivility (what groups do at their hangouts, on top of the background);
- ``dealing_points`` <- drug-dealing incidents, divided by what one point yields in the
  simulation (an integer: rounded);
- initial ``disorder`` <- the level the fitted rates sustain: the mean visible disorder of the
  halls at the end of the simulated period (a fixed point: the estate is assumed in its
  steady state over the log's period).

A round simulates the log's period (same days, same buildings, the status-quo strategy) over
a few replicates with common seeds, and multiplies each rate parameter by (observed /
simulated) ** (1 / elasticity). The elasticity starts at 1 for pressure and dealing points and
0.5 for groups (the group types also hold background), then is re-estimated from the last two
rounds (a secant in log space), bounded to [0.3, 1.5]. The final parameters are then simulated
on fresh seeds for the fit report.

Intervals. Under the model, the log is one realisation: its count of a statistic varies
between replicates with coefficient of variation ``cv`` (Poisson noise and the estate's own
dynamics). The 95% interval of a parameter is ``theta * exp(+-1.96 * cv * sqrt(1 + 1/R) / e)``
(the delta method: the observation's noise, plus the simulated mean's, through the
elasticity ``e``). The simulated rates' intervals are prediction intervals for one period:
the replicates' mean +- 1.96 standard deviations (times sqrt(1 + 1/R)), floored at 0.

Limits. One statistic per parameter, corrected one at a time: the cross-effects (groups raise
disorder, which raises background incidents; dealing points add hall occupation) are absorbed
by iterating, not modelled in the intervals, which are marginal. Groups' and pressure's effects
on the group types are partly confounded: with few incidents the groups' interval is wide.
Population (deprivation, trust) and police presence are not fitted (priority-estate profile);
the survey and the concentration across buildings are compared, not fitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tranqsim.config import Scenario, Strategy
from tranqsim.incidents import T
from tranqsim.territory.contexts import Theta, context
from tranqsim.territory.readers import Building
from tranqsim.vocabulary import IncidentType as I

BACKGROUND_TYPES = (I.BULKY_WASTE, I.CELLAR_CRIME, I.VEHICLE_CRIME)
GROUP_TYPES = (I.HALL_OCCUPATION, I.DEGRADATION, I.TAGS, I.NOISE_DISPUTE, I.INCIVILITY)
DEALING_TYPES = (I.DRUG_DEALING,)
STATS = {"pressure": BACKGROUND_TYPES, "youth_groups_per_1000": GROUP_TYPES,
         "dealing_points": DEALING_TYPES}
FIRST_ELASTICITY = {"pressure": 1.0, "youth_groups_per_1000": 0.5, "dealing_points": 1.0}
BOUNDS = {"pressure": (0.02, 5.0), "youth_groups_per_1000": (0.0, 50.0), "dealing_points": (0, 200)}
Z = 1.96


@dataclass
class Observed:
    """What the log (and survey) say about one estate, over ``days`` days."""

    estate: str
    buildings: list[Building]
    days: int
    by_type: np.ndarray  # (T,) incidents of each type over the period
    by_building: np.ndarray  # (B,) incidents over the period
    survey: dict[str, float] = field(default_factory=dict)

    def stat(self, name: str) -> float:
        return float(self.by_type[list(STATS[name])].sum())


@dataclass
class Simulated:
    """Replicates' counts over the period."""

    by_type: np.ndarray  # (R, T)
    by_building: np.ndarray  # (R, B)
    insecure: np.ndarray  # (R,)
    satisfied: np.ndarray  # (R,)
    disorder: np.ndarray  # (R,) mean hall disorder at the end

    def stat(self, name: str) -> np.ndarray:
        return self.by_type[:, list(STATS[name])].sum(1)


@dataclass
class Fit:
    observed: Observed
    theta: Theta
    intervals: dict[str, tuple[float, float]]
    simulated: Simulated  # the final parameters, fresh seeds
    rounds: list[dict]  # theta and the statistics at each round
    recorded: str


def simulate(ctx_theta: Theta, obs: Observed, strat: Strategy, seeds: list[int],
             recorded: str) -> Simulated:
    """Run the estate over the log's period once per seed; count what the log would hold."""
    from tranqsim.simulation import build_model

    ctx = context(obs.estate, obs.buildings, ctx_theta)
    B = len(obs.buildings)
    R = len(seeds)
    by_type, by_building = np.zeros((R, T)), np.zeros((R, B))
    insecure, satisfied, disorder = np.zeros(R), np.zeros(R), np.zeros(R)
    for r, seed in enumerate(seeds):
        sc = Scenario(context_name=obs.estate, strategy_name="current", context=ctx, strategy=strat)
        model = build_model(sc, seed=seed, years=obs.days / 365)
        model.run()
        s = model.state
        lay = s.static.layout
        # every place belongs to its nearest hall's building, as a landlord logs incidents
        building_of_place = lay.building[lay.hall_places[s.static.nearest_hall]]
        events = s.output.events
        if events:
            place = np.concatenate([e[1] for e in events])
            typ = np.concatenate([e[2] for e in events]).astype(np.int64)
            keep = np.concatenate([e[5] for e in events]) if recorded == "reported" else \
                np.ones(place.size, bool)
            by_type[r] = np.bincount(typ[keep], minlength=T)
            by_building[r] = np.bincount(building_of_place[place[keep]], minlength=B)
        from tranqsim.metrics import summary

        insecure[r] = summary(s)["insecurity_share"]
        hh = s.households
        satisfied[r] = float(np.mean(hh.satisfaction[hh.occupied] > 0.5)) if hh.occupied.any() else 0.0
        disorder[r] = float(np.mean(s.places.disorder[s.static.halls]))
    return Simulated(by_type, by_building, insecure, satisfied, disorder)


def _clip(name: str, v: float) -> float:
    lo, hi = BOUNDS[name]
    return min(max(v, lo), hi)


def fit(obs: Observed, strat: Strategy, *, rounds: int = 5, replicates: int = 4,
        final_replicates: int = 8, seed: int = 1, recorded: str = "reported",
        progress=None) -> Fit:
    """Fit pressure, youth groups, dealing points and initial disorder to one estate's log."""
    theta = Theta(pressure=1.0, youth_groups_per_1000=3.0, dealing_points=1, disorder=0.2)
    seeds = [seed * 1000 + r for r in range(replicates)]
    elasticity = dict(FIRST_ELASTICITY)
    history: list[dict] = []
    per_point = None  # dealing incidents one point yields over the period
    dealing_c = 1.0  # the continuous estimate behind the integer
    for k in range(rounds):
        sim = simulate(theta, obs, strat, seeds, recorded)
        means = {n: float(sim.stat(n).mean()) for n in STATS}
        history.append({"round": k + 1, **theta.as_dict(), **{f"sim_{n}": m for n, m in means.items()}})
        if progress:
            progress()
        if len(history) >= 2:  # secant elasticities, where the parameter moved enough
            a, b = history[-2], history[-1]
            for n in ("pressure", "youth_groups_per_1000"):
                if a[n] > 0 and b[n] > 0 and abs(math.log(b[n] / a[n])) > 0.05 \
                        and a[f"sim_{n}"] > 0 and b[f"sim_{n}"] > 0:
                    e = math.log(b[f"sim_{n}"] / a[f"sim_{n}"]) / math.log(b[n] / a[n])
                    elasticity[n] = min(max(e, 0.3), 1.5)
        if k == rounds - 1:
            break
        for n in ("pressure", "youth_groups_per_1000"):
            o, m = obs.stat(n), means[n]
            ratio = (max(o, 0.5) / max(m, 0.5))
            setattr(theta, n, _clip(n, getattr(theta, n) * ratio ** (1 / elasticity[n])))
        if theta.dealing_points > 0 and means["dealing_points"] > 0:
            per_point = means["dealing_points"] / theta.dealing_points
        o = obs.stat("dealing_points")
        if per_point:
            dealing_c = o / per_point
        theta.dealing_points = int(_clip("dealing_points", round(dealing_c))) if o > 0 else 0
        theta.disorder = float(np.clip(sim.disorder.mean(), 0.0, 1.0))
    final_seeds = [seed * 1000 + 500 + r for r in range(final_replicates)]
    final = simulate(theta, obs, strat, final_seeds, recorded)
    if progress:
        progress()
    intervals = _intervals(theta, final, elasticity, per_point, dealing_c, obs)
    return Fit(obs, theta, intervals, final, history, recorded)


def _intervals(theta: Theta, sim: Simulated, elasticity: dict, per_point: float | None,
               dealing_c: float, obs: Observed) -> dict[str, tuple[float, float]]:
    R = sim.by_type.shape[0]
    out: dict[str, tuple[float, float]] = {}
    for n in ("pressure", "youth_groups_per_1000"):
        x = sim.stat(n)
        m = max(float(x.mean()), 1e-9)
        # at least Poisson noise: a few replicates can underestimate the spread
        cv = max(float(x.std(ddof=1)) / m if R > 1 else 0.0, 1 / math.sqrt(max(m, 1.0)))
        half = Z * cv * math.sqrt(1 + 1 / R) / elasticity[n]
        v = getattr(theta, n)
        out[n] = (_clip(n, v * math.exp(-half)), _clip(n, v * math.exp(half)))
    x = sim.stat("dealing_points")
    o = obs.stat("dealing_points")
    if per_point and per_point > 0:
        m = max(float(x.mean()), 1e-9)
        cv = max(float(x.std(ddof=1)) / m if R > 1 and m > 0 else 0.0, 1 / math.sqrt(max(o, 1.0)))
        half = Z * cv * math.sqrt(1 + 1 / R)
        if o > 0:
            lo, hi = dealing_c * math.exp(-half), dealing_c * math.exp(half)
        else:  # none logged: a point would have left about per_point incidents (3 is the 95% bound)
            lo, hi = 0.0, 3.0 / per_point
        out["dealing_points"] = (float(math.floor(lo)) if o > 0 else 0.0, float(math.ceil(hi)))
    else:
        out["dealing_points"] = (0.0, float(theta.dealing_points) + 1)
    lo, hi = np.quantile(sim.disorder, [0.025, 0.975])
    out["disorder"] = (float(lo), float(hi))
    return out


def prediction_interval(x: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) of replicate counts: a 95% prediction interval for one period."""
    R = x.shape[0]
    m = float(x.mean())
    # at least Poisson noise: a few replicates can underestimate the spread
    sd = max(float(x.std(ddof=1)) if R > 1 else 0.0, math.sqrt(max(m, 0.0)))
    half = Z * sd * math.sqrt(1 + 1 / R)
    return m, max(0.0, m - half), m + half
