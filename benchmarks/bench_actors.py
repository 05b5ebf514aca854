"""A/B of the staff deployments (tranqsim.actors: ``NightMediator.deploy``, ``SecurityGuard.deploy``,
``PoliceUnit.deploy``): the compiled kernels against the numpy version they replaced (the
reference copy in tests/test_actors_kernel.py).

A model advances day by day; after ``--warmup`` days (the kernels compile, or load from numba's
cache, on the first), each deployment is called on every day's state by both versions,
``--repeat`` times each, in alternating order. Before every call the random streams and the
agents' places are restored (outside the timing), so each call does what the model's own call
does, and the two versions' outputs are checked equal. Thread CPU time per call; printed: the
median over days of each day's fastest call, and the median of the per-day ratios old/new.

Usage: python benchmarks/bench_actors.py [--cases calm_neighbourhood:global_approach ...]
            [--days 40] [--warmup 20] [--repeat 5] [--seed 1]

Last run (2026-11-26, worktree without the ahead-of-time build, so kernels through numba's JIT;
2-core machine shared with other jobs, load ~1.9: the figures drift with the load, the ratios
less so; a timed call is one call on a state another call has just left, as in the model's day):

    calm_neighbourhood / global_approach (165 places, 1 crew, 4 mediators):
      police 70.5 -> 27.0 us/call (x2.51), mediators 94.8 -> 49.6 (x1.98)
    calm_neighbourhood / heavy_security (1 crew, 2 guards):
      police 76.1 -> 31.2 (x2.44), guards 78.8 -> 40.9 (x1.92)
    large_estate / global_approach (1763 places, 10 crews, 4 mediators):
      police 143.2 -> 73.8 (x1.97), mediators 198.1 -> 136.1 (x1.48)
    large_estate / heavy_security (15 crews, 30 guards):
      police 144.7 -> 75.6 (x1.98), guards 590.9 -> 548.6 (x1.08)

What is left in the rounds is mostly numpy's and the C library's: the uniforms (teams x places),
np.argpartition (5-12 us a row here, on 165 places as on 1763), and the two logs of every
uniform where the weight is > 0 (15 pairs of guards on the large estate, 625 halls and car parks:
about 19,000 logs a night); in the police's, the draws, the zeros and the hot-spot power.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import abkit
from tranqsim.actors import NightMediator, PoliceUnit, SecurityGuard
from tranqsim.experiments.runner import _scenario
from tranqsim.jit import mode
from tranqsim.simulation import build_model

CASES = ["calm_neighbourhood:global_approach", "calm_neighbourhood:heavy_security",
         "large_estate:global_approach", "large_estate:heavy_security"]


def _reference():
    return abkit.test_module("test_actors_kernel")


def ab(context: str, strategy: str, days: int, warmup: int, repeat: int, seed: int) -> dict:
    ref = _reference()
    m = build_model(_scenario({"context": context, "strategy": strategy}, (days + warmup) / 365 + 0.1, seed))
    times: dict = {}
    for day in range(warmup + days):
        m.step()
        if day < warmup:
            continue
        for name, _stream, old, new in ref._deploys(m):
            if name == "mediators" and not m.staff[NightMediator] or \
                    name == "guards" and not m.staff[SecurityGuard]:
                continue
            state = ref._state(m)
            best = {"old": np.inf, "new": np.inf}
            outs = {}
            for i in range(repeat):
                for k in (("old", "new") if (day + i) % 2 else ("new", "old")):
                    ref._restore(m, state)
                    fn = old if k == "old" else new
                    t0 = time.thread_time_ns()
                    outs[k] = fn()
                    best[k] = min(best[k], time.thread_time_ns() - t0)
            assert ref._same(outs["old"], outs["new"]), (name, day)
            times.setdefault(name, {"old": [], "new": []})
            for k in best:
                times[name][k].append(best[k] / 1e3)
    out = {"places": m.n_places, "staff": {n: len(m.staff[c]) for n, c in
                                           (("police", PoliceUnit), ("mediators", NightMediator),
                                            ("guards", SecurityGuard))}}
    for name, t in times.items():
        o, n = np.array(t["old"]), np.array(t["new"])
        out[name] = {"old_us": statistics.median(o), "new_us": statistics.median(n),
                     "ratio_old_over_new": statistics.median(o / n)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=CASES, help="context:strategy")
    ap.add_argument("--days", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for case in args.cases:
        ctx, strat = case.split(":")
        r = ab(ctx, strat, args.days, args.warmup, args.repeat, args.seed)
        staff = ", ".join(f"{v} {k}" for k, v in r["staff"].items())
        print(f"{ctx} / {strat}: {r['places']} places, {staff}; {args.days} days, kernels: {mode()}")
        for name in ("police", "mediators", "guards"):
            if name in r:
                x = r[name]
                print(f"  {name:10s} old {x['old_us']:7.1f} us/call  new {x['new_us']:7.1f} us/call  "
                      f"old/new {x['ratio_old_over_new']:.2f}")


if __name__ == "__main__":
    main()
