"""The compiled ``respond`` (tranqsim.response) against the numpy version it replaced.

Two models with the same seed run side by side, one with the numpy reference below (a verbatim
copy of ``respond`` before the kernel), one with the kernel; after every day the whole state
``respond`` writes must be equal bit for bit. The test checks that the days compared include
days with several incidents, with several events in one (phase, place) cell (golden-ratio shift),
with victims and with police handling (arrests).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tranqsim
import tranqsim.model as model_module
from tranqsim.incidents import (DAY, H_CARETAKER, H_GUARD, H_MEDIATOR, H_NONE, H_POLICE, TABLE,
                                IncidentType as I, T)
from tranqsim import response
from tranqsim.response import _shift, respond
from tranqsim.rng import uniforms32


def reporting_uniforms(m, d):
    """The day's (3, P, 4) reporting uniforms (tranqsim.rng's counter-based stream)."""
    P = m.n_places
    return uniforms32(m.keys["reporting"], d, 0, 12 * P).reshape(3, P, 4)


def reference_respond(m, d, hs, ts, ps, pol, med, guard) -> None:
    """The numpy version of tranqsim.response.respond (verbatim, before the kernel)."""
    p, P, hh = m.p, m.n_places, m.households
    n = ts.size
    counts = np.bincount(ps, minlength=P)
    m.recent += (counts - m.recent) / 30
    m.incidents_12m += counts - m.ring[d % 365]
    m.ring[d % 365] = counts
    m.status_score += (np.bincount(ps, weights=TABLE.severity[ts], minlength=P)
                          - m.status_score) / 60
    m.attractiveness += p.attract_boost * np.bincount(ps, weights=TABLE.offender_driven[ts],
                                                        minlength=P)
    m.dis_comp += np.bincount(TABLE.disorder_component[ts] * P + ps, weights=m.comp_amount[ts],
                                 minlength=3 * P).reshape(3, P)
    m.day_repair_cost = float(m.repair_cost[ts].sum())
    m.day_type_counts = np.bincount(ts, minlength=T)
    if n == 0:
        m.day_reported = m.day_handled = m.victims_today = 0
        return
    hall_idx = m.nearest_hall[ps]  # the hall itself, or the nearest one for public places
    # four uniforms per (phase, place), drawn every day: witness, report, handling, victim
    u = reporting_uniforms(m, d)[hs, ps]  # (counter-based since the kernels)
    # several events in one (phase, place): shift each one's uniforms (golden-ratio offsets)
    cell = hs * P + ps  # events come sorted by type, then (phase, place)
    if n > 1 and np.bincount(cell, minlength=3 * P).max() > 1:
        order = np.argsort(cell, kind="stable")
        sc = cell[order]
        new = np.empty(n, bool)
        new[0] = True
        np.not_equal(sc[1:], sc[:-1], out=new[1:])
        start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        rank = np.empty(n, np.float32)
        rank[order] = np.arange(n) - start  # 0 for the first event of a cell, 1 for the next...
        u = (u + np.float32(0.6180339887) * rank[:, None]) % 1.0
    # victims: a household of the hall (or of the nearest hall for public places)
    vic = TABLE.victim[ts]
    hv = hall_idx[vic]
    slots = m.hall_start[hv] + (u[vic, 3] * m.layout.dwellings_per_hall[hv]).astype(np.int64)
    slots = slots[hh.occupied[slots]]
    hh.victimise(d, slots, m.hall_fear_logit)
    m.victims_today = slots.size
    # witnesses, reporting, who handles it
    police_here = pol[hs, ps] > 0
    med_here = med[hs, ps] > 0
    guard_here = guard[hs, ps] > 0
    care_here = (hs == DAY) & (u[:, 0] < 0.5 * m.caretaker_cov[ps])  # on a round there
    monitored = m.mods.cctv_active[ps] > 0 if m.mods.cctv_active is not None else np.zeros(n, bool)
    present = med_here | guard_here | care_here | police_here | monitored
    is_hall = m.hall_of_place[ps] >= 0
    p_witness = np.where(is_hall, p.witness_hall * m.hall_occ[hall_idx], p.witness_public)
    witnessed = present | (u[:, 0] < p_witness)
    to_police = TABLE.to_police[ts]
    trust = np.where(to_police, m.hall_trust_p[hall_idx], m.hall_trust_l[hall_idx])
    reported = present | (witnessed & (u[:, 1] < p.report_base * (0.3 + 0.7 * trust)))
    pol_resp = np.minimum(0.95, p.police_response_base * m.org.partnership
                          * (1.5 if m.mods.information_sharing else 1.0)
                          * np.where(monitored, 1.5, 1.0))  # operators dispatch on what they see
    nuis = TABLE.nuisance[ts]
    prop = TABLE.disorder_component[ts] != 2
    # from lowest to highest priority: the landlord's services, then whoever is there
    handler = np.where(~to_police & reported & (u[:, 2] < m.org.landlord_response),
                       m.landlord_handler, H_NONE).astype(np.int8)
    handler[police_here] = H_POLICE
    handler[care_here & (prop | nuis) & ~to_police] = H_CARETAKER
    handler[guard_here & nuis] = H_GUARD
    handler[med_here & nuis] = H_MEDIATOR
    handler[to_police & ((reported & (u[:, 2] < pol_resp)) | police_here)] = H_POLICE
    # responsiveness as residents of the hall see it (moving averages over reports)
    H = m.n_halls
    # per (receiver, hall): landlord reports in [0, H), police reports in [H, 2H)
    key = to_police * H + hall_idx
    answered = np.where(to_police, handler == H_POLICE, handler != H_NONE)
    rep = np.bincount(key, weights=reported, minlength=2 * H)
    han = np.bincount(key, weights=reported & answered, minlength=2 * H)
    m.resp_landlord += 0.05 * (han[:H] - rep[:H] * m.resp_landlord)
    m.resp_police += 0.05 * (han[H:] - rep[H:] * m.resp_police)
    for r in (m.resp_landlord, m.resp_police):  # keep in [0, 1] (np.clip is slow on small arrays)
        np.minimum(np.maximum(r, 0.0, out=r), 1.0, out=r)
    # arrests weaken groups and dealing points where police handled an incident
    arrests = ps[handler == H_POLICE]
    if arrests.size:
        hit = set(arrests.tolist())
        for grp in m.group_list:
            if grp.place in hit:
                grp.arrested(p.arrest_effect)
        for net in m.network_list:
            if net.place in hit:
                net.strength = max(0.05, net.strength - p.arrest_effect)
    m.day_reported = np.count_nonzero(reported & (ts != I.STAFF_AGGRESSION))
    m.day_handled = np.count_nonzero(handler != H_NONE)
    if m.log_events:
        m.events.append((d, ps.astype(np.int32), ts.astype(np.int8),
                            hs.astype(np.int8), witnessed, reported, handler))


PLACE_ARRAYS = ("recent", "incidents_12m", "ring", "status_score", "attractiveness", "dis_comp",
                "resp_landlord", "resp_police", "day_type_counts")
SCALARS = ("day_repair_cost", "victims_today", "day_reported", "day_handled")


def _same_array(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def differences(a, b) -> list[str]:
    """Everything respond writes (and the stream it draws from) that differs between models."""
    out = [n for n in PLACE_ARRAYS if not _same_array(getattr(a, n), getattr(b, n))]
    for n in SCALARS:
        x, y = getattr(a, n), getattr(b, n)
        if type(x) is not type(y) or repr(x) != repr(y):
            out.append(n)
    for n in ("fear", "last_victim"):
        if not _same_array(getattr(a.households, n), getattr(b.households, n)):
            out.append(f"households.{n}")
    if [(g.place, repr(g.activity)) for g in a.group_list] != \
            [(g.place, repr(g.activity)) for g in b.group_list]:
        out.append("groups")
    if [(k.place, repr(k.strength)) for k in a.network_list] != \
            [(k.place, repr(k.strength)) for k in b.network_list]:
        out.append("networks")
    if len(a.events) != len(b.events):
        out.append("events")
    elif a.events:
        ea, eb = a.events[-1], b.events[-1]
        if ea[0] != eb[0] or not all(_same_array(x, y) for x, y in zip(ea[1:], eb[1:])):
            out.append("events[-1]")
    if a.streams.state("reporting") != b.streams.state("reporting"):
        out.append("streams.reporting")
    return out


def _step(m, fn, monkeypatch) -> None:
    monkeypatch.setattr(model_module, "respond", fn)
    m.step()


def _pair(context: str, strategy: str, seed: int):
    sc = tranqsim.load_scenario(context=context, strategy=strategy, years=1, seed=seed)
    return tranqsim.build_model(sc), tranqsim.build_model(sc)


@pytest.mark.parametrize("context, strategy, seed, days", [
    ("zsp_estate", "global_approach", 3, 150),
    ("priority_estate", "partnership_zsp", 1, 120),
])
def test_kernel_matches_numpy_reference(context, strategy, seed, days, monkeypatch):
    ref, new = _pair(context, strategy, seed)
    ref.log_events = new.log_events = True
    seen = {"busy": 0, "shared_cell": 0, "victims": 0, "arrests": 0}
    for _ in range(days):
        _step(ref, reference_respond, monkeypatch)
        _step(new, respond, monkeypatch)
        diff = differences(ref, new)
        assert not diff, f"day {ref.day - 1}: {diff}"
        if len(ref.events) and ref.events[-1][0] == ref.day - 1:
            _, ps, _, hs, _, _, handler = ref.events[-1]
            seen["busy"] += ps.size >= 5
            cells = hs.astype(np.int64) * ref.n_places + ps
            seen["shared_cell"] += np.unique(cells).size < cells.size
            seen["arrests"] += bool((handler == H_POLICE).any())
        seen["victims"] += ref.victims_today > 0
    assert all(v >= 2 for v in seen.values()), seen


def test_kernel_matches_numpy_reference_on_crowded_days(monkeypatch):
    """Made-up days: up to 60 events of every type in a few cells (up to ~10 per cell, in no
    particular order), staff and police present at random, on the same model state."""
    ref, new = _pair("zsp_estate", "global_approach", 5)
    for _ in range(2):
        _step(ref, reference_respond, monkeypatch)
        _step(new, respond, monkeypatch)
    rng = np.random.default_rng(0)
    P = ref.n_places
    for d in range(ref.day, ref.day + 40):
        n = int(rng.integers(0, 60)) if d % 5 else 0
        places = rng.choice(P, 6, replace=False)
        ps = rng.choice(places, n)
        hs = rng.integers(0, 3, n)
        ts = rng.integers(0, T, n)
        staff = [np.where(rng.random((3, P)) < 0.3, rng.random((3, P)), 0.0) for _ in range(3)]
        reference_respond(ref, d, hs, ts, ps, *[a.copy() for a in staff])
        respond(new, d, hs, ts, ps, *[a.copy() for a in staff])
        assert not differences(ref, new), (d, differences(ref, new))
    assert ref.events and max(np.bincount(e[3].astype(np.int64) * P + e[1]).max() for e in ref.events) >= 5


class _FixedDraws:
    """Stands in for the "reporting" stream's uniforms: the prepared (3, P, 4) array ``u``."""

    def __init__(self):
        self.u = None

    def cells(self, m, d):
        return self.u.copy()

    def events(self, key, d, hs, ps, n_places):
        return self.u[hs, ps]


def _near(x: float, rng) -> np.float32:
    """A float32 at or next to x: below, at or above it after rounding (where comparing in
    float32 or in float64 can give different answers)."""
    f = np.float32(x)
    c = [np.nextafter(f, np.float32(-1)), f, np.nextafter(f, np.float32(2))][rng.integers(3)]
    return np.float32(min(max(c, np.float32(0)), np.nextafter(np.float32(1), np.float32(0))))


def test_kernel_matches_numpy_reference_at_the_thresholds(monkeypatch):
    """Uniforms placed at the float32 neighbours of the thresholds they are compared with, so a
    comparison made in the wrong dtype (float32 instead of float64, or the reverse) shows. A
    landlord response of 0.65 rounds down in float32 (numpy compares it in float32)."""
    from tranqsim.organisation import OrganisationFactors

    ref, new = _pair("zsp_estate", "global_approach", 7)
    for _ in range(2):
        _step(ref, reference_respond, monkeypatch)
        _step(new, respond, monkeypatch)
    org = OrganisationFactors(0.65, 0.9, 0.75, 1.0)
    assert float(np.float32(org.landlord_response)) < org.landlord_response
    ref.org = new.org = org
    draws = _FixedDraws()
    monkeypatch.setattr(sys.modules[__name__], "reporting_uniforms", draws.cells)
    monkeypatch.setattr(response, "event_uniforms", draws.events)
    m, p, rng, P = ref, ref.p, np.random.default_rng(1), ref.n_places
    cctv = m.mods.cctv_active
    for d in range(m.day, m.day + 200):
        n = int(rng.integers(1, 30))
        ps, hs, ts = rng.choice(P, n), rng.integers(0, 3, n), rng.integers(0, T, n)
        staff = [np.where(rng.random((3, P)) < 0.05, 1.0, 0.0) for _ in range(3)]
        u = rng.random((3, P, 4), dtype=np.float32)
        for h, q, t in zip(hs, ps, ts):
            hall = m.nearest_hall[q]
            w = p.witness_hall * m.hall_occ[hall] if m.hall_of_place[q] >= 0 else p.witness_public
            c0 = [w, 0.5 * m.caretaker_cov[q]] if h == DAY else [w]
            trust = m.hall_trust_p[hall] if TABLE.to_police[t] else m.hall_trust_l[hall]
            x = p.police_response_base * org.partnership * (1.5 if m.mods.information_sharing else 1.0) \
                * (1.5 if cctv is not None and cctv[q] > 0 else 1.0)
            u[h, q, 0] = _near(c0[rng.integers(len(c0))], rng)
            u[h, q, 1] = _near(p.report_base * (0.3 + 0.7 * trust), rng)
            u[h, q, 2] = _near([org.landlord_response, min(0.95, x)][rng.integers(2)], rng)
            dw = m.layout.dwellings_per_hall[hall]  # victim's slot: u * dwellings, truncated
            u[h, q, 3] = _near(rng.integers(1, dw) / dw, rng) if dw > 1 else u[h, q, 3]
        draws.u = u
        reference_respond(ref, d, hs, ts, ps, *[a.copy() for a in staff])
        respond(new, d, hs, ts, ps, *[a.copy() for a in staff])
        assert not differences(ref, new), (d, differences(ref, new))


def test_shift_matches_numpy():
    """The golden-ratio shift of the uniforms of several events in one cell, bit for bit (a
    one-ulp difference in a uniform would almost never show in the model's outputs)."""
    rng = np.random.default_rng(2)
    u = rng.random((200_000, 4), dtype=np.float32)
    u[:1000] = np.nextafter(np.float32(1), np.float32(0)) - np.float32(2**-24) * np.arange(1000)[:, None]
    rank = rng.integers(0, 40, u.shape[0])
    expected = (u + np.float32(0.6180339887) * rank.astype(np.float32)[:, None]) % 1.0
    got = u.copy()
    _shift(got, rank)
    assert expected.dtype == got.dtype == np.float32
    assert expected.tobytes() == got.tobytes()


def test_comparison_sees_a_one_ulp_change(monkeypatch):
    """The comparison above can fail: one ulp in one hall's responsiveness is a difference."""
    ref, new = _pair("priority_estate", "global_approach", 2)
    for _ in range(3):
        _step(ref, reference_respond, monkeypatch)
        _step(new, respond, monkeypatch)
    assert differences(ref, new) == []
    new.resp_police[0] = np.nextafter(new.resp_police[0], 2.0)
    assert differences(ref, new) == ["resp_police"]
