"""Command line: a thin layer over the Python API (``tranqsim.load_scenario``, ``simulate``).

Bad input (files, names, values) prints one ``error: file:line: field: message`` line and
exits with status 2, having written nothing.

Every command imports what it needs inside its own body, so ``tranqsim --help`` (and any
command's ``--help``) loads click and nothing of the model: it answers in about a tenth of a
second instead of two (numpy, numba, pandas and Mesa take the rest).

The commands live in modules by what they do: ``single`` (one run and what it runs on),
``experiments`` (sweeps and their analyses), ``evidence`` (validation and calibration),
``presentation`` (report and UI), ``territory`` and ``optimise``; ``group`` holds the group.
"""

from __future__ import annotations

import sys

import click

from tranqsim.cli.group import cli
from tranqsim.errors import ScenarioError

# each module registers its commands on the group when imported
from tranqsim.cli import cursor, evidence, experiments, optimise, presentation, single, territory  # noqa: E402,F401


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
