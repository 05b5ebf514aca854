import os
import sys

import pytest

import tranqsim

# Sweeps in tests check the machinery (resume, kill, store, reports), not the parameter
# uncertainty: they run on the central parameter set (``shipped`` means ``none``; inherited by
# subprocesses). Tests of the shipped ensemble itself remove the variable (monkeypatch.delenv).
os.environ["TRANQSIM_ENSEMBLE"] = "none"


@pytest.fixture(scope="session")
def priority():
    """The default scenario (priority estate, close management), 5 years, seed 1."""
    return tranqsim.load_scenario()


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """The console entry point (``tranqsim ARGS``) in this process: (exit status, stdout,
    stderr). Faster than a subprocess; tests of what only a process shows (signals, FIFOs,
    tracebacks at exit) start one instead."""
    from tranqsim.cli import main

    monkeypatch.setattr(sys, "argv", ["tranqsim", *map(str, args)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
    out, err = capsys.readouterr()
    return code, out, err
