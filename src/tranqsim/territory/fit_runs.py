"""What a territory fit compares: the log's statistics for one estate (:class:`Observed`), the
model's over the same period and buildings (:class:`Simulated`, :func:`simulate`), and the
fit's result (:class:`Fit`). The fit itself: :mod:`tranqsim.territory.fitting`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tranqsim.config import Scenario, Strategy
from tranqsim.incidents import T
from tranqsim.territory.contexts import Theta, context
from tranqsim.territory.fit_local import gini, ginis
from tranqsim.territory.readers import Building
from tranqsim.territory.runaway import ordinary
from tranqsim.vocabulary import IncidentType as I

BACKGROUND_TYPES = (I.BULKY_WASTE, I.CELLAR_CRIME, I.VEHICLE_CRIME)
GROUP_TYPES = (I.HALL_OCCUPATION, I.DEGRADATION, I.TAGS, I.NOISE_DISPUTE, I.INCIVILITY)
DEALING_TYPES = (I.DRUG_DEALING,)
STATS = {"pressure": BACKGROUND_TYPES, "youth_groups_per_1000": GROUP_TYPES,
         "dealing_points": DEALING_TYPES}
BOUNDS = {"pressure": (0.02, 5.0), "youth_groups_per_1000": (0.0, 50.0), "dealing_points": (0, 200)}


@dataclass
class Observed:
    """What the log (and survey) say about one estate, over ``days`` days."""

    estate: str
    buildings: list[Building]
    days: int
    by_type: np.ndarray  # (T,) incidents of each type over the period
    by_building: np.ndarray  # (B,) incidents over the period
    survey: dict[str, float] = field(default_factory=dict)
    bg_by_building: np.ndarray | None = None  # (B,) the background types' incidents

    def concentration(self) -> float:
        """Gini of the background types' incidents across buildings (hot_spot_spread's)."""
        return gini(self.bg_by_building if self.bg_by_building is not None else self.by_building)

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
    bg_by_building: np.ndarray  # (R, B) the background types' incidents

    def stat(self, name: str) -> np.ndarray:
        return self.by_type[:, list(STATS[name])].sum(1)

    def concentration(self) -> np.ndarray:
        return ginis(self.bg_by_building)

    def joined(self, other: Simulated) -> Simulated:
        """The replicates of both (same parameters, different seeds)."""
        return Simulated(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in
                           ("by_type", "by_building", "insecure", "satisfied", "disorder",
                            "bg_by_building")))


@dataclass
class Fit:
    observed: Observed
    theta: Theta
    intervals: dict[str, tuple[float, float]]
    simulated: Simulated  # the final parameters, fresh seeds
    rounds: list[dict]  # theta and the statistics at each round
    recorded: str
    fitted_to: dict[str, str] = field(default_factory=dict)  # parameter -> what it was fitted to
    # the fitted statistic's answer to a unit of each locally fitted parameter (fear_offset: the
    # insecure share's probit a unit of offset), measured at the fit
    slopes: dict[str, float] = field(default_factory=dict)


def simulate(ctx_theta: Theta, obs: Observed, strat: Strategy, seeds: list[int],
             recorded: str) -> Simulated:
    """Run the estate over the log's period once per seed; count what the log would hold."""
    from tranqsim.simulation import build_model

    ctx = context(obs.estate, obs.buildings, ctx_theta)
    B = len(obs.buildings)
    R = len(seeds)
    by_type, by_building, bg_by_building = np.zeros((R, T)), np.zeros((R, B)), np.zeros((R, B))
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
            bg = keep & np.isin(typ, BACKGROUND_TYPES)
            bg_by_building[r] = np.bincount(building_of_place[place[bg]], minlength=B)
        from tranqsim.metrics import summary

        insecure[r] = summary(s)["insecurity_share"]
        hh = s.households
        satisfied[r] = float(np.mean(hh.satisfaction[hh.occupied] > 0.5)) if hh.occupied.any() else 0.0
        disorder[r] = float(np.mean(s.places.disorder[s.static.halls]))
    return Simulated(by_type, by_building, insecure, satisfied, disorder, bg_by_building)


def clip(name: str, v: float) -> float:
    """``v`` within the bounds of the rate ``name`` (:data:`BOUNDS`)."""
    lo, hi = BOUNDS[name]
    return min(max(v, lo), hi)


def sim_mean(sim: Simulated, name: str) -> float:
    """A statistic's mean over the periods whose pressure statistic is ordinary (a runaway
    building inflates every type logged there)."""
    return float(sim.stat(name)[ordinary(sim.stat("pressure"))].mean())
