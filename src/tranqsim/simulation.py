"""The Python entry point: ``simulate(scenario, seed=..., years=...)`` -> :class:`Result`."""

from __future__ import annotations

from collections.abc import Callable

from tranqsim.config import Scenario
from tranqsim.model import EstateModel
from tranqsim.result import Result


def build_model(scenario: Scenario, seed: int | None = None, years: float | None = None) -> EstateModel:
    """A fresh model for ``scenario``, with seed and horizon optionally replaced."""
    run = scenario.run.model_copy(update={k: v for k, v in (("seed", seed), ("years", years))
                                          if v is not None})
    if run != scenario.run:
        scenario = scenario.model_copy(update={"run": type(scenario.run).model_validate(run.model_dump())})
    return EstateModel(scenario)


def simulate(scenario: Scenario, seed: int | None = None, years: float | None = None,
             progress: Callable[[int], None] | None = None) -> Result:
    """Run one simulation to the end of its horizon and return its :class:`Result`."""
    model = build_model(scenario, seed, years)
    model.run(progress=progress)
    return Result.from_model(model)
