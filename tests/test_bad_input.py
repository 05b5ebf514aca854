"""Bad input through the command line: one ``error: FILE:LINE: FIELD.PATH: message`` line on
stderr, exit status 2, no traceback, nothing written. Plus the happy path (a valid inline
scenario runs, writes its outputs and its resolved scenario reproduces it) and the
``schema`` and ``list`` commands.

Most cases call ``tranqsim.cli.main`` in-process (fast); a few run the real command as a
subprocess, to prove that no traceback leaks out of the entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from tranqsim.levers import REGISTRY
from tranqsim.loading import scenarios_dir

OUTPUTS = ("summary.json", "timeseries.parquet", "incidents.parquet", "households.parquet",
           "places.parquet", "scenario.resolved.yaml")

# A lever configuration with a deliberately wrong value, on a line of its own.
STRATEGY_HEAD = "strategy:\n  title:\n    fr: Essai\n    en: Test\n  levers:\n"

VALID_INLINE = """\
context:
  title:
    fr: Petit ensemble
    en: Small estate
  estate:
    dwellings: 120
    dwellings_per_hall: 20
  population:
    deprivation: 0.4
    newcomer_deprivation: 0.5
  offenders:
    dealing_points: 1
strategy:
  title:
    fr: Essai
    en: Test
  organisation: dedicated
  levers:
    caretakers:
      per_100_dwellings: 1.0
    cctv:
      cameras: 3
      monitoring: active
      start: 5
      end: 30
    night_mediators:
      posts: 2
run:
  years: 1
  seed: 7
parameters:
  fear_base: 0.0
"""


def case(id, files, args, file, line, field, fragment):
    """One bad input.

    ``files``: {relative path: text} written into the working folder; ``args``: the arguments
    after ``run``; ``file``: the file the error must name; ``line``: the line it must give (an
    int, a tuple of acceptable ints, or None when the file has no lines to point at);
    ``field``: the dotted path it must give (str, tuple of acceptable paths, or None when no
    field is concerned); ``fragment``: a piece of the message.
    """
    return pytest.param(files, args, file, line, field, fragment, id=id)


BAD = [
    case("typo-top-level-key",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nrunn:\n  years: 1\n"},
         ["s.yaml"], "s.yaml", 3, "runn", "did you mean 'run'"),
    case("typo-nested-key",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD
          + "    caretakers:\n      per_100_dwelling: 1.0\n"},
         ["s.yaml"], "s.yaml", 8, "strategy.levers.caretakers.per_100_dwelling",
         "did you mean 'per_100_dwellings'"),
    case("typo-lever-field-next-to-a-required-one",  # the typo, not the required field it leaves missing
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD + "    cctv:\n      camera: 12\n"},
         ["s.yaml"], "s.yaml", 8, "strategy.levers.cctv.camera", "unknown field 'camera' (did you mean 'cameras'?)"),
    case("typo-in-inline-context",
         {"s.yaml": "context:\n  title: {fr: a, en: b}\n  estate:\n    dwellings: 100\n"
                    "    car_park: 2\n  population:\n    deprivation: 0.5\n"
                    "    newcomer_deprivation: 0.5\n"},
         ["s.yaml"], "s.yaml", 5, "context.estate.car_park", "unknown field"),
    case("wrong-type-string-for-int",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD + "    cctv:\n      cameras: many\n"},
         ["s.yaml"], "s.yaml", 8, "strategy.levers.cctv.cameras", "must be an integer"),
    case("wrong-type-string-for-float",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nrun:\n"
                    "  seed: 3\n  years: soon\n"},
         ["s.yaml"], "s.yaml", 5, "run.years", "must be a number"),
    case("wrong-type-scalar-for-mapping",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD + "    cctv: 5\n"},
         ["s.yaml"], "s.yaml", 7, "strategy.levers.cctv", "mapping"),
    case("negative-cameras",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD
          + "    cctv:\n      monitoring: active\n      cameras: -3\n"},
         ["s.yaml"], "s.yaml", 9, "strategy.levers.cctv.cameras", "must be >= 0 (got -3)"),
    case("deprivation-above-1-inline-context",
         {"s.yaml": "context:\n  title:\n    fr: a\n    en: b\n  estate:\n    dwellings: 100\n"
                    "  population:\n    newcomer_deprivation: 0.5\n    deprivation: 1.5\n"
                    "strategy: proximity_management\n"},
         ["s.yaml"], "s.yaml", 9, "context.population.deprivation", "must be <= 1"),
    case("missing-required-field",
         {"s.yaml": "context:\n  title: {fr: a, en: b}\n  estate:\n    car_parks: 2\n"
                    "  population:\n    deprivation: 0.5\n    newcomer_deprivation: 0.5\n"},
         ["s.yaml"], "s.yaml", 3, "context.estate.dwellings", "required"),
    case("unknown-lever",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD
          + "    caretakers: {}\n    drones:\n      count: 3\n"},
         ["s.yaml"], "s.yaml", 8, "strategy.levers.drones", "unknown lever 'drones'"),
    case("unknown-organisation",
         {"s.yaml": "context: priority_estate\nstrategy:\n  title: {fr: a, en: b}\n"
                    "  organisation: chaotic\n"},
         ["s.yaml"], "s.yaml", 4, "strategy.organisation", "must be one of"),
    case("unknown-context-name",
         {"s.yaml": "run:\n  years: 1\ncontext: priority_estat\nstrategy: proximity_management\n"},
         ["s.yaml"], "s.yaml", 3, "context", "unknown context 'priority_estat'"),
    case("unknown-strategy-name",
         {"s.yaml": "context: priority_estate\nstrategy: heavy_securty\n"},
         ["s.yaml"], "s.yaml", 2, "strategy", "unknown strategy 'heavy_securty'"),
    case("unknown-context-option",
         {}, ["--context", "nowhere_estate"], "--context", None, None, "unknown context"),
    case("unknown-strategy-option",
         {}, ["--strategy", "nothing_at_all"], "--strategy", None, None, "unknown strategy"),
    case("malformed-yaml",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nrun: years: 1\n"},
         ["s.yaml"], "s.yaml", 3, None, "malformed YAML"),
    case("malformed-yaml-unclosed-bracket",
         {"s.yaml": "context: priority_estate\nstrategy: [proximity_management\n"},
         ["s.yaml"], "s.yaml", (2, 3), None, "malformed YAML"),
    case("missing-file-argument",
         {}, ["nofile.yaml"], "nofile.yaml", None, None, "no such file"),
    case("missing-strategy-path",
         {}, ["--strategy", "strats/missing.yaml"], "strats/missing.yaml", None, None,
         "no such file"),
    case("missing-strategy-path-in-file",
         {"s.yaml": "context: priority_estate\nstrategy: strats/missing.yaml\n"},
         ["s.yaml"], "strats/missing.yaml", None, None, "no such file"),
    case("error-inside-referenced-strategy-file",
         {"s.yaml": "context: priority_estate\nstrategy: strats/bad.yaml\n",
          "strats/bad.yaml": "title:\n  fr: a\n  en: b\nlevers:\n  cctv:\n    cameras: -3\n"},
         ["s.yaml"], "strats/bad.yaml", 6, "strategy.levers.cctv.cameras", "must be >= 0"),
    case("error-inside-strategy-option-file",
         {"bad.yaml": "title:\n  fr: a\n  en: b\nlevers:\n  cctv:\n    cameras: -3\n"},
         ["--strategy", "bad.yaml"], "bad.yaml", 6, "strategy.levers.cctv.cameras", "must be >= 0"),
    case("lever-window-end-before-start",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD
          + "    gltd:\n      start: 400\n      end: 100\n"},
         ["s.yaml"], "s.yaml", (7, 9),
         ("strategy.levers.gltd", "strategy.levers.gltd.end"), "must be after start"),
    case("lever-negative-start",
         {"s.yaml": "context: priority_estate\n" + STRATEGY_HEAD
          + "    cctv:\n      cameras: 3\n      start: -1\n"},
         ["s.yaml"], "s.yaml", 9, "strategy.levers.cctv.start", "must be >= 0"),
    case("unknown-parameter",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nparameters:\n"
                    "  fear_base: 0.0\n  not_a_param: 3\n"},
         ["s.yaml"], "s.yaml", 5, "parameters.not_a_param", "unknown parameter"),
    case("out-of-range-parameter",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nparameters:\n"
                    "  fear_base: 1000\n"},
         ["s.yaml"], "s.yaml", 4, "parameters.fear_base", "must be in"),
    case("parameter-not-a-number",
         {"s.yaml": "context: priority_estate\nparameters:\n  fear_base: lots\n"},
         ["s.yaml"], "s.yaml", 3, "parameters.fear_base", "must be a number"),
    case("duplicate-key",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\nrun:\n"
                    "  years: 1\n  years: 2\n"},
         ["s.yaml"], "s.yaml", 5, "run.years", "duplicate key"),
    case("duplicate-top-level-key",
         {"s.yaml": "context: priority_estate\nstrategy: proximity_management\n"
                    "context: calm_neighbourhood\n"},
         ["s.yaml"], "s.yaml", 3, "context", "duplicate key"),
    case("empty-file",
         {"s.yaml": ""}, ["s.yaml"], "s.yaml", None, None, "empty"),
    case("comments-only-file",
         {"s.yaml": "# nothing here\n"}, ["s.yaml"], "s.yaml", None, None, "empty"),
    case("top-level-list",
         {"s.yaml": "- context: priority_estate\n- strategy: proximity_management\n"},
         ["s.yaml"], "s.yaml", 1, None, "mapping"),
]

# Run as real subprocesses too: they prove no traceback leaks from the installed entry point.
SUBPROCESS_IDS = ("negative-cameras", "malformed-yaml", "missing-file-argument", "unknown-lever")


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _check_error(stderr: str, file: str, line, field, fragment: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got:\n{stderr}"
    msg = lines[0]
    assert msg.startswith("error: "), msg
    rest = msg.removeprefix("error: ")
    if line is None:
        head = f"{file}: "
    else:
        heads = [f"{file}:{n}: " for n in _as_tuple(line)]
        head = next((h for h in heads if rest.startswith(h)), heads[0])
    assert rest.startswith(head), f"expected {head!r} at the start of {msg!r}"
    rest = rest.removeprefix(head)
    if field is not None:
        fields = _as_tuple(field)
        assert any(rest.startswith(f"{f}: ") for f in fields), \
            f"expected field path {fields} in {msg!r}"
    assert fragment in msg, f"expected {fragment!r} in {msg!r}"


def _run_in_process(monkeypatch, capsys, args: list[str]) -> tuple[int, str, str]:
    """Call the console entry point; its exit status (0 if it returns normally)."""
    return run_cli(monkeypatch, capsys, *args)


def _run_subprocess(cwd: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "tranqsim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("files, args, file, line, field, fragment", BAD)
def test_bad_input_in_process(tmp_path, monkeypatch, capsys, files, args, file, line, field,
                              fragment):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, files)
    before = _tree(tmp_path)
    code, out, err = _run_in_process(
        monkeypatch, capsys, ["run", *args, "--out", "out", "--no-plots", "--years", "0.01"])
    assert code == 2, f"exit status {code}; stderr: {err}"
    _check_error(err, file, line, field, fragment)
    assert out == ""
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "runs").exists()
    assert _tree(tmp_path) == before, "bad input must write nothing"


@pytest.mark.parametrize("files, args, file, line, field, fragment",
                         [p for p in BAD if p.id in SUBPROCESS_IDS])
def test_bad_input_subprocess(tmp_path, files, args, file, line, field, fragment):
    _write(tmp_path, files)
    before = _tree(tmp_path)
    proc = _run_subprocess(tmp_path, ["run", *args, "--out", "out", "--no-plots"])
    assert proc.returncode == 2, proc.stderr
    _check_error(proc.stderr, file, line, field, fragment)
    assert proc.stdout == ""
    assert not (tmp_path / "out").exists()
    assert _tree(tmp_path) == before, "bad input must write nothing"


def test_subprocess_cases_exist():
    assert len([p for p in BAD if p.id in SUBPROCESS_IDS]) == len(SUBPROCESS_IDS)


def test_valid_inline_scenario_runs_and_reproduces(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inline.yaml").write_text(VALID_INLINE, encoding="utf-8")
    code, out, err = _run_in_process(
        monkeypatch, capsys, ["run", "inline.yaml", "--years", "0.1", "--no-plots", "--out", "out1"])
    assert code == 0, err
    assert "Traceback" not in err
    assert "out1" in out
    out1 = tmp_path / "out1"
    for name in OUTPUTS:
        assert (out1 / name).is_file(), f"{name} missing from {sorted(os.listdir(out1))}"
    assert not list(out1.glob("*.png")), "--no-plots must not write plots"
    summary = json.loads((out1 / "summary.json").read_text())
    assert summary["dwellings"] == 120
    assert summary["seed"] == 7
    assert summary["days"] == round(0.1 * 365)
    assert set(summary["cost_by_lever_eur"]) >= {"caretakers", "cctv", "night_mediators"}
    # no temporary sibling folders left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inline.yaml", "out1"]

    # the resolved scenario, run in a fresh process, reproduces the run exactly
    proc = _run_subprocess(tmp_path, ["run", "out1/scenario.resolved.yaml", "--no-plots",
                                      "--out", "out2"])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "out2" / "summary.json").read_bytes() == (out1 / "summary.json").read_bytes()
    for name in OUTPUTS:
        assert (tmp_path / "out2" / name).is_file()


def test_schema_is_json_with_every_lever(monkeypatch, capsys):
    code, out, err = _run_in_process(monkeypatch, capsys, ["schema"])
    assert code == 0, err
    schema = json.loads(out)
    assert len(REGISTRY) == 18  # 17 + training (issue 17)
    assert {"cctv", "caretakers", "night_mediators", "zsp", "private_security"} <= set(REGISTRY)
    levers = schema["$defs"]["Levers"]["properties"]
    assert set(REGISTRY) <= set(levers)
    assert {"context", "strategy", "run", "parameters"} <= set(schema["properties"])
    for kind in ("context", "strategy"):
        code, out, err = _run_in_process(monkeypatch, capsys, ["schema", "--kind", kind])
        assert code == 0, err
        json.loads(out)


def test_list_shows_shipped_contexts_and_strategies(monkeypatch, capsys):
    code, out, err = _run_in_process(monkeypatch, capsys, ["list"])
    assert code == 0, err
    sections: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if not line.startswith(" "):
            current = line.rstrip(":")
            sections[current] = []
        elif line.strip():
            sections[current].append(line.split()[0])
    contexts = sorted(p.stem for p in (scenarios_dir() / "contexts").glob("*.yaml"))
    strategies = sorted(p.stem for p in (scenarios_dir() / "strategies").glob("*.yaml"))
    assert len(contexts) == 4 and len(strategies) == 7
    assert sections["contexts"] == contexts
    assert sections["strategies"] == strategies
    assert {"priority_estate", "calm_neighbourhood", "large_estate", "zsp_estate"} == set(contexts)
    assert "global_approach" in strategies and "withdrawal" in strategies
