"""tranqsim: agent-based simulation of residential-tranquillity strategies in social housing.

Python API (the CLI and UI are thin layers over it)::

    import tranqsim
    sc = tranqsim.load_scenario(context="priority_estate", strategy="global_approach", years=5)
    res = tranqsim.simulate(sc, seed=3)
    res.summary["tranquillity_index"], res.timeseries, res.incidents, res.save("runs/x")
"""

from tranqsim.errors import ScenarioError
from tranqsim.version import __version__

# the model (numpy, numba, Mesa) is imported on first use, so that `tranqsim --help` and other
# light commands start in a fraction of a second (PEP 562 module __getattr__)
_LAZY = {"load_scenario": "tranqsim.loading", "build_model": "tranqsim.simulation",
         "simulate": "tranqsim.simulation"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tranqsim' has no attribute {name!r}")


__all__ = ["ScenarioError", "__version__", "build_model", "load_scenario", "simulate"]
