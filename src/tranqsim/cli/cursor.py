"""The cursor map: ``cursor`` (tranqsim.experiments.cursor)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from tranqsim.cli.group import cli
from tranqsim.errors import ScenarioError


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="results folder (contexts/, sweep/, cursor_map.parquet, cursor_map_en/fr.png, rules.md, "
                   "cursor.md); rerun the same command to resume")
@click.option("--axes", default="pressure,dealing", show_default=True,
              help="two territorial axes among pressure, dealing, deprivation")
@click.option("--levels", type=int, default=None, help="levels per axis (default 5; 3 with --quick)")
@click.option("--strategies", help="comma-separated strategies (default: the seven shipped, in cursor order)")
@click.option("--base", default="priority_estate", show_default=True,
              help="the context every cell starts from (its other fields are kept)")
@click.option("--years", type=click.FloatRange(min=0, min_open=True, max=50), default=None,
              help="simulated years per run (default 2; 0.5 with --quick)")
@click.option("--seeds", type=click.IntRange(1, 1000), default=None, help="seeds per parameter set (default 2)")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="master seed")
@click.option("--ensemble", default="shipped:10", show_default=True,
              help="shipped | none | PATH, or REF:K (default: 10 of the shipped sets, 3,500 two-year runs "
                   "for the full map; `shipped` takes every set)")
@click.option("--metric", default="tranquillity_index", show_default=True, help="what 'best' means")
@click.option("--budget", type=float, default=None,
              help="EUR per dwelling per year: only strategies costing the landlord at most this (their mean "
                   "in each cell) can be best there, beside the status quo; rerun with another budget to "
                   "re-read the same runs")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (with --executor dask; default: a local cluster)")
@click.option("--quick", is_flag=True, help="a small map for trials and tests: 3 x 3 cells, 3 strategies, "
                                            "half-year runs")
@click.option("--force", is_flag=True, help="run a plan above the limit of runs (200,000)")
def cursor(out, axes, levels, strategies, base, years, seeds, seed, ensemble, metric, budget, workers, executor,
           scheduler, quick, force) -> None:
    """Which strategy wins in which territory, and how surely: the cursor map with its PRIM rules."""
    from tranqsim.cli.experiments import _dask_executor
    from tranqsim.experiments import StoreMismatch
    from tranqsim.experiments import cursor as cm
    from tranqsim.experiments.runner import MAX_RUNS
    from tranqsim.pools import usable_cores

    kw = {"axes": tuple(x.strip() for x in axes.split(",") if x.strip()), "base": base, "seed": seed,
          "ensemble": ensemble, "metric": metric, "budget": budget}
    if strategies:
        kw["strategies"] = tuple(x.strip() for x in strategies.split(",") if x.strip())
    for key, value in (("levels", levels), ("years", years), ("seeds", seeds)):
        if value is not None:
            kw[key] = value
    d = cm.Design.quick(**kw) if quick else cm.Design(**kw)
    cm.check_design(d)
    exp = cm.experiment(d)  # one cell's sweep: the ensemble resolved, nothing run
    n = cm.planned(d)
    if n > MAX_RUNS and not force:
        raise ScenarioError(f"tranqsim cursor: the map plans {n:,} runs, above the limit of {MAX_RUNS:,}; "
                            "fewer --levels, --seeds or parameter sets (--ensemble REF:K), or pass --force")
    workers = workers or usable_cores()
    click.echo(f"cursor map: {d.levels} x {d.levels} cells ({' x '.join(d.axes)}) x {len(d.strategies)} strategies "
               f"x {len(exp.parameter_sets.sets)} parameter sets x {d.seeds} seeds = {n:,} runs "
               f"of {d.years:g} years; {exp.parameter_sets.note}", err=True)
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(_dask_executor(scheduler, workers)) if executor == "dask" else None
        try:
            rep, res = cm.run(d, out, executor=pool, workers=workers, force=force)
        except StoreMismatch as exc:
            raise ScenarioError(f"--out {out}: {exc}") from None
        except KeyboardInterrupt:  # between two cells: every finished cell is stored
            click.echo("interrupted: rerun the same command to resume", err=True)
            sys.exit(130)
    click.echo(f"{rep.total} runs: {rep.skipped} already stored, {rep.done} done, {rep.failed} failed")
    if rep.interrupted or res is None:
        click.echo("interrupted: rerun the same command to resume", err=True)
        sys.exit(130)
    t = res.table
    top = t["best"].value_counts()
    click.echo("best strategy per cell: " + ", ".join(f"{s} in {n}" for s, n in top.items())
               + f" of {len(t)} cells; P(best) from {100 * t['p_best'].min():.0f}% to {100 * t['p_best'].max():.0f}%")
    if res.rules.rules:
        for r in res.rules.rules:
            click.echo(f"rule: {r['strategy']} is best when {r['rule']} (coverage {100 * r['coverage']:.0f}%, "
                       f"density {100 * r['density']:.0f}%)")
    else:
        click.echo(f"no rule: {res.rules.message}")
    click.echo("written: " + ", ".join(str(f) for f in res.files))
    if rep.failed:
        sys.exit(1)
