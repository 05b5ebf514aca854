"""A/B of ``Recorder.record`` (tranqsim.metrics): the compiled kernel against the numpy version
it replaced (kept in tests/test_record_kernel.py as ``reference_record``).

Two models with the same seed advance side by side, one day each in turn (which one goes first
alternates), one recording with each version: both see the very same days, and their states stay
equal (the two versions give the same bits). Thread CPU time (``time.thread_time``) of every
``record`` call and every ``model.step()`` is summed over blocks of days; the figures are the
medians over blocks of the per-day means, and the median of the per-block ratios. The first days
(compilation, or loading it from numba's cache) are left out.

    python benchmarks/bench_record.py [--days 360] [--block 30] [--strategy global_approach]
                                      [--contexts calm_neighbourhood large_estate]
"""

from __future__ import annotations

import argparse
import time


import abkit
from tranqsim.experiments.runner import _scenario
from tranqsim.metrics import Recorder
from tranqsim.simulation import build_model

NEW = Recorder.record


def _reference():
    return abkit.test_module("test_record_kernel").reference_record


def ab(context: str, strategy: str, days: int, block: int, warmup: int, seed: int) -> dict:
    fns = {"old": _reference(), "new": NEW}
    models = {k: build_model(_scenario({"context": context, "strategy": strategy},
                                       (days + warmup) / 365 + 0.1, seed)) for k in fns}
    rec = {k: [] for k in models}
    step = {k: [] for k in models}
    current = {}

    def timed(recorder, m):
        t0 = time.thread_time()
        fns[current["k"]](recorder, m)
        rec[current["k"]].append(time.thread_time() - t0)

    Recorder.record = timed
    try:
        for day in range(warmup + days):
            for k in (("old", "new") if day % 2 else ("new", "old")):
                current["k"] = k
                t0 = time.thread_time()
                models[k].step()
                step[k].append(time.thread_time() - t0)
    finally:
        Recorder.record = NEW
    a, b = models["old"].recorder, models["new"].recorder
    assert a.data.tobytes() == b.data.tobytes() and a.costs.tobytes() == b.costs.tobytes()

    out = {"context": context, "strategy": strategy, "days": days, "halls": models["new"].n_halls,
           "cost_keys": len(models["new"].cost_keys)}
    out.update(abkit.summary({"record": rec, "step": step}, warmup, block))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    abkit.add_arguments(ap, ("calm_neighbourhood", "large_estate"), strategy="global_approach")
    args = ap.parse_args()
    for ctx in args.contexts:
        r = ab(ctx, args.strategy, args.days, args.block, args.warmup, args.seed)
        print(f"{ctx} / {r['strategy']}: {r['halls']} halls, {r['cost_keys']} cost keys, "
              f"{r['days']} days in blocks of {args.block}")
        for name in ("record", "step"):
            x = r[name]
            print(f"  {name:8s} old {x['old_us']:8.1f} us/day  new {x['new_us']:8.1f} us/day  "
                  f"old/new {x['ratio_old_over_new']:.2f}")


if __name__ == "__main__":
    main()
