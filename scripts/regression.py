"""The regression guard's seeded summaries (tests/regression/summaries.json): check or rewrite.

    python scripts/regression.py            # compare the current code with the file; exit 1 if moved
    python scripts/regression.py --update   # rewrite the file (make regression-update), on purpose

A few context x strategy pairs, one year each with a fixed seed, and a dozen key metrics of
each run's summary. ``tests/test_regression.py`` runs the same cases and fails when a metric
moves beyond floating-point noise (relative 1e-9). A change that is meant to move outputs (a
new mechanism, a recalibration) rewrites the file with ``--update``, which prints every output
that moved and by how much; say why in CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

FILE = Path(__file__).resolve().parent.parent / "tests" / "regression" / "summaries.json"
REL_TOL = 1e-9  # floating-point noise: another compiler or processor may move the last bits
ABS_TOL = 1e-12  # for metrics that are exactly zero
DIGITS = 12  # significant digits kept in the file (well inside REL_TOL)

# (context, strategy, seed): every context once, and the strategies whose levers reach most
# of the mechanisms (mediators, police and ZSP, security, withdrawal's degradation)
CASES = [
    ("priority_estate", "proximity_management", 1),
    ("zsp_estate", "partnership_zsp", 2),
    ("calm_neighbourhood", "withdrawal", 3),
    ("large_estate", "global_approach", 4),
]
YEARS = 1.0
METRICS = [
    "tranquillity_index",
    "incidents_per_1000_dwellings",
    "insecurity_share",
    "victimisation_rate",
    "turnover_rate",
    "vacancy_rate",
    "squatted_dwellings",
    "disorder_index",
    "satisfaction_mean",
    "trust_landlord_mean",
    "trust_police_mean",
    "reporting_rate",
    "staff_aggressions_per_100_staff",
    "cost_per_dwelling_eur",
    "public_cost_per_dwelling_eur",
    "dealing_points",
]


def case_key(context: str, strategy: str, seed: int, years: float) -> str:
    return f"{context}/{strategy}/seed{seed}/{years:g}y"


def run_case(context: str, strategy: str, seed: int, years: float, metrics: list[str]) -> dict:
    """The chosen metrics of one seeded run's summary, rounded to DIGITS significant digits."""
    import tranqsim  # noqa: PLC0415

    summary = tranqsim.simulate(tranqsim.load_scenario(context=context, strategy=strategy,
                                                       years=years, seed=seed)).summary
    return {m: float(f"{float(summary[m]):.{DIGITS}g}") for m in metrics}


def current() -> dict:
    """The file's content as the current code makes it."""
    cases = {}
    for context, strategy, seed in CASES:
        cases[case_key(context, strategy, seed, YEARS)] = {
            "context": context, "strategy": strategy, "seed": seed, "years": YEARS,
            "metrics": run_case(context, strategy, seed, YEARS, METRICS)}
    return {"rel_tol": REL_TOL, "abs_tol": ABS_TOL, "cases": cases}


def moved(old: dict, new: dict, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> list[str]:
    """One line per output that differs between two files' cases (beyond the tolerance)."""
    lines = []
    old_cases, new_cases = old.get("cases", {}), new.get("cases", {})
    for key in sorted(set(old_cases) | set(new_cases)):
        if key not in new_cases or key not in old_cases:
            lines.append(f"{key}: case {'removed' if key not in new_cases else 'added'}")
            continue
        a, b = old_cases[key]["metrics"], new_cases[key]["metrics"]
        for m in sorted(set(a) | set(b)):
            if m not in a or m not in b:
                lines.append(f"{key}: {m}: {'removed' if m not in b else 'added'}")
            elif not math.isclose(a[m], b[m], rel_tol=rel_tol, abs_tol=abs_tol):
                rel = (b[m] - a[m]) / abs(a[m]) if a[m] else math.inf
                lines.append(f"{key}: {m}: {a[m]:.{DIGITS}g} -> {b[m]:.{DIGITS}g} ({rel:+.3g} relative)")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite the file from the current code")
    args = ap.parse_args()
    old = json.loads(FILE.read_text()) if FILE.is_file() else {"cases": {}}
    new = current()
    lines = moved(old, new)
    for line in lines:
        print(line)
    if not args.update:
        print(f"{len(lines)} change(s) beyond the tolerance" if lines else "no output moved")
        return 1 if lines else 0
    FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = FILE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    tmp.replace(FILE)
    print(f"{len(lines)} change(s); rewritten: {FILE}" if lines
          else f"no output moved; rewritten: {FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
