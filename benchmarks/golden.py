"""Golden outputs: hashes of every output of a fixed set of runs, to prove that a speed-up
changes nothing (bit for bit).

    python benchmarks/golden.py --write benchmarks/golden.json   # record (on the reference code)
    python benchmarks/golden.py --check benchmarks/golden.json   # compare; exit 1 on any change

Each case hashes the summary (JSON, sort_keys), every Result table (timeseries, incidents,
households, places, costs: column names, dtypes and raw bytes), and the final state of every
named random stream (so a change in random-number consumption shows even where it would not
yet have moved an output). Cases cover priority_estate, calm_neighbourhood (2 years),
large_estate (1 year) under four strategies and two seeds, plus zsp_estate under all seven
strategies (1 year, seed 1) so every lever's code path is exercised.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

STRATS4 = ["proximity_management", "global_approach", "partnership_zsp", "withdrawal"]
ALL7 = ["withdrawal", "proximity_management", "social_prevention", "situational_prevention",
        "partnership_zsp", "heavy_security", "global_approach"]


def cases() -> list[tuple[str, str, int, float]]:
    out = []
    for ctx, years in (("priority_estate", 2), ("calm_neighbourhood", 2), ("large_estate", 1)):
        for strat in STRATS4:
            for seed in (1, 2):
                out.append((ctx, strat, seed, years))
    for strat in ALL7:
        out.append(("zsp_estate", strat, 1, 1))
    return out


def _hash_frame(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for name in df.columns:
        col = df[name]
        h.update(repr((name, str(col.dtype))).encode())
        if isinstance(col.dtype, pd.CategoricalDtype):
            h.update(repr(list(col.cat.categories)).encode())
            h.update(np.ascontiguousarray(col.cat.codes.to_numpy()).tobytes())
        else:
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
    h.update(repr(df.shape).encode())
    return h.hexdigest()


def run_case(case: tuple[str, str, int, float]) -> tuple[str, dict, float]:
    import tranqsim
    from tranqsim.result import Result

    ctx, strat, seed, years = case
    t0 = time.perf_counter()
    model = tranqsim.build_model(tranqsim.load_scenario(context=ctx, strategy=strat, years=years,
                                                        seed=seed))
    model.run()
    dt = time.perf_counter() - t0
    res = Result.from_model(model)
    hashes = {
        "summary": hashlib.sha256(json.dumps(res.summary, sort_keys=True).encode()).hexdigest(),
        "timeseries": _hash_frame(res.timeseries),
        "incidents": _hash_frame(res.incidents),
        "households": _hash_frame(res.households),
        "places": _hash_frame(res.places),
        "costs": _hash_frame(res.costs),
        "streams": hashlib.sha256(json.dumps(
            {n: model.streams.state(n) for n in model.streams.names()}, sort_keys=True,
            default=str).encode()).hexdigest(),
        "n_incidents": int(len(res.incidents)),
    }
    return f"{ctx}/{strat}/seed{seed}/{years}y", hashes, dt


def main() -> int:
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write")
    g.add_argument("--check")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.workers) as ex:
        results = list(ex.map(run_case, cases()))
    got = {k: v for k, v, _ in results}
    print(f"{len(got)} cases in {time.perf_counter() - t0:.1f} s "
          f"(model time {sum(dt for *_, dt in results):.1f} s)")
    if a.write:
        with open(a.write, "w") as f:
            json.dump(got, f, indent=1, sort_keys=True)
        print("written", a.write)
        return 0
    with open(a.check) as f:
        ref = json.load(f)
    bad = [(k, part) for k in ref for part in ref[k] if got.get(k, {}).get(part) != ref[k][part]]
    missing = set(ref) ^ set(got)
    for k, part in bad:
        print("CHANGED", k, part)
    if missing:
        print("case sets differ:", sorted(missing))
    if bad or missing:
        return 1
    print("all golden hashes unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
