"""In-process A/B of the residents' day: the compiled kernels against the numpy version they
replaced (the reference copy in tests/test_residents_kernel.py).

Two models with the same seed are stepped in alternating blocks of days (old, new, old, new...),
so the machine's speed drift hits both alike, and they do the same work day for day (their
states are bit-identical). Per block: mean thread CPU time per day of ``update_residents`` and
of the whole ``model.step()``; printed: the medians over blocks and the median of the per-block
ratios old/new. The first days (compilation, warm-up) are not timed.

Usage: python benchmarks/bench_residents.py [--contexts priority_estate large_estate]
            [--strategy global_approach] [--days 600] [--block 20] [--warmup 10]

Last run (2026-11-26, 2-core machine shared with other jobs; figures drift with its load, the
ratios less so):

    priority_estate (global_approach, 30 blocks of 20 days): update_residents 515 -> 168 us/day (x2.94); model.step 2382 -> 1930 us/day (x1.200)
    large_estate (global_approach, 30 blocks of 20 days): update_residents 1343 -> 741 us/day (x1.80); model.step 5822 -> 5364 us/day (x1.097)
    priority_estate (withdrawal, 30 blocks of 20 days): update_residents 477 -> 167 us/day (x2.75); model.step 2113 -> 1818 us/day (x1.150)
    large_estate (withdrawal, 30 blocks of 20 days): update_residents 825 -> 464 us/day (x1.73); model.step 4171 -> 3654 us/day (x1.106)

The kernels compile in about 5 s in the first process (cached in ``__pycache__``); a later
process loads them in about 0.05 s, after numba's own start-up (about 0.4 s, paid once by the
first compiled function whatever it is).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from types import MethodType

import numpy as np

import tranqsim
import tranqsim.model
from tranqsim.residents import update_residents

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from test_residents_kernel import ref_per_hall_count, ref_update_residents  # noqa: E402


def ab(context: str, strategy: str, days: int, block: int, warmup: int, seed: int = 1) -> dict:
    timed = {}

    def dispatch(m, *args):
        f = getattr(m, "_residents", update_residents)
        t = time.thread_time()
        f(m, *args)
        timed[id(m)] = time.thread_time() - t

    tranqsim.model.update_residents = dispatch
    sc = tranqsim.load_scenario(context=context, strategy=strategy, years=(days + warmup) / 365,
                                seed=seed)
    old, new = tranqsim.build_model(sc), tranqsim.build_model(sc)
    old._residents = ref_update_residents
    old.households.per_hall_count = MethodType(ref_per_hall_count, old.households)
    for _ in range(warmup):
        old.step()
        new.step()
    res = {"old": ([], []), "new": ([], [])}  # per block: residents, step (s per day)
    for _ in range(days // block):
        for name, m in (("old", old), ("new", new)):
            r = s = 0.0
            for _ in range(block):
                t = time.thread_time()
                m.step()
                s += time.thread_time() - t
                r += timed[id(m)]
            res[name][0].append(r / block)
            res[name][1].append(s / block)
    tranqsim.model.update_residents = update_residents
    o_r, o_s = map(np.array, res["old"])
    n_r, n_s = map(np.array, res["new"])
    return {"context": context, "blocks": o_r.size, "block_days": block,
            "residents_old_us": 1e6 * np.median(o_r), "residents_new_us": 1e6 * np.median(n_r),
            "residents_ratio": np.median(o_r / n_r),
            "step_old_us": 1e6 * np.median(o_s), "step_new_us": 1e6 * np.median(n_s),
            "step_ratio": np.median(o_s / n_s)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contexts", nargs="+", default=["priority_estate", "large_estate"])
    ap.add_argument("--strategy", default="global_approach")
    ap.add_argument("--days", type=int, default=600)
    ap.add_argument("--block", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=10)
    a = ap.parse_args(argv)
    for ctx in a.contexts:
        r = ab(ctx, a.strategy, a.days, a.block, a.warmup)
        print(f"{r['context']} ({a.strategy}, {r['blocks']} blocks of {r['block_days']} days): "
              f"update_residents {r['residents_old_us']:.0f} -> {r['residents_new_us']:.0f} us/day "
              f"(x{r['residents_ratio']:.2f}); model.step {r['step_old_us']:.0f} -> "
              f"{r['step_new_us']:.0f} us/day (x{r['step_ratio']:.3f})", flush=True)


if __name__ == "__main__":
    main()
