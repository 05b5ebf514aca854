"""Every shipped context x strategy loads and runs; outputs have the promised shape."""

import json

import numpy as np
import pytest

import tranqsim
from tranqsim.household_view import Household
from tranqsim.loading import available
from tranqsim.actors import Caretaker, NightMediator, PoliceUnit, SecurityGuard, TranquillityOfficer
from tranqsim.offenders import DealingNetwork, YouthGroup

CONTEXTS = available("contexts")
STRATEGIES = available("strategies")

SUMMARY_KEYS = {"households", "dwellings", "places", "incidents_per_1000_dwellings", "incidents_by_type",
                "insecurity_share", "victimisation_rate", "turnover_rate", "vacancy_rate",
                "disorder_index", "satisfaction_mean", "trust_landlord_mean", "trust_police_mean",
                "reporting_rate", "staff_aggressions_per_100_staff", "cost_per_dwelling_eur",
                "cost_by_lever_eur", "places_share_for_half_incidents", "hall_status_counts",
                "tranquillity_index"}


def test_the_shipped_folders_hold_four_contexts_and_seven_strategies():
    assert CONTEXTS == ["calm_neighbourhood", "large_estate", "priority_estate", "zsp_estate"]
    assert STRATEGIES == sorted(["withdrawal", "proximity_management", "social_prevention",
                                 "situational_prevention", "partnership_zsp", "heavy_security",
                                 "global_approach"])


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_context_and_strategy_runs(context, strategy):
    sc = tranqsim.load_scenario(context=context, strategy=strategy, years=0.1)
    assert sc.context.title.fr and sc.context.title.en and sc.strategy.title.fr and sc.strategy.title.en
    res = tranqsim.simulate(sc)
    assert SUMMARY_KEYS <= set(res.summary)
    assert len(res.timeseries) == sc.days
    assert res.summary["dwellings"] == sc.context.estate.dwellings


def test_default_estate_is_a_priority_estate_of_about_1500_dwellings(priority):
    assert priority.context_name == "priority_estate"
    assert 1400 <= priority.context.estate.dwellings <= 1600
    large = tranqsim.load_scenario(context="large_estate")
    assert 9000 <= large.context.estate.dwellings <= 11000


def test_partnership_zsp_window_starts_and_ends_inside_five_years():
    zsp = tranqsim.load_scenario(strategy="partnership_zsp").strategy.levers.zsp
    assert 0 < zsp.start < zsp.end < 5 * 365


def test_saved_run_has_every_file_and_columns(tmp_path):
    res = tranqsim.simulate(tranqsim.load_scenario(years=0.3, strategy="global_approach"))
    out = res.save(tmp_path / "run")
    names = {p.name for p in out.iterdir()}
    assert {"summary.json", "timeseries.parquet", "incidents.parquet", "households.parquet",
            "places.parquet", "scenario.resolved.yaml"} <= names
    assert any(n.endswith(".png") for n in names)
    import pandas as pd

    inc = pd.read_parquet(out / "incidents.parquet")
    assert {"day", "place_id", "building_id", "type", "reported", "handled_by"} <= set(inc.columns)
    hh = pd.read_parquet(out / "households.parquet")
    assert {"household_id", "building_id", "feels_insecure", "victimised_12m", "satisfaction",
            "trust_landlord", "trust_police"} <= set(hh.columns)
    pl = pd.read_parquet(out / "places.parquet")
    assert {"place_id", "kind", "building_id", "x", "y", "disorder", "status", "incidents_12m"} <= set(pl.columns)
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == res.summary["days"]
    assert json.loads((out / "summary.json").read_text())["tranquillity_index"] == pytest.approx(
        res.summary["tranquillity_index"])
    # no temporary folder left beside the output
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_saving_replaces_an_existing_folder_only_when_told_to(tmp_path):
    from tranqsim.outputs import OutputError

    res = tranqsim.simulate(tranqsim.load_scenario(years=0.05))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "stale.txt").write_text("old")
    with pytest.raises(OutputError, match="not written by tranqsim run"):
        res.save(tmp_path / "run", plots=False)
    assert (tmp_path / "run" / "stale.txt").read_text() == "old"
    res.save(tmp_path / "run", plots=False, overwrite=True)
    assert not (tmp_path / "run" / "stale.txt").exists()
    assert (tmp_path / "run" / "summary.json").exists()


def test_households_are_array_backed_mesa_agent_views():
    m = tranqsim.build_model(tranqsim.load_scenario(years=0.1))
    m.run(10)
    views = list(m.agents_by_type[Household])
    assert len(views) == m.n_dwellings
    v = views[17]
    m.households.fear[17] = 0.77
    assert v.fear == pytest.approx(0.77)  # a view, not a copy
    assert v.building_id == m.households.building[17]


def test_every_actor_kind_is_a_mesa_agent_on_the_grid():
    m = tranqsim.build_model(tranqsim.load_scenario(context="zsp_estate", strategy="heavy_security",
                                                    years=0.1, levers={"night_mediators": {"posts": 2}}))
    m.run(5)
    for cls in (Caretaker, NightMediator, PoliceUnit, SecurityGuard, TranquillityOfficer, YouthGroup,
                DealingNetwork):
        agents = list(m.agents_by_type[cls])
        assert agents, cls.__name__
        assert all(a.cell is not None for a in agents), cls.__name__


def test_per_place_state_lives_in_property_layers():
    m = tranqsim.build_model(tranqsim.load_scenario(years=0.1))
    m.run(20)
    for name in ("disorder", "attractiveness", "surveillance", "status"):
        layer = m.grid._mesa_property_layers[name]
        assert np.shares_memory(layer.data, getattr(m, name))
    x, y = int(m.layout.x[m.halls[3]]), int(m.layout.y[m.halls[3]])
    assert m.grid._mesa_property_layers["status"].data[x, y] == m.status[m.halls[3]] >= 0
