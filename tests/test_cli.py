"""The command line for scripting (issue 18): a quick ``--help``, one ``compare`` writing to its own
folder, ``--set KEY=VALUE`` validated like files, "did you mean" for a misspelt field, ``show`` in
both languages, small replicate seeds, rounded JSON, and the report's stages told as they come."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from tranqsim import experiments
from tranqsim.experiments.spec import Experiment
from tranqsim.levers import REGISTRY

EXE = str(Path(sys.executable).with_name("tranqsim"))
SMALL = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
         "design": "strategies", "replicates": 3, "years": 0.1, "seed": 3}


def _proc(*args, cwd=None, env=None):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "sweep"
    experiments.run(Experiment.model_validate(SMALL), out, workers=1)
    return out


# ------------------------------------------------------------------ --help
def test_help_answers_in_under_half_a_second():
    # the machine is shared and loaded: the best of three runs measures the command, not the load
    # (the model's imports alone take about 1.5 s, so a regression shows whatever the load)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = _proc("--help")
        times.append(time.perf_counter() - t0)
        assert r.returncode == 0 and "compare" in r.stdout and "show" in r.stdout
    assert min(times) < 0.5, times
    # what makes it quick: the command line imports none of the model's libraries
    probe = subprocess.run([sys.executable, "-c", "import sys, tranqsim.cli; "
                            "print(sorted(m for m in ('numpy', 'pandas', 'numba', 'mesa', 'pydantic') "
                            "if m in sys.modules))"], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"


# ------------------------------------------------------------------ did you mean
def test_a_misspelt_lever_field_is_an_unknown_field_with_its_correction(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("s.yaml").write_text("context: priority_estate\nstrategy:\n  title: {fr: a, en: b}\n"
                              "  levers:\n    cctv:\n      camera: 12\n")
    code, out, err = run_cli(monkeypatch, capsys, "run", "s.yaml", "--years", "0.01")
    assert code == 2
    assert err.strip() == ("error: s.yaml:6: strategy.levers.cctv.camera: unknown field 'camera' "
                           "(did you mean 'cameras'?)")
    assert not Path("runs").exists()


# ------------------------------------------------------------------ show
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_show_a_strategy_lists_its_levers_and_doses_in_the_language(lang, monkeypatch, capsys):
    from tranqsim.loading import load_strategy

    code, out, err = run_cli(monkeypatch, capsys, "show", "global_approach", "--lang", lang)
    assert code == 0, err
    strat, _ = load_strategy("global_approach")
    assert out.startswith((strat.title.en if lang == "en" else strat.title.fr) + " (global_approach)")
    for name, cfg in strat.levers:
        if cfg is not None:
            assert getattr(REGISTRY[name], f"label_{lang}") in out
    # the GLTD's window, in the language's words
    assert ("end (day) 730" if lang == "en" else "fin (jour) 730") in out
    assert ("dedicated" if lang == "en" else "service dédié") in out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_show_a_context_and_a_lever(lang, monkeypatch, capsys):
    from tranqsim.loading import load_context

    ctx, _ = load_context("priority_estate")
    code, out, _ = run_cli(monkeypatch, capsys, "show", "priority_estate", "--lang", lang)
    assert code == 0
    dwellings = str(ctx.estate.dwellings)
    assert re.search(("logements : " if lang == "fr" else "number of dwellings: ") + dwellings, out), out
    code, out, _ = run_cli(monkeypatch, capsys, "show", "cctv", "--lang", lang)
    assert code == 0 and out.startswith(getattr(REGISTRY["cctv"], f"label_{lang}"))
    assert "cameras" in out and "<= 2000" in out


def test_show_an_unknown_name_suggests_the_close_one(monkeypatch, capsys):
    code, _, err = run_cli(monkeypatch, capsys, "show", "global_aproach")
    assert code == 2 and "did you mean 'global_approach'?" in err and err.count("\n") == 1


# ------------------------------------------------------------------ --set
def test_set_values_reach_the_scenario_and_the_json_is_rounded(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, "run", "--context", "calm_neighbourhood", "--years", "0.05",
                             "--no-plots", "--json", "--out", "r", "--set", "parameters.g_police=0.7",
                             "--set", "levers.cctv.cameras=12", "--set", "organisation=dedicated",
                             "--set", "context.estate.car_parks=5")
    assert code == 0, err
    resolved = yaml.safe_load(Path("r/scenario.resolved.yaml").read_text())
    assert resolved["parameters"]["g_police"] == 0.7
    assert resolved["strategy"]["levers"]["cctv"]["cameras"] == 12  # a lever the strategy lacked
    assert resolved["strategy"]["organisation"] == "dedicated"
    assert resolved["context"]["estate"]["car_parks"] == 5
    # rounded JSON: every float of --json and summary.json has at most 6 significant digits
    for text in (out, Path("r/summary.json").read_text()):
        floats = re.findall(r"(?<![\w.])-?\d+\.\d+(?:e-?\d+)?", text)
        assert floats
        for f in floats:
            mantissa = f.split("e")[0].rstrip("0").rstrip(".")  # "131657.0" is 6 digits
            digits = re.sub(r"[-.]", "", mantissa).lstrip("0")
            assert len(digits) <= 6, f
    assert json.loads(out)["cost_per_dwelling_eur"] > 0


BAD_SETS = [
    (["parameters.g_police"], "expected KEY=VALUE"),
    (["colour=red"], "unknown setting 'colour'"),
    (["parameters.g_polce=0.7"], "unknown parameter 'g_polce' (did you mean 'g_police'?)"),
    (["parameters.g_police=70"], "parameters.g_police: must be in ["),
    (["parameters.g_police=high"], "must be a number (got 'high')"),
    (["levers.cctv.camera=12"], "strategy.levers.cctv.camera: unknown field 'camera' (did you mean 'cameras'?)"),
    (["levers.cctv.cameras=-3"], "strategy.levers.cctv.cameras: must be >= 0 (got -3)"),
    (["levers.drones.count=2"], "unknown lever 'drones'"),
    (["organisation=chaotic"], "strategy.organisation: must be one of"),
    (["context.estate.dwellings=five"], "context.estate.dwellings: must be an integer"),
]


@pytest.mark.parametrize("sets, message", BAD_SETS, ids=[b[0][0] for b in BAD_SETS])
def test_a_bad_set_value_exits_2_with_one_line_naming_it(sets, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = [a for s in sets for a in ("--set", s)]
    code, out, err = run_cli(monkeypatch, capsys, "run", "--years", "0.01", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --set {sets[0]}") and message in lines[0], err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_sweep_set_fixes_a_value_at_every_point_and_ui_set_checks_its_keys(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text(yaml.safe_dump({**SMALL, "replicates": 1, "years": 0.02}))
    code, out, err = run_cli(monkeypatch, capsys, "sweep", "e.yaml", "--out", "s", "--workers", "1",
                             "--set", "parameters.g_police=0.7")
    assert code == 0, err
    manifest = json.loads(Path("s/manifest.json").read_text())
    assert manifest["spec"]["fixed"] == {"parameters.g_police": 0.7}
    runs = experiments.load("s")
    assert set(runs["parameters.g_police"]) == {0.7} and len(runs) == 2
    code, _, err = run_cli(monkeypatch, capsys, "sweep", "e.yaml", "--out", "t", "--set",
                           "levers.cctv.cameras=-1")
    assert code == 2 and "--set levers.cctv.cameras=-1" in err and not Path("t").exists()
    code, _, err = run_cli(monkeypatch, capsys, "ui", "--set", "levers.cctv.cameras=3")
    assert code == 2 and "the page sets levers" in err


def test_ui_set_reaches_every_run_of_the_page(monkeypatch):
    from tranqsim import overrides
    from tranqsim.ui import session

    seen = []
    monkeypatch.setenv(overrides.UI_ENV, json.dumps(["parameters.g_police=0.7"]))
    monkeypatch.setattr(session, "build_model", lambda sc, **kw: seen.append(sc))
    session.build(session.Choice())
    assert seen[0].parameters == {"g_police": 0.7}


# ------------------------------------------------------------------ seeds
def test_replicate_seeds_are_small_distinct_integers_shared_by_every_point():
    from tranqsim.experiments.design import replicate_seed

    exp = Experiment.model_validate({**SMALL, "replicates": 50, "seed": 7})
    jobs = experiments.jobs(exp)
    seeds = {}
    for j in jobs:
        seeds.setdefault(j["replicate"], set()).add(j["seed"])
    assert all(len(s) == 1 for s in seeds.values())  # common random numbers
    flat = [next(iter(s)) for _, s in sorted(seeds.items())]
    assert len(set(flat)) == 50 and max(flat) < 10**6
    assert flat[:2] == [replicate_seed(7, 0), replicate_seed(7, 1)] == [70000, 70001]
    # two master seeds never share a replicate seed
    assert not {replicate_seed(1, k) for k in range(10_000)} & {replicate_seed(2, k) for k in range(10_000)}


# ------------------------------------------------------------------ compare
def test_compare_writes_to_its_own_folder_never_into_the_store(sweep, monkeypatch, capsys):
    before = sorted(p.relative_to(sweep) for p in sweep.rglob("*"))
    code, out, err = run_cli(monkeypatch, capsys, "compare", sweep)  # the default baseline
    assert code == 0, err
    analysis = sweep / "analysis"
    assert sorted(p.name for p in analysis.iterdir()) == ["compare.csv", "compare.md", "uncertainty.csv",
                                                          "uncertainty.md"]
    after = sorted(p.relative_to(sweep) for p in sweep.rglob("*") if "analysis" not in p.parts)
    assert after == before  # the store itself untouched
    assert "proximity_management" in (analysis / "compare.md").read_text()
    code, _, err = run_cli(monkeypatch, capsys, "compare", sweep, "--out", sweep)
    assert code == 2 and "the sweep's own folder" in err


def test_compare_strategies_is_compare_without_a_folder_with_a_deprecation_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["--context", "calm_neighbourhood", "--strategies", "withdrawal", "--replicates", "3",
            "--years", "0.05", "--workers", "1"]
    code, out, err = run_cli(monkeypatch, capsys, "compare-strategies", *args)
    assert code == 0, err
    assert "deprecated" in err and "tranqsim compare" in err
    table = Path("runs/comparison/analysis/compare.csv").read_text()
    assert "withdrawal" in table and "proximity_management" in table  # the default baseline added
    first = Path("runs/comparison/analysis/compare.md").read_text()
    code, out, err = run_cli(monkeypatch, capsys, "compare", *args)
    assert code == 0 and "deprecated" not in err
    assert Path("runs/comparison/analysis/compare.md").read_text() == first  # same runs, same table


# ------------------------------------------------------------------ report progress
def test_report_tells_each_stage_on_one_line_when_not_on_a_terminal(sweep, tmp_path):
    r = _proc("report", sweep, "--out", tmp_path / "r.html", "--workers", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    stages = [line for line in r.stderr.splitlines() if line.startswith("report: ")]
    assert len(stages) >= 4 and any("re-simulating" in s for s in stages)
    assert "\r" not in r.stderr  # no progress bar redrawn into a log file
