"""Speed and memory of the estate model, against Mesa's own Epstein civil-violence example.

Prints household-steps per second for a 3-year ``priority_estate`` run, Epstein agent-steps per
second measured in the same process in alternating slices (so that the machine's speed drift
hits both alike), the median of the per-slice ratios, the per-household-step cost of
``large_estate`` relative to ``priority_estate``, and peak memory of each (measured in a fresh
subprocess each, so one does not inflate the other). A household-step is one dwelling slot
advanced one day. Targets: ratio >= 100; 3-year priority_estate <= 2 s; large_estate <= 1.2x
per household-step; peak memory <= 300 MB (priority), <= 1 GB (large). The kernels come from
numba's on-disk cache (``make warmup``; the first process after an edit compiles them, about
20 s, and the figures of that run are not representative).

Usage: python benchmarks/bench_model.py [--years 3] [--large-years 1] [--epstein-steps 30]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import tranqsim


def time_estate(context: str, years: float, seed: int = 1) -> dict:
    sc = tranqsim.load_scenario(context=context, years=years, seed=seed)
    t0 = time.perf_counter()
    model = tranqsim.build_model(sc)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    hh_steps = sc.context.estate.dwellings * sc.days
    return {"context": context, "years": years, "dwellings": sc.context.estate.dwellings,
            "build_s": t1 - t0, "run_s": t2 - t1, "total_s": t2 - t0,
            "household_steps_per_s": hh_steps / (t2 - t1)}


def time_epstein(steps: int) -> dict:
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    model = EpsteinCivilViolence()
    n = len(model.agents)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    dt = time.perf_counter() - t0
    return {"agents": n, "steps": steps, "agent_steps_per_s": n * steps / dt}


# The child's own peak: Linux's ``VmHWM`` (the high-water mark of the process's own memory,
# in kB). Not ``ru_maxrss``: Linux carries it over fork and exec, so a child started from
# this process reported this process's peak whenever it was the larger (every figure before
# 2026-12-05 was this benchmark's own peak, hence priority and large estate alike at 314-326 MB).
_PEAK = ("import resource\n"
         "try:\n"
         "    print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')))\n"
         "except OSError:\n"
         "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")


def peak_memory_mb(context: str, years: float) -> float:
    """Peak resident memory of a fresh process that builds and runs one model."""
    code = ("import tranqsim; m = tranqsim.build_model(tranqsim.load_scenario("
            f"context={context!r}, years={years})); m.run()\n" + _PEAK)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024  # kilobytes (VmHWM; ru_maxrss on Linux, macOS aside)


def fresh_process(context: str, years: float) -> dict:
    """A fresh process's own figures: ``import tranqsim``, then build and run, loading each
    kernel from numba's on-disk cache at its first call (how many it had to compile instead:
    0 with a warm cache)."""
    code = ("import time; t0 = time.perf_counter(); import tranqsim; t1 = time.perf_counter(); "
            f"m = tranqsim.build_model(tranqsim.load_scenario(context={context!r}, years={years})); "
            "m.run(); t2 = time.perf_counter(); from tranqsim.warmup import counts; "
            "print(t1 - t0, t2 - t1, counts()[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imp, run, compiled = out.stdout.split()
    return {"import_s": float(imp), "build_run_s": float(run), "compiled": int(compiled)}


def interleaved(years: float, epstein_steps: int, rounds: int = 6) -> dict:
    """The ratio measured in alternating slices of both models, so that the machine's speed
    drift (seen here: Epstein from 12,600 to 22,000 agent-steps/s within an hour) hits both
    alike; returns the median of the per-slice ratios and the totals."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    sc = tranqsim.load_scenario(context="priority_estate", years=years, seed=1)
    t0 = time.perf_counter()
    model = tranqsim.build_model(sc)
    build = time.perf_counter() - t0
    eps = EpsteinCivilViolence()
    n_eps = len(eps.agents)
    days = [sc.days // rounds + (1 if r < sc.days % rounds else 0) for r in range(rounds)]
    steps = [epstein_steps // rounds + (1 if r < epstein_steps % rounds else 0) for r in range(rounds)]
    ratios, t_model, t_eps = [], 0.0, 0.0
    for d, k in zip(days, steps):
        t = time.perf_counter()
        model.run(d)
        tm = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(k):
            eps.step()
        te = time.perf_counter() - t
        t_model, t_eps = t_model + tm, t_eps + te
        ratios.append((sc.context.estate.dwellings * d / tm) / (n_eps * k / te))
    return {"build_s": build, "run_s": t_model, "total_s": build + t_model, "dwellings": sc.context.estate.dwellings,
            "household_steps_per_s": sc.context.estate.dwellings * sc.days / t_model,
            "agents": n_eps, "agent_steps_per_s": n_eps * epstein_steps / t_eps,
            "ratio_median": float(sorted(ratios)[len(ratios) // 2]), "ratio_min": min(ratios),
            "ratio_max": max(ratios)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--large-years", type=float, default=1.0)
    ap.add_argument("--epstein-steps", type=int, default=36)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    time_estate("priority_estate", 0.05)  # warm-up: imports, caches
    time_epstein(2)
    both = interleaved(a.years, a.epstein_steps)
    pri = {k: both[k] for k in ("build_s", "run_s", "total_s", "dwellings", "household_steps_per_s")}
    eps = {"agents": both["agents"], "steps": a.epstein_steps, "agent_steps_per_s": both["agent_steps_per_s"]}
    big = time_estate("large_estate", a.large_years)
    ratio = both["ratio_median"]
    large_cost = pri["household_steps_per_s"] / big["household_steps_per_s"]
    cold = fresh_process("priority_estate", a.years)
    mem_pri = peak_memory_mb("priority_estate", a.years)
    mem_big = peak_memory_mb("large_estate", a.large_years)
    res = {"priority": pri, "epstein": eps, "large": big, "ratio": ratio, "interleaved": both,
           "large_cost_per_household_step": large_cost, "fresh_process": cold,
           "peak_memory_mb": {"priority_estate": mem_pri, "large_estate": mem_big},
           "this_process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if a.json:
        print(json.dumps(res, indent=2))
        return
    print(f"priority_estate, {a.years:g} years, {pri['dwellings']} dwellings: build {pri['build_s']:.2f} s, "
          f"run {pri['run_s']:.2f} s, total {pri['total_s']:.2f} s (target <= 2 s for 3 years)")
    print(f"  the same in a fresh process: import tranqsim {cold['import_s']:.2f} s, then build and run "
          f"{cold['build_run_s']:.2f} s ({cold['compiled']} kernels compiled, the rest from numba's cache)")
    print(f"large_estate, {a.large_years:g} years, {big['dwellings']} dwellings: run {big['run_s']:.2f} s, "
          f"{big['household_steps_per_s']:,.0f} household-steps/s")
    print(f"peak memory: priority_estate {mem_pri:.0f} MB (target <= 300), "
          f"large_estate {mem_big:.0f} MB (target <= 1000)")
    print(f"Epstein civil violence (mesa.examples): {eps['agents']} agents, "
          f"{eps['agent_steps_per_s']:,.0f} agent-steps/s")
    print(f"tranqsim priority_estate: {pri['household_steps_per_s']:,.0f} household-steps/s")
    print(f"large_estate cost per household-step: {large_cost:.2f}x priority_estate (target <= 1.2)")
    print(f"ratio tranqsim / Epstein, median of {6} interleaved slices: {ratio:.1f}x "
          f"(slices {both['ratio_min']:.1f}-{both['ratio_max']:.1f}x; target >= 100)")


if __name__ == "__main__":
    main()
