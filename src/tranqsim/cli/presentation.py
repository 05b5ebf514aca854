"""What people look at: the ``report`` and the ``ui``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from tranqsim.cli.group import cli
from tranqsim.errors import ScenarioError


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
@click.option("--budget", type=click.FloatRange(min=0, min_open=True),
              help="EUR per dwelling per year the landlord can spend: the answer recommends within it")
@click.option("--cursor", type=click.Path(path_type=Path), help="a `tranqsim cursor` folder: its map in the answer")
def report(folder, out, lang, baseline, validation, series_replicates, workers, overwrite, budget, cursor) -> None:
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
                             budget=budget, cursor=cursor,
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
