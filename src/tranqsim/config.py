"""Validated configuration: the shape of context, strategy and scenario files.

A *context* is the territory (estate size and layout, population, offender pressure, police
availability, initial state); a *strategy* is the landlord's choice of levers with their time
windows and its organisation; a *scenario* combines one of each with run settings and optional
parameter overrides. All models forbid unknown keys, so a typo is an error, not a silent default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from tranqsim.levers import REGISTRY
from tranqsim.params import PARAMS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Titles(_Strict):
    fr: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)


class EstateConfig(_Strict):
    dwellings: int = Field(..., ge=20, le=50000, description="number of dwellings")
    dwellings_per_hall: int = Field(20, ge=2, le=200, description="dwellings served by a hall")
    halls_per_building: int = Field(4, ge=1, le=20, description="halls (cages) per building")
    car_parks: int = Field(3, ge=0, le=500, description="car-park lots")
    squares: int = Field(2, ge=0, le=500, description="square lots")
    rent_eur_month: float | None = Field(None, ge=0, le=5000,
                                         description="average rent; default from the parameter table")


class PopulationConfig(_Strict):
    deprivation: float = Field(..., ge=0, le=1, description="share of households on low incomes")
    newcomer_deprivation: float = Field(..., ge=0, le=1,
                                        description="share of low-income households among newcomers")
    disruptive_share: float = Field(0.02, ge=0, le=0.5,
                                    description="share of households causing neighbour trouble")
    trust_landlord: float = Field(0.5, ge=0, le=1, description="initial mean trust in the landlord")
    trust_police: float = Field(0.5, ge=0, le=1, description="initial mean trust in the police")


class OffendersConfig(_Strict):
    pressure: float = Field(1.0, ge=0, le=5, description="multiplier on background offending rates")
    youth_groups_per_1000: float = Field(3.0, ge=0, le=50,
                                         description="youth groups gathering per 1,000 dwellings")
    dealing_points: int = Field(0, ge=0, le=200, description="drug-dealing points at start")
    dealing_capacity: int = Field(1, ge=0, le=200,
                                  description="points the local demand sustains (re-emergence)")


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
