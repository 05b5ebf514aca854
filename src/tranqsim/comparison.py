"""Compare strategies in one context without writing an experiment file.

``tranqsim compare`` without a sweep folder runs the strategies as a small sweep of design
``strategies`` (the experiments engine: resumable store, replicate ``k`` with the same seed for
every strategy, so differences are paired by replicate), then compares it exactly as
``tranqsim compare FOLDER`` compares any sweep: one engine, one set of intervals (paired BCa
bootstrap, ``tranqsim.experiments.compare``), one default baseline.
"""

from __future__ import annotations

from pathlib import Path

STRATEGY_ORDER = ("withdrawal", "proximity_management", "social_prevention", "situational_prevention",
                  "partnership_zsp", "heavy_security", "global_approach")
MASTER_SEED = 1


def strategy_names(names: list[str] | None) -> list[str]:
    """The shipped strategies in doctrinal order (hard withdrawal to global), or ``names``."""
    from tranqsim.loading import available

    if names:
        return names
    shipped = available("strategies")
    return [s for s in STRATEGY_ORDER if s in shipped] + [s for s in shipped if s not in STRATEGY_ORDER]


def run_strategies(context: str, names: list[str] | None, replicates: int, years: float, out: Path,
                   workers: int | None, baseline: str) -> Path:
    """Run every strategy (with the baseline) in ``context``; return the sweep folder ``out``.

    Rerunning with the same arguments reuses the stored runs; other arguments on the same
    folder are refused by the store (``StoreMismatch``), as for any sweep."""
    from tranqsim.experiments import StoreMismatch, run
    from tranqsim.experiments.spec import Experiment
    from tranqsim.loading import ScenarioError, load_context, load_strategy
    from tranqsim.pools import usable_cores

    strategies = strategy_names(names)
    if baseline not in strategies:
        strategies = [baseline, *strategies]
    load_context(context)  # fail fast on a bad name, before any work
    for s in strategies:
        load_strategy(s, "--strategies" if s != baseline else "--baseline")
    exp = Experiment(contexts=[context], strategies=strategies, design="strategies",
                     replicates=replicates, years=years, seed=MASTER_SEED)
    try:
        rep = run(exp, out, workers=workers or usable_cores())  # a progress bar on a terminal
    except StoreMismatch as exc:
        raise ScenarioError(f"--sweep-out {out}: {exc}") from None
    if rep.interrupted:
        raise SystemExit(130)
    return Path(out)
