"""From a register's estate and fitted local parameters to a context (and its status quo).

The layout is the register's: its buildings, in its order, with their halls and dwellings
(``estate.buildings``, placed by :func:`tranqsim.estate.layout_from_buildings`), and their
relative positions when given. What the register does not hold is set from the priority-estate
profile (scenarios/contexts/priority_estate.yaml): the population (deprivation, trust) and police
presence; car parks and squares in proportion to the dwellings (one car park per 400 dwellings,
one square per 800). The offender parameters (with the buildings' hot-spot spread), the
residents' fear offset and the initial disorder come from the fit
(:mod:`tranqsim.territory.fitting`); the vacancy from the register (dwelling-weighted).

The status-quo strategy is close management (proximity_management) with the register's
caretaker posts when it gives them: the incident log was produced under the landlord's current
staffing, so the fit simulates under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tranqsim.config import Context, Strategy
from tranqsim.loading import load_context, load_strategy
from tranqsim.territory.readers import Building


@dataclass
class Theta:
    """The fitted local parameters."""

    pressure: float = 1.0
    youth_groups_per_1000: float = 3.0
    dealing_points: int = 1
    disorder: float = 0.2
    hot_spot_spread: float = 0.0  # offenders.hot_spot_spread: concentration across buildings
    fear_offset: float = 0.0  # population.fear_offset: the estate's own fear (survey)

    NAMES = ("pressure", "youth_groups_per_1000", "dealing_points", "disorder", "hot_spot_spread",
             "fear_offset")

    def as_dict(self) -> dict[str, float]:
        return {n: getattr(self, n) for n in self.NAMES}


def context_dict(estate: str, buildings: list[Building], theta: Theta) -> dict:
    base = load_context("priority_estate")[0].model_dump(mode="json")
    dwellings = sum(b.dwellings for b in buildings)
    halls = sum(b.halls for b in buildings)
    vac = [(b.vacancy, b.dwellings) for b in buildings if b.vacancy is not None]
    vacancy = sum(v * w for v, w in vac) / sum(w for _, w in vac) if vac else base["initial"]["vacancy"]
    return {
        "title": {"fr": f"{estate} (registre du bailleur)", "en": f"{estate} (landlord's register)"},
        "description": (f"Built by `tranqsim territory build` from a landlord's register ({len(buildings)} "
                        f"buildings, {halls} halls, {dwellings} dwellings) and incident log; offender "
                        "pressure, youth groups, dealing points, hot-spot spread and initial disorder "
                        "fitted to the log, the residents' fear offset to the survey if given (see "
                        "fit_report.md). Otherwise population and police: the priority-estate profile."),
        "estate": {
            "dwellings": dwellings,
            "dwellings_per_hall": max(2, min(200, round(dwellings / halls))),
            "halls_per_building": max(1, min(20, max(b.halls for b in buildings))),
            "car_parks": max(1, round(dwellings / 400)),
            "squares": max(1, round(dwellings / 800)),
            "buildings": [{"id": b.id, "halls": b.halls, "dwellings": b.dwellings,
                           **({"x": round(b.x, 1), "y": round(b.y, 1)} if b.x is not None else {})}
                          for b in buildings],
        },
        "population": {**base["population"], "fear_offset": round(float(theta.fear_offset), 4)},
        "offenders": {"pressure": round(float(theta.pressure), 4),
                      "youth_groups_per_1000": round(float(theta.youth_groups_per_1000), 4),
                      "dealing_points": int(theta.dealing_points),
                      "dealing_capacity": max(int(theta.dealing_points), 0),
                      "hot_spot_spread": round(float(theta.hot_spot_spread), 4)},
        "police": base["police"],
        "initial": {"disorder": round(float(min(max(theta.disorder, 0.0), 1.0)), 4),
                    "vacancy": round(float(min(max(vacancy, 0.0), 0.9)), 4)},
    }


def context(estate: str, buildings: list[Building], theta: Theta) -> Context:
    return Context.model_validate(context_dict(estate, buildings, theta))


def strategy_dict(estate: str, buildings: list[Building]) -> dict:
    """Close management with the register's caretaker posts, when it gives them."""
    base = load_strategy("proximity_management")[0].model_dump(mode="json", exclude_none=True)
    posts = [b.caretakers for b in buildings if b.caretakers is not None]
    dwellings = sum(b.dwellings for b in buildings)
    if posts:
        base["levers"]["caretakers"] = {**base["levers"].get("caretakers", {}),
                                        "per_100_dwellings": round(min(5.0, 100 * sum(posts) / dwellings), 4)}
    base["title"] = {"fr": f"{estate} : situation actuelle", "en": f"{estate}: current strategy"}
    base["description"] = ("Close management with the caretaker posts of the landlord's register: "
                           "the staffing under which the incident log was kept.")
    return base


def strategy(estate: str, buildings: list[Building]) -> Strategy:
    return Strategy.model_validate(strategy_dict(estate, buildings))
