"""Where a simulated day's time goes: numpy's own work, the compiled kernels, Python around them.

    .venv/bin/python benchmarks/profile_day.py [--days 120] [--strategy global_approach] [--kernels]
    .venv/bin/python benchmarks/profile_day.py --cprofile [--context zsp_estate]   # by function
    .venv/bin/python benchmarks/profile_day.py --stages [--context priority_estate]  # by stage

Runs each of the four estates of ``strategy_spectrum.yaml`` for a few weeks, then times
``days`` days while counting, call by call, the time spent in

- the random draws (every method of every named generator: the draws' number and order are
  the random streams, which common random numbers and the calibration rest on; the
  counter-based streams' uniforms, computed inside kernels, count as kernel time);
- numpy's float32 ``exp`` and its float64 ``exp``/``log`` on arrays, the BLAS product and
  ``np.argpartition`` (their bits or their order are numpy's own: the kernels call them as
  numpy calls, see ``src/tranqsim/jit.py``).

It also times the calls of the compiled kernels (numba dispatchers, ``tranqsim.jit``: their
arithmetic and their arguments' unboxing). The rest of the day is Python around the calls:
numpy calls on small arrays, loops over agents, attribute lookups. Those two are what further
work that keeps every output could still reduce. Thread CPU time; the wrappers add about a
microsecond per wrapped call. The kernels are compiled (or loaded from numba's cache) during
the 30 days run before timing starts. ``--cprofile`` prints instead the functions of one
context's days sorted by their own time (cProfile; a kernel's time is its dispatcher's).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import tranqsim
from tranqsim import linalg, schedule as model_module  # (the stage that calls the product)
from tranqsim.warmup import dispatchers

CONTEXTS = ("calm_neighbourhood", "priority_estate", "zsp_estate", "large_estate")
_spent = {"random draws": 0.0, "numpy exp/log (float32 exp, arrays)": 0.0,
          "BLAS product": 0.0, "argpartition": 0.0}
KERNELS = "compiled kernels"


class _TimedGenerator:
    """A named stream whose draws are timed (the draws themselves are unchanged)."""

    def __init__(self, gen):
        self._gen = gen

    def __getattr__(self, name):
        attr = getattr(self._gen, name)
        if not callable(attr):
            return attr

        def timed(*args, **kwargs):
            t = time.thread_time()
            try:
                return attr(*args, **kwargs)
            finally:
                _spent["random draws"] += time.thread_time() - t
        return timed


class _TimedStreams:
    def __init__(self, streams):
        self._streams = streams
        self._wrapped = {}

    def __getitem__(self, name):
        if name not in self._wrapped:
            self._wrapped[name] = _TimedGenerator(self._streams[name])
        return self._wrapped[name]

    def __getattr__(self, name):
        return getattr(self._streams, name)


def _timed(fn, key):
    def wrapper(*args, **kwargs):
        t = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _spent[key] += time.thread_time() - t
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--strategy", default="global_approach")
    ap.add_argument("--kernels", action="store_true", help="also the ten costliest kernels")
    ap.add_argument("--cprofile", action="store_true", help="profile one context by function")
    ap.add_argument("--stages", action="store_true", help="time one context's day by stage")
    ap.add_argument("--context", default="zsp_estate", help="with --cprofile or --stages")
    a = ap.parse_args()
    if a.cprofile:
        profile(a.context, a.strategy, a.days)
        return
    if a.stages:
        stages(a.context, a.strategy, a.days)
        return
    real = {"exp": np.exp, "log": np.log, "argpartition": np.argpartition,
            "split_matmul": linalg.split_matmul}
    print(f"{a.strategy}, {a.days} days after 30 (thread CPU time per simulated day)")
    # every module-level name bound to a kernel, in every module that imports it
    compiled = {id(d) for d in dispatchers()}
    kernels = []
    for mod in [m for name, m in list(sys.modules.items()) if name.startswith("tranqsim")]:
        for name, value in list(vars(mod).items()):
            if id(value) in compiled:
                kernels.append((mod, name, value))
    for ctx in CONTEXTS:
        m = tranqsim.build_model(tranqsim.load_scenario(context=ctx, strategy=a.strategy, years=2, seed=1))
        m.run(30)
        for k in _spent:
            _spent[k] = 0.0
        kern = {"t": 0.0}
        per_kernel: dict[str, float] = {}

        def timed_kernel(fn, name):
            def wrapper(*args):
                t = time.thread_time()
                try:
                    return fn(*args)
                finally:
                    dt = time.thread_time() - t
                    kern["t"] += dt
                    per_kernel[name] = per_kernel.get(name, 0.0) + dt
            return wrapper
        for mod, name, value in kernels:
            setattr(mod, name, timed_kernel(value, name))
        streams = m.state.streams
        m.state.streams = _TimedStreams(streams)  # the stages draw from the state's streams
        np.exp = _timed(real["exp"], "numpy exp/log (float32 exp, arrays)")
        np.log = _timed(real["log"], "numpy exp/log (float32 exp, arrays)")
        np.argpartition = _timed(real["argpartition"], "argpartition")
        if hasattr(model_module, "split_matmul"):
            model_module.split_matmul = _timed(real["split_matmul"], "BLAS product")
        try:
            t = time.thread_time()
            for _ in range(a.days):
                m.step()
            total = time.thread_time() - t
        finally:
            np.exp, np.log, np.argpartition = real["exp"], real["log"], real["argpartition"]
            m.state.streams = streams
            if hasattr(model_module, "split_matmul"):
                model_module.split_matmul = real["split_matmul"]
            for mod, name, value in kernels:
                setattr(mod, name, value)
        fixed = sum(_spent.values())
        parts = ", ".join(f"{k} {v / a.days * 1e6:,.0f}" for k, v in _spent.items())
        print(f"{ctx:20s} {total / a.days * 1e6:7,.0f} us/day; numpy's own: {parts}; "
              f"total {fixed / a.days * 1e6:,.0f} ({fixed / total:.0%}); compiled kernels "
              f"{kern['t'] / a.days * 1e6:,.0f} ({kern['t'] / total:.0%}); Python and small numpy "
              f"calls {(total - fixed - kern['t']) / a.days * 1e6:,.0f} "
              f"({(total - fixed - kern['t']) / total:.0%})")
        if a.kernels:
            top = sorted(per_kernel.items(), key=lambda kv: -kv[1])[:10]
            print("    kernels: " + ", ".join(f"{k} {v / a.days * 1e6:,.0f}" for k, v in top))


def profile(context: str, strategy: str, days: int) -> None:
    """cProfile of ``days`` days of one context (after 30 untimed ones), by own time."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    m = tranqsim.build_model(tranqsim.load_scenario(context=context, strategy=strategy, years=2, seed=1))
    m.run(30)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(days):
        m.step()
    prof.disable()
    print(f"{context} / {strategy}, {days} days after 30:")
    pstats.Stats(prof).sort_stats("tottime").print_stats(int(__import__("os").environ.get("ROWS", 25)))


def stages(context: str, strategy: str, days: int) -> None:
    """Thread CPU time per simulated day of each stage of :data:`tranqsim.schedule.DAY_STAGES`
    (no wrappers inside the stages: the figures are the stages' own, kernels included)."""
    from tranqsim.schedule import DAY_STAGES  # noqa: PLC0415

    m = tranqsim.build_model(tranqsim.load_scenario(context=context, strategy=strategy, years=2, seed=1))
    m.run(30)
    spent = dict.fromkeys((st.name for st in DAY_STAGES), 0.0)
    s, clock = m.state, time.thread_time
    for _ in range(days):
        d = m.day
        for st in DAY_STAGES:
            t = clock()
            st.run(s, d)
            spent[st.name] += clock() - t
        m.day += 1
    total = sum(spent.values())
    print(f"{context} / {strategy}, {days} days after 30: {total / days * 1e6:,.0f} us/day (thread CPU time)")
    for name, v in spent.items():
        print(f"    {name:22s} {v / days * 1e6:7,.1f} us/day  {v / total:4.0%}")


if __name__ == "__main__":
    main()
