"""A landlord's own territory: reading its files, refusing bad or personal data, building and
fitting contexts, and recovering hidden parameters from a log the model itself wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from tranqsim.territory.readers import read_incidents, read_mapping, read_register, read_survey
from tranqsim.territory.tables import parse_date, parse_number, parse_time

REGISTER_FR = ("Résidence;Bâtiment;Cages;Logements;Latitude;Longitude;Taux de vacance;Postes gardien;"
               "Commentaire\r\n"
               "Les Érables;E1;4;80;47,2101;-1,5502;3,5 %;1;à rénover\r\n"
               "Les Érables;E2;2;36;47,2101;-1,5490;0,02;;\r\n"
               "Bois Fleuri;F1;3;57;47,2200;-1,5600;;0,5;\r\n")
LOG_FR = ("Date;Heure;Bâtiment;Catégorie;Observations\r\n"
          "03/01/2025;21h30;E1;Occupation de hall;jeunes dans le hall\r\n"
          "15/01/2025;;E2;Dégradation;vitre cassée\r\n"
          "20/02/2025;08:15;F1;Encombrants;\r\n"
          "31/03/2025;;F1;Fuite d'eau;\r\n")
MAPPING = ('categories:\n  "Occupation de hall": hall_occupation\n  "Dégradation": degradation\n'
           '  "Encombrants": bulky_waste\n  "Fuite d\'eau": null\n')


def write(path: Path, text: str, encoding: str = "cp1252") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def landlord(tmp_path):
    reg = write(tmp_path / "register.csv", REGISTER_FR)
    log = write(tmp_path / "incidents.csv", LOG_FR)
    mp = tmp_path / "mapping.yaml"
    mp.write_text(MAPPING, encoding="utf-8")
    return tmp_path, reg, log, mp


# --------------------------------------------------------------------------- formats
def test_french_numbers_dates_and_times_read_as_an_analyst_means_them():
    assert parse_number("1 234,5") == 1234.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("3,5 %") == pytest.approx(0.035)
    assert parse_number("4.5", share=True) is None  # ambiguous share: refused, not guessed
    assert parse_number("douze") is None
    assert parse_date("31/12/2025") == dt.date(2025, 12, 31)
    assert parse_date("2025-12-31") == dt.date(2025, 12, 31)
    assert parse_date("31/02/2025") is None
    assert parse_time("21h30") == 21 * 60 + 30 and parse_time("25:00") is None


def test_a_latin1_semicolon_register_reads_like_its_utf8_comma_twin(tmp_path):
    fr = read_register(write(tmp_path / "fr.csv", REGISTER_FR))
    en_text = ("estate,building,halls,dwellings,latitude,longitude,vacancy,caretakers\n"
               "Les Érables,E1,4,80,47.2101,-1.5502,0.035,1\n"
               "Les Érables,E2,2,36,47.2101,-1.5490,0.02,\n"
               "Bois Fleuri,F1,3,57,47.2200,-1.5600,,0.5\n")
    en = read_register(write(tmp_path / "en.csv", en_text, "utf-8"))
    assert fr.encoding == "cp1252" and en.encoding == "utf-8"
    assert list(fr.estates) == list(en.estates) == ["Les Érables", "Bois Fleuri"]
    for a, b in zip(fr.estates["Les Érables"], en.estates["Les Érables"]):
        assert (a.id, a.halls, a.dwellings) == (b.id, b.halls, b.dwellings)
        assert a.vacancy == pytest.approx(b.vacancy) and a.x == pytest.approx(b.x)
    e1, e2 = fr.estates["Les Érables"]
    # latitude/longitude become metres: E2 is about 90 m east of E1, at the same latitude
    assert e2.x - e1.x == pytest.approx(90.6, abs=1.0) and e2.y == pytest.approx(e1.y)
    assert fr.ignored == ["Commentaire"]


def test_a_register_by_hall_adds_up_to_buildings(tmp_path):
    reg = read_register(write(tmp_path / "r.csv", "estate;building;hall;dwellings\n"
                              "A;B1;B1-1;10\nA;B1;B1-2;12\nA;B2;B2-1;9\n"))
    b1, b2 = reg.estates["A"]
    assert (b1.halls, b1.dwellings, b2.halls) == (2, 22, 1)
    assert reg.place_of["B1-2"] == ("A", 0) and reg.place_of["B2"] == ("A", 1)


def test_the_log_is_mapped_to_model_types_and_unmodelled_categories_left_out(landlord):
    _, reg_p, log_p, mp_p = landlord
    reg = read_register(reg_p)
    log = read_incidents(log_p, reg, read_mapping(mp_p))
    assert log.start == dt.date(2025, 1, 3) and log.end == dt.date(2025, 3, 31)
    assert sorted(t for _, t, _ in log.records["Les Érables"]) == [0, 1]
    assert [m for _, _, m in log.records["Les Érables"]] == [21 * 60 + 30, -1]
    assert sum(log.left_out.values()) == 1 and log.ignored == ["Observations"]


def test_the_survey_reads_percentages_and_shares(tmp_path, landlord):
    _, reg_p, _, _ = landlord
    s = read_survey(write(tmp_path / "s.csv", "Résidence;Sentiment d'insécurité;Satisfaction\n"
                          "Les Érables;31,5 %;0,62\n"), read_register(reg_p))
    assert s.figures["Les Érables"] == {"insecure": pytest.approx(0.315), "satisfaction": 0.62}


# --------------------------------------------------------------------------- refusals
def _refused(monkeypatch, capsys, tmp_path, reg, log, mp=None, survey=None):
    out = tmp_path / "built"
    args = ["territory", "build", "--register", reg, "--incidents", log, "--out", out]
    args += ["--mapping", mp] if mp else []
    args += ["--survey", survey] if survey else []
    code, stdout, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2, (stdout, err)
    assert not out.exists() and not list(tmp_path.glob("built*"))  # nothing written
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("edit, where", [
    (("15/01/2025", "15/13/2025"), "incidents.csv:3: column 1 'Date': not a date"),
    (("F1;Encombrants", "F9;Encombrants"), "incidents.csv:4: column 3 'Bâtiment': 'F9' is neither"),
    (("21h30", "soir"), "incidents.csv:2: column 2 'Heure': not a time"),
])
def test_a_bad_log_row_is_refused_by_file_line_and_column(monkeypatch, capsys, landlord, edit, where):
    tmp, reg, log, mp = landlord
    write(log, LOG_FR.replace(*edit))
    assert where in _refused(monkeypatch, capsys, tmp, reg, log, mp)


def test_bad_register_values_are_refused_by_line_and_column(monkeypatch, capsys, landlord):
    tmp, reg, log, mp = landlord
    write(reg, REGISTER_FR.replace("E2;2;36", "E2;2;trente-six"))
    assert "register.csv:3: column 4 'Logements': not a number" in _refused(
        monkeypatch, capsys, tmp, reg, log, mp)


def test_a_survey_of_an_estate_not_in_the_register_is_refused(monkeypatch, capsys, landlord):
    tmp, reg, log, mp = landlord
    sv = write(tmp / "survey.csv", "Résidence;Satisfaction\nLes Érables;70 %\nLes Ormes;60 %\n")
    assert "survey.csv:3: column 1 'Résidence': estate 'Les Ormes' is not in the register" in _refused(
        monkeypatch, capsys, tmp, reg, log, mp, sv)


def test_a_context_whose_buildings_do_not_add_up_is_refused_with_its_line(tmp_path):
    from tranqsim.loading import ScenarioError, load_context

    text = (Path(__file__).parents[1] / "scenarios/contexts/calm_neighbourhood.yaml").read_text()
    text = text.replace("  squares: 1\n",
                        "  squares: 1\n  buildings:\n  - {id: B1, halls: 2, dwellings: 40}\n")
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(ScenarioError, match=r"c.yaml:\d+: context.estate: .*dwellings \(800\) must equal "
                                            r"the buildings' total \(40\)"):
        load_context(tmp_path / "c.yaml")


def test_an_estate_too_small_to_simulate_is_refused_with_its_line(monkeypatch, capsys, landlord):
    tmp, reg, log, mp = landlord
    write(reg, REGISTER_FR.replace("F1;3;57", "F1;3;12"))
    err = _refused(monkeypatch, capsys, tmp, reg, log, mp)
    assert "register.csv:4: estate 'Bois Fleuri' cannot be simulated: estate.dwellings: must be >= 20" in err


def test_every_unmapped_category_is_listed(monkeypatch, capsys, landlord):
    tmp, reg, log, mp = landlord
    mp.write_text('categories:\n  "Dégradation": degradation\n', encoding="utf-8")
    err = _refused(monkeypatch, capsys, tmp, reg, log, mp)
    assert "3 categories not in the mapping" in err
    for cat, line in (("Occupation de hall", 2), ("Encombrants", 4), ("Fuite d'eau", 5)):
        assert f"{cat!r} (line {line}, 1 rows)" in err


@pytest.mark.parametrize("header, cell, message", [
    ("Nom du locataire", "Dupont", "incidents.csv:1: column 6 'Nom du locataire': looks like personal data"),
    ("Contact", "j.dupont@example.org", "incidents.csv:3: column 6 'Contact': a value looks like an e-mail"),
    ("Rappel", "06 12 34 56 78", "incidents.csv:3: column 6 'Rappel': a value looks like a phone"),
    ("Rappel", "+33 6 12 34 56 78", "incidents.csv:3: column 6 'Rappel': a value looks like a phone"),
])
def test_personal_data_refuses_the_file_until_removed(monkeypatch, capsys, landlord, header, cell, message):
    tmp, reg, log, mp = landlord
    lines = LOG_FR.split("\r\n")
    lines[0] += f";{header}"
    lines[2] += f";{cell}"
    write(log, "\r\n".join(lines))
    err = _refused(monkeypatch, capsys, tmp, reg, log, mp)
    assert message in err and cell not in err  # the value itself is never repeated


def test_documented_columns_that_contain_a_personal_word_are_not_refused(tmp_path):
    reg = read_register(write(tmp_path / "r.csv", "Nom résidence;Bâtiment;Cages;Logements\nA;B1;2;20\n"))
    assert list(reg.estates) == ["A"]


# --------------------------------------------------------------------------- layout
def test_the_register_layout_keeps_halls_dwellings_and_relative_positions():
    from tranqsim.config import BuildingConfig
    from tranqsim.estate import buildings_grid_shape, layout_from_buildings
    from tranqsim.vocabulary import PlaceKind

    blds = [BuildingConfig(id=f"B{i}", halls=h, dwellings=d, x=x, y=y)
            for i, (h, d, x, y) in enumerate([(2, 30, 0, 0), (5, 61, 300, 0), (1, 7, 0, -200),
                                              (3, 45, 300, -200)])]
    lay = layout_from_buildings(blds, 2, 1, np.random.default_rng(4))
    assert (lay.width, lay.height) == buildings_grid_shape([2, 5, 1, 3], 2, 1)[1:]
    hall_b = lay.building[lay.hall_places]
    assert np.bincount(hall_b).tolist() == [2, 5, 1, 3]
    assert [int(lay.dwellings_per_hall[hall_b == b].sum()) for b in range(4)] == [30, 61, 7, 45]
    assert (lay.kind == PlaceKind.CAR_PARK).any() and (lay.kind == PlaceKind.SQUARE).any()
    cx = [lay.x[lay.hall_places[hall_b == b]].mean() for b in range(4)]
    cy = [lay.y[lay.hall_places[hall_b == b]].mean() for b in range(4)]
    assert cx[0] < cx[1] and cx[2] < cx[3]  # west stays west
    assert cy[0] < cy[2] and cy[1] < cy[3]  # north stays north (grid rows grow southwards)


# --------------------------------------------------------------------------- recovery
def _recover(tmp_path, hidden_estates, seed, rounds=4, replicates=4, final=8):
    from tranqsim.territory.build import build
    from tranqsim.territory.synthetic import generate

    data = tmp_path / "landlord"
    hidden = generate(hidden_estates, data, seed=seed)
    built = build(data / "register.csv", data / "incidents.csv", tmp_path / "contexts",
                  data / "survey.csv", data / "mapping.yaml", rounds=rounds, replicates=replicates,
                  final_replicates=final, seed=seed)
    return hidden, built


def _check_recovery(hidden, built, tmp_path, spread_width, fear_width, disjoint_pressures=True):
    """``fear_width``: the fear offset's interval at most this wide on the survey's scale (the
    insecure share's probit: width times the share's answer to a unit of offset). The survey
    holds information on that scale; how wide it leaves the offset depends on how strongly the
    model's fear answers its offset (a parameter set in which it answers 27 % less leaves the
    same survey's offset 27 % less pinned; the estates are still told apart, checked below in
    offset units). Bounds: 1.6 (small) and 1.2 (full size) offset units at the slopes measured
    under the previous ensemble's central set (0.55 and 0.50).

    ``spread_width`` None: the spread's interval is only checked to hold the hidden value."""
    from tranqsim.territory.fit_local import FEAR
    from tranqsim.territory.fit_report import table

    for f in built.fits:
        h = hidden[f.observed.estate]
        assert {"pressure", "youth_groups_per_1000", "dealing_points", "disorder",
                "fear_offset"} <= set(f.intervals)  # the survey gives every estate's insecurity
        for name, (lo, hi) in f.intervals.items():
            assert lo - 1e-9 <= getattr(h, name) <= hi + 1e-9, (f.observed.estate, name, getattr(h, name),
                                                                 (lo, hi), f.rounds)
        # informative, not merely wide enough to hold anything
        lo, hi = f.intervals["fear_offset"]
        slope = f.slopes["fear_offset"]  # a probe clamped at its floor measured nothing
        assert slope > FEAR.low and (hi - lo) * slope <= fear_width, (f.observed.estate, lo, hi, slope)
        if "hot_spot_spread" in f.intervals and spread_width is not None:
            lo, hi = f.intervals["hot_spot_spread"]
            assert hi - lo <= spread_width, (f.observed.estate, lo, hi)
            if h.hot_spot_spread >= 1.0:  # a concentrated estate is told apart from an even one
                assert lo > 0, (f.observed.estate, lo, hi)
        elif "hot_spot_spread" not in f.intervals:  # too few background incidents to measure
            # their concentration: left at 0, said so
            assert f.theta.hot_spot_spread == 0 and "not fitted" in f.fitted_to["hot_spot_spread"]
    # the estates' fears were told apart: each hidden offset lies outside the other's interval
    fears = {f.observed.estate: f.intervals["fear_offset"] for f in built.fits}
    lowest, highest = (min(hidden, key=lambda e: hidden[e].fear_offset),
                       max(hidden, key=lambda e: hidden[e].fear_offset))
    assert not fears[highest][0] <= hidden[lowest].fear_offset <= fears[highest][1], fears
    assert not fears[lowest][0] <= hidden[highest].fear_offset <= fears[lowest][1], fears
    df = table(built.fits)
    stats = df[df.level == "statistic"]
    assert stats.within.all(), stats
    fitted = df[df.fitted_to.str.startswith("fitted", na=False)
                & df.level.isin(["concentration", "survey"])]
    assert fitted.within.all() and (fitted.item == "insecure").sum() == len(built.fits), fitted
    md = (tmp_path / "contexts" / "fit_report.md").read_text(encoding="utf-8")
    assert "fitted (fear_offset)" in md and "the survey's share feeling insecure (300 respondents)" in md
    by_type = df[df.level == "type"]
    assert by_type.within.mean() >= 0.85, by_type  # ~95% expected; a few misses are chance
    # the pressures were told apart: the calm estate's interval lies below the tense one's
    p = {f.observed.estate: f.intervals["pressure"] for f in built.fits}
    if disjoint_pressures:
        assert p["Calme"][1] < p["Tendu"][0]
    else:  # small: each fitted pressure lies outside the other estate's interval
        fitted_p = {f.observed.estate: f.theta.pressure for f in built.fits}
        assert fitted_p["Calme"] < p["Tendu"][0] and fitted_p["Tendu"] > p["Calme"][1], (p, fitted_p)
    # the raw log's text never reaches the outputs
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "contexts").rglob("*")
                   if p.is_file())
    assert "main courante" not in text and "Fuite" not in text and "Dégradation parties" not in text


def test_hidden_pressures_groups_and_dealing_points_are_recovered_small(tmp_path):
    from tranqsim.territory.synthetic import HiddenEstate

    hidden, built = _recover(tmp_path, [HiddenEstate("Calme", 8, 0.5, 0.0, 0, fear_offset=-0.5),
                                        HiddenEstate("Tendu", 10, 1.5, 5.0, 2, hot_spot_spread=1.2,
                                                     fear_offset=0.8)], seed=5)
    # ten buildings hold little of a spread (the log's Gini is one draw of which are hot): with
    # 16 final replicates (20 in all) its interval is 2.27 to 2.33 wide under either of the last
    # two central sets (the Ginis' s.d. about 0.105, slope 0.18 a unit), so a hidden 1.2 is told
    # from 0 only when the fit lands above 1.15, and a width bound of 2.5 fails on this test's
    # 12 replicates about 3 times in 10 from the s.d.'s own noise: the spread's width and separation are the
    # full-size test's (the tense estate's hot spots also make its background count vary more
    # between years, so ten buildings do not keep the two pressure intervals apart either)
    _check_recovery(hidden, built, tmp_path, spread_width=None, fear_width=0.87,
                    disjoint_pressures=False)
    assert "hot_spot_spread" not in built.fits[0].intervals  # 8 buildings, ~11 background incidents


@pytest.mark.slow
def test_hidden_parameters_are_recovered_full_size(tmp_path):
    from tranqsim.territory.synthetic import HiddenEstate

    hidden, built = _recover(tmp_path, [HiddenEstate("Calme", 25, 0.5, 1.0, 0, fear_offset=-0.5),
                                        HiddenEstate("Moyen", 35, 1.0, 3.0, 1, hot_spot_spread=0.6),
                                        HiddenEstate("Tendu", 45, 1.6, 5.0, 3, hot_spot_spread=0.8,
                                                     fear_offset=0.8)],
                             seed=11, rounds=5, replicates=6, final=12)
    # (a spread of 1.2 here let the hottest buildings' near-repeat run away: the background
    # count varied from 0 to 850 between replicates and no rate could be pinned down; see the
    # limits in docs/data.md. At 0.8 a few of Tendu's simulated years still run away: pressure
    # is matched on the median, so they neither pull it nor set its interval)
    # one year of 45 buildings leaves the spread weakly pinned (measured: about 1.9 wide)
    _check_recovery(hidden, built, tmp_path, spread_width=2.0, fear_width=0.60)
    assert "hot_spot_spread" in built.fits[2].intervals


def test_built_contexts_run_through_the_cli(monkeypatch, capsys, tmp_path):
    from tranqsim.territory.synthetic import HiddenEstate, generate

    data = tmp_path / "landlord"
    generate([HiddenEstate("Petit", 4, 1.0, 3.0, 1)], data, seed=2)
    out = tmp_path / "ctx"
    code, stdout, err = run_cli(monkeypatch, capsys, "territory", "build", "--register",
                                data / "register.csv", "--incidents", data / "incidents.csv",
                                "--mapping", data / "mapping.yaml", "--survey", data / "survey.csv",
                                "--out", out, "--rounds", 2, "--replicates", 2,
                                "--final-replicates", 3)
    assert code == 0, err
    assert "columns not read: 'Observations'" in stdout
    assert {p.name for p in out.iterdir()} >= {"Petit.yaml", "fit_report.md", "fit_report.csv",
                                               "strategies", "sweep.yaml"}
    method = (out / "fit_report.md").read_text(encoding="utf-8").split("## Method and limits", 1)[1]
    assert "Intervals. Under the model" in method and "Intervals: :mod:" not in method
    code, stdout, err = run_cli(monkeypatch, capsys, "run", "--context", out / "Petit.yaml",
                                "--strategy", out / "strategies" / "Petit_current.yaml",
                                "--years", 0.2, "--no-plots", "--out", tmp_path / "run")
    assert code == 0, err
    import json

    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["dwellings"] == sum(int(line.split(";")[3]) for line in
                                       (data / "register.csv").read_text("cp1252").splitlines()[1:])
    from tranqsim.experiments import load_experiment

    exp = load_experiment(out / "sweep.yaml")  # the sweep file names the built contexts
    assert exp.contexts == [str(out / "Petit.yaml")]
    import yaml

    # parameter sets, not replicates of one set, carry a comparison's uncertainty (docs/data.md)
    spec = yaml.safe_load((out / "sweep.yaml").read_text())
    assert (spec["ensemble"], spec["replicates"]) == ("shipped:20", 1)
    # a second build into the same folder replaces it (it is tranqsim's own)
    code, _, err = run_cli(monkeypatch, capsys, "territory", "build", "--register",
                           data / "register.csv", "--incidents", data / "incidents.csv",
                           "--mapping", data / "mapping.yaml", "--out", out, "--rounds", 2,
                           "--replicates", 1, "--final-replicates", 2)
    assert code == 0, err
    # without a survey the residents' fear is not fitted: the profile's, said so in the report
    import pandas as pd

    rep = pd.read_csv(out / "fit_report.csv")
    row = rep[(rep.level == "parameter") & (rep["item"] == "fear_offset")].iloc[0]
    assert row.fitted_or_simulated == 0 and row.fitted_to.startswith("not fitted")
    assert (rep.level != "survey").all()


# --------------------------------------------------------------------------- local parameters
def _small_scenario(**changes):
    from tranqsim.config import Context, Scenario
    from tranqsim.loading import load_context, load_strategy

    d = load_context("priority_estate")[0].model_dump(mode="json")
    d["estate"].update(dwellings=400, car_parks=1, squares=1)
    for section, values in changes.items():
        d[section].update(values)
    return Scenario(context=Context.model_validate(d), strategy=load_strategy("proximity_management")[0])


def test_hot_spot_spread_moves_background_offending_between_buildings_keeping_its_total():
    from tranqsim.simulation import build_model

    def per_building(spread):
        st = build_model(_small_scenario(offenders={"hot_spot_spread": spread}), seed=3,
                         years=0.01).state.static
        lay = st.layout
        bld = lay.building[st.halls[st.nearest_hall]]
        return st.background.sum(), np.bincount(bld, weights=st.background.sum(0))

    total0, even = per_building(0.0)
    total1, spread = per_building(1.0)
    assert total1 == pytest.approx(total0, rel=1e-9)  # pressure keeps its meaning
    cv = lambda x: x.std() / x.mean()  # noqa: E731
    # a log s.d. of 1 between buildings: their rates differ by a factor of e typically
    assert cv(spread) > cv(even) + 0.5, (cv(even), cv(spread))


def test_fear_offset_raises_the_share_feeling_insecure_and_zero_changes_nothing():
    import tranqsim

    base = tranqsim.simulate(_small_scenario(), seed=4, years=0.3).summary
    zero = tranqsim.simulate(_small_scenario(population={"fear_offset": 0.0}), seed=4, years=0.3).summary
    up = tranqsim.simulate(_small_scenario(population={"fear_offset": 1.0}), seed=4, years=0.3).summary
    assert zero == base
    # +1 log-odds for every resident: about +0.4 probit (measured), i.e. +10 to +20 points here
    assert 0.08 < up["insecurity_share"] - base["insecurity_share"] < 0.3, (base["insecurity_share"],
                                                                              up["insecurity_share"])


def test_a_runaway_year_is_set_aside_from_pressures_statistic_and_ordinary_years_are_not():
    from tranqsim.territory.fit_intervals import count_sd
    from tranqsim.territory.runaway import ordinary, runaway_note, typical

    rng = np.random.default_rng(0)
    years = rng.poisson(300, 17).astype(float)
    assert ordinary(years).all()  # Poisson years: none set aside, the plain mean
    assert typical(years) == pytest.approx(years.mean())
    assert "none ran away" in runaway_note(years, 365)
    with_runaway = np.append(years, 900.0)  # one year three times the others
    keep = ordinary(with_runaway)
    assert keep.sum() == 17 and not keep[-1]
    assert typical(with_runaway) == pytest.approx(years.mean())
    # the interval's s.d. is the ordinary years', not the one the runaway sets
    assert count_sd(with_runaway, 300, robust=True) == pytest.approx(count_sd(years, 300))
    assert count_sd(with_runaway, 300) > 5 * count_sd(years, 300)
    assert "1 of 18 set aside (900 a year" in runaway_note(with_runaway, 365)
    assert ordinary(np.array([10.0, 200.0, 12.0])).all()  # too few replicates to tell


def test_the_fear_offsets_interval_adds_the_rates_uncertainty_in_quadrature():
    from tranqsim.territory.fit_local import fear_interval

    shares = np.array([0.24, 0.26, 0.25, 0.27, 0.23, 0.25])
    lo0, hi0 = fear_interval(0.3, 0.25, 300, shares, 0.4, 6)
    lo1, hi1 = fear_interval(0.3, 0.25, 300, shares, 0.4, 6, [0.3, 0.4])
    survey_half, half = (hi0 - lo0) / 2, (hi1 - lo1) / 2
    assert lo0 < 0.3 < hi0 and (lo1 + hi1) / 2 == pytest.approx(0.3)  # centred on the fit
    assert half == pytest.approx(np.sqrt(survey_half ** 2 + 0.3 ** 2 + 0.4 ** 2))
    # a larger survey narrows the survey's part only: the rates' part stays
    lo2, hi2 = fear_interval(0.3, 0.25, 3000, shares, 0.4, 6, [0.3, 0.4])
    assert 0.5 < (hi2 - lo2) / 2 < half
    # clamped to the offset's bounds
    assert fear_interval(3.9, 0.25, 300, shares, 0.4, 6, [0.5])[1] == 4.0


def test_the_groups_interval_carries_pressures_uncertainty():
    """The groups are fitted given pressure (the group types' count less what the estate yields
    without groups, which scales with pressure): an uncertain pressure makes the groups'
    interval wider, and it holds the interval given the fitted pressure (which the fear
    offset's uses, moving pressure and groups together)."""
    from tranqsim.territory.contexts import Theta
    from tranqsim.territory.fit_intervals import intervals as _intervals
    from tranqsim.territory.fit_runs import STATS, Observed, Simulated
    from tranqsim.territory.readers import Building

    n_types = 1 + max(max(v) for v in STATS.values())
    rng = np.random.default_rng(0)
    obs_types = np.zeros(n_types)
    obs_types[list(STATS["pressure"])] = 6.0  # a quiet year: pressure is poorly pinned
    obs_types[list(STATS["youth_groups_per_1000"])] = 30.0
    obs = Observed("E", [Building("E", "b1", 4, 500, 1)], 365, obs_types, np.array([100.0]))
    by_type = rng.poisson(obs_types, size=(12, n_types)).astype(float)
    sim = Simulated(by_type, by_type.sum(1, keepdims=True), np.full(12, 0.2), np.full(12, 0.9),
                    np.full(12, 0.05), by_type.sum(1, keepdims=True))
    theta = Theta(pressure=1.0, youth_groups_per_1000=8.0, dealing_points=0)
    args = (theta, sim, 1.0, None, 8.0, 60.0, obs)  # one group yields 8; 60 without groups
    given = _intervals(*args, carry_pressure=False)["youth_groups_per_1000"]
    carried = _intervals(*args)["youth_groups_per_1000"]
    assert carried[0] <= given[0] and carried[1] >= given[1]
    assert carried[1] - carried[0] > given[1] - given[0]
    # with nothing yielded without groups, pressure has nothing to pass on
    flat = (theta, sim, 1.0, None, 8.0, 0.0, obs)
    assert _intervals(*flat) == _intervals(*flat, carry_pressure=False)


@pytest.mark.parametrize("survey, says", [({"insecure": 0.25}, "respondents not given: sampling error assumed for 100"),
                                          ({"insecure": 0.25, "respondents": 400}, "(400 respondents)")])
def test_the_fit_report_says_whether_the_surveys_respondents_were_given(survey, says):
    from tranqsim.territory.contexts import strategy
    from tranqsim.territory.fit_runs import STATS, Observed
    from tranqsim.territory.fitting import fit
    from tranqsim.territory.readers import Building

    blds = [Building("E", "b1", 2, 150, 1), Building("E", "b2", 2, 150, 2)]
    by_type = np.zeros(1 + max(max(v) for v in STATS.values()))
    by_type[list(STATS["pressure"])] = 10.0
    by_type[list(STATS["youth_groups_per_1000"])] = 20.0
    obs = Observed("E", blds, 120, by_type, np.array([30.0, 30.0]), survey)
    f = fit(obs, strategy("E", blds), rounds=2, replicates=2, final_replicates=2)
    assert says in f.fitted_to["fear_offset"], f.fitted_to["fear_offset"]
    assert "fear_offset" in f.intervals
