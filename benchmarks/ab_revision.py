"""Per-day cost of the model at another git revision against the working tree (A/B).

    .venv/bin/python benchmarks/ab_revision.py 8a78b28 [--rounds 3]

Exports REV's ``src/`` into a temporary folder, then times ``model.step()`` (thread CPU time,
after one warm-up day) in alternating fresh processes -- REV, then the working tree, ``rounds``
times -- on priority_estate (300 days) and large_estate (120 days), and prints each
process's microseconds per day and the ratio of the medians. Fresh processes, so each side
runs with its own imports (the working tree's kernels as built, see src/tranqsim/jit.py).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("import sys, time, tranqsim; "
        "m = tranqsim.build_model(tranqsim.load_scenario(context=sys.argv[1], years=2, seed=1)); "
        "m.step(); t = time.thread_time(); n = int(sys.argv[2])\n"
        "for _ in range(n): m.step()\n"
        "print((time.thread_time() - t) / n * 1e6)")


def per_day(src: Path, context: str, days: int) -> float:
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", CODE, context, str(days)], capture_output=True,
                         text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "src.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), a.rev, "src"], check=True)
        with tarfile.open(archive) as t:
            t.extractall(tmp, filter="data")
        old_src, new_src = Path(tmp) / "src", ROOT / "src"
        for context, days in (("priority_estate", 300), ("large_estate", 120)):
            per_day(old_src, context, 5)  # the old tree's first run (caches, compilation)
            old, new = [], []
            for _ in range(a.rounds):
                old.append(per_day(old_src, context, days))
                new.append(per_day(new_src, context, days))
            print(f"{context}: {a.rev} {[round(x) for x in old]} us/day, working tree "
                  f"{[round(x) for x in new]} us/day; ratio of medians "
                  f"{statistics.median(old) / statistics.median(new):.2f}x")


if __name__ == "__main__":
    main()
