"""The compiled offenders' day (tranqsim.offenders: ``update_offenders``, ``YouthGroup.update``,
``DealingNetwork.update``) against the numpy version it replaced.

Two models with the same seed run side by side, one with the reference below (verbatim copies of
the three functions before the kernels), one with the current code; after every day the groups'
and dealing points' places, activities, tensions, strengths and pressures must be equal bit for
bit *and of the same types* (numpy float64 or Python float: Python's ``sum`` of the tensions,
in the model, adds Python floats with compensation and numpy floats without), as must the
dismantled and re-emerging points, the raids and every random stream. The days compared include
tensions and strengths at both bounds, dismantled, displaced and re-emerging points, and raids;
made-up days (random visits, with negative zeros) are compared on deep copies of one state.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tranqsim.model as model_module
from tranqsim.experiments.runner import _scenario
from tranqsim.offenders import DealingNetwork, YouthGroup, update_offenders
from tranqsim.simulation import build_model


def reference_group_update(model, groups, programme, heavy_contacts, soft_contacts) -> None:
    """YouthGroup.update before the kernel (verbatim)."""
    p = model.p
    target = 1.0 - p.youth_programme_effect * min(1.0, programme)
    calm = p.tension_decay * (1 + min(1.0, programme))  # programmes also defuse tension
    for g in groups:
        g.activity += 0.01 * (target - g.activity)  # programmes act over months
        g.tension += (p.tension_from_order_maintenance * heavy_contacts[g.place]
                      - 0.01 * soft_contacts[g.place] - calm * (g.tension - 0.1))
        g.tension = min(max(g.tension, 0.0), 1.0)


def reference_network_update(model, networks, police, raids, guard, dismantle_p):
    """DealingNetwork.update before the kernel (verbatim)."""
    p = model.p
    rng = model.streams["dealing"]
    u = rng.random((max(len(networks), 1), 2))
    gone = []
    for i, n in enumerate(networks):
        # patrols disturb a point with diminishing returns (lookouts warn, trade pauses and
        # resumes: the day's second visit costs it less than the first); raids do not
        patrol = police[n.place] + 0.5 * guard[n.place]
        today = patrol / (1 + patrol) + 3.0 * raids[n.place]
        n.pressure = 0.9 * n.pressure + 0.1 * today
        n.strength += p.dealing_regrowth * (1 - n.strength) - p.dealing_pressure_effect * today
        n.strength = min(max(n.strength, 0.05), 1.0)
        if u[i, 0] < dismantle_p:
            gone.append(n)
        elif n.pressure > p.dealing_relocate_threshold:
            n.move_to_place(model.quietest_hall(exclude=n.place))
    return gone


def reference_update_offenders(m, d, pol, guard, med, style) -> None:
    """update_offenders before the kernels (verbatim, with the two updates above)."""
    p = m.p
    pol_day, guard_day = pol.sum(0), guard.sum(0)  # visits per place over the day
    heavy_contacts = pol_day * (style == "order_maintenance") + 0.5 * guard_day + 2 * m.raids
    reference_group_update(m, m.group_list, m.mods.youth_programme, heavy_contacts, med.sum(0))
    if m.network_list:
        dismantle = p.gltd_dismantle_per_month / 30 * m.org.partnership if m.mods.gltd else 0.0
        gone = reference_network_update(m, m.network_list, pol_day, m.raids, guard_day, dismantle)
        for net in gone:
            m.network_list.remove(net)
            net.remove()
            m.reemergence_day.append(
                d + 1 + int(m.streams["dealing"].exponential(p.dealing_reemergence_days)))
    cap = m.spec.context.offenders.dealing_capacity
    for x in [x for x in m.reemergence_day if x <= d]:
        m.reemergence_day.remove(x)
        if len(m.network_list) < cap:
            m.network_list.append(DealingNetwork(m, m.quietest_hall(), strength=0.4))
    # ZSP operations on dealing points inside the zone (tomorrow's raids)
    zone = m.mods.zsp_zone
    if m.raids.any():
        m.raids[:] = 0.0
    if zone is not None and m.network_list:
        rng = m.streams["zsp"]
        for net in m.network_list:
            if zone[net.place] and rng.random() < p.zsp_raid_per_week / 7:
                m.raids[net.place] = 1.0


def _bits(x):
    """A value as its type and its bits: 0.0 and np.float64(0.0) differ, as do 0.0 and -0.0."""
    return type(x).__name__, np.float64(x).tobytes()


def state(m) -> dict:
    """Everything the offenders' day writes or draws from."""
    return {
        "groups": [(g.place, _bits(g.activity), _bits(g.tension), g.cell.coordinate)
                   for g in m.group_list],
        "networks": [(n.place, _bits(n.strength), _bits(n.pressure), n.cell.coordinate)
                     for n in m.network_list],
        "network_agents": sum(isinstance(a, DealingNetwork) for a in m.agents),
        "reemergence_day": list(m.reemergence_day),
        "raids": m.raids.tobytes(),
        "streams": {name: m.streams.state(name) for name in m.streams.names()},
    }


def differences(a, b) -> list[str]:
    sa, sb = state(a), state(b)
    return [k for k in sa if sa[k] != sb[k]]


class Seen:
    """What the compared days had (so the test knows which paths it covered)."""

    KEYS = ("tension_at_0", "tension_at_1", "tension_inside", "strength_at_min", "strength_at_1",
            "strength_inside", "dismantled", "moved", "reemerged", "raids", "order_maintenance")

    def __init__(self):
        self.n = dict.fromkeys(self.KEYS, 0)

    def day(self, before, m, style) -> None:
        n = self.n
        for g in m.group_list:
            n["tension_at_0"] += type(g.tension) is float and g.tension == 0.0
            n["tension_at_1"] += type(g.tension) is float and g.tension == 1.0
            n["tension_inside"] += type(g.tension) is np.float64
        for k in m.network_list:
            n["strength_at_min"] += type(k.strength) is float and k.strength == 0.05
            n["strength_at_1"] += type(k.strength) is float and k.strength == 1.0
            n["strength_inside"] += type(k.strength) is np.float64
        n["dismantled"] += len(m.reemergence_day) > len(before["reemergence_day"])
        n["reemerged"] += len(m.reemergence_day) < len(before["reemergence_day"])
        n["moved"] += any(k.pressure == 0.0 and type(k.pressure) is float for k in m.network_list)
        n["raids"] += bool(m.raids.any())
        n["order_maintenance"] += style == "order_maintenance"


CASES = [  # context, strategy, overrides, seed, days
    ("calm_neighbourhood", "global_approach", {}, 1, 120),
    ("priority_estate", "heavy_security", {}, 2, 200),
    ("priority_estate", "withdrawal", {}, 3, 150),
    ("zsp_estate", "partnership_zsp", {"levers.zsp.start": 0, "levers.gltd.start": 0}, 1, 300),
    ("zsp_estate", "global_approach", {"levers.gltd.start": 0}, 4, 200),
    ("large_estate", "heavy_security", {}, 1, 80),
    ("large_estate", "partnership_zsp", {"levers.zsp.start": 0, "levers.gltd.start": 0}, 2, 120),
]


@pytest.mark.parametrize("context, strategy, overrides, seed, days", CASES)
def test_offenders_kernels_match_numpy_reference(context, strategy, overrides, seed, days,
                                                 monkeypatch):
    sc = _scenario({"context": context, "strategy": strategy, **overrides}, 1, seed)
    ref, new = build_model(sc), build_model(sc)
    seen, styles = Seen(), {}

    def ref_day(m, d, pol, guard, med, style):
        before = state(m)
        reference_update_offenders(m, d, pol, guard, med, style)
        seen.day(before, m, style)

    for _ in range(days):
        monkeypatch.setattr(model_module, "update_offenders", ref_day)
        ref.step()
        monkeypatch.setattr(model_module, "update_offenders", update_offenders)
        new.step()
        diff = differences(ref, new)
        assert not diff, f"day {ref.day - 1}: {diff}"
        styles[ref.mods.police_style] = True
    assert ref.recorder.data.tobytes() == new.recorder.data.tobytes()
    n = seen.n
    assert n["tension_inside"] > 0, n
    if context != "calm_neighbourhood":
        assert n["strength_inside"] > 0, n
    if overrides:
        assert n["dismantled"] > 0, n
    if "levers.zsp.start" in overrides:
        assert n["raids"] > 0, n
    if strategy == "heavy_security":
        assert n["order_maintenance"] > 0, n
    CASE_SEEN[(context, strategy)] = n


CASE_SEEN: dict = {}


def test_all_paths_were_compared():
    """Over the cases above: both bounds of tension, dismantled, displaced and re-emerging
    points, raids, order-maintenance policing (real runs do not take strength to its bounds:
    the made-up days below do)."""
    if len(CASE_SEEN) < len(CASES):
        pytest.skip("runs after the cases above (run the whole file)")
    total = {k: sum(n[k] for n in CASE_SEEN.values()) for k in Seen.KEYS}
    assert all(v > 0 for k, v in total.items() if not k.startswith("strength_at")), total


def test_offenders_kernels_match_numpy_reference_on_made_up_days():
    """Made-up visits (any values, negative zeros, ties of places), from one model state, on
    deep copies: tensions and strengths pushed to their bounds and in between, frequent
    dismantling (GLTD) and raids (ZSP)."""
    sc = _scenario({"context": "zsp_estate", "strategy": "partnership_zsp", "levers.gltd.start": 29,
                    "levers.zsp.start": 0, "parameters.gltd_dismantle_per_month": 1.0,
                    "parameters.zsp_raid_per_week": 14.0}, 1, 3)
    m = build_model(sc)
    m.run(30)
    rng = np.random.default_rng(7)
    P = m.n_places
    seen = Seen()
    zone_halls = m.halls[m.mods.zsp_zone[m.halls]]
    assert zone_halls.size and m.mods.gltd
    for trial in range(60):
        m.streams["dealing"].random(5)  # other draws in each trial (GLTD, displacement)
        a, b = copy.deepcopy(m), copy.deepcopy(m)
        # groups and points packed on a few places, with tensions and strengths near the bounds
        places = rng.choice(m.hangout_places, 3)
        for k, g in enumerate(a.group_list):
            g.place = int(places[k % 3])
            g.tension = [0.0, 1.0, np.float64(rng.random()), np.float64(1e-3), 0.999,
                         np.float64(1.3), np.float64(-0.2)][(k + trial) % 7]
        for k, n in enumerate(a.network_list):
            # (0.035: a point at the floor that moved, 0.7 * 0.05)
            n.strength = [0.05, 1.0, np.float64(rng.random()), np.float64(0.035),
                          np.float64(1.02)][(k + trial) % 5]
            n.pressure = np.float64(rng.random() * (1.2 if trial % 2 else 0.5))  # moves or not
            if k == trial % 3:
                n.place = int(rng.choice(zone_halls))  # where ZSP raids
        for x, y in zip(a.group_list + a.network_list, b.group_list + b.network_list):
            y.__dict__.update({k: v for k, v in x.__dict__.items()
                               if k in ("place", "tension", "strength", "pressure")})
        scale = [0.0, 0.3, 3.0, 30.0][trial % 4]
        pol, guard, med = (np.where(rng.random((3, P)) < 0.5, rng.random((3, P)) * scale, -0.0)
                           for _ in range(3))
        raids = (rng.random(P) < 0.2) * 1.0
        if trial % 4 == 2:  # raided points: strength can fall to its floor (in the trials
            # without visits, a point at 1.0 stays at 1.0, a numpy float: min and max return it)
            raids[[n.place for n in a.network_list]] = 1.0
        a.raids[:] = b.raids[:] = raids
        style = ["order_maintenance", "standard", "community"][trial % 3]
        d = a.day
        before = state(a)
        reference_update_offenders(a, d, pol.copy(), guard.copy(), med.copy(), style)
        update_offenders(b, d, pol.copy(), guard.copy(), med.copy(), style)
        assert not differences(a, b), (trial, differences(a, b))
        seen.day(before, a, style)
    assert all(v > 0 for k, v in seen.n.items() if k != "reemerged"), str(seen.n)


def test_contacts_match_numpy():
    """The day's visits summed at a place and the heavy-handed contacts there (what the kernel
    computes at the agents' places), bit for bit against numpy's arrays, for any visits
    (negative zeros, magnitudes that round differently in another order) and both styles."""
    from tranqsim.offenders import _day_sum, _heavy

    rng = np.random.default_rng(4)
    for trial in range(100):
        P = int(rng.integers(1, 60))
        pol, guard, med = (np.where(rng.random((3, P)) < 0.6,
                                    rng.random((3, P)) * 10.0 ** rng.integers(-3, 4, (3, P)),
                                    rng.choice([0.0, -0.0], (3, P))) for _ in range(3))
        raids = np.where(rng.random(P) < 0.3, rng.random(P) * 3, -0.0)
        om = bool(trial % 2)
        pol_day, guard_day = pol.sum(0), guard.sum(0)
        heavy = pol_day * om + 0.5 * guard_day + 2 * raids
        expected = np.stack([pol_day, guard_day, heavy, med.sum(0)])
        got = np.array([[_day_sum(pol, j) for j in range(P)],
                        [_day_sum(guard, j) for j in range(P)],
                        [_heavy(pol, guard, raids, j, 1.0 if om else 0.0) for j in range(P)],
                        [_day_sum(med, j) for j in range(P)]])
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes(), trial


def test_group_and_network_updates_match_on_their_own():
    """The two class methods, called directly (as tests and tools may), with per-place arrays."""
    m = build_model(_scenario({"context": "large_estate", "strategy": "heavy_security"}, 1, 5))
    m.run(5)
    rng = np.random.default_rng(3)
    P = m.n_places
    for trial in range(20):
        a, b = copy.deepcopy(m), copy.deepcopy(m)
        heavy, soft = rng.random(P) * 20 * (trial % 3), rng.random(P) * (trial % 2)
        reference_group_update(a, a.group_list, 0.5 * (trial % 4), heavy, soft)
        YouthGroup.update(b, b.group_list, 0.5 * (trial % 4), heavy, soft)
        police, raids, guard = rng.random(P) * 10, (rng.random(P) < 0.3) * 1.0, rng.random(P) * 5
        ga = reference_network_update(a, a.network_list, police, raids, guard, 0.3)
        gb = DealingNetwork.update(b, b.network_list, police, raids, guard, 0.3)
        assert [a.network_list.index(n) for n in ga] == [b.network_list.index(n) for n in gb]
        assert not differences(a, b), (trial, differences(a, b))
    assert DealingNetwork.update(m, [], np.zeros(P), np.zeros(P), np.zeros(P), 0.0) == []


def test_comparison_sees_a_type_or_one_ulp_change():
    """The comparison can fail: a tension of the same value but another type, or one ulp off."""
    m = build_model(_scenario({"context": "priority_estate", "strategy": "heavy_security"}, 1, 1))
    m.run(3)
    a, b = copy.deepcopy(m), copy.deepcopy(m)
    assert differences(a, b) == []
    t = b.group_list[0].tension
    b.group_list[0].tension = float(t) if type(t) is not float else np.float64(t)
    assert differences(a, b) == ["groups"]
    b = copy.deepcopy(m)
    b.network_list[0].pressure = np.nextafter(b.network_list[0].pressure, 2.0)
    assert differences(a, b) == ["networks"]
