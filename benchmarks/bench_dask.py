"""Sweep throughput on Dask against the local pool, at equal cores (issue 19, item 6).

Runs the same reduced strategy spectrum (priority estate, the seven strategies x ``--replicates``
replicates of ``--years`` years) through the sweep runner twice: on a local spawn pool of
``--workers`` processes, then on a Dask ``LocalCluster`` of ``--workers`` single-threaded worker
processes (the cluster's executor: what ``tranqsim sweep --executor dask`` uses). Each engine
first runs a warm-up sweep (one run per worker: process start, imports and numba's cache
loading), then the timed sweep, so the figure is the steady throughput a long sweep sees; the
start-up time is printed beside it. Prints runs per second, runs per second per core, and the
projected time of a full cursor map (5 x 5 cells x 7 strategies x 50 parameter sets x 2 seeds =
17,500 runs) on 100 cores from the Dask throughput per core, with the run length scaled from
``--years`` to the map's 2 years by the measured mean run time.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_dask.py                  # ~2 min here
    PYTHONPATH=src .venv/bin/python benchmarks/bench_dask.py --replicates 20 --years 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TRANQSIM_ENSEMBLE", "none")  # throughput does not depend on the parameter set

from tranqsim import experiments  # noqa: E402
from tranqsim.comparison import STRATEGY_ORDER  # noqa: E402
from tranqsim.experiments.own_pool import capacity  # noqa: E402
from tranqsim.experiments.spec import Experiment  # noqa: E402

#: the full cursor map of the issue: 5 x 5 cells x 7 strategies x 50 parameter sets x 2 seeds, 2-year runs
FULL_MAP_RUNS = 5 * 5 * 7 * 50 * 2
FULL_MAP_YEARS = 2.0


def spectrum(replicates: int, years: float, seed: int) -> Experiment:
    return Experiment(contexts=["priority_estate"], strategies=list(STRATEGY_ORDER), design="strategies",
                      replicates=replicates, years=years, seed=seed, ensemble="none",
                      metrics=["tranquillity_index", "insecurity_share"])


def timed(exp: Experiment, executor, out: Path) -> tuple[float, float]:
    """(wall seconds, mean run seconds inside the workers) of ``exp`` on ``executor``."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    rep = experiments.run(exp, out, executor=executor, progress=False)
    wall = time.perf_counter() - t0
    assert rep.failed == 0 and rep.done == rep.total, rep
    return wall, float(experiments.load(out)["runtime_s"].mean())


def measure(name: str, make, workers: int, exp: Experiment, tmp: Path) -> dict:
    t0 = time.perf_counter()
    executor, close = make(workers)
    try:
        warm = spectrum(1, 0.05, seed=99).model_copy(update={"strategies": list(STRATEGY_ORDER)[:workers]})
        timed(warm, executor, tmp / f"{name}_warm")  # start every worker, load numba's cache
        startup = time.perf_counter() - t0
        window = 4 * capacity(executor)
        wall, run_s = timed(exp, executor, tmp / name)
    finally:
        close()
    n = len(experiments.jobs(exp))
    return {"engine": name, "workers": workers, "runs": n, "years": exp.years, "startup_s": round(startup, 1),
            "wall_s": round(wall, 2), "runs_per_s": round(n / wall, 3),
            "runs_per_s_per_core": round(n / wall / workers, 3), "mean_run_s": round(run_s, 3),
            "in_flight_window": window}


def local_pool(workers: int):
    from tranqsim.pools import spawn_pool

    pool = spawn_pool(workers)
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def dask_cluster(workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)

    def close():
        client.close()
        cluster.close()

    return client.get_executor(), close


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2, help="cores for each engine (default 2)")
    ap.add_argument("--replicates", type=int, default=8, help="replicates per strategy (7 strategies)")
    ap.add_argument("--years", type=float, default=2.0, help="years per run (the map runs 2)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    exp = spectrum(a.replicates, a.years, a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    try:
        rows = [measure("local pool", local_pool, a.workers, exp, tmp),
                measure("dask LocalCluster", dask_cluster, a.workers, exp, tmp)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{rows[0]['runs']} runs of {a.years:g} year(s) (priority estate, 7 strategies x {a.replicates} replicates), "
          f"{a.workers} cores each, load average {os.getloadavg()[0]:.1f}")
    print("| engine | start-up s | wall s | runs/s | runs/s/core | mean run s | in-flight window |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['engine']} | {r['startup_s']} | {r['wall_s']} | {r['runs_per_s']} | {r['runs_per_s_per_core']} | "
              f"{r['mean_run_s']} | {r['in_flight_window']} |")
    d = rows[1]
    # a 2-year run costs what the measured ones cost, scaled by simulated time (runs are day loops)
    per_run = d["wall_s"] * a.workers / d["runs"] * (FULL_MAP_YEARS / a.years)
    hours = FULL_MAP_RUNS * per_run / 100 / 3600
    print(f"Dask/local throughput ratio: {d['runs_per_s'] / rows[0]['runs_per_s']:.2f}")
    print(f"projected full cursor map ({FULL_MAP_RUNS:,} runs of {FULL_MAP_YEARS:g} years) on 100 cores: "
          f"{hours * 60:.0f} min ({per_run:.2f} core-seconds per 2-year run)")
    if a.json:
        a.json.write_text(json.dumps({"rows": rows, "projected_full_map_100_cores_min": round(hours * 60, 1),
                                      "core_s_per_2y_run": round(per_run, 3)}, indent=1))


if __name__ == "__main__":
    main()
