"""A whole housing stock on one core: a 125,000-dwelling portfolio for 3 years, and the cost per
household-step at 50,000 dwellings against 10,000 (issue 20, item 4).

The portfolio: 60 estates of 500 to 10,000 dwellings (sizes 500 + 9,500 (i/59)^k, k such that
they sum to 125,000: many small estates, a few large ones, as a large landlord's stock), the
priority-estate profile of ``large_estate`` (20 dwellings a hall, 5 halls a building, one car
park per 400 dwellings, one square per 800), the shipped strategies in turn. Written as context
files and a portfolio file in a temporary folder, then run by
:func:`tranqsim.territory.portfolio.run_portfolio` in this process, estate after estate.

CPU time (``time.process_time``: every thread of the process, so BLAS threads would count) and
wall time. Targets: the portfolio <= 60 s for 3 years on one core; per household-step at 50,000
dwellings within 1.2x of 10,000. Run it pinned to one core (``taskset -c 0``) so that wall time
is one core's too. The kernels come from numba's cache (``make warmup``); the script runs a
short estate first so that no compilation is timed.

Usage: taskset -c 0 python benchmarks/bench_portfolio.py [--years 3] [--scale-years 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

STRATEGIES = ("proximity_management", "social_prevention", "situational_prevention", "global_approach")


def sizes(n: int = 60, total: int = 125_000, low: int = 500, high: int = 10_000) -> list[int]:
    """``low + (high - low) (i/(n-1))^k``, k such that they sum to ``total`` (k ~ 5 here)."""
    x = np.arange(n) / (n - 1)
    lo, hi = 0.01, 100.0
    for _ in range(200):  # bisection on k: the sum falls as k grows
        k = (lo + hi) / 2
        lo, hi = (k, hi) if (low + (high - low) * x ** k).sum() > total else (lo, k)
    out = np.round(low + (high - low) * x ** k).astype(int).tolist()
    out[-2] += total - sum(out)  # rounding
    return out


def context_dict(dwellings: int) -> dict:
    from tranqsim.loading import load_context

    ctx = load_context("large_estate")[0].model_dump(mode="json")
    ctx["estate"].update(dwellings=dwellings, car_parks=max(1, round(dwellings / 400)),
                         squares=max(1, round(dwellings / 800)))
    ctx["title"] = {"fr": f"Résidence de {dwellings} logements", "en": f"Estate of {dwellings} dwellings"}
    return ctx


def write_portfolio(folder: Path, n: int = 60, total: int = 125_000) -> Path:
    estates = []
    for i, d in enumerate(sizes(n, total)):
        (folder / f"e{i:02d}.yaml").write_text(yaml.safe_dump(context_dict(d), sort_keys=False))
        estates.append({"name": f"Estate {i:02d} ({d} dwellings)", "context": f"e{i:02d}.yaml",
                        "strategy": STRATEGIES[i % len(STRATEGIES)]})
    path = folder / "portfolio.yaml"
    path.write_text(yaml.safe_dump({"title": f"Benchmark stock ({total:,} dwellings)", "estates": estates},
                                   sort_keys=False))
    return path


def time_portfolio(years: float, n: int, total: int) -> dict:
    from tranqsim.territory.portfolio import load_portfolio, run_portfolio

    with tempfile.TemporaryDirectory() as tmp:
        pf = load_portfolio(write_portfolio(Path(tmp), n, total))
        c0, w0 = time.process_time(), time.perf_counter()
        res = run_portfolio(pf, seed=1, years=years)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    steps = pf.dwellings * round(365 * years)
    return {"estates": len(pf.estates), "dwellings": pf.dwellings, "years": years, "cpu_s": cpu,
            "wall_s": wall, "ns_per_household_step": 1e9 * cpu / steps,
            "landlord_cost_eur": res.totals["landlord_cost_eur"],
            "incidents_per_1000_dwellings": res.totals["incidents_per_1000_dwellings"]}


def time_estate(dwellings: int, years: float) -> dict:
    """One estate of the large-estate profile: build, then run (CPU and wall, per household-step)."""
    import tranqsim
    from tranqsim.config import Context

    sc = tranqsim.load_scenario(context=Context.model_validate(context_dict(dwellings)), years=years, seed=1)
    c0 = time.process_time()
    model = tranqsim.build_model(sc)
    c1, w1 = time.process_time(), time.perf_counter()
    model.run()
    c2, w2 = time.process_time(), time.perf_counter()
    return {"dwellings": dwellings, "years": years, "build_cpu_s": c1 - c0, "run_cpu_s": c2 - c1,
            "run_wall_s": w2 - w1, "ns_per_household_step": 1e9 * (c2 - c1) / (dwellings * sc.days)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=float, default=3.0, help="the portfolio's horizon")
    ap.add_argument("--scale-years", type=float, default=1.0, help="the 10k/50k estates' horizon")
    ap.add_argument("--estates", type=int, default=60)
    ap.add_argument("--dwellings", type=int, default=125_000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    time_estate(1500, 0.05)  # kernels loaded (or compiled) before anything is timed
    small, large = time_estate(10_000, a.scale_years), time_estate(50_000, a.scale_years)
    pf = time_portfolio(a.years, a.estates, a.dwellings)
    ratio = large["ns_per_household_step"] / small["ns_per_household_step"]
    if a.json:
        print(json.dumps({"estate_10k": small, "estate_50k": large, "ratio_50k_10k": ratio, "portfolio": pf},
                         indent=2))
        return
    for e in (small, large):
        print(f"estate of {e['dwellings']:,} dwellings, {e['years']:g} years: build {e['build_cpu_s']:.2f} s CPU, "
              f"run {e['run_cpu_s']:.2f} s CPU ({e['run_wall_s']:.2f} s wall), "
              f"{e['ns_per_household_step']:.0f} ns CPU per household-step")
    print(f"per household-step, 50,000 / 10,000 dwellings: {ratio:.2f}x (target <= 1.2)")
    print(f"portfolio: {pf['estates']} estates, {pf['dwellings']:,} dwellings, {pf['years']:g} years: "
          f"{pf['cpu_s']:.1f} s CPU, {pf['wall_s']:.1f} s wall (target <= 60 s on one core), "
          f"{pf['ns_per_household_step']:.0f} ns CPU per household-step with building; "
          f"landlord cost {pf['landlord_cost_eur']:,.0f} EUR/yr, "
          f"{pf['incidents_per_1000_dwellings']:.0f} incidents per 1,000 dwellings/yr")


if __name__ == "__main__":
    main()
