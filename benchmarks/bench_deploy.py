"""A/B of ``YouthGroup.deploy`` (tranqsim.offenders): the kernel (utilities, Gumbel-max choice
with per-place pruning, stickiness) against the version it replaced (kept in
tests/test_deploy_kernel.py as ``reference_deploy``, its kernel compiled there).

Two models with the same seed advance side by side, one day each in turn (which one goes first
alternates), one with each version: both see the very same days, and their states stay equal.
Thread CPU time (``time.thread_time``) of every ``deploy`` call and every ``model.step()`` is
summed over blocks of days; the figures are the medians over blocks of the per-day means, and
the median of the per-block ratios. The first days (compilation) are left out. The uniforms'
draw (30 x 561 on the large estate, some 40-80 us) is in both.

    python benchmarks/bench_deploy.py [--days 360] [--block 30] [--strategy heavy_security]
                                      [--contexts calm_neighbourhood large_estate]
"""

from __future__ import annotations

import argparse
import time


import abkit
from tranqsim.experiments.runner import _scenario
from tranqsim.offenders import YouthGroup
from tranqsim.simulation import build_model

NEW = YouthGroup.deploy


def _reference():
    return abkit.test_module("test_deploy_kernel").reference_deploy


def ab(context: str, strategy: str, days: int, block: int, warmup: int, seed: int) -> dict:
    old = _reference()
    fns = {"old": lambda cls, m, groups, guard: old(m, groups, guard),
           "new": lambda cls, m, groups, guard: NEW.__func__(cls, m, groups, guard)}
    models = {k: build_model(_scenario({"context": context, "strategy": strategy},
                                       (days + warmup) / 365 + 0.1, seed)) for k in fns}
    dep = {k: [] for k in models}
    step = {k: [] for k in models}

    def timed(k):
        def call(cls, m, groups, guard):
            t0 = time.thread_time()
            fns[k](cls, m, groups, guard)
            dep[k].append(time.thread_time() - t0)
        return classmethod(call)

    try:
        for day in range(warmup + days):
            for k in (("old", "new") if day % 2 else ("new", "old")):
                YouthGroup.deploy = timed(k)
                t0 = time.thread_time()
                models[k].step()
                step[k].append(time.thread_time() - t0)
    finally:
        YouthGroup.deploy = NEW
    a, b = models["old"], models["new"]
    assert a.recorder.data.tobytes() == b.recorder.data.tobytes()

    out = {"context": context, "strategy": strategy, "days": days,
           "groups": len(b.group_list), "candidates": b.hangout_places.size}
    out.update(abkit.summary({"deploy": dep, "step": step}, warmup, block))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    abkit.add_arguments(ap, ("calm_neighbourhood", "large_estate"), strategy="heavy_security")
    args = ap.parse_args()
    for ctx in args.contexts:
        r = ab(ctx, args.strategy, args.days, args.block, args.warmup, args.seed)
        print(f"{ctx} / {r['strategy']}: {r['groups']} groups x {r['candidates']} candidates, "
              f"{r['days']} days in blocks of {args.block}")
        for name in ("deploy", "step"):
            x = r[name]
            print(f"  {name:8s} old {x['old_us']:8.1f} us/day  new {x['new_us']:8.1f} us/day  "
                  f"old/new {x['ratio_old_over_new']:.2f}")


if __name__ == "__main__":
    main()
