"""One run and what it runs on: ``run``, ``list``, ``show``, ``schema``, ``params``, ``warmup``."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from tranqsim.cli.group import cli, _progress_bar
from tranqsim.errors import ScenarioError


SHORT = (("tranquillity_index", "tranquillity index (0-100)", "{:.1f}"),
         ("incidents_per_1000_dwellings", "incidents per 1,000 dwellings/yr", "{:.0f}"),
         ("insecurity_share", "residents feeling insecure", "{:.1%}"),
         ("victimisation_rate", "households victimised (12 months)", "{:.1%}"),
         ("turnover_rate", "turnover (move-outs/yr)", "{:.1%}"),
         ("vacancy_rate", "vacancy", "{:.1%}"),
         ("disorder_index", "visible disorder in halls (0-1)", "{:.3f}"),
         ("trust_landlord_mean", "trust in the landlord (0-1)", "{:.2f}"),
         ("trust_police_mean", "trust in the police (0-1)", "{:.2f}"),
         ("reporting_rate", "incidents reported", "{:.1%}"),
         ("staff_aggressions_per_100_staff", "aggressions per 100 staff/yr", "{:.1f}"),
         ("places_share_for_half_incidents", "share of places with half the incidents", "{:.1%}"),
         ("cost_per_dwelling_eur", "landlord cost, €/dwelling/yr", "{:.0f}"),
         ("public_cost_per_dwelling_eur", "public partners' cost, €/dwelling/yr", "{:.0f}"))


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--context", "context", help="context name (see `tranqsim list`) or YAML file")
@click.option("--strategy", "strategy", help="strategy name or YAML file")
@click.option("--seed", type=click.IntRange(min=0), help="random seed (overrides the file)")
@click.option("--years", type=click.FloatRange(min=0, min_open=True, max=50), help="simulated years")
@click.option("--out", type=click.Path(path_type=Path),
              help="output folder (default runs/CONTEXT__STRATEGY__seedN); an empty folder or an "
                   "earlier run folder there is replaced as a whole, anything else is refused "
                   "(see --overwrite)")
@click.option("--overwrite", is_flag=True,
              help="replace an existing --out folder that tranqsim did not write, and everything in "
                   "it (never a folder holding an input file, the working directory or the home "
                   "folder, nor a file, FIFO or device)")
@click.option("--no-plots", is_flag=True, help="skip the PNG plots")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON (6 significant digits)")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="change one setting, validated like files (repeatable): parameters.NAME, "
                   "levers.LEVER.FIELD, context.SECTION.FIELD, organisation, years, seed; e.g. "
                   "--set parameters.g_police=0.7 --set levers.cctv.cameras=12")
@click.option("--portfolio", type=click.Path(path_type=Path),
              help="run every estate of a portfolio (a YAML file listing estates, or a `territory "
                   "build` folder) and sum the landlord's figures; see docs/data.md")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="with --portfolio: processes running estates side by side")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="with --portfolio: run the estates on a Dask cluster")
@click.option("--scheduler", help="with --executor dask: the scheduler's address (default: a local one)")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="with --portfolio: language of the printed figures")
def run(file, context, strategy, seed, years, out, overwrite, no_plots, as_json, settings, portfolio,
        workers, executor, scheduler, lang) -> None:
    """Run one simulation and write its outputs to a folder.

    The folder is written whole or not at all. If --out exists it is replaced only when it is
    empty or an earlier `tranqsim run` folder (it holds tranqsim-run.json) with nothing added
    to it, or with --overwrite; whether it can be written is checked before the simulation.
    With --portfolio, every estate of the portfolio runs (estate i with seed 1000*SEED+i) and
    the folder holds estates.parquet/.csv (one row per estate) and totals.json.
    """
    if portfolio is not None:
        if file or context or strategy or settings:
            raise ScenarioError("--portfolio: the estates' contexts and strategies come from the "
                                "portfolio; drop FILE, --context, --strategy and --set")
        _run_portfolio(portfolio, seed, years, out, overwrite, as_json, workers, executor, scheduler, lang)
        return
    from tranqsim.loading import load_scenario
    from tranqsim.outputs import RUN_MARKER, check_folder, safe_name
    from tranqsim.simulation import simulate

    from tranqsim import overrides

    sets = overrides.parse(settings)
    sc = overrides.apply(load_scenario(file, context=context, strategy=strategy, seed=seed, years=years), sets)
    out = out or Path("runs") / (f"{safe_name(sc.context_name)}__{safe_name(sc.strategy_name)}"
                                 f"__seed{sc.run.seed}")
    inputs = _run_inputs(file, context, strategy)
    check_folder(out, marker=RUN_MARKER, written_by="tranqsim run", overwrite=overwrite, protect=inputs)
    update, close = _progress_bar(sc.days, f"{sc.context_name} x {sc.strategy_name}")
    try:
        res = simulate(sc, progress=update)
    finally:
        close()
    res.save(out, plots=not no_plots, overwrite=overwrite, protect=inputs)
    s = res.summary
    if as_json:
        from tranqsim.rounding import rounded

        click.echo(json.dumps(rounded(s), indent=2, ensure_ascii=False))
        return
    click.echo(f"{sc.context.title.en} x {sc.strategy.title.en} - seed {sc.run.seed}, "
               f"{sc.run.years:g} years, {s['dwellings']} dwellings; last 12 months:")
    for key, label, fmt in SHORT:
        click.echo(f"  {label:<42} {fmt.format(s[key])}")
    click.echo(f"  {'hall status (green/yellow/orange/red)':<42} "
               + "/".join(str(v) for v in s["hall_status_counts"].values()))
    click.echo(f"outputs: {out}")


def _run_portfolio(path, seed, years, out, overwrite, as_json, workers, executor, scheduler, lang) -> None:
    from tranqsim.outputs import safe_name
    from tranqsim.territory import portfolio as pf_mod

    pf = pf_mod.load_portfolio(path)
    seed, years = (1 if seed is None else seed), (3.0 if years is None else years)
    out = out or Path("runs") / f"portfolio__{safe_name(pf.title)}__seed{seed}"
    inputs = [path, *(Path(r) for e in pf.estates for r in (e.context, e.strategy) if r.endswith(".yaml"))]
    from tranqsim.outputs import check_folder

    check_folder(out, marker=pf_mod.PORTFOLIO_MARKER, written_by="tranqsim run --portfolio",
                 overwrite=overwrite, protect=inputs)
    update, close = _progress_bar(len(pf.estates), f"{pf.title}: {len(pf.estates)} estates")
    try:
        with contextlib.ExitStack() as stack:
            pool = None
            if executor == "dask":
                from tranqsim.cli.experiments import _dask_executor

                pool = stack.enter_context(_dask_executor(scheduler, workers))
            elif workers > 1:
                from concurrent.futures import ProcessPoolExecutor

                pool = stack.enter_context(ProcessPoolExecutor(workers))
            res = pf_mod.run_portfolio(pf, seed=seed, years=years, executor=pool, progress=update)
    finally:
        close()
    pf_mod.write(res, out, overwrite=overwrite, protect=inputs)
    if as_json:
        from tranqsim.rounding import rounded

        click.echo(json.dumps(rounded({"totals": res.totals,
                                       "estates": res.estates.to_dict(orient="records")}),
                              indent=2, ensure_ascii=False))
        return
    for line in pf_mod.describe(res, lang):
        click.echo(line)
    click.echo(f"outputs: {out}")


def _run_inputs(file: Path | None, context: str | None, strategy: str | None) -> list[Path]:
    """The files a run reads: the scenario file and every context or strategy file it names.

    Called after the scenario loaded, so every reference resolves; the defaults and shipped
    names are included too, so a run never replaces the folder of the shipped scenarios.
    """
    from tranqsim.loading import _resolve, read_yaml

    refs = [("context", context or "priority_estate"), ("strategy", strategy or "proximity_management")]
    files = []
    if file is not None:
        files.append(file)
        data = read_yaml(file)[0]
        if isinstance(data, dict):
            refs += [(k, data[k]) for k in ("context", "strategy") if isinstance(data.get(k), str)]
    for kind, ref in refs:
        with contextlib.suppress(ScenarioError):
            files.append(_resolve(kind, ref, kind)[0])
    return files


@cli.command("list")
def list_() -> None:
    """List the shipped contexts and strategies with their titles."""
    from tranqsim.loading import available, load_context, load_strategy

    for kind, loader in (("contexts", load_context), ("strategies", load_strategy)):
        click.echo(f"{kind}:")
        for name in available(kind):
            obj, _ = loader(name)
            click.echo(f"  {name:<24} {obj.title.en} / {obj.title.fr}")


@cli.command()
@click.argument("name")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
def show(name, lang) -> None:
    """What a strategy, a context or a lever holds (a shipped name, or a strategy/context file).

    A strategy: its doctrine, organisation, levers with their doses and windows. A context: the
    estate, its population, offending, police and initial state. A lever: what it does and its
    fields (default, range).
    """
    import difflib

    from tranqsim import describe
    from tranqsim.levers import REGISTRY
    from tranqsim.loading import available, read_yaml

    sep = ": " if lang == "en" else " : "
    kind = None
    if name in REGISTRY:
        kind = "lever"
    elif name in available("strategies"):
        kind = "strategy"
    elif name in available("contexts"):
        kind = "context"
    elif name.endswith((".yaml", ".yml")):
        data = read_yaml(Path(name))[0]
        kind = "context" if isinstance(data, dict) and "estate" in data else "strategy"
    if kind is None:
        known = [*available("strategies"), *available("contexts"), *REGISTRY]
        close = difflib.get_close_matches(name, known, n=1)
        raise ScenarioError(f"show: unknown strategy, context or lever {name!r}"
                            + (f" (did you mean {close[0]!r}?)" if close else "")
                            + f"; see `tranqsim list` and the levers: {', '.join(REGISTRY)}")
    if kind == "strategy":
        title, doctrine, rows = describe.strategy_content(name, lang)
        click.echo(f"{title} ({name})\n\n{doctrine}\n")
        click.echo(("Levers, doses and windows (days)" if lang == "en" else
                    "Leviers, doses et fenêtres (jours)") + sep.rstrip())
        for label, doses in rows:
            click.echo(f"  - {label}{sep}{doses}")
    elif kind == "context":
        title, text, sections = describe.context_content(name, lang)
        click.echo(f"{title} ({name})" + (f"\n\n{text}" if text else ""))
        for section, rows in sections:
            click.echo(f"\n{section}")
            for label, value in rows:
                click.echo(f"  - {label}{sep}{value}")
    else:
        label, text, rows = describe.lever_content(name, lang)
        click.echo(f"{label} ({name})\n\n{text}\n")
        click.echo(("Fields (default; what it is)" if lang == "en" else "Champs (défaut ; signification)")
                   + sep.rstrip())
        for f, default, what in rows:
            click.echo(f"  - {f}{sep}{default}; {what}")


@cli.command()
@click.option("--kind", type=click.Choice(["scenario", "context", "strategy"]), default="scenario",
              show_default=True)
def schema(kind) -> None:
    """Print the JSON Schema of scenario (or context, strategy) files."""
    from tranqsim.config import Context, ScenarioFile, Strategy

    model = {"scenario": ScenarioFile, "context": Context, "strategy": Strategy}[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.option("--markdown", is_flag=True, help="render docs/parameters.md")
def params(markdown) -> None:
    """Print the parameter table (defaults, units, sources)."""
    from tranqsim.params import PARAMS, markdown_table

    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    for p in PARAMS.values():
        click.echo(f"{p.name:<34} {p.value:>10g}  {p.unit}")




@cli.command()
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="days simulated per context and strategy (default: 40)")
def warmup(days) -> None:
    """Compile the model's kernels into numba's cache once (run by `make` after installing)."""
    from tranqsim.warmup import DAYS, warm

    warm(days=days or DAYS, echo=click.echo)
