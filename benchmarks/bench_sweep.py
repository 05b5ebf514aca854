"""Sweep throughput: `strategy_spectrum.yaml` with 1 and 2 worker processes.

Prints the wall time of a reduced spectrum (all 28 context x strategy points, ``--replicates``
replicates, ``--years`` years) with 1 worker then 2 workers, their ratio, the mean run time per
context, and the full-size time (7 x 4 x 20 runs, 5 years) extrapolated from the 2-worker run;
``--full`` runs the full size for real instead of extrapolating.

    .venv/bin/python benchmarks/bench_sweep.py                 # reduced, ~5 min here
    .venv/bin/python benchmarks/bench_sweep.py --full          # the full experiment with 2 workers
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from tranqsim import experiments

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "experiments" / "strategy_spectrum.yaml"


def timed(exp, workers: int, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    rep = experiments.run(exp, out, workers=workers, progress=False)
    assert rep.failed == 0 and rep.done == rep.total, rep
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--full", action="store_true", help="run the full experiment with 2 workers")
    a = ap.parse_args()
    full = experiments.load_experiment(FILE)
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        if a.full:
            t2 = timed(full, 2, tmp / "full")
            print(f"strategy_spectrum full size ({full.replicates} replicates x 28 points, {full.years:g} years): "
                  f"{t2:.0f} s = {t2 / 60:.1f} min with 2 workers (target <= 10 min)")
            return
        exp = experiments.load_experiment(FILE, replicates=a.replicates, years=a.years)
        n = len(experiments.jobs(exp))
        t1 = timed(exp, 1, tmp / "w1")
        t2 = timed(exp, 2, tmp / "w2")
        runs = experiments.load(tmp / "w2")
        print(f"strategy_spectrum reduced: {n} runs of {a.years:g} year(s)")
        print(f"  1 worker : {t1:.1f} s")
        print(f"  2 workers: {t2:.1f} s   speed-up {t1 / t2:.2f}x (target >= 1.7)")
        per_ctx = runs.groupby("context")["runtime_s"].mean()
        print("  mean run time per context (s): " + ", ".join(f"{c} {v:.2f}" for c, v in per_ctx.items()))
        # full size: same points, 20 replicates, 5 years; a run's time is ~fixed + per-year cost
        scale = (full.replicates / a.replicates) * (full.years / a.years)
        est = t2 * scale
        print(f"  full size ({full.replicates} replicates, {full.years:g} years) extrapolated from the "
              f"2-worker run: {est / 60:.1f} min (target <= 10 min)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
