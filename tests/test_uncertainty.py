"""Uncertainty carried through (issue 19, item 1): the ensemble file, parameter sets crossed with
common seeds in sweeps, and the probabilities and regret computed from a sweep.

The ensembles built here are TEST FIXTURES drawn from the parameter table's ranges
(``ensemble.draw_from_ranges``, marked ``calibrated: false``), never the calibrated ensemble."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tranqsim import ensemble, experiments
from tranqsim.experiments import design, uncertainty
from tranqsim.loading import ScenarioError
from tranqsim.params import PARAMS

RANGES = {"g_police": (0.3, 1.5), "fear_base": (-2.4, -0.4)}


def _fixture(tmp_path, n=3, name="ens.json"):
    ens = ensemble.draw_from_ranges(list(RANGES), n, seed=5, ranges=RANGES)
    return ensemble.save(ens, tmp_path / name)


def _exp(tmp_path, **kw):
    spec = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
            "replicates": 2, "years": 0.05, "seed": 3,
            "metrics": ["tranquillity_index", "insecurity_share", "cost_per_dwelling_eur"], **kw}
    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump(spec))
    return p


# ------------------------------------------------------------------ the ensemble file
def test_an_ensemble_drawn_from_ranges_stays_within_them_and_says_it_is_not_calibrated(tmp_path):
    ens = ensemble.load(_fixture(tmp_path, n=5))
    assert len(ens.sets) == 5 and not ens.calibrated
    for vals in ens.sets.values():
        for name, (lo, hi) in RANGES.items():
            assert lo <= vals[name] <= hi
    assert "NOT calibrated" in ens.note()


def test_json_and_parquet_ensembles_hold_the_same_sets(tmp_path):
    ens = ensemble.load(_fixture(tmp_path))
    pq = ensemble.save(ens, tmp_path / "ens.parquet")
    back = ensemble.load(pq)
    assert back.sets == ens.sets and back.provenance == ens.provenance


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["sets"][1]["values"].update(g_police=99.0), "sets[1].values.g_police"),
    (lambda d: d["sets"][0]["values"].update(no_such_param=1.0), "sets[0].values.no_such_param"),
    (lambda d: d["sets"].append(dict(d["sets"][0])), "sets[3].id"),
    (lambda d: d["provenance"].pop("calibrated"), "provenance.calibrated"),
    (lambda d: d.update(format="other"), "format"),
])
def test_a_bad_ensemble_file_is_refused_naming_the_field(tmp_path, mutate, field):
    data = json.loads(_fixture(tmp_path).read_text())
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ScenarioError, match=rf"{bad}: {field.replace('[', r'\[').replace(']', r'\]')}"):
        ensemble.load(bad)


def test_an_uncalibrated_ensemble_is_never_shipped(tmp_path):
    ens = ensemble.draw_from_ranges(["g_police"], 3, seed=1)
    with pytest.raises(ScenarioError, match="only a calibrated ensemble is shipped"):
        ensemble.save(ens, ensemble.SHIPPED)
    assert not ensemble.SHIPPED.exists() or ensemble.load(ensemble.SHIPPED).calibrated


def test_without_a_shipped_ensemble_shipped_means_the_central_set_and_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv(ensemble.ENV, raising=False)
    monkeypatch.setattr(ensemble, "SHIPPED", tmp_path / "absent.json")
    ens = ensemble.resolve("shipped")
    assert list(ens.sets) == [ensemble.CENTRAL] and ens.sets[ensemble.CENTRAL] == {}
    assert ens.note() == ensemble.NO_ENSEMBLE
    exp = experiments.load_experiment(_exp(tmp_path))
    assert exp.parameter_sets.note == ensemble.NO_ENSEMBLE
    assert {p["parameter_set"] for p in design.design_points(exp)} == {ensemble.CENTRAL}


# ------------------------------------------------------------------ crossing with the design
def test_a_prefix_of_an_ensemble_and_the_environment_variable_choose_the_sets(monkeypatch, tmp_path):
    """``REF:K`` keeps the first K sets (a fixed subsample); ``TRANQSIM_ENSEMBLE`` replaces
    ``shipped`` and the note says so; ``none`` and explicit paths are not replaced."""
    ens = ensemble.draw_from_ranges(["g_police", "g_caretaker"], 8, seed=3)
    path = ensemble.save(ens, tmp_path / "e.json")
    three = ensemble.resolve(f"{path}:3")
    assert list(three.sets) == list(ens.sets)[:3]
    assert "the first 3 of 8 sets" in three.note()
    assert list(ensemble.resolve(f"{path}:20").sets) == list(ens.sets)  # more than there are: all
    with pytest.raises(ensemble.ScenarioError):
        ensemble.resolve(f"{path}:0")
    monkeypatch.setenv(ensemble.ENV, f"{path}:2")
    replaced = ensemble.resolve("shipped")
    assert list(replaced.sets) == list(ens.sets)[:2] and ensemble.ENV in replaced.note()
    assert list(ensemble.resolve(str(path)).sets) == list(ens.sets)  # an explicit path stays
    assert list(ensemble.resolve("shipped:1").sets) == list(ens.sets)[:1]  # shipped:K too is replaced
    monkeypatch.setenv(ensemble.ENV, "none")
    assert list(ensemble.resolve(None).sets) == [ensemble.CENTRAL]
    assert ensemble.ENV in ensemble.resolve("shipped").note()
    assert list(ensemble.resolve("shipped:10").sets) == [ensemble.CENTRAL]  # experiments' shipped:10
    assert "TRANQSIM" not in ensemble.resolve("none").note()


def test_every_strategy_runs_on_every_set_with_the_same_seeds(tmp_path):
    _fixture(tmp_path, n=3)
    exp = experiments.load_experiment(_exp(tmp_path, ensemble="ens.json"))
    js = experiments.jobs(exp)
    assert len(js) == 2 * 3 * 2  # strategies x sets x replicates
    seeds = {}
    for j in js:
        seeds.setdefault(j["replicate"], set()).add(j["seed"])
    assert all(len(s) == 1 for s in seeds.values())  # replicate k: one seed for all sets and strategies
    assert len({j["run_id"] for j in js}) == len(js)
    sets = ensemble.load(tmp_path / "ens.json").sets
    for j in js:
        vals = sets[j["point"]["parameter_set"]]
        assert all(j["point"][f"parameters.{n}"] == v for n, v in vals.items())
    assert experiments.runner.planned_runs(exp) == len(js)


def test_a_factor_on_a_parameter_of_the_ensemble_wins_and_the_note_says_so(tmp_path):
    _fixture(tmp_path)
    exp = experiments.load_experiment(_exp(tmp_path, ensemble="ens.json", design="grid",
                                           factors={"parameters.g_police": {"values": [0.2, 0.4]}}))
    pts = design.design_points(exp)
    assert {p["parameters.g_police"] for p in pts} == {0.2, 0.4}
    assert "values replace the sets' values of g_police" in exp.parameter_sets.note


def test_sobol_designs_refuse_an_ensemble(tmp_path):
    _fixture(tmp_path)
    with pytest.raises(ScenarioError, match="ensemble: none"):
        experiments.load_experiment(_exp(tmp_path, ensemble="ens.json", design="sobol", samples=4,
                                         factors={"parameters.g_police": {"low": 0.3, "high": 1.0}}))


def test_the_shipped_experiment_files_resolve(tmp_path):
    root = Path(__file__).parents[1] / "experiments"
    for f in sorted(root.glob("*.yaml")):
        exp = experiments.load_experiment(f)
        assert exp.parameter_sets is not None and exp.parameter_sets.sets, f


# ------------------------------------------------------------------ a sweep over an ensemble
@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ens_sweep")
    _fixture(tmp, n=3)
    exp = experiments.load_experiment(_exp(tmp, ensemble="ens.json", metrics=[
        "tranquillity_index", "insecurity_share", "cost_per_dwelling_eur", "cost_by_lever_eur"], variants={
        "plus_mediation": {"of": "proximity_management", "levers": {"dispute_mediation": {}}}}))
    experiments.run(exp, tmp / "out", workers=1)
    return tmp / "out"


def test_the_store_records_the_parameter_set_of_every_run(swept):
    df = experiments.load(swept)
    assert len(df) == 3 * 3 * 2
    assert df.groupby("strategy")["parameter_set"].nunique().eq(3).all()
    # the variant ran its base strategy plus its lever: it pays for dispute mediation
    var = df[df["strategy"] == "plus_mediation"]
    assert (var["cost_by_lever_eur.dispute_mediation"] > 0).all()
    assert df.loc[df["strategy"] == "proximity_management", "cost_by_lever_eur.dispute_mediation"].isna().all()


def test_compare_pairs_runs_within_set_and_seed(swept):
    from tranqsim.experiments import compare

    table = compare.compare(experiments.load(swept), "proximity_management")
    assert (table["n_pairs"] == 3 * 2).all()


def test_probabilities_and_regret_from_a_sweep_are_coherent(swept):
    table, md = uncertainty.from_sweep(swept, "proximity_management")
    assert "NOT calibrated" in md
    for (_, metric), grp in table.groupby(["context", "metric"]):
        assert grp["p_best"].sum() == pytest.approx(1.0)
        assert grp["p_best_sets"].sum() == pytest.approx(1.0)
        assert (grp["expected_regret"] >= 0).all() and grp["expected_regret"].min() == 0
        others = grp[grp["strategy"] != "proximity_management"]
        assert others["p_beats_baseline"].between(0, 1).all()
        assert (grp["n_sets"] == 3).all() and (grp["n_seeds"] == 2).all()
    # withdrawal costs the landlord less than close management in every draw
    cost = table[(table["metric"] == "cost_per_dwelling_eur") & (table["strategy"] == "withdrawal")].iloc[0]
    assert cost["p_beats_baseline"] == 1.0 and cost["p_best"] == 1.0


# ------------------------------------------------------------------ the statistics, on known numbers
def _synthetic():
    """Two strategies over 2 sets x 3 seeds; B beats A by +2 in set s1 and loses by 1 in s2,
    with seed noise that is the same for both (common random numbers)."""
    rows = []
    noise = [0.0, 0.5, -0.5]
    for ps, (a, b) in {"s1": (50.0, 52.0), "s2": (60.0, 59.0)}.items():
        for k, e in enumerate(noise):
            rows += [{"context": "c", "strategy": "A", "parameter_set": ps, "replicate": k,
                      "tranquillity_index": a + e},
                     {"context": "c", "strategy": "B", "parameter_set": ps, "replicate": k,
                      "tranquillity_index": b + e}]
    return pd.DataFrame(rows)


def test_probabilities_and_regret_match_a_hand_computation():
    t = uncertainty.summarise(_synthetic(), "A", ["tranquillity_index"], note="two sets").set_index("strategy")
    b = t.loc["B"]
    assert b["difference"] == pytest.approx(0.5)
    assert b["p_beats_baseline"] == pytest.approx(0.5)  # 3 draws of 6 better
    assert b["p_beats_baseline_sets"] == pytest.approx(0.5)
    assert b["p_best"] == pytest.approx(0.5) and t.loc["A", "p_best"] == pytest.approx(0.5)
    assert b["expected_regret"] == pytest.approx(0.5)  # (0 in s1 + 1 in s2) / 2
    assert t.loc["A", "expected_regret"] == pytest.approx(1.0)  # (2 + 0) / 2
    # common noise cancels in the difference: no seed spread in it, all of it across sets
    assert b["diff_seed_sd"] == pytest.approx(0.0)
    assert b["diff_set_sd"] == pytest.approx(np.std([2.0, -1.0], ddof=1))
    assert t.loc["A", "seed_sd"] == pytest.approx(0.5)


def test_lower_is_better_metrics_are_counted_the_right_way_round():
    df = _synthetic().rename(columns={"tranquillity_index": "insecurity_share"})
    t = uncertainty.summarise(df, "A", ["insecurity_share"]).set_index("strategy")
    assert t.loc["B", "expected_regret"] == pytest.approx(1.0)  # B is higher (worse) in s1 by 2
    assert t.loc["A", "expected_regret"] == pytest.approx(0.5)


def test_a_single_parameter_set_is_reported_as_seed_noise_only():
    df = _synthetic()
    df = df[df["parameter_set"] == "s1"].drop(columns="parameter_set")
    t = uncertainty.summarise(df, "A", ["tranquillity_index"])
    md = uncertainty.to_markdown(t)
    assert ensemble.NO_ENSEMBLE in md and "seed noise only" in md
    assert t["set_sd"].isna().all()


def test_compare_cli_helper_reads_a_sweep(swept, tmp_path):
    exe = Path(sys.executable).with_name("tranqsim")
    r = subprocess.run([str(exe), "compare", str(swept), "--baseline", "proximity_management",
                        "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    md = uncertainty.compare_section(swept, "proximity_management", ["tranquillity_index", "days"], tmp_path)
    assert (tmp_path / "uncertainty.csv").exists() and (tmp_path / "uncertainty.md").exists()
    assert "no probabilities for days" in md and "Which parameters flip the ranking" in md
    assert set(PARAMS) >= set(RANGES)


def test_a_parameter_that_decides_the_winner_is_found_with_its_threshold():
    """Five sets; B wins where g_police > 0.6, A elsewhere; fear_base says nothing."""
    rows = []
    for i, (g, f) in enumerate([(0.2, -1.0), (0.4, -2.0), (0.5, -1.5), (0.7, -1.2), (0.9, -1.8)]):
        for k in range(2):
            for s, v in (("A", 50.0), ("B", 49.0 if g < 0.6 else 51.0)):
                rows.append({"context": "c", "strategy": s, "parameter_set": f"p{i}", "replicate": k,
                             "parameters.g_police": g, "parameters.fear_base": f, "tranquillity_index": v})
    flips = uncertainty.ranking_flips(pd.DataFrame(rows))
    top = flips.iloc[0]
    assert top["parameter"] == "g_police" and top["threshold"] == pytest.approx(0.6)
    assert (top["below_best"], top["above_best"]) == ("A", "B") and top["explained"] == 1.0
    fear = flips[flips["parameter"] == "fear_base"]
    assert fear.empty or fear["explained"].iloc[0] < 1.0


def test_runs_on_the_central_set_keep_the_ids_they_had_before_sets(tmp_path, monkeypatch):
    monkeypatch.setattr(ensemble, "SHIPPED", tmp_path / "absent.json")
    path = _exp(tmp_path)
    resolved = experiments.load_experiment(path)
    legacy = experiments.Experiment.model_validate(yaml.safe_load(path.read_text()))
    assert legacy.parameter_sets is None
    assert [j["run_id"] for j in experiments.jobs(resolved)] == [j["run_id"] for j in experiments.jobs(legacy)]
    assert all(j["point"]["parameter_set"] == ensemble.CENTRAL for j in experiments.jobs(resolved))


@pytest.mark.parametrize("extra, message", [
    ({"ensemble": "nothere.json"}, "ensemble: nothere.json: no such ensemble file"),
    ({"variants": {"x": {"of": "withdrawal", "levers": {"cctv": {"cameras": -3}}}}},
     "variants.x: .*cameras: must be >= 0"),
    ({"variants": {"x": {"of": "social_prevention", "levers": {"cctv": {"cameras": 3}}}}},
     "must be listed in strategies"),
    ({"variants": {"x": {"of": "withdrawal", "levers": {"no_lever": {}}}}}, "unknown lever 'no_lever'"),
])
def test_a_bad_ensemble_or_variant_is_refused_with_one_line_and_nothing_written(tmp_path, extra, message):
    path = _exp(tmp_path, **extra)
    exe = Path(sys.executable).with_name("tranqsim")
    r = subprocess.run([str(exe), "sweep", str(path), "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    import re

    assert re.search(message, r.stderr), r.stderr
    assert not (tmp_path / "out").exists()
