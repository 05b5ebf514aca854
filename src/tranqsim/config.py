"""Validated configuration: the shape of context, strategy and scenario files.

A *context* is the territory (estate size and layout, population, offender pressure, police
availability, initial state); a *strategy* is the landlord's choice of levers with their time
windows and its organisation; a *scenario* combines one of each with run settings and optional
parameter overrides. All models forbid unknown keys, so a typo is an error, not a silent default.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from tranqsim.levers import REGISTRY
from tranqsim.params import PARAMS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Titles(_Strict):
    fr: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)


class BuildingConfig(_Strict):
    """One building of a register-built estate (``tranqsim territory build``)."""

    id: str = Field(..., min_length=1, max_length=64, description="the landlord's building code")
    halls: int = Field(..., ge=1, le=50, description="halls (cages) of the building")
    dwellings: int = Field(..., ge=1, le=2000, description="dwellings of the building")
    x: float | None = Field(None, description="east position, metres (relative)")
    y: float | None = Field(None, description="north position, metres (relative)")


class EstateConfig(_Strict):
    dwellings: int = Field(..., ge=20, le=50000, description="number of dwellings")
    dwellings_per_hall: int = Field(20, ge=2, le=200, description="dwellings served by a hall")
    halls_per_building: int = Field(4, ge=1, le=20, description="halls (cages) per building")
    car_parks: int = Field(3, ge=0, le=500, description="car-park lots")
    squares: int = Field(2, ge=0, le=500, description="square lots")
    rent_eur_month: float | None = Field(None, ge=0, le=5000,
                                         description="average rent; default from the parameter table")
    buildings: list[BuildingConfig] | None = Field(
        None, description="explicit buildings (from a landlord's register): the layout places "
        "these, in this order, instead of bars of halls_per_building halls")

    @model_validator(mode="after")
    def _buildings_add_up(self):
        if self.buildings:
            total = sum(b.dwellings for b in self.buildings)
            if total != self.dwellings:
                raise ValueError(f"dwellings ({self.dwellings}) must equal the buildings' total ({total})")
            for b in self.buildings:
                if b.dwellings < b.halls:
                    raise ValueError(f"building {b.id!r}: fewer dwellings ({b.dwellings}) than "
                                     f"halls ({b.halls})")
            ids = [b.id for b in self.buildings]
            if len(set(ids)) != len(ids):
                raise ValueError("building ids must be unique")
        return self

    @model_validator(mode="after")
    def _fits_in_memory(self):
        check_memory(self)
        return self


# --------------------------------------------------------------------------- memory bound
# Peak resident memory of a run, measured (ru_maxrss after building the model and ten days)
# on estates from 20 to 50,000 dwellings, 2 to 200 dwellings a hall, 0 to 500 car parks and
# squares, then fitted and rounded up: about 3.9 KiB a place (Mesa's cell objects and property
# layers, the 365-day incident ring, the sparse neighbourhoods, the nearest-hall table and its
# k-d tree query), 1.7 KiB a hall and 1.2 KiB a dwelling (household arrays and views), over
# about 270 MiB for the interpreter, numpy, scipy, Mesa and the compiled kernels. The base was
# 300 MiB until the 50,000-dwelling estate (63,503 places) peaked at 807-810 MB inside the test
# suite (fresh clone, two test processes: three CI runs) against an estimate of 793 MB; alone it
# peaks at 700-783 MB. 350 MiB keeps the estimate above both.
MEMORY_BASE = 350 * 2**20
MEMORY_PER_PLACE = 5 * 2**10
MEMORY_PER_HALL = 2 * 2**10
MEMORY_PER_DWELLING = 2 * 2**10
MEMORY_DEFAULT_CAP = 8 * 2**30
MEMORY_ENV = "TRANQSIM_MAX_MEMORY"
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def estimate_memory(estate: EstateConfig) -> tuple[int, int, int, int]:
    """(bytes, places, halls, dwellings): the memory a run on this estate needs, estimated
    from the layout's size alone (``estate.grid_shape``), before anything is allocated."""
    from tranqsim.estate import buildings_grid_shape, grid_shape

    if estate.buildings:
        halls, width, height = buildings_grid_shape([b.halls for b in estate.buildings],
                                                    estate.car_parks, estate.squares)
    else:
        halls, width, height = grid_shape(estate.dwellings, estate.dwellings_per_hall,
                                          estate.halls_per_building, estate.car_parks, estate.squares)
    places = width * height
    need = (MEMORY_BASE + MEMORY_PER_PLACE * places + MEMORY_PER_HALL * halls
            + MEMORY_PER_DWELLING * estate.dwellings)
    return need, places, halls, estate.dwellings


def memory_limit() -> int | None:
    """Bytes one run may use: ``TRANQSIM_MAX_MEMORY`` (``512M``, ``16G``, a number of bytes,
    or ``off``), else the smaller of 8 GiB and half of this machine's memory."""
    raw = os.environ.get(MEMORY_ENV, "").strip().lower()
    if raw in ("off", "none", "0"):
        return None
    if raw:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", raw)
        if m is None:
            raise ValueError(f"{MEMORY_ENV}={raw!r} is not a size (examples: 512M, 16G, off)")
        return int(float(m.group(1)) * _UNITS[m.group(2)])
    try:
        machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return MEMORY_DEFAULT_CAP
    return min(MEMORY_DEFAULT_CAP, machine // 2)


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def check_memory(estate: EstateConfig) -> None:
    """Refuse (ValueError, reported with the file's line) an estate whose estimated memory is
    above :func:`memory_limit`: a context is refused in microseconds instead of failing
    after minutes of allocation, or taking the machine down with it."""
    limit = memory_limit()
    if limit is None:
        return
    need, places, halls, dwellings = estimate_memory(estate)
    if need > limit:
        whence = (f"set by {MEMORY_ENV}" if os.environ.get(MEMORY_ENV, "").strip()
                  else "the smaller of 8 GiB and half this machine's memory")
        raise ValueError(
            f"this estate needs about {_size(need)} of memory to simulate ({places:,} places, "
            f"{halls:,} halls, {dwellings:,} dwellings), above the limit of {_size(limit)} "
            f"({whence}); use fewer dwellings or more dwellings per hall, or raise the limit, "
            f"e.g. {MEMORY_ENV}={-(-need // 2**30)}G")


class PopulationConfig(_Strict):
    deprivation: float = Field(..., ge=0, le=1, description="share of households on low incomes")
    newcomer_deprivation: float = Field(..., ge=0, le=1,
                                        description="share of low-income households among newcomers")
    disruptive_share: float = Field(0.02, ge=0, le=0.5,
                                    description="share of households causing neighbour trouble")
    trust_landlord: float = Field(0.5, ge=0, le=1, description="initial mean trust in the landlord")
    trust_police: float = Field(0.5, ge=0, le=1, description="initial mean trust in the police")
    # the estate's own fear beyond what disorder, incidents, victimisation and dealing explain
    # (reputation, composition): 0 in the shipped contexts; tranqsim territory build fits it to a
    # survey's share feeling insecure (assumption, range [-4, 4]; territory/fit_local.py)
    fear_offset: float = Field(0.0, ge=-4, le=4,
                               description="residents' fear beyond the modelled drivers (log-odds)")


class OffendersConfig(_Strict):
    pressure: float = Field(1.0, ge=0, le=5, description="multiplier on background offending rates")
    youth_groups_per_1000: float = Field(3.0, ge=0, le=50,
                                         description="youth groups gathering per 1,000 dwellings")
    dealing_points: int = Field(0, ge=0, le=200, description="drug-dealing points at start")
    dealing_capacity: int = Field(1, ge=0, le=200,
                                  description="points the local demand sustains (re-emergence)")
    # buildings' lasting exposure to background offending (layout, through-passage, lighting:
    # crime concentrates at a few places, Weisburd 2015, Sherman et al. 1989): 0 (every building
    # alike) in the shipped contexts; tranqsim territory build fits it to a log's concentration
    # across buildings (assumption, range [0, 3]; territory/fit_local.py)
    hot_spot_spread: float = Field(0.0, ge=0, le=3, description="spread of buildings' exposure "
                                   "to offending (log s.d.; 0: all alike)")


class PoliceConfig(_Strict):
    crews_per_1000: float = Field(1.0, ge=0, le=20,
                                  description="patrol crews per day per 1,000 dwellings")


class InitialConfig(_Strict):
    disorder: float = Field(0.2, ge=0, le=1, description="initial visible disorder")
    vacancy: float = Field(0.03, ge=0, le=0.9, description="initial share of vacant dwellings")


class Context(_Strict):
    """The territory."""

    title: Titles
    description: str = ""
    estate: EstateConfig
    population: PopulationConfig
    offenders: OffendersConfig = OffendersConfig()
    police: PoliceConfig = PoliceConfig()
    initial: InitialConfig = InitialConfig()


Levers = create_model(
    "Levers",
    __config__=ConfigDict(extra="forbid"),
    __doc__="The toolbox: each key is a lever's scenario-file name.",
    **{name: (cls.Config | None, Field(None, description=f"{cls.label_en} ({cls.label_fr})"))
       for name, cls in REGISTRY.items()},
)

Organisation = Literal["none", "integrated", "dedicated"]


class Strategy(_Strict):
    """The landlord's strategy: which levers, when, and how tranquillity is organised."""

    title: Titles
    description: str = ""
    summary: Titles | None = Field(None, description="one line, in French and English: what the strategy "
                                   "changes from the status quo (close management) and why")
    organisation: Organisation = Field(
        "integrated", description="none | integrated (every department, trained front line) | "
        "dedicated (a tranquillity officer or service)")
    levers: Levers = Levers()  # type: ignore[valid-type]


class RunSettings(_Strict):
    years: float = Field(5, gt=0, le=50, description="simulated years (365-day years)")
    seed: int = Field(1, ge=0, le=2**63 - 1)


class Scenario(_Strict):
    """A context, a strategy, run settings and optional parameter overrides."""

    context_name: str = "custom"
    strategy_name: str = "custom"
    context: Context
    strategy: Strategy
    run: RunSettings = RunSettings()
    parameters: dict[str, float] = Field(default_factory=dict,
                                         description="overrides of the parameter table")

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, v: dict[str, float]):
        for name, value in v.items():
            if name not in PARAMS:
                raise ValueError(f"unknown parameter {name!r}")
            p = PARAMS[name]
            if not p.low <= value <= p.high:
                raise ValueError(f"parameter {name!r} must be in [{p.low:g}, {p.high:g}]")
        return v

    @property
    def days(self) -> int:
        return max(1, round(self.run.years * 365))


class ScenarioFile(_Strict):
    """The shape of a scenario file: context and strategy by name, by path, or inline."""

    context: str | Context = Field("priority_estate", description="name, path, or inline context")
    strategy: str | Strategy = Field("proximity_management",
                                     description="name, path, or inline strategy")
    run: RunSettings = RunSettings()
    parameters: dict[str, float] = Field(default_factory=dict)
    context_name: str | None = Field(None, description="label of an inline context")
    strategy_name: str | None = Field(None, description="label of an inline strategy")
    tranqsim_version: str | None = Field(None, description="version that wrote the file (informational)")
