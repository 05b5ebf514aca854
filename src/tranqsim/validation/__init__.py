"""Validation against published evidence: the pattern suite C1-C10 (issue 4) and the evidence
table E1-E12 (issue 16), every check two-sided.

    from tranqsim.validation import validate
    report = validate(replicates=20, years=3, workers=2)
    report.passed, report.checks

The arms of the suite (``arms.ARMS``) run ``replicates`` times each; replicate ``k`` has the
same seed in every arm (common random numbers), so the comparisons in C5, C6, C8-C10 and E1-E12
are paired. ``report.write(out)`` writes the Markdown table, a JSON file and one figure per pattern.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from tranqsim.experiments.design import spawned_seed as replicate_seed  # as shipped results
from tranqsim.pools import sigint_held, spawn_pool
from tranqsim.validation.arms import ARMS, run_arm
from tranqsim.validation.patterns import PATTERNS, Check, Pattern

MASTER_SEED = 2005  # Grimm et al. 2005, pattern-oriented modelling


@dataclass
class ValidationReport:
    checks: list[Check]
    patterns: list[Pattern]
    replicates: int
    years: float
    parameters: dict
    seconds: float
    seed: int = MASTER_SEED  # replicate k's seed is replicate_seed(seed, k)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def pattern_passed(self, pid: str) -> bool:
        return all(c.passed for c in self.checks if c.pattern == pid)

    def write(self, out: str | Path, markdown: str | Path | None = None) -> list[Path]:
        from tranqsim.validation.report import write

        return write(self, Path(out), Path(markdown) if markdown else None)


def run_jobs(jobs: list[tuple], workers: int = 1, progress=None) -> list[dict]:
    """Run ``(arm, replicate, seed, years, parameters)`` jobs; results in job order."""
    if workers <= 1 or len(jobs) <= 1:
        out = []
        for j in jobs:
            out.append(run_arm(j))
            if progress:
                progress(1)
        return out
    out = []
    with spawn_pool(min(workers, len(jobs))) as ex:
        with sigint_held():  # map submits every job now, and the workers start
            results = ex.map(run_arm, jobs, chunksize=1)
        for r in results:
            out.append(r)
            if progress:
                progress(1)
    return out


def run_arms(arms, replicates: int, years: float, workers: int = 1, parameters: dict | None = None,
             progress=None, seed: int = MASTER_SEED) -> dict[str, list[dict]]:
    """Every arm x replicate; returns arm -> list of per-replicate measures (replicate order)."""
    jobs = [(arm, k, replicate_seed(seed, k), years, parameters) for k in range(replicates) for arm in arms]
    out: dict[str, list] = {a: [None] * replicates for a in arms}
    for r in run_jobs(jobs, workers, progress):
        out[r["arm"]][r["replicate"]] = r
    return out


def validate(replicates: int = 20, years: float = 3, workers: int = 1, parameters: dict | None = None,
             patterns: list[str] | None = None, progress=None, seed: int = MASTER_SEED) -> ValidationReport:
    """Every chosen pattern's checks on ``replicates`` runs of each arm (replicate ``k``'s seed is
    ``replicate_seed(seed, k)``: the validation seeds by default; the ensemble's confirmation
    uses others, so that the set it chooses is then validated out of sample)."""
    chosen = [p for p in PATTERNS if patterns is None or p.id in patterns]
    arms = [a for a in ARMS if any(a in p.arms for p in chosen)]
    t0 = time.perf_counter()
    runs = run_arms(arms, replicates, years, workers, parameters, progress, seed)
    checks = [c for p in chosen for c in p.checks(runs)]
    return ValidationReport(checks, chosen, replicates, years, parameters or {}, time.perf_counter() - t0, seed)


def n_jobs(replicates: int, patterns: list[str] | None = None) -> int:
    chosen = [p for p in PATTERNS if patterns is None or p.id in patterns]
    return replicates * len([a for a in ARMS if any(a in p.arms for p in chosen)])


__all__ = ["MASTER_SEED", "PATTERNS", "ValidationReport", "n_jobs", "run_arms", "run_jobs", "validate"]
