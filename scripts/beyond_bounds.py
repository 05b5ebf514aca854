"""What widening a prior would do: the ensemble's central set with each parameter that sits at
its box's edge moved a tenth of the box beyond it, run on the candidates' replicates (the same
seeds: paired), and how far inside its bands each variant stays (docs/calibration.md).

Usage: .venv/bin/python scripts/beyond_bounds.py [--ensemble ENSEMBLE.json] [--wave DIR] [--workers 2]
(the ensemble: the shipped one by default; its wave's folder gives the noise and replicates)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tranqsim.ensemble import SHIPPED, load
from tranqsim.validation import choice, posterior


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ensemble", type=Path, default=SHIPPED)
    ap.add_argument("--wave", type=Path, default=Path("experiments/ensemble_wave3"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--step", type=float, default=0.1, help="share of the box moved beyond the edge")
    a = ap.parse_args()
    ens = load(a.ensemble)
    prov = ens.provenance
    base = ens.sets[prov["central_set"]]
    box = prov["box"]
    sd = json.loads((a.wave / "noise.json").read_text())
    bands = choice.bands_of(a.wave, a.workers)
    reps = max(1, int(json.loads((a.wave / "candidates.jsonl").open().readline()).get("replicates", 2)))
    edges = [(n, lo - a.step * (hi - lo) if (base[n] - lo) < 0.02 * (hi - lo) else hi + a.step * (hi - lo))
             for n, (lo, hi) in box.items() if hi > lo and not 0.02 <= (base[n] - lo) / (hi - lo) <= 0.98]
    cands = [base] + [dict(base, **{n: round(v, 5)}) for n, v in edges]
    means = []
    for cand, runs in zip(cands, posterior._run(cands, range(reps), a.workers)):
        means.append({f"{c.pattern}: {c.name}": c.mean for c in posterior._checks(runs)})
    room = [choice.margin({"means": m, "replicates": reps}, sd, bands) for m in means]
    print(f"central set: smallest margin {room[0]:.2f} Monte Carlo standard errors ({reps} replicates)")
    for (n, v), m, r in zip(edges, means[1:], room[1:]):
        moved = sorted(m, key=lambda k: -abs(m[k] - means[0][k]) / (sd.get(k) or 1.0))[:3]
        print(f"{n} {base[n]:g} -> {v:.5g}: smallest margin {r:.2f}; moved most: "
              + "; ".join(f"{k} {means[0][k]:.2f} -> {m[k]:.2f}" for k in moved))


if __name__ == "__main__":
    main()
