"""The model against the evidence: ``validate`` and ``calibrate``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from tranqsim.cli.group import cli, _bar
from tranqsim.errors import ScenarioError


@cli.command()
@click.option("--replicates", type=click.IntRange(3, 1000), default=20, show_default=True)
@click.option("--years", type=click.FloatRange(min=0.5, max=50), default=3, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--patterns", help="comma-separated pattern ids, e.g. C5,E3 (default: C1-C10 and E1-E12)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/validation"),
              show_default=True, help="validation.json and, unless --markdown, validation.md and figures")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path),
              help="write the Markdown here instead (figures go beside it, in validation/)")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="master seed of the replicates (default: the validation suite's, 2005); another "
                   "seed repeats the suite on replicates nothing was chosen on")
def validate(replicates, years, workers, patterns, out, markdown, seed) -> None:
    """Check the model against the published patterns C1-C10 and effect sizes E1-E12; exit 0 only
    when all pass."""
    from tranqsim.validation import MASTER_SEED, PATTERNS, n_jobs
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
        rep = run_validation(replicates, years, workers, patterns=chosen, progress=update,
                             seed=MASTER_SEED if seed is None else seed)
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


@cli.command("ensemble")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("runs/ensemble"),
              show_default=True, help="candidates.jsonl (resumable), noise.json, ensemble.json, ensemble.md")
@click.option("--target", type=click.IntRange(min=1), default=60, show_default=True,
              help="stop once this many sets are accepted")
@click.option("--max-candidates", type=click.IntRange(min=1), default=400, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="processes (default: cores)")
@click.option("--install", is_flag=True,
              help="ship it: src/tranqsim/ensemble.json, and the central set as the table's values "
                   "(calibrated.json)")
@click.option("--confirm", "tries", type=click.IntRange(min=0), default=5, show_default=True,
              help="sets checked on 20 replicates of confirmation seeds to choose the central set, "
                   "in all: tries logged in OUT/confirmation.jsonl are not repeated (0: the set "
                   "nearest the posterior median, unconfirmed)")
@click.option("--refine", "refine_top", type=click.IntRange(min=0), default=0, show_default=True,
              help="before confirming, run this many accepted sets (most room first) on 4 fresh "
                   "replicates and confirm by those means (logged in OUT/refined.jsonl)")
@click.option("--wave-of", "wave_of", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="a later wave of history matching: the box is the range of the sets "
                                 "this earlier wave's folder accepted (widened by a tenth)")
@click.option("--replicates", type=click.IntRange(min=2), default=2, show_default=True,
              help="replicates each candidate is judged on (more: a tighter acceptance)")
@click.option("--propose", "n_propose", type=click.IntRange(min=0), default=0, show_default=True,
              help="sets proposed by an emulator of the checks fitted on the candidates (and the "
                   "--wave-of wave's), judged like the others and confirmed first "
                   "(OUT/proposed.jsonl, OUT/emulator.json)")
def ensemble_cmd(out, target, max_candidates, workers, install, tries, refine_top, wave_of, replicates,
                 n_propose) -> None:
    """The calibrated ensemble: parameter sets that no check C1-C10, E1-E12 rules out (history
    matching by direct simulation; resumes from OUT/candidates.jsonl after an interruption)."""
    from tranqsim import ensemble as ens_mod
    from tranqsim.params import CALIBRATION_FILE
    from tranqsim.validation import choice, ensemble_docs, posterior

    workers = workers or os.cpu_count() or 1
    try:
        box = posterior.wave_box(posterior.read(wave_of)) if wave_of else None
    except (FileNotFoundError, ValueError) as e:
        click.echo(f"error: --wave-of {wave_of}: {e}", err=True)
        sys.exit(2)
    records = posterior.run(out, target, max_candidates, workers=workers, log=click.echo, box=box,
                            replicates=replicates, noise_from=wave_of)
    first = []
    if n_propose and records:
        proposed = choice.propose(out, records, n_propose, workers, log=click.echo, earlier=wave_of)
        records = records + proposed
        first = [r["index"] for r in proposed if r["accepted"]]
    chosen, confirmation = None, []
    if tries and any(r["accepted"] for r in records):
        sd = json.loads((out / "noise.json").read_text())
        conf_log = out / "confirmation.jsonl"
        refined = None
        if refine_top:
            logged = [json.loads(x) for x in conf_log.read_text().splitlines() if x.strip()] \
                if conf_log.exists() else []
            bands = next((t["bands"] for t in reversed(logged) if t.get("bands")), None)
            refined = choice.refine(records, sd, bands, refine_top, workers, log=click.echo,
                                       path=out / "refined.jsonl", skip={t["index"] for t in logged})
        chosen, confirmation = choice.confirm(records, sd, tries, workers, log=click.echo,
                                                 path=conf_log, refined=refined, first=first)
        confirmation = [{k: v for k, v in t.items() if k not in ("bands", "means")} for t in confirmation]
    try:
        ens = posterior.ensemble_of(records, chosen, confirmation)
    except ValueError as e:
        click.echo(f"no ensemble: {e}", err=True)
        sys.exit(1)
    ens_mod.save(ens, out / "ensemble.json")
    (out / "ensemble.md").write_text(ensemble_docs.markdown(records, ens))
    click.echo(f"{len(ens.sets)} sets accepted of {len(records)} candidates; written: "
               f"{out / 'ensemble.json'}, {out / 'ensemble.md'}")
    if len(ens.sets) < target:
        click.echo(f"fewer than the {target} sets asked for", err=True)
    if install:
        ens_mod.save(ens, ens_mod.SHIPPED)
        cal = json.loads(CALIBRATION_FILE.read_text())
        CALIBRATION_FILE.write_text(json.dumps(posterior.install_central(ens, cal), indent=1) + "\n")
        click.echo(f"installed: {ens_mod.SHIPPED} and the central set in {CALIBRATION_FILE}")
