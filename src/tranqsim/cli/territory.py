"""A landlord's own territory: ``territory build``."""

from __future__ import annotations

from pathlib import Path

import click

from tranqsim.cli.group import cli, _bar


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
