"""The cursor map (issue 19, item 4): its design spans the shipped contexts, it resumes after an
interruption, it writes a table and a figure a strategist can read, and its PRIM rules are honest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tranqsim.experiments import cursor as cm
from tranqsim.experiments import discovery, own_pool, runner

from conftest import run_cli

TINY = {"levels": 2, "years": 0.25}


def test_the_axes_span_the_shipped_contexts_from_calm_to_zsp():
    span = cm.spans()
    assert span["offenders.pressure"] == (0.45, 1.4)  # calm neighbourhood .. ZSP estate
    assert span["offenders.dealing_points"] == (0.0, 4.0)  # calm .. large estate
    levels = cm.axis_levels("dealing", 5, span)
    assert [x["offenders.dealing_points"] for x in levels] == [0, 1, 2, 3, 4]
    # the demand sustains at least the points there are (re-emergence after a dismantling)
    assert all(x["offenders.dealing_capacity"] >= x["offenders.dealing_points"] for x in levels)


def test_quick_design_has_cells_times_strategies_times_sets_times_seeds(tmp_path):
    d = cm.Design.quick(ensemble="none")
    mapping = cm.write_contexts(d, tmp_path)
    assert len(mapping) == 9 and len(list((tmp_path / "contexts").glob("*.yaml"))) == 9
    jobs = [j for cell in mapping.values() for j in runner.jobs(cm.experiment(d, cell))]
    assert len(jobs) == cm.planned(d) == 9 * 3 * 1 * 2
    # common random numbers: the same two seeds in every cell and strategy
    assert {j["seed"] for j in jobs} == {runner.replicate_seed(d.seed, k) for k in range(2)}
    from tranqsim.loading import load_context

    assert len({j["run_id"] for j in jobs}) == len(jobs)  # every cell's values are in its run ids
    ctx, _ = load_context(next((tmp_path / "contexts").glob("*.yaml")))  # a cell is an ordinary context file
    assert ctx.estate.dwellings == 1500  # the base's (priority estate) other fields are kept


def test_bad_axes_are_one_clear_error(monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(monkeypatch, capsys, "cursor", "--out", tmp_path / "x", "--axes", "pressure,weather")
    assert code == 2 and "unknown axis 'weather'" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
    code, _, err = run_cli(monkeypatch, capsys, "cursor", "--out", tmp_path / "x", "--base", "atlantis")
    assert code == 2 and "atlantis" in err and not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def quick_map(tmp_path_factory):
    out = tmp_path_factory.mktemp("cursor")
    rep, res = cm.run(cm.Design.quick(ensemble="none", **TINY), out, workers=1)
    return out, rep, res


def test_the_map_writes_a_table_figures_in_two_languages_and_rules(quick_map):
    out, rep, res = quick_map
    assert rep.failed == 0 and rep.done == 4 * 3 * 2
    table = pd.read_parquet(out / "cursor_map.parquet")
    assert len(table) == 4 and set(table["best"]) <= set(cm.QUICK_STRATEGIES)
    assert table["p_best"].between(0, 1).all() and (table["expected_regret"] >= 0).all()
    # the best strategy's probability is at least its rivals' share of a tie
    assert (table["p_best"] >= 1 / 3 - 1e-9).all()
    per = pd.read_parquet(out / "cursor_strategies.parquet")
    assert len(per) == 4 * 3
    for lang in ("en", "fr"):
        png = out / f"cursor_map_{lang}.png"
        assert png.stat().st_size > 10_000
    md = (out / "cursor.md").read_text()
    assert "central parameter set only" in md  # the note says what the probabilities cover
    assert (out / "rules.md").is_file() and (out / "rules.csv").is_file()


def test_the_map_resumes_after_an_interruption(tmp_path, monkeypatch):
    d = cm.Design.quick(ensemble="none", **TINY)
    calls = {"n": 0}
    real = runner.run_job

    def interrupted(job):
        calls["n"] += 1
        if calls["n"] > 21:
            raise KeyboardInterrupt  # as Ctrl-C would, mid-sweep
        return real(job)

    monkeypatch.setattr(runner, "run_job", interrupted)
    rep, res = cm.run(d, tmp_path, workers=1)
    assert rep.interrupted and res is None and rep.done == 21
    monkeypatch.setattr(runner, "run_job", real)
    rep, res = cm.run(d, tmp_path, workers=1)
    assert not rep.interrupted and rep.skipped == 21 and rep.done == 3 and res is not None
    assert len(res.table) == 4


def _synthetic(best_of) -> tuple[pd.DataFrame, cm.Design, dict]:
    """Runs on a 5 x 5 map where ``best_of(pressure, dealing)`` names the winning strategy."""
    d = cm.Design(levels=5, strategies=("withdrawal", "proximity_management"), ensemble="none")
    mapping, rows = {}, []
    for i, p in enumerate(np.linspace(0.45, 1.4, 5)):
        for j, q in enumerate(range(5)):
            ctx = f"cell_{i}_{j}.yaml"
            mapping[ctx] = {"i": i, "j": j, "pressure": float(p), "dealing": float(q)}
            for s in d.strategies:
                for k in range(2):
                    ti = 60.0 + (1.0 if s == best_of(p, q) else 0.0) + 0.1 * k
                    rows.append({"context": ctx, "strategy": s, "replicate": k, "parameter_set": "central",
                                 "tranquillity_index": ti})
    return pd.DataFrame(rows), d, mapping


def test_prim_finds_the_boundary_where_there_is_one():
    runs, d, mapping = _synthetic(lambda p, q: "withdrawal" if p > 1.0 else "proximity_management")
    rules = discovery.discover(runs, d, mapping)
    found = {r["strategy"]: r for r in rules.rules}
    assert "withdrawal" in found and "pressure >=" in found["withdrawal"]["rule"]
    assert "dealing" not in found["withdrawal"]["rule"]  # the axis that does not matter stays out
    assert found["withdrawal"]["density"] >= discovery.MIN_DENSITY


def test_a_budget_leaves_dearer_strategies_out_of_each_cells_choice():
    """--budget: a strategy dearer than the budget in a cell cannot be best there; the status quo
    always stays (the pairing); the same runs without a budget keep every strategy."""
    runs, d, mapping = _synthetic(lambda p, q: "withdrawal")
    # withdrawal wins everywhere on the index, but costs 900 EUR/dwelling in the high-pressure
    # cells and 300 elsewhere; the status quo costs 600 everywhere
    runs["cost_per_dwelling_eur"] = 600.0
    runs["public_cost_per_dwelling_eur"] = 0.0
    dear = runs["strategy"].eq("withdrawal") & runs["context"].map(lambda c: mapping[c]["pressure"] > 1.0)
    runs.loc[dear, "cost_per_dwelling_eur"] = 900.0
    runs.loc[runs["strategy"].eq("withdrawal") & ~dear, "cost_per_dwelling_eur"] = 300.0
    free, _ = cm.analyse(runs, d, mapping)
    assert set(free["best"]) == {"withdrawal"}
    capped = cm.affordable(runs, 700.0)
    table, _ = cm.analyse(capped, d, mapping)
    best = dict(zip(table["context"], table["best"]))
    for ctx, m in mapping.items():
        assert best[ctx] == ("proximity_management" if m["pressure"] > 1.0 else "withdrawal"), ctx
    # a budget under the status quo's own cost keeps the status quo (and nothing dearer)
    assert set(cm.affordable(runs, 100.0)["strategy"]) == {"proximity_management"}
    with pytest.raises(Exception, match="--budget"):
        cm.check_design(cm.Design(budget=-5.0))


def test_prim_says_plainly_when_one_strategy_wins_everywhere():
    runs, d, mapping = _synthetic(lambda p, q: "proximity_management")
    rules = discovery.discover(runs, d, mapping)
    assert rules.rules == [] and "best strategy in every case" in rules.message
    assert "No rule found" in rules.markdown()


def test_prim_refuses_too_few_cases():
    runs, d, mapping = _synthetic(lambda p, q: "withdrawal" if p > 1.0 else "proximity_management")
    keep = list(mapping)[:3] + list(mapping)[-3:]  # both winners, six cases
    rules = discovery.discover(runs[runs["context"].isin(keep)], d, {k: mapping[k] for k in keep})
    assert rules.rules == [] and "only 6 cases" in rules.message


def test_prim_reads_every_cell_of_a_map_that_a_budget_trims():
    """Under a budget a cell holds only the strategies it can afford: its cases count, with the
    best among those (as on the map), instead of vanishing from the rules."""
    from dataclasses import replace

    from tranqsim.experiments import cursor as cm2

    runs, d, mapping = _synthetic(lambda p, q: "withdrawal" if p > 1.0 else "proximity_management")
    dear = runs["context"].map(lambda c: mapping[c]["pressure"] > 1.0) & (runs["strategy"] == "withdrawal")
    runs = runs.assign(cost_per_dwelling_eur=np.where(dear, 2000.0, 500.0))
    rules = discovery.discover(cm2.affordable(runs, 1000.0), replace(d, budget=1000.0), mapping)
    assert rules.n_cases == 25 and rules.winners == {"proximity_management": 1.0}
    # with no budget, a run missing (unfinished) still leaves its case out
    gone = (runs["context"] == "cell_0_0.yaml") & (runs["strategy"] == "withdrawal")
    assert discovery.discover(runs[~gone], d, mapping).n_cases == 24


def test_prim_draws_no_box_around_a_handful_of_cases():
    runs, d, mapping = _synthetic(lambda p, q: "withdrawal" if p > 1.3 and q >= 2 else "proximity_management")
    rules = discovery.discover(runs, d, mapping)  # withdrawal best in 3 of 25 cases
    assert "withdrawal" not in {r["strategy"] for r in rules.rules}
    assert "too few cases for a rule" in rules.message and "withdrawal (3)" in rules.message
    assert "withdrawal (3)" in rules.markdown()


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    from tranqsim import experiments
    from tranqsim.experiments.spec import Experiment

    root = tmp_path_factory.mktemp("answer")
    exp = Experiment.model_validate({"contexts": ["priority_estate"], "design": "strategies", "replicates": 2,
                                     "years": 0.3, "seed": 5,
                                     "strategies": ["withdrawal", "proximity_management", "heavy_security"]})
    experiments.run(exp, root / "sweep", workers=1)
    return root


def test_the_answer_leads_the_report_in_english_and_french(small_sweep, quick_map):
    from tranqsim import experiments
    from tranqsim.report import build_report
    from tranqsim.report.answer import recommend

    runs = experiments.load(small_sweep / "sweep")
    costs = runs.groupby("strategy")["cost_per_dwelling_eur"].mean()
    budget = float(costs.sort_values().iloc[1]) + 1.0  # the two cheapest fit, the dearest does not
    rec = recommend(runs, budget)
    assert rec["fits"] and rec["cost"] <= budget and 0 < rec["p_best"] <= 1
    assert rec["strategy"] != costs.idxmax()
    for lang, head, first_table in (("en", "## The answer", "## How to read"), ("fr", "## La réponse", "## Comment lire")):
        out = small_sweep / f"report_{lang}.html"
        build_report(small_sweep / "sweep", out, lang=lang, series_replicates=1, workers=1, budget=budget,
                     cursor=quick_map[0])
        md = out.with_suffix(".md").read_text()
        assert head in md and md.index(head) < md.index(first_table)  # the answer before the tables
        assert ("cursor_map.png" in md) and (out.parent / f"report_{lang}_figures" / "cursor_map.png").is_file()
        assert ("central parameter set only" in md) if lang == "en" else ("seul jeu de paramètres central" in md)
        assert ("not tested against parameter uncertainty" in md) if lang == "en" else ("non testé" in md)


def test_a_folder_that_is_not_a_cursor_map_is_refused_before_any_work(small_sweep, monkeypatch, capsys):
    code, _, err = run_cli(monkeypatch, capsys, "report", small_sweep / "sweep", "--out",
                           small_sweep / "r.html", "--cursor", small_sweep)
    assert code == 2 and "not a cursor map folder" in err and not (small_sweep / "r.html").exists()


def test_the_map_carries_parameter_uncertainty_over_an_ensemble(tmp_path):
    from tranqsim import ensemble

    ens = ensemble.draw_from_ranges(["disorder_contagion", "attractiveness_gain"], 4, seed=3)
    path = ensemble.save(ens, tmp_path / "ens.json")
    d = cm.Design.quick(ensemble=str(path), seeds=1, **TINY)
    rep, res = cm.run(d, tmp_path / "map", workers=1)
    assert rep.done == 4 * 3 * 4 * 1 and rep.failed == 0
    assert (res.table["n_sets"] == 4).all()
    assert "NOT calibrated" in res.note  # prior draws are said to be prior draws
    # with one seed per set, the probability over draws is the probability over sets
    assert np.allclose(res.table["p_best"], res.table["p_best_sets"])
    rules = (tmp_path / "map" / "rules.md").read_text()
    assert "16 cases" in rules  # 4 cells x 4 parameter sets


@pytest.mark.slow  # a LocalCluster's start-up and its workers' imports
def test_on_a_real_local_dask_cluster_the_window_follows_its_threads_and_results_equal_serial(quick_map,
                                                                                            tmp_path):
    from distributed import Client, LocalCluster

    from tranqsim import experiments

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ex = client.get_executor()
        assert own_pool.capacity(ex, fallback=64) == 2  # the cluster's threads, not --workers
        assert own_pool.Window(ex, fallback=64, every_s=0).size() == 8
        rep, res = cm.run(cm.Design.quick(ensemble="none", **TINY), tmp_path, executor=ex, workers=64)
        cluster.scale(3)  # a worker joins: the window follows it
        client.wait_for_workers(3, timeout=60)
        assert own_pool.Window(ex, fallback=64, every_s=0).size() == 12
    assert rep.done == 24 and rep.failed == 0
    def runs(folder):
        return pd.concat([experiments.load(f) for f in sorted((folder / "sweep").iterdir())])

    a, b = runs(quick_map[0]), runs(tmp_path)
    cols = ["run_id", "strategy", "tranquillity_index"]
    a, b = a[cols].sort_values("run_id").reset_index(drop=True), b[cols].sort_values("run_id").reset_index(drop=True)
    assert len(a) == 24 and a.equals(b)  # same run ids in another folder, same results


def test_what_would_change_the_recommendation_comes_from_the_parameter_that_flips_it():
    from tranqsim.report.answer import recommend

    rows = []
    for k, x in enumerate(np.linspace(0.1, 0.9, 8)):  # 8 parameter sets; the winner flips at x = 0.5
        for s, ti, cost in (("withdrawal", 50.0, 300.0), ("proximity_management", 60.0, 700.0),
                            ("heavy_security", 58.0 + (3.5 if x > 0.5 else 0.0), 900.0)):
            for rep in range(2):
                rows.append({"context": "c", "strategy": s, "replicate": rep, "parameter_set": f"p{k}",
                             "parameters.g": float(x), "tranquillity_index": ti + 0.1 * rep,
                             "cost_per_dwelling_eur": cost, "public_cost_per_dwelling_eur": 100.0})
    runs = pd.DataFrame(rows)
    rec = recommend(runs)
    assert rec["strategy"] == "proximity_management" and rec["p_best"] == pytest.approx(0.5)
    assert rec["flip"]["param"] == "g" and rec["flip"]["other"] == "heavy_security" and rec["flip"]["above"]
    assert 0.4 < rec["flip"]["value"] < 0.6
    assert rec["cheaper"]["strategy"] == "withdrawal"
    # within a budget that excludes heavy security, nothing flips and the recommendation is sure
    rec = recommend(runs, budget=800.0)
    assert rec["strategy"] == "proximity_management" and rec["p_best"] == 1.0 and "flip" not in rec
    assert not recommend(runs, budget=100.0)["fits"]


@pytest.mark.slow  # two CLI processes, one killed with SIGKILL
def test_the_cli_map_resumes_after_kill_9(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    exe = Path(sys.executable).parent / "tranqsim"
    cmd = [str(exe), "cursor", "--out", str(tmp_path), "--quick", "--levels", "2", "--years", "0.25",
           "--workers", "1", "--ensemble", "none"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(tmp_path.glob("sweep/*/runs*/*.parquet"))) < 2:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)  # as the out-of-memory killer would
    proc.wait()
    assert not (tmp_path / "cursor_map.parquet").exists()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    stored = int(r.stdout.split(" already stored")[0].split(": ")[-1])
    assert stored >= 6 and "24 runs:" in r.stdout and "0 failed" in r.stdout
    assert (tmp_path / "cursor_map.parquet").is_file()


class _BreakingPool:
    """A stand-in for the map's shared spawn pool whose first run breaks it, as a worker killed
    by the out-of-memory killer would; otherwise it runs jobs in this process."""

    made = 0

    def __init__(self, workers):
        type(self).made += 1
        self._max_workers, self.broken = workers, type(self).made == 1

    def submit(self, fn, job):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        f = Future()
        if self.broken:
            f.set_exception(BrokenProcessPool("a worker died"))
        else:
            f.set_result(fn(job))
        return f

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_broken_shared_pool_finishes_the_cell_on_the_runners_own_pool(tmp_path, monkeypatch):
    import tranqsim.pools

    monkeypatch.setattr(tranqsim.pools, "spawn_pool", _BreakingPool)
    _BreakingPool.made = 0
    rep, res = cm.run(cm.Design.quick(ensemble="none", **TINY), tmp_path, workers=2)
    assert res is not None and rep.failed == 0 and rep.total == 24
    assert _BreakingPool.made == 2  # the broken one, then a fresh one for the next cells
    assert len(res.table) == 4
