"""The best mix of levers for a budget: ``optimise``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from tranqsim.cli.group import cli, _bar
from tranqsim.errors import ScenarioError
from tranqsim.cli.experiments import _dask_executor


@contextlib.contextmanager
def _executor(kind: str, scheduler, workers: int):
    """The runs' executor: a Dask client, a local pool of ``workers`` processes, or None (in
    this process); closed, with pending runs cancelled, on the way out."""
    with contextlib.ExitStack() as stack:
        pool = None
        if kind == "dask":
            pool = stack.enter_context(_dask_executor(scheduler, workers))
        elif workers > 1:
            from tranqsim.pools import spawn_pool

            pool = spawn_pool(workers)
            stack.callback(pool.shutdown, wait=False, cancel_futures=True)
        yield pool


@cli.command()
@click.option("--context", help="context name (see `tranqsim list`) or YAML file")
@click.option("--portfolio", type=click.Path(path_type=Path),
              help="split --budget (total extra EUR a year) across a portfolio's estates instead "
                   "(a YAML file or a `territory build` folder; see tranqsim.optimise.allocation)")
@click.option("--objective", type=click.Choice(["incidents", "insecure_households"]), default="incidents",
              show_default=True, help="with --portfolio: what the budget should lower")
@click.option("--budget", required=True,
              help="EUR per dwelling per year of tranquillity spending (levers and tranquillity function), "
                   "or a strategy name: its spending in this context (and it becomes the benchmark); "
                   "with --portfolio: the total extra EUR a year for the whole stock")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="results folder (study.db, trials and pareto Parquet, pareto.png, recommendation.md); "
                   "rerun the same command to resume")
@click.option("--trials", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="completed trials the study should hold (each runs sets x seeds simulations)")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (with --executor dask)")
@click.option("--years", type=click.FloatRange(min=0, min_open=True, max=50), default=4, show_default=True)
@click.option("--seeds", type=click.IntRange(1, 1000), default=2, show_default=True,
              help="seeds per parameter set (the same for every mix: common random numbers)")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="master seed")
@click.option("--ensemble", default="shipped", show_default=True, help="shipped | none | PATH, or REF:K for its first K sets")
@click.option("--levers", help="comma-separated levers to search (default: all; see tranqsim.optimise.space)")
@click.option("--robust", type=click.Choice(["mean", "quantile"]), default="mean", show_default=True,
              help="score tranquillity and insecurity by their expected value or pessimistic 10% quantile")
@click.option("--sampler", type=click.Choice(["tpe", "nsga2"]), default="tpe", show_default=True)
@click.option("--benchmark", help="a strategy run on the same draws for comparison (default: the --budget strategy)")
@click.option("--confirm", type=click.IntRange(0, 1000), default=4, show_default=True,
              help="fresh seeds per parameter set on which the recommended mix and the benchmark are rerun")
@click.option("--search-sets", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="parameter sets the trials run on (the ensemble's first ones, a fixed random subsample); "
                   "the confirmation runs on every set")
def optimise(context, portfolio, objective, budget, out, trials, workers, executor, scheduler, years, seeds,
             seed, ensemble, levers, robust, sampler, benchmark, confirm, search_sets) -> None:
    """The best mix of levers at or under a budget: a multi-objective search (Optuna) over lever
    doses, robust over the parameter ensemble, with common random numbers; resumable.

    With --portfolio: how to split a total budget across the estates (response curves per
    estate, a greedy allocation checked by an NSGA-II search, confirmed on fresh seeds)."""
    from tranqsim import optimise as opt
    from tranqsim.pools import usable_cores

    if portfolio is not None:
        if context:
            raise ScenarioError("--portfolio: give --portfolio or --context, not both")
        _allocate(portfolio, budget, out, objective, levers, years, seeds, seed, trials, confirm,
                  workers or 1, executor, scheduler)
        return
    if not context:
        raise ScenarioError("optimise: give --context (one estate) or --portfolio (a stock)")

    names = [x.strip() for x in levers.split(",") if x.strip()] if levers else None
    if names is not None:
        try:
            opt.space.doses_for(names)
        except ValueError as exc:
            raise ScenarioError(f"--levers: {exc}") from None
    workers = workers or usable_cores()
    bar, update = _bar(trials, "trials")
    with _executor(executor, scheduler, workers) as pool:
        try:
            res = opt.run(context, budget, out, trials=trials, executor=pool, years=years, seeds=seeds, seed=seed,
                          ensemble=ensemble, levers=names, robust=robust, sampler=sampler, benchmark=benchmark,
                          confirm=confirm, search_sets=search_sets, progress=update)
        finally:
            bar.close()
    rep = res.report
    click.echo(f"{rep.trials} trials in the study ({rep.new} new, {rep.runs} runs, {rep.seconds:.0f} s); "
               f"{len(res.front)} mixes on the Pareto front; parameter sets: {res.problem.ensemble_note}")
    if res.recommended is not None:
        lines = opt.space.describe(opt.mix_of(res.recommended))
        click.echo("recommended mix:\n" + "\n".join(f"  - {x}" for x in lines))
    click.echo("written: " + ", ".join(str(f) for f in res.files))
    if res.confirmation is not None:
        c = res.confirmation
        click.echo(f"against {res.problem.benchmark} on {c['pairs']} fresh draws: tranquillity index "
                   f"{c['difference']:+.2f} on average, at least as good in {100 * c['share_at_least_as_good']:.0f}%")
    for msg in rep.failed:
        click.echo(f"warning: failed {msg}", err=True)
    if rep.interrupted:
        click.echo("interrupted: rerun the same command to resume", err=True)
        sys.exit(130)


def _allocate(path, budget, out, objective, levers, years, seeds, seed, trials, confirm, workers, executor,
              scheduler) -> None:
    from tranqsim.optimise import allocation
    from tranqsim.territory.portfolio import load_portfolio

    try:
        total = float(str(budget).replace(" ", "").replace(",", "."))
    except ValueError:
        raise ScenarioError(f"--budget: with --portfolio, a number of euros a year (got {budget!r})") from None
    names = tuple(x.strip() for x in levers.split(",") if x.strip()) if levers else allocation.DEFAULT_LEVERS
    allocation.spend_doses(names)  # a bad lever is refused before anything runs
    pf = load_portfolio(path)
    from tranqsim.outputs import check_folder

    check_folder(out, marker=allocation.MARKER, written_by="tranqsim optimise --portfolio", protect=[path])
    n_runs = len(pf.estates) * seeds * (len(allocation.DOSE_LEVELS) + (2 if confirm else 0))
    bar, update = _bar(n_runs, "estate runs")
    with _executor(executor, scheduler, workers) as pool:
        try:
            res = allocation.allocate(pf, total, names, objective, years=years, seeds=seeds, seed=seed,
                                      trials=max(trials, 400),  # no simulation: cheap
                                      confirm=bool(confirm), executor=pool, progress=update)
        finally:
            bar.close()
    files = allocation.write(res, out, protect=[path])
    for line in allocation.words(res, "en"):
        click.echo(line)
    for note in res.notes:
        click.echo(f"note: {note}")
    click.echo("written: " + ", ".join(str(f) for f in files))
