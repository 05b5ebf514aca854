"""How the landlord organises the tranquillity function (seminar programme, 2014):

- ``none``: no one owns the question; complaints wait, partners are met ad hoc;
- ``integrated``: the concern runs through every department, front-line staff trained
  (fewer aggressions after a rule reminder, reasonable responsiveness);
- ``dedicated``: a *chargé(e) de mission tranquillité* or service: fast complaint handling,
  legal follow-up, strong partnership with police and justice (partnership levers work better).

Factors are assumptions, to be calibrated (issue 4); they scale response probabilities,
partnership effects, staff aggression and repair delays.
"""

from __future__ import annotations

from dataclasses import dataclass
import math


@dataclass(frozen=True)
class OrganisationFactors:
    landlord_response: float  # probability a reported nuisance gets a landlord response
    partnership: float  # multiplier on police response to landlord reports, GLTD, info sharing
    aggression: float  # multiplier on staff aggressions (training, procedures)
    repair: float  # multiplier on repair delays (coordination with technical services)


FACTORS = {
    "none": OrganisationFactors(0.40, 0.6, 1.0, 1.3),
    "integrated": OrganisationFactors(0.65, 0.9, 0.75, 1.0),
    "dedicated": OrganisationFactors(0.85, 1.3, 0.85, 0.9),
}


def officer_posts(organisation: str, dwellings: int) -> int:
    """A dedicated function means about one officer per 3,000 dwellings, at least one."""
    return max(1, math.ceil(dwellings / 3000)) if organisation == "dedicated" else 0
