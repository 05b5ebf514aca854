"""How the landlord organises the tranquillity function (seminar programme, 2014):

- ``none``: no one owns the question; complaints wait, partners are met ad hoc;
- ``integrated``: the concern runs through every department, front-line staff trained
  (fewer aggressions after a rule reminder, reasonable responsiveness);
- ``dedicated``: a *chargé(e) de mission tranquillité* or service: fast complaint handling,
  legal follow-up, strong partnership with police and justice (partnership levers work better).

Factors are assumptions (parameters ``org_<organisation>_<factor>`` in the parameter table,
with their ranges); they scale response probabilities, partnership effects, staff aggression and
repair delays. :func:`factors` reads them from a run's parameters (scenario overrides apply);
``FACTORS`` holds the table's defaults: the factors of a function working as designed.

Issue 17: they are no longer fixed for a run. :func:`implementation` derives them each day from
the function's *implementation quality* ``q = q_org * (1 + impl_training_gain * training) /
(1 + impl_overload_loss * overload)``: an overloaded function (backlog beyond its capacity times
the target delay, :mod:`tranqsim.tranquillity_function`) repairs and restores equipment later,
fills fewer monitoring shifts, gives mediators fewer targets and answers fewer reports;
training does the opposite and cuts aggressions against staff. At the reference (integrated,
not overloaded, untrained) every factor is the table's value.
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
    monitoring: float = 1.0  # multiplier on the share of monitoring shifts filled
    mediator: float = 1.0  # multiplier on mediators' deterrence (rounds with targets or not)
    quality: float = 1.0  # the implementation quality these factors come from (0-1)


ORGANISATIONS = ("none", "integrated", "dedicated")


def factors(organisation: str, p) -> OrganisationFactors:
    """The organisation's factors from the parameters ``p`` (anything with attribute access)."""
    return OrganisationFactors(*(getattr(p, f"org_{organisation}_{name}") for name in
                                 ("landlord_response", "partnership", "aggression", "repair")))


FACTORS = {org: factors(org, Parameters()) for org in ORGANISATIONS}


def officer_posts(organisation: str, dwellings: int) -> int:
    """A dedicated function means about one officer per 3,000 dwellings, at least one."""
    return max(1, math.ceil(dwellings / 3000)) if organisation == "dedicated" else 0


def quality(organisation: str, p, overload: float, training: float) -> float:
    """Implementation quality (0.05-1): the organisation's, raised by training, lowered by
    overload (backlog beyond capacity x target delay; 0 when the function keeps up). The
    overload's effect saturates at 1: a swamped function still does its routine work."""
    q = getattr(p, f"impl_quality_{organisation}") * (1 + p.impl_training_gain * training) \
        / (1 + p.impl_overload_loss * min(max(0.0, overload), 1.0))
    return min(1.0, max(0.05, q))


def implementation(organisation: str, p, overload: float, training: float,
                   pairing: bool) -> OrganisationFactors:
    """The day's factors from implementation quality (see the module docstring). Response and
    partnership scale with ``q / q_org``; repair and equipment downtime lengthen by
    ``impl_repair_slack`` per unit of quality below the reference (integrated); monitoring and
    mediators' deterrence move by their slack around it; training and pairing cut aggressions
    against staff. (Where a dedicated function coordinates levers -- mediators' rounds and,
    with shared lists, police crews pointed to its listed halls -- is in
    :mod:`tranqsim.tranquillity_function`.)"""
    base = factors(organisation, p)
    q = quality(organisation, p, overload, training)
    q_org, q_ref = getattr(p, f"impl_quality_{organisation}"), p.impl_quality_integrated
    rel = q / q_org
    gap = q_ref - q
    # the table's organisation factors are the function working as designed (no overload,
    # no training): keep them there, and move them with quality around its own level
    repair = base.repair * max(0.2, 1 + p.impl_repair_slack * (q_org - q))
    mediator = max(0.0, 1 - p.impl_mediator_slack * gap)
    aggression = base.aggression * (1 - p.training_aggression_cut * training) \
        * (1 - p.pairing_aggression_cut * pairing)
    return OrganisationFactors(
        landlord_response=min(0.95, base.landlord_response * rel),
        partnership=base.partnership * rel, aggression=aggression, repair=repair,
        monitoring=max(0.0, 1 - p.impl_monitoring_slack * gap), mediator=mediator, quality=q)
