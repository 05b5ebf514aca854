"""How the landlord organises the tranquillity function (seminar programme, 2014):

- ``none``: no one owns the question; complaints wait, partners are met ad hoc;
- ``integrated``: the concern runs through every department, front-line staff trained
  (fewer aggressions after a rule reminder, reasonable responsiveness);
- ``dedicated``: a *chargé(e) de mission tranquillité* or service: fast complaint handling,
  legal follow-up, strong partnership with police and justice (partnership levers work better).

Factors are assumptions (parameters ``org_<organisation>_<factor>`` in the parameter table,
with their ranges); they scale response probabilities, partnership effects, staff aggression and
repair delays. :func:`factors` reads them from a run's parameters (scenario overrides apply);
``FACTORS`` holds the table's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from tranqsim.params import Parameters


@dataclass(frozen=True)
class OrganisationFactors:
    landlord_response: float  # probability a reported nuisance gets a landlord response
    partnership: float  # multiplier on police response to landlord reports, GLTD, info sharing
    aggression: float  # multiplier on staff aggressions (training, procedures)
    repair: float  # multiplier on repair delays (coordination with technical services)


ORGANISATIONS = ("none", "integrated", "dedicated")


def factors(organisation: str, p) -> OrganisationFactors:
    """The organisation's factors from the parameters ``p`` (anything with attribute access)."""
    return OrganisationFactors(*(getattr(p, f"org_{organisation}_{name}") for name in
                                 ("landlord_response", "partnership", "aggression", "repair")))


FACTORS = {org: factors(org, Parameters()) for org in ORGANISATIONS}


def officer_posts(organisation: str, dwellings: int) -> int:
    """A dedicated function means about one officer per 3,000 dwellings, at least one."""
    return max(1, math.ceil(dwellings / 3000)) if organisation == "dedicated" else 0
