"""The UI in front of a room: every lever editable and applied during the run, readable charts,
French numbers, today's figures (issue 18, item 1). Without a browser (solara.render)."""

from __future__ import annotations

from dataclasses import replace

import ipyvuetify as v
import numpy as np
import solara

from tranqsim.incidents import TYPE_NAMES
from tranqsim.levers import REGISTRY
from tranqsim.metrics import COL
from tranqsim.simulation import build_model
from tranqsim.loading import load_scenario
from tranqsim.ui import format as fmt
from tranqsim.ui import session as ses
from tranqsim.ui.app import Page, key_figures
from tranqsim.ui.charts import FAMILIES, PX, TEXT_PX, ChartsView, x_extent, x_ticks


def test_french_numbers_use_spaces_commas_and_accept_a_typed_decimal_comma():
    assert fmt.number(1680, "fr").replace("\u202f", " ") == "1 680"
    assert fmt.number(0.344, "fr", 2) == "0,34"
    assert fmt.percent(0.12, "fr").replace("\u202f", " ") == "12 %"
    assert fmt.euros(1680, "fr").replace("\u202f", " ").replace("\u00a0", " ") == "1 680 €"
    assert fmt.number(1680, "en") == "1,680"
    assert fmt.parse_number("2,5") == 2.5 and fmt.parse_number("1 500") == 1500
    form = ses.lever_form("withdrawal")
    form["caretakers"]["per_100_dwellings"] = "2,5"
    overrides, _ = ses.check(ses.Choice(strategy="withdrawal", form=form))
    assert overrides["levers"]["caretakers"]["per_100_dwellings"] == 2.5


def test_every_lever_of_the_toolbox_is_offered_with_its_window():
    assert set(ses.MAIN_LEVERS) == set(REGISTRY)
    assert all({"start", "end"} <= set(fields) for fields in ses.MAIN_LEVERS.values())
    form = ses.lever_form("partnership_zsp")
    assert form["zsp"]["on"] and form["zsp"]["start"] == "365" and form["zsp"]["end"] == "1095"
    assert form["gltd"]["on"] and not form["cctv"]["on"]


def test_levers_switched_off_are_dormant_and_leave_the_run_as_shipped():
    shipped = build_model(load_scenario(strategy="social_prevention"), seed=3, years=1)
    ui = ses.build(ses.Choice(strategy="social_prevention", seed="3", years="1",
                              form=ses.lever_form("social_prevention")))
    assert len(ui.levers) == len(REGISTRY) > len(shipped.levers)
    for _ in range(40):
        shipped.step()
        ui.step()
    n = shipped.recorder.n
    a, b = shipped.recorder.data[:n], ui.recorder.data[:n]
    cost = COL["cost_eur"]
    others = np.arange(a.shape[1]) != cost
    assert np.array_equal(a[:, others], b[:, others])
    # the day's cost sums more (zero) columns: equal up to the order of a float sum
    assert np.allclose(a[:, cost], b[:, cost], rtol=1e-12, atol=0)


def test_a_lever_changed_mid_run_acts_from_today_and_is_marked():
    s = ses.Session(ses.Choice(strategy="withdrawal", years="1"))
    s.step(20)
    assert s.model.surveillance.sum() == 0  # withdrawal has no cameras
    form = ses.lever_form("withdrawal")
    form["cctv"] = {**form["cctv"], "on": True, "cameras": "40"}
    changed = s.apply_now(replace(s.choice, form=form))
    assert changed == [["cctv"]]
    assert s.changes[0] == [(20, "cctv")]
    s.step(1)
    assert s.model.surveillance.sum() > 0  # the cameras watch from the next day on
    assert s.model.day == 21  # the run went on, no reset
    view = ChartsView(s.models, changes=s.changes)
    view.png()
    labels = [t.get_text() for t in view.strips[0].texts]
    assert "✎ vidéo" in labels
    # switching it off again stops it
    form["cctv"] = {**form["cctv"], "on": False}
    s.apply_now(replace(s.choice, form=form))
    s.step(1)
    assert s.model.surveillance.sum() == 0


def test_a_bad_value_applied_mid_run_is_refused_and_changes_nothing():
    s = ses.Session(ses.Choice(strategy="withdrawal", years="1"))
    s.step(5)
    form = ses.lever_form("withdrawal")
    form["cctv"] = {**form["cctv"], "on": True, "cameras": "-3"}
    try:
        s.apply_now(replace(s.choice, form=form))
        raise AssertionError("a negative camera count was accepted")
    except ses.Refused as exc:
        assert "cctv.cameras" in exc.errors
    assert not s.changes[0] and not any(lv.active(s.model.day) for lv in s.model.levers
                                        if lv.name == "cctv")


def test_in_compare_mode_a_and_b_have_their_own_settings():
    form_b = ses.lever_form("withdrawal")
    form_b["private_security"] = {**form_b["private_security"], "on": True, "level": "2"}
    choice = ses.Choice(years="1", form=ses.lever_form("proximity_management"), form_b=form_b)
    s = ses.Session(choice, compare=True)
    a, b = s.models
    sec = {m: next(lv for lv in m.levers if lv.name == "private_security") for m in (a, b)}
    assert not sec[a].active(0) and sec[b].active(0) and sec[b].config.level == 2


def test_chart_text_is_room_sized_and_the_x_axis_grows_with_the_run():
    assert TEXT_PX >= 14
    s = ses.Session(ses.Choice(years="5"))
    s.step(10)
    view = ChartsView(s.models)
    view.png()
    ax = view.axes["c_status"]
    assert ax.get_xlim()[1] == x_extent(10, 1825) <= 31  # a month, not five years
    sizes = [t.get_fontsize() / PX for a in view.axes.values()
             for t in [a.title, *a.get_xticklabels(), *a.get_yticklabels()] if t.get_text()]
    assert sizes and min(sizes) >= 14
    assert x_ticks(1825, "fr")[2] == "années" and x_ticks(183, "fr")[2] == "mois"
    for extent in (30, 61, 91, 183, 365, 548, 730, 1095, 1825, 3650):
        pos, labels, _ = x_ticks(extent, "fr")
        assert 3 <= len(pos) <= 7 and pos[-1] <= extent, (extent, pos)


def test_incident_families_cover_every_type_once():
    names = [t for _, types, _ in FAMILIES for t in types]
    assert sorted(names) == sorted(TYPE_NAMES)
    assert len({c for *_, c in FAMILIES}) == len(FAMILIES)


def test_key_figures_are_today_and_the_early_cost_is_so_far():
    s = ses.Session(ses.Choice(years="1"))
    s.step(5)
    k = key_figures(s.model, "fr")
    assert "k_cost_so_far" in k and "k_cost_rate" not in k
    last = s.model.recorder.data[s.model.recorder.n - 1]
    assert k["k_incidents"] == fmt.number(last[COL["incidents"]], "fr")
    s.step(30)
    assert "k_cost_rate" in key_figures(s.model, "fr")


def test_apply_now_in_the_page_keeps_the_day_and_reports_the_change():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    try:
        for _ in range(3):
            rc.find(v.Btn, class_="tranqsim-step").widget.click()
        rc.find(v.Switch, class_="tranqsim-lever-lighting").widget.v_model = True
        rc.find(v.Btn, class_="tranqsim-apply-now").widget.click()
        assert rc.find(v.Html, class_="tranqsim-day").widget.children[0] == "Jour 3 / 1825"
        notice = rc.find(v.Html, class_="tranqsim-notice").widget.children[0]
        assert "Éclairage" in notice and "jour 3" in notice
    finally:
        rc.close()


def test_the_help_gives_each_strategy_its_levers_and_doses_and_each_lever_a_description():
    from tranqsim.loading import load_strategy
    from tranqsim.ui.help import lever_description, strategy_content

    for name in ses.strategies():
        strat, _ = load_strategy(name)
        shipped = [n for n, cfg in strat.levers if cfg is not None]
        for lang in ("fr", "en"):
            title, doctrine, rows = strategy_content(name, lang)
            assert title == (strat.title.en if lang == "en" else strat.title.fr)
            assert len(rows) == len(shipped) and doctrine
    _, _, rows = strategy_content("partnership_zsp", "fr")
    assert ("Renfort ZSP", "début (jour) 365, fin (jour) 1095, équipages en plus 3, "
            "zone points chauds, rayon (cases) 5") in rows
    for name in REGISTRY:
        fr, en = lever_description(name, "fr"), lever_description(name, "en")
        assert len(fr) > 30 and len(en) > 30 and fr != en


def test_the_map_draws_hall_codes_and_the_cameras_in_force():
    from tranqsim.ui.map import MapView

    form = ses.lever_form("withdrawal")
    form["cctv"] = {**form["cctv"], "on": True, "cameras": "12", "start": "3"}
    s = ses.Session(ses.Choice(strategy="withdrawal", years="1", form=form))
    view = MapView(s.model)
    s.step(2)
    view.update()
    assert len(view.equipment["camera"].get_offsets()) == 0  # not yet in force
    s.step(2)
    view.update()
    assert len(view.equipment["camera"].get_offsets()) == 12
    assert view.codes[..., 3].max() > 0.5  # the codes' layer holds text


def test_runs_are_kept_by_browser_session_for_reloads_and_bounded():
    now = [0.0]
    kept = ses.KeptRuns(limit=2, grace=10, clock=lambda: now[0])
    new = object  # no model needed to test the keeping
    x = kept.get("x", new)
    kept.get("y", new)
    kept.release("x", x)  # a reload of browser x: its old page goes, the new one finds the run
    assert kept.get("x", new) is x
    kept.get("z", new)  # z: y, the least recently used, is dropped
    assert list(kept._runs) == ["x", "z"]
    # a run no page uses is dropped after the grace time, not before
    kept.release("x", "an older run of x")  # ignored: not the run kept now
    now[0] = 100.0
    assert kept.sweep() == 0  # x and z are still used
    for key in ("x", "z"):
        kept.release(key, kept._runs[key][0])
    now[0] = 105.0
    assert kept.sweep() == 0
    now[0] = 110.0
    assert kept.sweep() == 2 and len(kept) == 0
