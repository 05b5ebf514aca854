"""The day is data: the schedule's stages are the ODD's process overview, in the same order,
and the model's state is declared (nothing is set on the model after construction)."""

from __future__ import annotations

import re
from pathlib import Path

import tranqsim
from tranqsim.schedule import DAY_STAGES

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def odd_stages() -> list[str]:
    """The stage names of the ODD's section 3, in order: its numbered items' leading `name`."""
    text = ODD.read_text(encoding="utf-8")
    section = text.split("## 3. Process overview and scheduling", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^(\d+)\. `([a-z_]+)` —", section, flags=re.M)
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1)), "items numbered 1..n"
    return [name for _, name in items]


def test_the_odd_lists_the_schedule_stages_in_order():
    assert odd_stages() == [stage.name for stage in DAY_STAGES]


def test_stage_names_are_unique_and_every_stage_is_callable():
    names = [stage.name for stage in DAY_STAGES]
    assert len(set(names)) == len(names)
    assert all(callable(stage.run) for stage in DAY_STAGES)


def test_step_runs_the_schedule_in_order(monkeypatch):
    """EstateModel.step calls each stage once, in the schedule's order, with the day."""
    import tranqsim.model as model_module
    from tranqsim.schedule import Stage

    calls: list[tuple[str, int]] = []
    wrapped = tuple(Stage(st.name, (lambda st: lambda s, d: (calls.append((st.name, d)), st.run(s, d)))(st))
                    for st in DAY_STAGES)
    monkeypatch.setattr(model_module, "DAY_STAGES", wrapped)
    m = tranqsim.build_model(tranqsim.load_scenario(context="calm_neighbourhood", years=1, seed=3))
    names = [st.name for st in DAY_STAGES]
    # the unreported spin-up (ODD 5): the days before day 0, without the levers' stage (the
    # day-0 levers are in force throughout) and without observation
    spin = [n for n in names if n not in ("levers", "observation")]
    k = int(m.state.p.spinup_days)
    assert calls == [(n, d) for d in range(-k, 0) for n in spin]
    calls.clear()
    m.step()
    m.step()
    assert calls == [(n, 0) for n in names] + [(n, 1) for n in names]


def test_nothing_sets_attributes_on_the_model_after_construction():
    """The model's own attributes are those of its construction; the days change the state."""
    m = tranqsim.build_model(tranqsim.load_scenario(context="priority_estate",
                                                    strategy="global_approach", years=1, seed=2))
    before = set(vars(m))
    recent = m.state.places.recent.copy()
    m.run(30)
    assert set(vars(m)) == before
    assert not (m.state.places.recent == recent).all()  # the days did move the state
    # the state's parts declare their fields (slots): no attribute can be added on the fly
    for part in (m.state, m.state.static, m.state.places, m.state.halls, m.state.today,
                 m.state.in_force, m.state.offenders, m.state.output):
        assert not hasattr(part, "__dict__"), type(part).__name__


def test_the_model_reads_the_state_fields_it_holds():
    """``model.<field>`` is the state's own object (a read-only view for the UI, validation)."""
    m = tranqsim.build_model(tranqsim.load_scenario(context="calm_neighbourhood", years=1, seed=1))
    m.run(3)
    assert m.recent is m.state.places.recent
    assert m.mods is m.state.in_force.mods
    assert m.layout is m.state.static.layout
    assert m.households is m.state.households
    try:
        m.no_such_field
    except AttributeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("an unknown name must raise AttributeError")
