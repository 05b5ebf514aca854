"""The model's named indices, in one place: every axis of a state array that is not a place,
a hall or a household is indexed by one of these, never by a bare number.

- :class:`Phase`: the three phases of a day (the middle axis of ``lam[t, h, p]``, ``g[s, h, p]``
  and the staff's ``(3, places)`` visits);
- :class:`Source`: the guardian sources, the rows of the guardianship array ``g[s, h, p]`` and
  the columns of the sensitivity table; ``g`` has one more row, :data:`DIFFUSED`, the staff
  deterrence felt from neighbouring places (diffusion of benefits);
- :class:`IncidentType`: the rows of the intensity tensor and of the per-type table;
- :class:`Handler`: who handles an incident (the event log's ``handler`` column);
- :class:`PlaceKind`, :class:`HallStatus`: what a place is, and a hall's Nantes grading;
- :class:`DisorderComponent`: the three components of visible disorder (rows of ``dis_comp``);
- :class:`Neighbour`: the columns of the day's neighbourhood product ``nbr`` (morning values).

They are ``IntEnum`` members, so ``g[Source.CCTV]`` indexes a numpy array; compiled kernels take
them as the module-level ``int`` constants their modules derive from them.
"""

from __future__ import annotations

from enum import IntEnum


class Phase(IntEnum):
    DAY = 0  # 06-18h
    EVENING = 1  # 18-24h
    NIGHT = 2  # 00-06h


class Source(IntEnum):
    """Guardian sources, in the order of the guardianship array's rows."""

    RESIDENTS = 0  # informal control (collective efficacy)
    CARETAKER = 1
    MEDIATOR = 2
    GUARD = 3
    POLICE = 4
    CCTV = 5
    LIGHTING = 6
    ACCESS_CONTROL = 7
    RESIDENTIALISATION = 8


# the guardianship array's extra last row: staff deterrence felt next door
DIFFUSED = len(Source)
# the mobile guardians (caretakers, mediators, guards, police), whose deterrence diffuses
STAFF_SOURCES = slice(Source.CARETAKER, Source.POLICE + 1)
# the technical guardians (cameras, lighting, access control, enclosure)
TECHNICAL_SOURCES = slice(Source.CCTV, Source.RESIDENTIALISATION + 1)


class IncidentType(IntEnum):
    HALL_OCCUPATION = 0
    DEGRADATION = 1
    TAGS = 2
    BULKY_WASTE = 3
    NOISE_DISPUTE = 4
    CELLAR_CRIME = 5
    VEHICLE_CRIME = 6
    INCIVILITY = 7
    DRUG_DEALING = 8
    STAFF_AGGRESSION = 9
    URBAN_VIOLENCE = 10


class Handler(IntEnum):
    """Who handles an incident."""

    NONE = 0
    CARETAKER = 1
    MEDIATOR = 2
    GUARD = 3
    POLICE = 4
    OFFICER = 5  # the landlord's tranquillity officer (dedicated organisation)
    LANDLORD = 6  # the landlord's services


class PlaceKind(IntEnum):
    HALL = 0
    STREET = 1
    CAR_PARK = 2
    SQUARE = 3


class HallStatus(IntEnum):
    """Nantes landlords' joint grading of halls."""

    GREEN = 0  # isolated acts
    YELLOW = 1  # recurring incivility or occupation
    ORANGE = 2  # established delinquency or informal economy
    RED = 3  # highest


class DisorderComponent(IntEnum):
    DAMAGE = 0  # removed by repairs
    TAGS = 1  # removed by tag removal
    WASTE = 2  # litter and bulky waste, removed by cleaning


class Neighbour(IntEnum):
    """Columns of the day's neighbourhood product ``nbr = W @ X`` (guardianship.morning)."""

    DISORDER = 0
    ATTRACTIVENESS = 1
    EFFICACY = 2  # halls' collective efficacy
    RECENT = 3  # recent incidents
    DEALING = 4
    STAFF_DAY = 5  # staff deterrence per phase: STAFF_DAY + phase
    STAFF_EVENING = 6
    STAFF_NIGHT = 7
    GROUP_EVENING = 8  # staff and situational measures in the evening, as youth groups feel them


def names(enum: type[IntEnum]) -> list[str]:
    """The members' names in lower case, in index order (table columns, categorical labels)."""
    return [m.name.lower() for m in enum]
