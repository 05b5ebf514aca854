"""tranqsim: agent-based simulation of residential-tranquillity strategies in social housing.

Python API (the CLI and UI are thin layers over it)::

    import tranqsim
    sc = tranqsim.load_scenario(context="priority_estate", strategy="global_approach", years=5)
    res = tranqsim.simulate(sc, seed=3)
    res.summary["tranquillity_index"], res.timeseries, res.incidents, res.save("runs/x")
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tranqsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+local"

from tranqsim.loading import ScenarioError, load_scenario  # noqa: E402
from tranqsim.simulation import build_model, simulate  # noqa: E402

__all__ = ["ScenarioError", "__version__", "build_model", "load_scenario", "simulate"]
