"""tranqsim: agent-based simulation of residential-tranquillity strategies in social housing.

Python API (the CLI and UI are thin layers over it)::

    import tranqsim
    sc = tranqsim.load_scenario(context="priority_estate", strategy="global_approach", years=5)
    res = tranqsim.simulate(sc, seed=3)
    res.summary["tranquillity_index"], res.timeseries, res.incidents, res.save("runs/x")
"""

from tranqsim.loading import ScenarioError, load_scenario
from tranqsim.simulation import build_model, simulate
from tranqsim.version import __version__

__all__ = ["ScenarioError", "__version__", "build_model", "load_scenario", "simulate"]
