"""A/B of ``Deterrence`` (tranqsim.incidents): the compiled kernels against the numpy version
they replaced (kept in tests/test_deterrence_kernel.py as ``ReferenceDeterrence``).

Function level: the inputs of ``residents``, ``guardians`` and ``displace`` are recorded on
real days of a model (``--days`` days after ``--warmup``), then each version is called on fresh
copies of the same inputs, alternating old and new, ``--reps`` times per recorded day; the
figure is the median thread CPU time (``time.thread_time_ns``) of the three methods together
(the day's whole deterrence; timed apart from the per-method figures, which add clock reads).

Day level: two models with the same seed advance side by side, one day each in turn (which one
goes first alternates), one with each version (same bits, so the same days); thread CPU time of
``model.step()`` summed over blocks of days; medians over blocks of the per-day means, and the
median of the per-block ratios. The first days (compilation or loading it from numba's cache)
are left out.

    python benchmarks/bench_deterrence.py [--contexts priority_estate large_estate]
        [--days 20] [--reps 200] [--step-days 360] [--block 30] [--warmup 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import tranqsim
import abkit
from tranqsim.linalg import csr_times_dense



def _reference():
    return abkit.test_module("test_deterrence_kernel").ReferenceDeterrence


class _Old:
    """The reference behind the new interface (displace without the product function)."""

    def __init__(self, ref):
        self.ref = ref

    def residents(self, lam, g_res, nuisance):
        return self.ref.residents(lam, g_res, nuisance)

    def guardians(self, lam, G):
        self.ref.guardians(lam, G)

    def displace(self, lam, res_off):
        self.ref.displace(lam, res_off, csr_times_dense)


def _old_for(m):
    return _Old(_reference()(m.sens, m.WT, m.p.displacement_share, m.displace_mask))


class _Recorder:
    def __init__(self, inner):
        self.inner, self.days = inner, []

    def residents(self, lam, g_res, nuisance):
        self.days.append({"lam": lam.copy(), "g_res": g_res.copy(), "nuisance": nuisance})
        return self.inner.residents(lam, g_res, nuisance)

    def guardians(self, lam, G):
        self.days[-1]["G"] = G.copy()
        self.inner.guardians(lam, G)

    def displace(self, lam, res_off):
        self.inner.displace(lam, res_off)


def _one_day(det, rec, t, split):
    """The day's three calls on copies of the recorded inputs: thread CPU time of the three
    together (one pair of clock reads: each read is a system call of about a microsecond, the
    same for both versions), or with ``split`` of each method."""
    lam, G = rec["lam"].copy(), rec["G"].copy()
    g_res, nuisance = rec["g_res"], rec["nuisance"]
    if not split:
        t0 = time.thread_time_ns()
        res_off, _ = det.residents(lam, g_res, nuisance)
        det.guardians(lam, G)
        det.displace(lam, res_off)
        t["all"].append(time.thread_time_ns() - t0)
        return lam, G
    t0 = time.thread_time_ns()
    res_off, _ = det.residents(lam, g_res, nuisance)
    t1 = time.thread_time_ns()
    det.guardians(lam, G)
    t2 = time.thread_time_ns()
    det.displace(lam, res_off)
    t3 = time.thread_time_ns()
    t["residents"].append(t1 - t0)
    t["guardians"].append(t2 - t1)
    t["displace"].append(t3 - t2)
    return lam, G


def functions(context: str, strategy: str | None, days: int, reps: int, warmup: int, seed: int):
    sc = tranqsim.load_scenario(context=context, strategy=strategy, years=1, seed=seed)
    m = tranqsim.build_model(sc)
    new = m.deterrence
    old = _old_for(m)
    m.deterrence = rec = _Recorder(new)
    for _ in range(warmup + days):
        m.step()
    recs = rec.days[warmup:]
    times = {k: {n: [] for n in ("residents", "guardians", "displace", "all")} for k in ("old", "new")}
    for r in recs:  # same bits first (and compilation out of the way)
        a, b = _one_day(old, r, times["old"], False), _one_day(new, r, times["new"], False)
        assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b))
    times = {k: {n: [] for n in ("residents", "guardians", "displace", "all")} for k in ("old", "new")}
    for i in range(2 * reps):  # alternately the whole, and method by method
        for r in recs:
            for k in (("old", "new") if i % 4 < 2 else ("new", "old")):
                _one_day(old if k == "old" else new, r, times[k], split=bool(i % 2))
    out = {"context": context, "strategy": strategy or "default", "places": m.n_places,
           "nuisance_days": int(sum(bool(r["nuisance"]) for r in recs)), "calls": reps * len(recs)}
    for n in ("residents", "guardians", "displace", "all"):
        o, w = statistics.median(times["old"][n]) / 1e3, statistics.median(times["new"][n]) / 1e3
        out[n] = {"old_us": round(o, 1), "new_us": round(w, 1), "ratio": round(o / w, 2)}
    return out


def steps(context: str, strategy: str | None, days: int, block: int, warmup: int, seed: int):
    sc = tranqsim.load_scenario(context=context, strategy=strategy,
                                years=(days + warmup) / 365 + 0.1, seed=seed)
    models = {"old": tranqsim.build_model(sc), "new": tranqsim.build_model(sc)}
    models["old"].deterrence = _old_for(models["old"])
    step = {k: [] for k in models}
    for day in range(warmup + days):
        for k in (("old", "new") if day % 2 else ("new", "old")):
            t0 = time.thread_time()
            models[k].step()
            step[k].append(time.thread_time() - t0)
    a, b = models["old"], models["new"]
    assert np.array_equal(a.lam_today, b.lam_today) and np.array_equal(a.dis_comp, b.dis_comp)

    def blocks(x):
        return abkit.block_means(x, warmup, block)

    o, n = blocks(step["old"]), blocks(step["new"])
    return {"context": context, "days": days, "step_old_us": round(1e6 * statistics.median(o)),
            "step_new_us": round(1e6 * statistics.median(n)),
            "ratio_old_over_new": round(statistics.median(o / n), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--contexts", nargs="+", default=["priority_estate", "large_estate"])
    ap.add_argument("--strategy", default=None)
    ap.add_argument("--days", type=int, default=20, help="recorded days (function level)")
    ap.add_argument("--reps", type=int, default=200, help="calls per recorded day and version")
    ap.add_argument("--step-days", type=int, default=360, help="days of the step A/B (0: none)")
    ap.add_argument("--block", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    for ctx in a.contexts:
        print(json.dumps(functions(ctx, a.strategy, a.days, a.reps, a.warmup, a.seed)), flush=True)
        if a.step_days:
            print(json.dumps(steps(ctx, a.strategy, a.step_days, a.block, a.warmup, a.seed)), flush=True)


if __name__ == "__main__":
    main()
