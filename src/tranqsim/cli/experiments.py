"""Experiments over many runs: ``sweep``, ``compare``, ``sensitivity``, ``store check``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from tranqsim.cli.group import cli
from tranqsim.errors import ScenarioError


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="results folder (rerun the same command to resume)")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (with --executor dask)")
@click.option("--replicates", type=click.IntRange(min=1), help="override the file, for a quick trial")
@click.option("--years", type=click.FloatRange(min=0, min_open=True, max=50), help="override the file")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=20, show_default=True,
              help="runs per Parquet chunk (what a crash can lose, beyond the runs in flight)")
@click.option("--force", is_flag=True,
              help="run a plan above the limit of runs (200,000), or more --workers than 4 per core")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="a value set at every design point (repeatable): parameters.NAME, "
                   "levers.LEVER.FIELD, context.SECTION.FIELD or organisation; recorded in the "
                   "manifest (rerun with the same --set to resume)")
@click.option("--ensemble", help="parameter sets to cross with the replicates: shipped (the "
                                 "calibrated ensemble, when shipped), none (the central set) or a file; "
                                 "overrides the file's `ensemble:`")
def sweep(file, out, workers, executor, scheduler, replicates, years, chunk_rows, force, settings,
          ensemble) -> None:
    """Run an experiment file; resumable: reruns only the missing runs."""

    from tranqsim.experiments import StoreMismatch, load_experiment, run
    from tranqsim.experiments.runner import (PlanTooLarge, TooManyWorkers, WorkersKeepDying, check_plan,
                                             check_workers)
    from tranqsim.pools import usable_cores

    exp = load_experiment(file, replicates=replicates, years=years, ensemble=ensemble)
    if settings:
        exp = _fixed(exp, settings)
    try:
        check_plan(exp, force)  # counted from the spec, before any job is built
        workers = check_workers(workers, force) if workers else usable_cores()
    except PlanTooLarge as exc:
        raise ScenarioError(f"{file}: {exc}") from None
    except TooManyWorkers as exc:
        raise ScenarioError(str(exc)) from None
    with contextlib.ExitStack() as stack:
        pool = None
        if executor == "dask":
            pool = stack.enter_context(_dask_executor(scheduler, workers))
        try:
            rep = run(exp, out, executor=pool, workers=workers, flush_every=chunk_rows, force=force)
        except StoreMismatch as exc:
            raise ScenarioError(str(exc)) from None
        except WorkersKeepDying as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"{rep.total} runs: {rep.skipped} already stored, {rep.done} done, {rep.failed} failed"
               + (" - interrupted, rerun the same command to resume" if rep.interrupted else "")
               + f"; results in {rep.out}")
    if rep.interrupted:
        sys.exit(130)
    if rep.failed:
        sys.exit(1)


def _fixed(exp, settings):
    """The experiment with the ``--set`` values fixed at every point, each checked on every
    context x strategy of the experiment (as a run would be) before anything runs."""
    from tranqsim import overrides
    from tranqsim.experiments.spec import Experiment
    from tranqsim.loading import load_scenario

    sets = overrides.parse(settings)
    fixed = overrides.as_factors(sets)
    for c in exp.contexts:
        for s in exp.strategies:
            overrides.apply(load_scenario(context=c, strategy=s, years=exp.years), sets)
    return Experiment.model_validate({**exp.model_dump(), "fixed": {**exp.fixed, **fixed}})


@contextlib.contextmanager
def _dask_executor(scheduler: str | None, workers: int):
    """A concurrent.futures Executor on a Dask cluster: the one at ``scheduler``, or a local one."""
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise ScenarioError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    try:
        with client:
            yield client.get_executor()
    finally:
        if cluster is not None:
            cluster.close()


def _sweep_folder(path: Path) -> Path:
    if not (path / "manifest.json").exists():
        raise ScenarioError(f"{path}: not a sweep folder (no manifest.json); run `tranqsim sweep` first")
    return path


ANALYSIS = "analysis"  # the analysis commands' default folder, inside the sweep's


def _analysis_folder(folder: Path, out: Path | None) -> Path:
    """Where an analysis command writes: ``--out``, else FOLDER/analysis/; never the sweep's
    own folder (its store), whose files a sweep resuming there reads."""
    out = out if out is not None else folder / ANALYSIS
    if out.resolve() == folder.resolve():
        raise ScenarioError(f"--out {out}: is the sweep's own folder; analysis outputs go to a folder "
                            f"of their own (default: {folder / ANALYSIS})")
    return out


BASELINE = "proximity_management"  # the status quo of every comparison and report


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--baseline", default=BASELINE, show_default=True,
              help="strategy every other one is compared with")
@click.option("--metric", "metrics", multiple=True, help="metric to compare (repeatable; default: main outcomes)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="where to write compare.csv and compare.md (default: FOLDER/analysis/)")
@click.option("--context", default="priority_estate", show_default=True,
              help="without FOLDER: the context to run")
@click.option("--strategies", default="all", show_default=True,
              help="without FOLDER: comma-separated strategy names, or all")
@click.option("--replicates", "--seeds", "replicates", type=click.IntRange(1, 1000), default=3,
              show_default=True, help="without FOLDER: replicates per strategy")
@click.option("--years", type=click.FloatRange(min=0, min_open=True, max=50), default=5, show_default=True,
              help="without FOLDER: simulated years")
@click.option("--sweep-out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/comparison"),
              show_default=True, help="without FOLDER: where the runs are stored (resumable)")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
def compare(folder, baseline, metrics, out, context, strategies, replicates, years, sweep_out, workers) -> None:
    """Paired differences from a baseline strategy, with BCa bootstrap 95% intervals.

    With FOLDER (a `tranqsim sweep` folder): its runs. Without: the strategies are first run in
    one context (a small sweep in --sweep-out, resumable), then compared the same way.
    """
    from tranqsim.experiments import compare as cmp
    from tranqsim.experiments import load
    from tranqsim.experiments.sensitivity import load_spec

    if folder is None:
        from tranqsim.comparison import run_strategies

        names = None if strategies == "all" else [s.strip() for s in strategies.split(",") if s.strip()]
        folder = run_strategies(context, names, replicates, years, sweep_out, workers, baseline)
    out = _analysis_folder(folder, out)
    spec = load_spec(_sweep_folder(folder))
    try:
        table = cmp.compare(load(folder), baseline, metrics or None, factors=list(spec.factors))
    except cmp.CompareError as exc:
        raise ScenarioError(f"{folder}: {exc}") from None
    click.echo(cmp.to_markdown(table))
    csv, md = cmp.save(table, out)
    click.echo(f"written: {csv}, {md}")
    # probabilities of beating the baseline and of being best, regret; over the parameter sets
    # the sweep crossed with its seeds (or says that it had none)
    from tranqsim.experiments import uncertainty

    click.echo(uncertainty.compare_section(folder, baseline, list(metrics) or None, out))


@cli.command("compare-strategies", hidden=True, context_settings={"ignore_unknown_options": True},
             add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def compare_strategies(ctx, args) -> None:
    """Deprecated: `tranqsim compare` without a folder does the same."""
    click.echo("warning: `tranqsim compare-strategies` is deprecated and will be removed; use "
               "`tranqsim compare` (same options and defaults, without a sweep folder)", err=True)
    cmd = compare.make_context("compare", list(args), parent=ctx.parent)
    with cmd:
        compare.invoke(cmd)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--metric", "metrics", multiple=True, help="output metric (repeatable; default tranquillity_index)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="where to write sensitivity.csv/.md/.png (default: FOLDER/analysis/)")
def sensitivity(folder, metrics, out) -> None:
    """Morris (mu*, sigma) or Sobol' (S1, ST) indices of a morris/sobol sweep, via SALib."""
    from tranqsim.experiments import sensitivity as sa

    out = _analysis_folder(folder, out)
    try:
        table = sa.indices(_sweep_folder(folder), list(metrics) or None)
    except sa.SensitivityError as exc:
        raise ScenarioError(str(exc)) from None
    click.echo(sa.to_markdown(table))
    paths = sa.save(table, out)
    click.echo("written: " + ", ".join(map(str, paths)))


@cli.group()
def store() -> None:
    """Look after a sweep's results folder."""


@store.command("check")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--move-damaged", is_flag=True,
              help="move damaged chunks to FOLDER/damaged/ so that rerunning the sweep reruns their runs")
def store_check(folder, move_damaged) -> None:
    """Verify every chunk of a sweep folder (checksums); exit 2 if one is damaged."""
    from tranqsim.experiments.store import StoreDamaged, check, damage_message

    n, damaged = check(folder, move=move_damaged)
    if damaged and not move_damaged:
        raise StoreDamaged(damage_message(folder, damaged))
    if damaged:
        click.echo(f"{folder}: {len(damaged)} of {n} chunks damaged, moved aside to "
                   + ", ".join(str(d.path) for d in damaged)
                   + "; rerun the same `tranqsim sweep` command on this folder to run their runs again")
    else:
        click.echo(f"{folder}: {n} chunks checked, none damaged")
