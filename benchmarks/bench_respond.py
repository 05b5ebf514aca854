"""A/B of ``respond`` (tranqsim.response): the compiled kernel against the numpy version it
replaced (kept in tests/test_response_kernel.py as ``reference_respond``).

Two models with the same seed advance side by side, one day each in turn (which one goes first
alternates), one with each version: both see the very same days, and their states stay equal
(the two versions give the same bits). Thread CPU time (``time.thread_time``) of every
``respond`` call and every ``model.step()`` is summed over blocks of days; the figures are the
medians over blocks of the per-day means, and the median of the per-block ratios. The first days
(compilation, or loading it from numba's cache) are left out.

    python benchmarks/bench_respond.py [--days 360] [--block 30] [--contexts priority_estate large_estate]
    python benchmarks/bench_respond.py --first-call   # time the first call in this process
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tranqsim
import tranqsim.model as model_module
import abkit
from tranqsim.response import respond as new_respond



def _reference():
    return abkit.test_module("test_response_kernel").reference_respond


def _timed(fn, acc):
    def wrapped(*a):
        t0 = time.thread_time()
        fn(*a)
        acc.append(time.thread_time() - t0)
    return wrapped


def ab(context: str, days: int, block: int, warmup: int, seed: int) -> dict:
    old_respond = _reference()
    sc = tranqsim.load_scenario(context=context, years=(days + warmup) / 365 + 0.1, seed=seed)
    models = {"old": tranqsim.build_model(sc), "new": tranqsim.build_model(sc)}
    fns = {"old": old_respond, "new": new_respond}
    resp = {k: [] for k in models}
    step = {k: [] for k in models}
    n_inc = []
    for day in range(warmup + days):
        for k in (("old", "new") if day % 2 else ("new", "old")):
            model_module.respond = _timed(fns[k], resp[k])
            t0 = time.thread_time()
            models[k].step()
            step[k].append(time.thread_time() - t0)
        n_inc.append(int(models["new"].day_type_counts.sum()))
    model_module.respond = new_respond
    a, b = models["old"], models["new"]
    assert np.array_equal(a.resp_police, b.resp_police) and np.array_equal(a.dis_comp, b.dis_comp)

    out = {"context": context, "days": days, "places": a.n_places,
           "incidents_per_day": float(np.mean(n_inc[warmup:]))}
    out.update(abkit.summary({"respond": resp, "step": step}, warmup, block))
    return out


def first_call() -> None:
    sc = tranqsim.load_scenario(context="priority_estate", years=1, seed=1)
    m = tranqsim.build_model(sc)
    times = []
    model_module.respond = _timed(new_respond, times)
    t0 = time.perf_counter()
    m.step()
    wall = time.perf_counter() - t0
    m.step()
    model_module.respond = new_respond
    print(f"first respond call: {times[0]:.3f} s thread CPU (first step {wall:.3f} s wall); "
          f"second call: {1e6 * times[1]:.0f} us")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    abkit.add_arguments(ap, ("priority_estate", "large_estate"))
    ap.add_argument("--first-call", action="store_true")
    args = ap.parse_args()
    if args.first_call:
        first_call()
        return
    for ctx in args.contexts:
        r = ab(ctx, args.days, args.block, args.warmup, args.seed)
        print(f"{ctx}: {r['places']} places, {r['incidents_per_day']:.1f} incidents/day, "
              f"{r['days']} days in blocks of {args.block}")
        for name in ("respond", "step"):
            x = r[name]
            print(f"  {name:8s} old {x['old_us']:8.1f} us/day  new {x['new_us']:8.1f} us/day  "
                  f"old/new {x['ratio_old_over_new']:.2f}")


if __name__ == "__main__":
    main()
