"""Analysing sweeps (issue 3, part 3): paired comparisons and sensitivity indices."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tranqsim import experiments
from tranqsim.experiments import compare as cmp
from tranqsim.experiments.sensitivity import indices
from tranqsim.experiments.spec import Experiment

SPEC = {"contexts": ["calm_neighbourhood"], "strategies": ["proximity_management", "withdrawal", "global_approach"],
        "design": "strategies", "replicates": 5, "years": 0.1, "seed": 11,
        "metrics": ["tranquillity_index", "insecurity_share", "cost_per_dwelling_eur"]}


def _cli(*args):
    exe = Path(sys.executable).with_name("tranqsim")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "sweep"
    experiments.run(Experiment.model_validate(SPEC), out, workers=2)
    return out


def test_paired_interval_covers_a_known_effect_and_excludes_zero():
    rng = np.random.default_rng(1)
    d = 1.0 + rng.normal(0, 1, 40)
    lo, hi = cmp.paired_interval(d)
    assert lo < 1.0 < hi and lo > 0
    lo0, hi0 = cmp.paired_interval(rng.normal(0, 1, 40))
    assert lo0 < 0 < hi0
    assert cmp.paired_interval(np.full(5, 2.0)) == (2.0, 2.0)
    assert all(np.isnan(cmp.paired_interval(np.array([1.0, 2.0]))))


def test_compare_cli_writes_the_table_and_its_numbers_match_the_runs(sweep, tmp_path):
    r = _cli("compare", sweep, "--baseline", "proximity_management", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "withdrawal" in r.stdout and "[95% CI]" in r.stdout
    table = pd.read_csv(tmp_path / "compare.csv")
    assert (tmp_path / "compare.md").read_text().startswith("## context = calm_neighbourhood")
    assert set(table["strategy"]) == {"withdrawal", "global_approach"}
    runs = experiments.load(sweep)
    for row in table.itertuples():
        a = runs[runs.strategy == "proximity_management"].set_index("replicate")[row.metric]
        b = runs[runs.strategy == row.strategy].set_index("replicate")[row.metric]
        d = (b - a.loc[b.index]).to_numpy()
        assert row.n_pairs == 5
        assert row.difference == pytest.approx(d.mean())
        assert row.ci_low <= row.difference <= row.ci_high
        assert row.significant == (row.ci_low > 0 or row.ci_high < 0)
    # withdrawal removes the caretakers: cost falls in every replicate
    cost = table[(table.strategy == "withdrawal") & (table.metric == "cost_per_dwelling_eur")].iloc[0]
    assert cost.ci_high < 0 and cost.significant


def test_compare_refuses_an_unknown_baseline_or_metric(sweep):
    r = _cli("compare", sweep, "--baseline", "nope")
    assert r.returncode == 2 and "baseline 'nope'" in r.stderr and "Traceback" not in r.stderr
    r = _cli("compare", sweep, "--baseline", "withdrawal", "--metric", "happiness")
    assert r.returncode == 2 and "happiness" in r.stderr
    r = _cli("compare", sweep.parent, "--baseline", "withdrawal")
    assert r.returncode == 2 and "not a sweep folder" in r.stderr


def test_morris_indices_single_out_the_factor_that_matters(tmp_path):
    """A cost parameter cannot move the tranquillity index: with common random numbers its
    elementary effects are exactly zero, while the police deterrence weight's are not."""
    spec = {"contexts": ["priority_estate"], "strategies": ["partnership_zsp"], "design": "morris",
            "samples": 3, "replicates": 1, "years": 0.15, "seed": 5,
            "factors": {"parameters.cost_caretaker_post": {"low": 28000, "high": 50000},
                        "parameters.report_base": {"low": 0.25, "high": 0.7}}}
    out = tmp_path / "morris"
    experiments.run(Experiment.model_validate(spec), out, workers=2)
    t = indices(out, ["tranquillity_index", "cost_per_dwelling_eur"]).set_index(["metric", "factor"])
    assert t.loc[("tranquillity_index", "parameters.cost_caretaker_post"), "mu_star"] == 0
    assert t.loc[("tranquillity_index", "parameters.report_base"), "mu_star"] > 0
    assert t.loc[("cost_per_dwelling_eur", "parameters.cost_caretaker_post"), "mu_star"] > 0
    r = _cli("sensitivity", out)
    assert r.returncode == 0, r.stderr
    assert "mu*" in r.stdout
    png = out / "analysis" / "sensitivity.png"  # its own folder, not the store's
    assert png.stat().st_size > 5000


def test_sensitivity_needs_a_complete_morris_or_sobol_sweep(sweep, tmp_path):
    r = _cli("sensitivity", sweep)
    assert r.returncode == 2 and "morris or sobol" in r.stderr
