"""The command group and what its commands share (progress bars)."""

from __future__ import annotations

import sys

import click


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


def _bar(total: int, desc: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="run", disable=not sys.stderr.isatty())
    return bar, bar.update
