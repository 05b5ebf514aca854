"""Command line: a thin layer over the Python API (``tranqsim.load_scenario``, ``simulate``).

Bad input (files, names, values) prints one ``error: file:line: field: message`` line and
exits with status 2, having written nothing.

Every command imports what it needs inside its own body, so ``tranqsim --help`` (and any
command's ``--help``) loads click and nothing of the model: it answers in about a tenth of a
second instead of two (numpy, numba, pandas and Mesa take the rest).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

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


def _progress_bar(total: int, desc: str):
    """A tqdm bar on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="day", leave=False)
    last = [0]

    def update(day: int) -> None:
        bar.update(day - last[0])
        last[0] = day

    return update, bar.close


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tranqsim")
def cli() -> None:
    """tranqsim: residential-tranquillity strategies in social housing estates."""


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
def run(file, context, strategy, seed, years, out, overwrite, no_plots, as_json, settings) -> None:
    """Run one simulation and write its outputs to a folder.

    The folder is written whole or not at all. If --out exists it is replaced only when it is
    empty or an earlier `tranqsim run` folder (it holds tranqsim-run.json) with nothing added
    to it, or with --overwrite; whether it can be written is checked before the simulation.
    """
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


@cli.command()
@click.option("--replicates", type=click.IntRange(3, 1000), default=20, show_default=True)
@click.option("--years", type=click.FloatRange(min=0.5, max=50), default=3, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--patterns", help="comma-separated pattern ids, e.g. C5,E3 (default: C1-C10 and E1-E12)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/validation"),
              show_default=True, help="validation.json and, unless --markdown, validation.md and figures")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path),
              help="write the Markdown here instead (figures go beside it, in validation/)")
def validate(replicates, years, workers, patterns, out, markdown) -> None:
    """Check the model against the published patterns C1-C10 and effect sizes E1-E12; exit 0 only
    when all pass."""
    from tranqsim.validation import PATTERNS, n_jobs
    from tranqsim.validation import validate as run_validation

    chosen = None
    if patterns:
        chosen = [x.strip().upper() for x in patterns.split(",") if x.strip()]
        unknown = sorted(set(chosen) - {p.id for p in PATTERNS})
        if unknown:
            raise ScenarioError(f"--patterns: unknown pattern(s) {', '.join(unknown)} "
                                f"(known: {', '.join(p.id for p in PATTERNS)})")
    workers = workers or os.cpu_count() or 1
    bar, update = _bar(n_jobs(replicates, chosen), "validation runs")
    try:
        rep = run_validation(replicates, years, workers, patterns=chosen, progress=update)
    finally:
        bar.close()
    for c in rep.checks:
        ci = f"[{c.ci[0]:.2f}, {c.ci[1]:.2f}]"
        click.echo(f"{c.pattern:<4} {'pass' if c.passed else 'FAIL'}  {c.name}: {c.mean:.2f} {c.unit} {ci}"
                   f"  target {c.target_text()}")
    paths = rep.write(out, markdown)
    click.echo(f"{sum(c.passed for c in rep.checks)} of {len(rep.checks)} checks pass "
               f"({rep.seconds:.0f} s); written: {paths[-2]}, {paths[-1]}")
    sys.exit(0 if rep.passed else 1)


@cli.command()
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/calibration"),
              show_default=True, help="where to write calibrated.json and calibration.md")
@click.option("--install", is_flag=True, help="also ship the result as the package's defaults")
@click.option("--check", is_flag=True, help="exit 1 unless the result equals the shipped defaults")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="an earlier calibrated.json: reuse its leading blocks whose definitions are unchanged "
                   "(same result as from scratch only if the model code has not changed since)")
def calibrate(workers, out, install, check, resume) -> None:
    """Rejection-ABC calibration of the uncertain parameters on the validation patterns."""
    from tranqsim.params import CALIBRATION_FILE
    from tranqsim.validation import calibration as cal

    workers = workers or os.cpu_count() or 1
    previous = None
    if resume is not None:
        try:
            previous = json.loads(resume.read_text())
        except ValueError as e:
            raise click.UsageError(f"{resume}: not JSON ({e})") from None
        if not isinstance(previous, dict) or not {"blocks", "values", "years"} <= previous.keys():
            raise click.UsageError(f"{resume}: not a calibration result (no blocks, values or years)")
    total = cal.n_runs(resume=previous)
    bar, update = _bar(total, "calibration runs")
    try:
        result = cal.calibrate(workers, progress=update, resume=previous)
    finally:
        bar.close()
    cal.save(result, out / "calibrated.json")
    (out / "calibration.md").write_text(cal.markdown(result))
    for name, v in result["values"].items():
        click.echo(f"{name:<24} {v['value']:<8g} block {v['block']}: {v['accepted']} of {v['candidates']} accepted")
    same = cal.same_values(result, cal.shipped())
    click.echo(f"written: {out / 'calibrated.json'}, {out / 'calibration.md'}; "
               f"{'same as' if same else 'DIFFERENT from'} the shipped defaults ({CALIBRATION_FILE.name})")
    if install:
        cal.save(result, CALIBRATION_FILE)
        click.echo(f"installed as the defaults: {CALIBRATION_FILE}")
    if check and not same:
        sys.exit(1)


def _bar(total: int, desc: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="run", disable=not sys.stderr.isatty())
    return bar, bar.update


@cli.command()
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="days simulated per context and strategy (default: 40)")
def warmup(days) -> None:
    """Compile the model's kernels into numba's cache once (run by `make` after installing)."""
    from tranqsim.warmup import DAYS, warm

    warm(days=days or DAYS, echo=click.echo)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (127.0.0.1: this machine only)")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--idle-minutes", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="free a page's session this long after its browser went away")
@click.option("--max-sessions", type=click.IntRange(min=1), default=20, show_default=True,
              help="open pages at most; more get a 'server full' page")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="the model's assumptions for every run of the page (repeatable): "
                   "parameters.NAME or context.SECTION.FIELD (levers are set in the page)")
def ui(host, port, idle_minutes, max_sessions, settings) -> None:
    """Serve the trainers' web page (Solara), offline once `make ui` has set it up."""
    if settings:
        from tranqsim import overrides
        from tranqsim.loading import load_context, load_scenario

        sets = overrides.parse(settings)
        for st in sets:
            if st.key.split(".")[0] not in ("parameters", "context"):
                raise ScenarioError(f"--set {st.text}: the page sets levers, organisation, years and "
                                    "seed itself; --set takes parameters.NAME or context.SECTION.FIELD")
        from tranqsim.loading import available

        for c in available("contexts"):  # every context the page offers must accept them
            overrides.apply(load_scenario(context=load_context(c)[0]), sets)
        os.environ[overrides.UI_ENV] = json.dumps(list(settings))
    from tranqsim.ui.server import serve

    serve(host, port, idle_minutes=idle_minutes, max_sessions=max_sessions)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="the HTML file; the Markdown (.md) and a _figures folder go beside it. Files and "
                   "a figures folder an earlier report wrote are replaced, anything else is refused "
                   "(see --overwrite)")
@click.option("--overwrite", is_flag=True,
              help="replace an existing HTML or Markdown file, or figures folder, that tranqsim did "
                   "not write (never a folder holding the sweep, nor a link, FIFO or device)")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--baseline", default="proximity_management", show_default=True,
              help="the status quo every strategy is compared with")
@click.option("--validation", type=click.Path(path_type=Path),
              help="a `tranqsim validate` JSON (default: runs/validation/validation.json when present)")
@click.option("--series-replicates", type=click.IntRange(1, 100), default=None,
              help="replicates rerun for the time series, maps and ZSP analysis (default: fixed by "
                   "the sweep, the first min(4, replicates), so reports of one sweep in every "
                   "language show the same runs)")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
def report(folder, out, lang, baseline, validation, series_replicates, workers, overwrite) -> None:
    """A strategy comparison report (HTML and Markdown) from a strategy sweep.

    Whether the outputs may be written is checked before the replicates are rerun. Each stage
    is printed as it begins (on stderr), with a progress bar for the reruns on a terminal.
    """
    from tranqsim.report import ReportError, build_report

    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, desc="re-simulations", unit="run", leave=False)
    try:
        paths = build_report(folder, out, lang=lang, baseline=baseline, validation=validation,
                             series_replicates=series_replicates, workers=workers, overwrite=overwrite,
                             stage=lambda m: (bar.write if bar is not None else
                                              lambda x: click.echo(x, err=True))(f"report: {m}"),
                             progress=_Ticks(bar))
    except ReportError as exc:
        raise ScenarioError(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"markdown: {paths[1]} ({len(paths) - 2} figures in {paths[1].stem}_figures/)")
    click.echo(f"report: {paths[0].resolve()}")


class _Ticks:
    """A tqdm bar (or nothing) as the report's ``progress``: its total set once known."""

    def __init__(self, bar):
        self.bar = bar

    @property
    def total(self):
        return self.bar.total if self.bar is not None else 0

    @total.setter
    def total(self, n):
        if self.bar is not None:
            self.bar.total = n
            self.bar.refresh()

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)


@cli.group()
def territory() -> None:
    """Your own territory: contexts built from a landlord's register and incident log."""


@territory.command("build")
@click.option("--register", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="building register (CSV): estate, building, halls, dwellings, ...; see docs/data.md")
@click.option("--incidents", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="incident log (CSV): date, building or hall, category[, time]")
@click.option("--survey", type=click.Path(dir_okay=False, path_type=Path),
              help="survey figures per estate (CSV): share feeling insecure, satisfaction")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML: the landlord's categories -> the model's incident types (default: the "
                   "log uses the model's type names or labels)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="output folder: one context per estate, the status-quo strategies, the fit report")
@click.option("--rounds", type=click.IntRange(2, 20), default=5, show_default=True,
              help="rounds of correction")
@click.option("--replicates", type=click.IntRange(1, 50), default=4, show_default=True,
              help="replicates per round")
@click.option("--final-replicates", type=click.IntRange(1, 200), default=12, show_default=True,
              help="fresh replicates of the fitted parameters (with the last round's) for the intervals")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--overwrite", is_flag=True,
              help="replace an existing --out folder that tranqsim did not write")
def territory_build(register, incidents, survey, mapping, out, rounds, replicates, final_replicates,
                    seed, overwrite) -> None:
    """Build one context per estate from a landlord's files, fitted to the incident log.

    Reads the documented columns only (the others are listed, never copied), refuses files that
    look like they hold personal data, and writes the folder whole or not at all.
    """
    from tranqsim.territory.build import build

    bar, update = _bar(None, "fit rounds")
    try:
        built = build(register, incidents, out, survey, mapping, rounds=rounds, replicates=replicates,
                      final_replicates=final_replicates, seed=seed, overwrite=overwrite,
                      progress=update)
    finally:
        bar.close()
    for note in built.notes:
        click.echo(note)
    for f, path in zip(built.fits, built.contexts):
        iv = f.intervals
        click.echo(f"{f.observed.estate}: pressure {f.theta.pressure:.2f} "
                   f"[{iv['pressure'][0]:.2f}, {iv['pressure'][1]:.2f}], youth groups "
                   f"{f.theta.youth_groups_per_1000:.2f}/1000, dealing points {f.theta.dealing_points}, "
                   f"initial disorder {f.theta.disorder:.2f} -> {path}")
    click.echo(f"fit report: {out / 'fit_report.md'}; try: tranqsim run --context {built.contexts[0]}")


# --- optimise: the best mix of levers for a budget ------------------------------------------------------------
@cli.command()
@click.option("--context", required=True, help="context name (see `tranqsim list`) or YAML file")
@click.option("--budget", required=True,
              help="EUR per dwelling per year of tranquillity spending (levers and tranquillity function), "
                   "or a strategy name: its spending in this context (and it becomes the benchmark)")
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
@click.option("--ensemble", default="shipped", show_default=True, help="shipped | none | PATH")
@click.option("--levers", help="comma-separated levers to search (default: all; see tranqsim.optimise.space)")
@click.option("--robust", type=click.Choice(["mean", "quantile"]), default="mean", show_default=True,
              help="score tranquillity and insecurity by their expected value or pessimistic 10% quantile")
@click.option("--sampler", type=click.Choice(["tpe", "nsga2"]), default="tpe", show_default=True)
@click.option("--benchmark", help="a strategy run on the same draws for comparison (default: the --budget strategy)")
@click.option("--confirm", type=click.IntRange(0, 1000), default=4, show_default=True,
              help="fresh seeds per parameter set on which the recommended mix and the benchmark are rerun")
def optimise(context, budget, out, trials, workers, executor, scheduler, years, seeds, seed, ensemble, levers,
             robust, sampler, benchmark, confirm) -> None:
    """The best mix of levers at or under a budget: a multi-objective search (Optuna) over lever
    doses, robust over the parameter ensemble, with common random numbers; resumable."""
    from tranqsim import optimise as opt
    from tranqsim.pools import spawn_pool, usable_cores

    names = [x.strip() for x in levers.split(",") if x.strip()] if levers else None
    if names is not None:
        try:
            opt.space.doses_for(names)
        except ValueError as exc:
            raise ScenarioError(f"--levers: {exc}") from None
    workers = workers or usable_cores()
    bar, update = _bar(trials, "trials")
    with contextlib.ExitStack() as stack:
        pool = None
        if executor == "dask":
            pool = stack.enter_context(_dask_executor(scheduler, workers))
        elif workers > 1:
            pool = spawn_pool(workers)
            stack.callback(pool.shutdown, wait=False, cancel_futures=True)
        try:
            res = opt.run(context, budget, out, trials=trials, executor=pool, years=years, seeds=seeds, seed=seed,
                          ensemble=ensemble, levers=names, robust=robust, sampler=sampler, benchmark=benchmark,
                          confirm=confirm, progress=update)
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


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=None,
                  _shown=None):
    """The store's warnings (rows of another experiment ignored) as one ``warning:`` line,
    once per command: a command may read the store more than once (``compare`` reads it for
    its table and again for the uncertainty section)."""
    from tranqsim.experiments.store import StoreWarning

    if issubclass(category, StoreWarning):
        if _shown is not None:
            if str(message) in _shown:
                return
            _shown.add(str(message))
        click.echo(f"warning: {message}", err=True)
    else:
        _default(message, category, filename, lineno, file, line)


def main() -> None:
    import functools
    import warnings

    try:
        with warnings.catch_warnings():  # restores showwarning when main is called in-process
            warnings.showwarning = functools.partial(_show_warning, _default=warnings.showwarning,
                                                     _shown=set())
            cli.main(standalone_mode=False)
    except ScenarioError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
