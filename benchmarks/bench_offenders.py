"""A/B of ``update_offenders`` (tranqsim.offenders, with ``YouthGroup.update`` and
``DealingNetwork.update``): the kernels against the numpy version they replaced (kept in
tests/test_offenders_kernel.py as ``reference_update_offenders``).

Two models with the same seed advance side by side, one day each in turn (which one goes first
alternates), one with each version: both see the very same days, and their states stay equal
(the two versions give the same bits). Thread CPU time (``time.thread_time``) of every
``update_offenders`` call and every ``model.step()`` is summed over blocks of days; the figures
are the medians over blocks of the per-day means, and the median of the per-block ratios. The
first days (compilation, or loading it from numba's cache) are left out.

    python benchmarks/bench_offenders.py [--days 360] [--block 30] [--strategy heavy_security]
                                         [--contexts calm_neighbourhood large_estate]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tranqsim.model as model_module
import abkit
from tranqsim.experiments.runner import _scenario
from tranqsim.metrics import COL
from tranqsim.offenders import update_offenders as new_update
from tranqsim.simulation import build_model



def _reference():
    return abkit.test_module("test_offenders_kernel").reference_update_offenders


def _timed(fn, acc):
    def wrapped(*a):
        t0 = time.thread_time()
        fn(*a)
        acc.append(time.thread_time() - t0)
    return wrapped


def ab(context: str, strategy: str, days: int, block: int, warmup: int, seed: int) -> dict:
    fns = {"old": _reference(), "new": new_update}
    models = {k: build_model(_scenario({"context": context, "strategy": strategy},
                                       (days + warmup) / 365 + 0.1, seed)) for k in fns}
    upd = {k: [] for k in models}
    step = {k: [] for k in models}
    try:
        for day in range(warmup + days):
            for k in (("old", "new") if day % 2 else ("new", "old")):
                model_module.update_offenders = _timed(fns[k], upd[k])
                t0 = time.thread_time()
                models[k].step()
                step[k].append(time.thread_time() - t0)
    finally:
        model_module.update_offenders = new_update
    a, b = models["old"], models["new"]
    assert a.recorder.data.tobytes() == b.recorder.data.tobytes()

    points = b.recorder.data[:b.recorder.n, COL["dealing_points"]]
    out = {"context": context, "strategy": strategy, "days": days, "places": b.n_places,
           "groups": len(b.group_list), "networks": float(np.mean(points))}
    out.update(abkit.summary({"update_offenders": upd, "step": step}, warmup, block))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    abkit.add_arguments(ap, ("calm_neighbourhood", "large_estate"), strategy="heavy_security")
    args = ap.parse_args()
    for ctx in args.contexts:
        r = ab(ctx, args.strategy, args.days, args.block, args.warmup, args.seed)
        print(f"{ctx} / {r['strategy']}: {r['places']} places, {r['groups']} groups, "
              f"{r['networks']:.1f} dealing points, {r['days']} days in blocks of {args.block}")
        for name in ("update_offenders", "step"):
            x = r[name]
            print(f"  {name:16s} old {x['old_us']:8.1f} us/day  new {x['new_us']:8.1f} us/day  "
                  f"old/new {x['ratio_old_over_new']:.2f}")


if __name__ == "__main__":
    main()
