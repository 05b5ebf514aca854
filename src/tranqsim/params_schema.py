"""One entry of the parameter table (:mod:`tranqsim.params`): a value with its unit, its group,
its source (or the note that marks it an assumption) and the range a scenario may set it in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    value: float
    unit: str
    group: str
    source: str
    low: float
    high: float
    note: str = ""

_A = "assumption; order of magnitude, to be calibrated (issue 4)"
_F = "assumption (issue 17): no measured value found in French practice literature; range given"
