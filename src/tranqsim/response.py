"""What follows an incident: victims, witnesses, reporting, who handles it, arrests.

- a victimising incident (cellar or vehicle crime, incivility) hits a household of the hall,
  or of the nearest hall for public places; its fear jumps (victimisation drives fear);
- witnesses: staff or police present, a monitored camera, or residents (halls: in proportion
  to occupancy; public spaces less);
- reporting depends on trust in whoever receives the report (landlord for nuisance, police for
  crime): ``report_base * (0.3 + 0.7 * trust)``;
- handling, from the least to the most specific: the landlord's services (or the tranquillity
  officer when the function is dedicated) answer a share of reported nuisance set by the
  organisation; police attend reported crimes with a probability raised by partnership,
  information sharing and monitored cameras; whoever is on the spot handles what is theirs;
- residents' view of responsiveness (moving averages per hall) feeds their trust;
- police handling weakens the youth group or dealing point present (arrests).

Four uniforms per (phase, place) are drawn every day from the "reporting" stream (witness,
report, handling, victim); several events in one (phase, place) cell shift theirs by multiples
of the golden ratio (mod 1), the k-th event of the cell by k steps.

The day's arithmetic (the place and hall updates and every event's outcome) runs in one compiled
kernel (:func:`_respond_kernel`): a day has a few to a few dozen events, and as about seventy
numpy calls on such small arrays it cost 300-400 microseconds, mostly in call overheads. The
kernel makes the same operations in the same order and dtypes as the numpy version it replaced,
so every output was the same to the bit when it came in (tests/regression/ guards the
summaries since). Python keeps the random draw, the numpy sum of repair costs,
the households' victimisation (``Households.victimise``), the arrests (group and network
objects) and the event log.
"""

from __future__ import annotations

import numpy as np

from tranqsim.incidents import (DAY, H_CARETAKER, H_GUARD, H_MEDIATOR, H_NONE, H_POLICE, TABLE,
                                IncidentType as I)
from tranqsim.jit import njit
from tranqsim.metrics import _np_sum
from tranqsim.rng import day_key, uniform32
from tranqsim.state import EstateState
from tranqsim.vocabulary import DisorderComponent


# Per-type constants the kernel reads, one row per incident type (built once, passed as one
# array: each array argument costs the call a fraction of a microsecond to unbox).
_V, _POL, _NUIS, _OFF, _COMP = range(5)
_TYPE_INFO = np.stack([TABLE.victim, TABLE.to_police, TABLE.nuisance, TABLE.offender_driven,
                       TABLE.disorder_component]).astype(np.int64).T.copy()
_SEVERITY = np.ascontiguousarray(TABLE.severity, dtype=np.float64)
_GOLDEN = np.float32(0.6180339887)  # float32, as in the numpy version: float32 arithmetic
_STAFF_AGGRESSION = int(I.STAFF_AGGRESSION)
_WASTE = int(DisorderComponent.WASTE)


def arrest_effect(p, exposure, place: int) -> float:
    """What one arrest takes from a group's activity or a point's strength at ``place``:
    ``arrest_effect / (1 + police_habituation * exposure)``."""
    if exposure is None:
        return p.arrest_effect
    return p.arrest_effect / (1.0 + p.police_habituation * float(exposure[place]))


def respond(s: EstateState, d, hs, ts, ps, pol, med, guard) -> None:
    """The consequences of the day's incidents (types ``ts``, phases ``hs``, places ``ps``)."""
    p, hh, st, places, halls, today = s.p, s.households, s.static, s.places, s.halls, s.today
    mods, org = s.in_force.mods, s.in_force.org
    # four uniforms per (phase, place) and day: witness, report, handling, victim; counter-based
    # (tranqsim.rng), computed for the events' cells only
    # (computed in the kernel: event_uniforms); the day's repair costs, as
    # float(repair_cost[ts].sum()) made them (numpy's pairwise sum: metrics._np_sum)
    cctv = mods.cctv_active
    # monitored cameras dispatch a response only when their post is filled today (issue 16)
    has_cctv = cctv is not None and today.cctv_watched
    if not has_cctv:
        cctv = s.in_force.caretaker_cov  # never read; same type, so no second compiled version
    # `u < landlord_response`: numpy compares a float32 array with a Python float in float32
    # (NEP 50, the Python float is weak), with a numpy float64 in float64
    lr = org.landlord_response
    lr_weak = type(lr) in (float, int)
    # the same left-to-right products as the numpy expression (Python floats)
    pol_base = p.police_response_base * org.partnership * (1.5 if mods.information_sharing else 1.0)
    (slots, witnessed, reported, handler, arrests, type_counts, n_reported, n_handled,
     ps32, ts8, hs8, today.day_repair_cost) = _respond_kernel(
        d, s.keys["reporting"], hs, ts, ps, pol, med, guard,
        places.recent, places.incidents_12m, places.ring, places.status_score,
        places.attractiveness, places.dis_comp,
        st.nearest_hall, st.hall_of_place, s.in_force.caretaker_cov, cctv, has_cctv,
        st.hall_start, st.layout.dwellings_per_hall, hh.occupied, halls.hall_occ,
        halls.hall_trust_p, halls.hall_trust_l, halls.resp_landlord, halls.resp_police,
        _TYPE_INFO, _SEVERITY, st.comp_amount, st.repair_cost,
        p.attract_boost, p.witness_hall, p.witness_public, p.report_base, pol_base, lr,
        lr_weak, s.in_force.landlord_handler)
    today.day_type_counts = type_counts
    if ts.size == 0:
        today.day_reported = today.day_handled = today.victims_today = 0
        return
    hh.victimise(d, slots, halls.hall_fear_logit)
    today.victims_today = slots.size
    # arrests weaken groups and dealing points where police handled an incident
    if arrests.size:
        hit = set(arrests.tolist())
        # offenders adapt to a sustained presence (lookouts, moving on): an arrest weakens them
        # less where patrols have been frequent (Sherman 1990; tranqsim.guardianship)
        exposure = places.police_exposure
        for grp in s.offenders.group_list:
            if grp.place in hit:
                grp.arrested(arrest_effect(p, exposure, grp.place))
        for net in s.offenders.network_list:
            if net.place in hit:
                net.strength = max(0.05, net.strength - arrest_effect(p, exposure, net.place))
    today.day_reported = np.intp(n_reported)  # the type np.count_nonzero returned
    today.day_handled = np.intp(n_handled)
    if s.output.log_events:
        s.output.events.append((d, ps32, ts8, hs8, witnessed, reported, handler))


@njit
def _shift(u, rank):
    """``u = (u + np.float32(0.6180339887) * rank[:, None]) % 1.0`` in place, in float32 as
    numpy does it (float32 product, float32 sum, float32 remainder)."""
    one = np.float32(1.0)
    for i in range(u.shape[0]):
        step = _GOLDEN * np.float32(rank[i])
        for k in range(u.shape[1]):
            u[i, k] = (u[i, k] + step) % one


@njit
def _moving_average(r, han, rep):
    """``r += 0.05 * (han - rep * r)`` over every hall, then ``np.maximum(r, 0)`` and
    ``np.minimum(r, 1)`` (both keep a NaN)."""
    for k in range(r.shape[0]):
        x = r[k] + 0.05 * (han[k] - rep[k] * r[k])
        if x < 0.0:
            x = 0.0
        if x > 1.0:
            x = 1.0
        r[k] = x


@njit(contiguous=True)
def event_uniforms(key, d, hs, ps, n_places):  # pragma: no cover - compiled
    """(events, 4) float32: the reporting stream's uniforms of each event's (phase, place) cell
    c = phase * n_places + place on day d, indices 4c .. 4c + 3 (witness, report, handling,
    victim): the rows of ``uniforms32(key, d, 0, 12 * n_places).reshape(3, n_places, 4)``."""
    dk = day_key(key, d)
    u = np.empty((hs.size, 4), np.float32)
    for i in range(hs.size):
        c = hs[i] * n_places + ps[i]
        for k in range(4):
            u[i, k] = uniform32(dk, 4 * c + k)
    return u


@njit(contiguous=True)
def _respond_kernel(d, key, hs, ts, ps, pol, med, guard,
                    recent, incidents_12m, ring, status_score, attractiveness, dis_comp,
                    nearest_hall, hall_of_place, caretaker_cov, cctv, has_cctv,
                    hall_start, dwellings_per_hall, occupied, hall_occ, trust_p, trust_l,
                    resp_landlord, resp_police, type_info, severity, comp_amount, repair_cost,
                    attract_boost, witness_hall, witness_public, report_base, pol_base, lr, lr_weak,
                    landlord_handler):
    """The numpy version's operations, event by event, in its order and dtypes (see
    tranqsim.jit). Updates the place and hall arrays in place; returns the victims' slots, the
    events' witnessed / reported / handler arrays, the places of police handling (arrests),
    the day's counts per type, the counts of reports and handled incidents, ps / ts / hs
    in the event log's dtypes, and the day's repair cost (``float(repair_cost[ts].sum())``,
    numpy's pairwise sum as :func:`tranqsim.metrics._np_sum` makes it). The events' uniforms
    are :func:`event_uniforms` of the reporting stream's ``key``."""
    P = recent.shape[0]
    H = resp_landlord.shape[0]
    T = type_info.shape[0]
    n = ts.shape[0]
    # the landlord's response threshold, rounded to float32 where numpy compares in float32
    lr_thr = np.float64(np.float32(lr)) if lr_weak else np.float64(lr)
    # --- places: np.bincount adds in input order, so do these loops
    counts = np.zeros(P, np.int64)
    sev = np.zeros(P)
    off = np.zeros(P)
    dis = np.zeros((3, P))
    type_counts = np.zeros(T, np.int64)
    costs = np.empty(n)
    for i in range(n):
        t, q = ts[i], ps[i]
        costs[i] = repair_cost[t]
        counts[q] += 1
        sev[q] += severity[t]
        off[q] += np.float64(type_info[t, _OFF])  # bool weights count 1.0
        dis[type_info[t, _COMP], q] += comp_amount[t]
        type_counts[t] += 1
    row = d % 365
    for q in range(P):  # every place, as numpy does (keeps even a -0.0 where numpy would)
        c = counts[q]
        recent[q] += (c - recent[q]) / 30
        incidents_12m[q] += c - np.int64(ring[row, q])
        ring[row, q] = c
        status_score[q] += (sev[q] - status_score[q]) / 60
        attractiveness[q] += attract_boost * off[q]
        for k in range(3):
            dis_comp[k, q] += dis[k, q]
    witnessed = np.zeros(n, np.bool_)
    reported = np.zeros(n, np.bool_)
    handler = np.zeros(n, np.int8)
    ps32 = np.empty(n, np.int32)
    ts8 = np.empty(n, np.int8)
    hs8 = np.empty(n, np.int8)
    if n == 0:
        e = np.empty(0, np.int64)
        return (e, witnessed, reported, handler, e, type_counts, 0, 0, ps32, ts8, hs8, 0.0)
    # --- the events' uniforms; several events in one (phase, place) cell: the k-th one (in
    # input order: the rank a stable argsort gives) is shifted by k golden-ratio steps
    u = event_uniforms(key, d, hs, ps, P)
    rank = np.empty(n, np.int64)
    seen = np.zeros(3 * P, np.int64)
    shared = False
    for i in range(n):
        c = hs[i] * P + ps[i]
        rank[i] = seen[c]
        seen[c] += 1
        if rank[i] > 0:
            shared = True
    if shared:  # as numpy: every event shifted, the first of a cell by 0 (same bits)
        _shift(u, rank)
    # --- victims: a household of the hall (or of the nearest hall for public places)
    vic = np.empty(n, np.int64)
    nv = 0
    for i in range(n):
        if type_info[ts[i], _V]:
            hv = nearest_hall[ps[i]]
            # float32 uniform * int64 count: numpy computes in float64, then truncates
            s = hall_start[hv] + np.int64(np.float64(u[i, 3]) * np.float64(dwellings_per_hall[hv]))
            if occupied[s]:
                vic[nv] = s
                nv += 1
    slots = vic[:nv].copy()
    # --- witnesses, reporting, who handles it; responsiveness per (receiver, hall)
    rep = np.zeros(2 * H)  # landlord reports in [0, H), police reports in [H, 2H)
    han = np.zeros(2 * H)
    arr = np.empty(n, np.int64)
    na = 0
    n_reported = 0
    n_handled = 0
    for i in range(n):
        h, t, q = hs[i], ts[i], ps[i]
        hall = nearest_hall[q]
        # float32 uniforms against float64 arrays: numpy compares in float64
        u0 = np.float64(u[i, 0])
        u1 = np.float64(u[i, 1])
        u2 = np.float64(u[i, 2])
        police_here = pol[h, q] > 0
        med_here = med[h, q] > 0
        guard_here = guard[h, q] > 0
        care_here = (h == DAY) and (u0 < 0.5 * caretaker_cov[q])
        monitored = has_cctv and cctv[q] > 0
        present = med_here or guard_here or care_here or police_here or monitored
        if hall_of_place[q] >= 0:
            p_witness = witness_hall * hall_occ[hall]
        else:
            p_witness = np.float64(witness_public)
        wit = present or (u0 < p_witness)
        to_police = type_info[t, _POL] != 0
        trust = trust_p[hall] if to_police else trust_l[hall]
        rep_ = present or (wit and (u1 < report_base * (0.3 + 0.7 * trust)))
        x = pol_base * (1.5 if monitored else 1.0)
        pol_resp = x if (x < 0.95 or x != x) else 0.95  # np.minimum(0.95, x), NaN kept
        nuis = type_info[t, _NUIS] != 0
        prop = type_info[t, _COMP] != _WASTE  # damage or tags: property
        # from lowest to highest priority: the landlord's services, then whoever is there
        hd = H_NONE
        if (not to_police) and rep_ and (u2 < lr_thr):
            hd = landlord_handler
        if police_here:
            hd = H_POLICE
        if care_here and (prop or nuis) and not to_police:
            hd = H_CARETAKER
        if guard_here and nuis:
            hd = H_GUARD
        if med_here and nuis:
            hd = H_MEDIATOR
        if to_police and ((rep_ and (u2 < pol_resp)) or police_here):
            hd = H_POLICE
        witnessed[i] = wit
        reported[i] = rep_
        handler[i] = hd
        key = hall + H if to_police else hall
        answered = (hd == H_POLICE) if to_police else (hd != H_NONE)
        rep[key] += 1.0 if rep_ else 0.0  # np.bincount's bool weights, in input order
        han[key] += 1.0 if (rep_ and answered) else 0.0
        if hd == H_POLICE:
            arr[na] = q
            na += 1
        if rep_ and t != _STAFF_AGGRESSION:
            n_reported += 1
        if hd != H_NONE:
            n_handled += 1
        ps32[i] = q
        ts8[i] = t
        hs8[i] = h
    _moving_average(resp_landlord, han[:H], rep[:H])
    _moving_average(resp_police, han[H:], rep[H:])
    return (slots, witnessed, reported, handler, arr[:na].copy(), type_counts, n_reported,
            n_handled, ps32, ts8, hs8, _np_sum(costs))
