"""The levers' common parts: the shared config window, the modifiers the levers in force
write, the base class and the registry (the families register their levers here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class LeverConfig(BaseModel):
    """Fields every lever has: its activity window in days from the start of the run."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(0, ge=0, description="first day the lever is active")
    end: int | None = Field(None, ge=1, description="day the lever stops (exclusive); "
                            "omit for 'until the end of the run'")

    @model_validator(mode="after")
    def _window(self):
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


@dataclass
class Modifiers:
    """What the active levers change in the model, recomputed from scratch at each change."""

    caretaker_posts: int = 0
    cleaning_level: float = 0.0
    repair_days_factor: float = 1.0
    tag_days_factor: float = 1.0
    cctv_passive: np.ndarray | None = None  # (places,) cameras per place, recording only
    cctv_active: np.ndarray | None = None  # (places,) cameras per place, monitored
    access_control: np.ndarray | None = None  # (places,) bool, halls with controlled entry
    lighting: np.ndarray | None = None  # (places,) lighting level 0..1 in public spaces
    residentialised: np.ndarray | None = None  # (places,) bool
    mediator_posts: int = 0
    mediator_night_shift: bool = False
    dispute_mediation: bool = False
    youth_programme: float = 0.0
    participation: float = 0.0
    police_level: float = 1.0
    police_mode: str = "random"
    police_style: str = "standard"
    zsp_zone: np.ndarray | None = None  # (places,) bool while a ZSP is active
    zsp_extra_crews: float = 0.0
    information_sharing: bool = False
    gltd: bool = False
    eviction: bool = False
    guard_level: float = 0.0
    training: float = 0.0  # share of front-line staff trained (issue 17)
    pairing: bool = False  # staff in pairs in orange and red halls

    def place_array(self, name: str, n: int, dtype=float) -> np.ndarray:
        arr = getattr(self, name)
        if arr is None:
            arr = np.zeros(n, dtype=dtype)
            setattr(self, name, arr)
        return arr


class Lever:
    """Base class: a lever's identity, config, mechanism and cost."""

    name: ClassVar[str]
    label_fr: ClassVar[str]
    label_en: ClassVar[str]
    family: ClassVar[str]
    Config: ClassVar[type[LeverConfig]] = LeverConfig

    def __init__(self, config: LeverConfig):
        self.config = config

    def active(self, day: int) -> bool:
        c = self.config
        return c.start <= day and (c.end is None or day < c.end)

    # ``s`` below is the estate's state (tranqsim.state.EstateState; not imported here: the
    # state module imports Modifiers from this one)

    def setup(self, s: Any) -> None:
        """Called once when the model is built (e.g. choose where cameras go)."""

    def apply(self, s: Any, mods: Modifiers) -> None:  # pragma: no cover
        raise NotImplementedError

    def annual_cost(self, s: Any) -> float:
        """Euros per year while active (running cost + amortised investment)."""
        return 0.0


REGISTRY: dict[str, type[Lever]] = {}


def register(cls: type[Lever]) -> type[Lever]:
    if cls.name in REGISTRY:
        raise ValueError(f"lever {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls
