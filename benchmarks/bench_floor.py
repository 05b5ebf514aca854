"""How much of a simulated day is work that bit-identical speed-ups cannot remove.

    .venv/bin/python benchmarks/bench_floor.py [--days 120] [--strategy global_approach] [--kernels]

Runs each of the four estates of ``strategy_spectrum.yaml`` for a few weeks, then times
``days`` days while counting, call by call, the time spent in

- the random draws (every method of every named generator: the draws' number and order are
  the random streams, which common random numbers and the calibration rest on; the
  counter-based streams' uniforms, computed inside kernels, count as kernel time);
- numpy's float32 ``exp`` and its float64 ``exp``/``log`` on arrays, the BLAS product and
  ``np.argpartition`` (their bits or their order are numpy's own: the kernels call them as
  numpy calls, see ``src/tranqsim/jit.py``).

It also times the calls of the compiled kernels (``tranqsim.jit``: their arithmetic, and their
arguments' checks and unboxing). The rest of the day is Python around the calls: numpy calls
on small arrays, loops over agents, attribute lookups. Those two are what further work that
keeps every output could still reduce. Thread CPU time; the wrappers add about a microsecond
per wrapped call.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import tranqsim
from tranqsim import jit, linalg, model as model_module

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
    a = ap.parse_args()
    real = {"exp": np.exp, "log": np.log, "argpartition": np.argpartition,
            "split_matmul": linalg.split_matmul}
    print(f"{a.strategy}, {a.days} days after 30 (thread CPU time per simulated day, kernels: "
          f"{jit.mode()})")
    # every module-level name bound to a kernel (as built: AOT behind its check, or JIT)
    kernels = []
    names = {fn.__name__ for fn in jit.KERNELS.values()}
    for mod in [m for name, m in sys.modules.items() if name.startswith("tranqsim")]:
        for name, value in list(vars(mod).items()):
            if callable(value) and getattr(value, "__name__", None) in names:
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
        m.streams = _TimedStreams(m.streams)
        np.exp = _timed(real["exp"], "numpy exp/log (float32 exp, arrays)")
        np.log = _timed(real["log"], "numpy exp/log (float32 exp, arrays)")
        np.argpartition = _timed(real["argpartition"], "argpartition")
        model_module.split_matmul = _timed(real["split_matmul"], "BLAS product")
        try:
            t = time.thread_time()
            for _ in range(a.days):
                m.step()
            total = time.thread_time() - t
        finally:
            np.exp, np.log, np.argpartition = real["exp"], real["log"], real["argpartition"]
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


if __name__ == "__main__":
    main()
