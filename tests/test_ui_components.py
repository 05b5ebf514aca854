"""The trainers' UI without a browser (solara.render): what a trainer does and what it changes."""

from __future__ import annotations

import re
from dataclasses import replace

import ipyvuetify as v
import numpy as np
import pytest
import solara

from tranqsim.actors import Caretaker, TranquillityOfficer  # officers work at the office
from tranqsim.ui import session as ses
from tranqsim.ui.app import Page
from tranqsim.ui.charts import ChartsView, chart_legends, lever_marks
from tranqsim.ui.i18n import STRINGS, tr
from tranqsim.ui.log import lines
from tranqsim.ui.map import MapView


@pytest.fixture
def ui():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def texts(rc, cls: str) -> list[str]:
    return [w.children[0] for w in rc.find(v.Html, class_=cls).widgets]


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def reset(rc) -> None:
    """The sidebar's Reset (the toolbar has one too)."""
    rc.find(v.Btn, class_="tranqsim-reset-side").widget.click()


def day(rc) -> str:
    return texts(rc, "tranqsim-day")[0]


def test_picking_a_strategy_and_stepping_advances_the_day_counter_and_the_log(ui):
    assert day(ui) == "Jour 0 / 1825"
    assert not texts(ui, "tranqsim-log-line")
    ui.find(v.Select, class_="tranqsim-strategy").widget.v_model = "social_prevention"
    assert "Prévention sociale" in texts(ui, "tranqsim-subtitle")[0]
    # the strategy's own levers show up: social prevention has night mediators
    assert ui.find(v.Switch, class_="tranqsim-lever-night_mediators").widget.v_model is True
    click(ui, tr("step", "fr"))
    assert day(ui) == "Jour 1 / 1825"
    first = texts(ui, "tranqsim-log-line")
    assert first and all(line.startswith("Jour 1 — ") for line in first)
    click(ui, tr("step", "fr"))
    click(ui, tr("step", "fr"))
    assert day(ui) == "Jour 3 / 1825"
    log = texts(ui, "tranqsim-log-line")
    assert log[0].startswith("Jour 3 — ")  # newest first
    assert len(log) > len(first)


@pytest.mark.parametrize("lever, field, value, expected", [
    ("cctv", "cameras", "-3", "Vidéoprotection — caméras : doit être >= 0 (reçu -3)"),
    ("caretakers", "per_100_dwellings", "beaucoup", "doit être un nombre (reçu 'beaucoup')"),
    ("night_mediators", "posts", "2.5", "Correspondants de nuit — postes : doit être un entier (reçu 2.5)"),
])
def test_invalid_lever_values_are_refused_with_a_clear_message_and_the_run_kept(ui, lever, field, value,
                                                                               expected):
    click(ui, tr("step", "fr"))
    click(ui, tr("step", "fr"))
    ui.find(v.Switch, class_=f"tranqsim-lever-{lever}").widget.v_model = True
    ui.find(v.TextField, class_=f"tranqsim-{lever}-{field}").widget.v_model = value
    reset(ui)
    refused = ui.find(v.Alert).widgets
    assert refused, "no refusal shown"
    assert any(expected in str(a.children) and tr("refused", "fr") in str(a.children) for a in refused)
    assert day(ui) == "Jour 2 / 1825"  # the running model was not replaced
    field_widget = ui.find(v.TextField, class_=f"tranqsim-{lever}-{field}").widget
    assert field_widget.error and field_widget.messages  # the field itself is marked


def test_a_bad_seed_or_horizon_is_refused_too(ui):
    ui.find(v.TextField, class_="tranqsim-seed").widget.v_model = "-1"
    ui.find(v.TextField, class_="tranqsim-years").widget.v_model = "80"
    reset(ui)
    msg = " ".join(str(a.children) for a in ui.find(v.Alert).widgets)
    assert "Graine aléatoire : doit être >= 0 (reçu -1)" in msg
    assert "Horizon (années) : doit être <= 50" in msg and "(reçu 80)" in msg


def test_corrected_values_apply_on_reset_and_restart_the_run(ui):
    click(ui, tr("step", "fr"))
    ui.find(v.TextField, class_="tranqsim-caretakers-per_100_dwellings").widget.v_model = "-1"
    reset(ui)
    assert ui.find(v.Alert).widgets
    ui.find(v.TextField, class_="tranqsim-caretakers-per_100_dwellings").widget.v_model = "3"
    ui.find(v.TextField, class_="tranqsim-years").widget.v_model = "1"
    reset(ui)
    assert not ui.find(v.Alert).widgets
    assert day(ui) == "Jour 0 / 365"


def test_lever_values_reach_the_model():
    form = ses.lever_form("withdrawal")
    assert form["caretakers"]["on"] and not form["night_mediators"]["on"]
    form["caretakers"]["per_100_dwellings"] = "3"
    form["night_mediators"] = {**form["night_mediators"], "on": True, "posts": "6"}
    form["organisation"] = "dedicated"
    m = ses.build(ses.Choice(strategy="withdrawal", form=form))
    m.step()
    assert len(m.staff[Caretaker]) == 45  # 3 per 100 of 1,500 dwellings
    assert m.spec.strategy.levers.night_mediators.posts == 6
    assert m.spec.strategy.organisation == "dedicated"
    off = {**form, "caretakers": {**form["caretakers"], "on": False}}
    m_off = ses.build(ses.Choice(strategy="withdrawal", form=off))
    m_off.step()
    # switched off: built dormant (so it can be switched on during the run), never active
    care = next(lv for lv in m_off.levers if lv.name == "caretakers")
    assert care.config.start > 50 * 365 and len(m_off.staff[Caretaker]) == 0


def test_only_shipped_contexts_and_strategies_are_accepted():
    with pytest.raises(ses.Refused) as exc:
        ses.check(ses.Choice(strategy="../../etc/passwd"))
    assert "strategies" in exc.value.errors
    with pytest.raises(ses.Refused):
        ses.check(ses.Choice(context="/tmp/x.yaml"))


def test_the_language_switch_changes_the_labels_and_the_log(ui):
    click(ui, tr("step", "fr"))
    click(ui, tr("switch_lang", "fr"))
    assert ui.find(v.Btn, children=["Step"]).widgets
    assert day(ui) == "Day 1 / 1825"
    assert texts(ui, "tranqsim-log-line")[0].startswith("Day 1 — ")
    click(ui, tr("switch_lang", "en"))
    assert day(ui) == "Jour 1 / 1825"


def test_every_label_has_both_languages():
    assert all(len(pair) == 2 and pair[0] and pair[1] for pair in STRINGS.values())


def test_the_compare_view_runs_two_strategies_on_the_same_seed(ui):
    click(ui, tr("view_compare", "fr"))
    ui.find(v.Select, class_="tranqsim-strategy-b").widget.v_model = "heavy_security"
    click(ui, tr("step", "fr"))
    click(ui, tr("step", "fr"))
    assert day(ui) == "Jour 2 / 1825"
    assert len(ui.find(v.Card, class_="ma-0 tranqsim-log").widgets) == 2
    s = ses.Session(replace(ses.Choice(), strategy_b="heavy_security"), compare=True)
    a, b = s.models
    assert a.spec.run.seed == b.spec.run.seed
    assert b.spec.strategy_name == "heavy_security" and a.spec.strategy_name == "proximity_management"
    # common random numbers: the same estate and the same future tenants; each strategy starts
    # from its own stationary state (the spin-up runs under its day-0 levers: ODD 5)
    assert np.array_equal(a.layout.kind, b.layout.kind)
    assert np.array_equal(a.households.tenant_u, b.households.tenant_u)


def test_log_lines_name_the_place_the_incident_and_who_handled_it():
    s = ses.Session(ses.Choice(strategy="social_prevention"))
    s.step(60)
    m = s.model
    text = lines(m, "fr", limit=10_000)
    assert len(text) == sum(e[1].size for e in m.events)  # one line per incident
    pattern = re.compile(r"^Jour \d+ — (hall [A-Z]+\d+|(rue|parking|place) près du hall [A-Z]+\d+) : .+ ; .+$")
    assert all(pattern.match(t) for t in text), [t for t in text if not pattern.match(t)][:3]
    assert any("un médiateur a désamorcé" in t for t in text)
    assert int(text[0].split()[1]) == m.day


def test_the_map_draws_every_agent_and_the_zsp_zone_only_while_it_is_active():
    s = ses.Session(ses.Choice(strategy="partnership_zsp"))
    s.step(10)
    view = MapView(s.model)
    view.update()
    staff = sum(len(v) for v in s.model.staff.values()) - len(s.model.staff[TranquillityOfficer])
    drawn = sum(len(sc.get_offsets()) for k, sc in view.agents.items() if k not in ("group", "dealing"))
    assert drawn == staff
    assert len(view.agents["group"].get_offsets()) == len(s.model.group_list)
    assert not view.zsp.get_visible()
    s.step(366 - s.model.day)  # the ZSP starts on day 365
    view.update()
    assert view.zsp.get_visible()
    png = view.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_mark_where_levers_start_and_end():
    s = ses.Session(ses.Choice(strategy="partnership_zsp"))
    marks = lever_marks(s.model)
    assert (365, "zsp", "start") in marks and (1095, "zsp", "end") in marks
    assert (180, "information_sharing", "start") in marks
    s.step(400)  # the axis has grown past the first year: those marks are drawn and labelled
    view = ChartsView(s.models)
    vlines = [ln for ln in view.axes["c_cost"].lines if not ln.get_animated()]
    shown = [d for d, *_ in marks if d <= view.extent]
    assert sorted(int(ln.get_xdata()[0]) for ln in vlines) == shown
    labels = [t.get_text() for t in view.strips[0].texts]
    assert "▶ GLTD" in labels and "▶ échange d'infos" in labels  # written on their lines
    listed = " ".join(label for _, items in chart_legends(s.models, "fr") for *_, label in items)
    assert "▶ ZSP (mois 13)" in listed and "■ ZSP (mois 37)" in listed  # and all listed below
    assert view.png()[:8] == b"\x89PNG\r\n\x1a\n"
