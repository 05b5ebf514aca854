"""Residents day by day: collective efficacy, fear, satisfaction and trust, tenancy, hall status.

Hall-level targets are computed from what residents of each hall see (visible disorder around
the hall, recent incidents nearby, dealing, the landlord's and the police's responsiveness,
trusted presence, participation, heavy-handed operations); households' own state moves toward
them in bulk (:meth:`tranqsim.households.Households.update_attitudes`'s kernel, called by
:func:`_halls_day`). Tenancy: complaints and
evictions for disturbance, settled disputes, move-outs, relets and squats
(:meth:`Households.mobility`). Hall status follows the Nantes grading: severity-weighted
incidents per month, a dealing point makes a hall at least orange, a strong one red.

The day's arithmetic runs in compiled loops (:mod:`tranqsim.jit`): the hall quantities and the
hall status in one kernel (:func:`_halls_day`), the households' attitudes and tenancy in
:class:`Households`' kernels. They make numpy's elementwise operations in its order and dtypes and
its per-hall sums in input order, so they give the bits the numpy version gave.
"""

from __future__ import annotations

import weakref

import numpy as np

from tranqsim.households import _attitudes
from tranqsim.incidents import EVENING, NIGHT
from tranqsim.jit import njit
from tranqsim.state import EstateState
from tranqsim.vocabulary import HallStatus

# how much a police visit reassures residents, by style: the parameter holding it
POLICE_STYLE_REASSURANCE = {"community": "reassurance_police_community",
                            "standard": "reassurance_police_standard",
                            "order_maintenance": "reassurance_police_order"}
# the parameters _halls_day reads, as a tuple of floats, once per (read-only) Parameters
_HALL_PARAMS = ("community_ce_gain", "fear_base", "fear_disorder", "fear_incidents", "fear_dealing",
                "fear_reassurance", "order_maintenance_trust_loss", "status_yellow", "status_orange",
                "status_red", "ce_participation", "reassurance_guard", "community_contact_ref",
                "community_trust_gain", "sat_base", "sat_disorder", "sat_responsiveness",
                "sat_coverage", "sat_participation", "sat_incidents", "trust_l_responsiveness",
                "trust_l_coverage", "trust_l_reassurance", "trust_l_participation",
                "trust_l_disorder", "trust_p_responsiveness", "trust_p_dealing",
                "stability_years", "reassurance_memory_days", "police_memory_days",
                "ce_max", "near_disorder_weight")
_hall_consts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def update_residents(s: EstateState, d, med, pol, guard, style) -> None:
    """Collective efficacy, fear, satisfaction, trust; tenancy events; hall status.

    Hall quantities (see :func:`_halls_day`): occupancy, mean fear (written to the places' ``fear`` at the
    halls), weekly residential stability, collective efficacy, the fear target's log-odds, the
    reassurance, community-policing and heavy-handedness EMAs, and, weekly (or when not yet
    set), satisfaction and trust targets; the hall status. Then households' attitudes,
    complaints and evictions (eviction lever), settled disputes (dispute mediation), move-outs,
    relets and squats (by yesterday's hall status)."""
    p, hh, st, places, hs, mods = s.p, s.households, s.static, s.places, s.halls, s.in_force.mods
    halls, H = st.halls, st.n_halls
    part = min(mods.participation, 2.0)
    weekly = d % 7 == 0  # residential stability changes slowly: weekly is enough
    targets = weekly or hs.hall_sat is None  # satisfaction and trust targets: weekly
    if hs.hall_sat is None:
        hs.hall_sat, hs.hall_tl, hs.hall_tp = np.empty(H), np.empty(H), np.empty(H)
    # The hall arrays are written in place (returning new arrays from a kernel costs more than
    # the arithmetic): same values as the numpy version's new arrays, which no one kept.
    hall_status = np.empty(H, np.int64)  # yesterday's, for mobility (a copy, as status[halls])
    consts = _hall_consts.get(p)
    if consts is None:
        consts = _hall_consts[p] = tuple(float(getattr(p, name)) for name in _HALL_PARAMS)
    if st.fear_offset:  # the estate's own fear level (context population.fear_offset)
        consts = consts[:1] + (consts[1] + st.fear_offset,) + consts[2:]
    _halls_day(
        d, weekly, targets, hh.hall, hh.occupied, hh.fear, hh.move_in, st.layout.dwellings_per_hall,
        halls, float(part), consts, s.today.nbr, places.disorder, places.recent, places.dealing,
        pol, med, guard, s.in_force.caretaker_cov, float(getattr(p, POLICE_STYLE_REASSURANCE[style])),
        style == "community", style == "order_maintenance", places.raids, s.in_force.cov_halls,
        hs.resp_landlord, hs.resp_police, p.sat_dispute * mods.dispute_mediation, float(st.trust_l0),
        float(st.trust_p0), places.status_score,
        # written:
        places.fear, hs.hall_occ, hs.stab_h, hs.ce, hs.hall_reassure, hs.hall_community,
        hs.hall_heavy, hs.hall_fear_logit, hs.hall_sat, hs.hall_tl, hs.hall_tp, hs.hall_trust_l,
        hs.hall_trust_p, places.status, hall_status,
        # then the households' attitudes (Households.update_attitudes, same kernel)
        hh.last_victim, hh.sensitivity, hh.trust_offset, hh.satisfaction, hh.trust_landlord,
        hh.trust_police, hh._attitude_consts)
    # tenancy: complaints and evictions for disturbance; settled disputes; move-outs, relets, squats
    filed = hh.mobility(d, s.keys["mobility"], hall_status, s.streams, mods.eviction,
                        mods.dispute_mediation)
    s.today.day_evict_cost = filed * p.cost_eviction_case if mods.eviction else 0.0


_ORANGE, _RED = int(HallStatus.ORANGE), int(HallStatus.RED)


@njit
def _fmin(a, b):  # pragma: no cover - compiled
    return b if b < a else a  # np.minimum(a, b) for a non-NaN b (a NaN a propagates)


@njit
def _fmax(a, b):  # pragma: no cover - compiled
    return b if b > a else a  # np.maximum(a, b) for a non-NaN b


@njit(contiguous=True)
def _halls_day(d, weekly, targets, hall, occ, fear, move_in, dwellings_per_hall, halls, part,
               consts, nbr, disorder, recent, dealing, pol, med, guard, caretaker_cov,
               style_reassurance, community, order_maintenance, raids, cov, resp_landlord,
               resp_police, dispute_term, trust_l0, trust_p0, status_score, place_fear, hall_occ,
               stab_h, ce, hall_reassure, hall_community, hall_heavy, fear_logit, hall_sat, hall_tl,
               hall_tp, trust_l, trust_p, place_status, old_status, last_victim, sensitivity,
               trust_offset, satisfaction, trust_landlord, trust_police,
               attitude_consts):  # pragma: no cover - compiled
    # Then, in the same call, what Households.update_attitudes did next (:func:`_attitudes`,
    # on the hall targets just written; the weekly ones are read on weekly days only, as
    # there).
    # The numpy version's expressions, hall by hall, each in its order of operations (Python
    # evaluates left to right: a + b * c - e is (a + (b * c)) - e). Per-hall sums over the
    # households in slot order, as np.bincount(hall, weights=...) added them; the weights are
    # the products numpy formed (fear * occupied, as floats). Over a run of slots of one hall
    # (slots are sorted by hall) the running sums stay in registers: the same additions in the
    # same order, without a store and reload between each.
    (community_ce_gain, fear_base, fear_disorder, fear_incidents, fear_dealing, fear_reassurance,
     om_trust_loss, status_yellow, status_orange, status_red, ce_participation, reassurance_guard,
     contact_ref, community_trust_gain, sat_base, sat_disorder, sat_resp, sat_cov, sat_part,
     sat_incidents, tl_resp, tl_cov, tl_reassure, tl_part, tl_disorder, tp_resp,
     tp_dealing, stability_years, reassure_days, police_days, ce_max, near_w) = consts
    stability_days = stability_years * 365
    H, n = halls.size, hall.size
    n_occ = np.zeros(H, np.int64)
    fear_sum = np.zeros(H)
    stab_sum = np.zeros(H)
    i = 0
    while i < n:
        h = hall[i]
        c, f, s = n_occ[h], fear_sum[h], stab_sum[h]
        while i < n and hall[i] == h:
            o = 1.0 if occ[i] else 0.0
            c += occ[i]
            f += fear[i] * o
            if weekly:
                s += _fmin(1.0, (d - move_in[i]) / stability_days) * o
            i += 1
        n_occ[h], fear_sum[h], stab_sum[h] = c, f, s
    ce_base = 1 + ce_participation * part
    for j in range(H):
        pl = halls[j]
        cnt = np.float64(n_occ[j])
        hall_occ[j] = cnt / dwellings_per_hall[j]
        denom = _fmax(cnt, 1.0)
        fear_h = fear_sum[j] / denom
        place_fear[pl] = fear_h
        if weekly:
            stab_h[j] = stab_sum[j] / denom
        # community policing works through residents (problem-solving with them, Braga et al.
        # 2015): like participation, a community crew's regular presence strengthens informal
        # control -- a little (Gill et al. 2014: limited effects on crime). Exposure: the
        # hall's recent community-crew visits a day over the rate counted as full exposure
        exposure = _fmin(hall_community[j] / contact_ref, 1.0)
        c = hall_occ[j] * (1 - fear_h) * (0.5 + 0.5 * stab_h[j]) * (
            ce_base + community_ce_gain * exposure)
        ce[j] = _fmin(_fmax(c, 0.0), ce_max)
        # neighbourhood means, from this morning's product
        dis_h = (1 - near_w) * disorder[pl] + near_w * nbr[pl, 0]
        inc_month = 30 * (recent[pl] + 4 * nbr[pl, 3])  # own + about half the neighbours
        deal_h = _fmin(dealing[pl] + 4 * nbr[pl, 4], 1.5)
        pol_h = pol[0, pl] + pol[1, pl] + pol[2, pl]  # as pol[:, halls].sum(0) adds
        presence = caretaker_cov[pl] + med[EVENING, pl] + reassurance_guard * guard[NIGHT, pl] + \
            style_reassurance * pol_h
        hall_reassure[j] += (presence - hall_reassure[j]) / reassure_days
        reassure = _fmin(hall_reassure[j], 1.0)
        if community:
            hall_community[j] += (pol_h - hall_community[j]) / police_days
        else:
            hall_community[j] -= hall_community[j] / police_days
        heavy = pol_h * (1.0 if order_maintenance else 0.0) + raids[pl]
        hall_heavy[j] += (heavy - hall_heavy[j]) / police_days
        fear_logit[j] = (fear_base + fear_disorder * dis_h + fear_incidents * np.log1p(inc_month)
                         + fear_dealing * deal_h - fear_reassurance * reassure)
        if targets:
            # targets (log-odds) around the territory's history (its initial trust), moved by
            # what residents see: responsiveness, presence, participation, disorder,
            # heavy-handedness. Satisfaction and trust move slowly: reassessed weekly.
            # (each coefficient a parameter: sat_*, trust_l_*, trust_p_*). Community policing
            # acts on trust in the police mainly (Gill et al. 2014: legitimacy and
            # satisfaction, not crime): community_trust_gain at full exposure
            hall_sat[j] = sat_base - sat_disorder * dis_h + sat_resp * (resp_landlord[j] - 0.5) \
                + sat_cov * cov[j] + sat_part * part - sat_incidents * 30 * recent[pl] + dispute_term
            hall_tl[j] = trust_l0 + tl_resp * (resp_landlord[j] - 0.5) + tl_cov * (cov[j] - 0.7) \
                + tl_reassure * (reassure - 0.5) + tl_part * part - tl_disorder * (dis_h - 0.1)
            hall_tp[j] = trust_p0 + tp_resp * (resp_police[j] - 0.4) \
                + community_trust_gain * exposure - om_trust_loss * _fmin(hall_heavy[j], 1.0) \
                - tp_dealing * _fmin(deal_h, 1.0)
            trust_l[j] = 1.0 / (1.0 + np.exp(-hall_tl[j]))  # what reporting uses
            trust_p[j] = 1.0 / (1.0 + np.exp(-hall_tp[j]))
        # hall status (Nantes grading): severity-weighted incidents per month, dealing points
        score = 30 * status_score[pl]
        st = (score >= status_yellow) + (score >= status_orange) + (score >= status_red)
        if dealing[pl] > 0:
            st = max(st, _ORANGE)
        if dealing[pl] > 0.7:
            st = _RED
        old_status[j] = place_status[pl]
        place_status[pl] = st
    _attitudes(d, weekly, hall, last_victim, sensitivity, trust_offset, fear, satisfaction,
               trust_landlord, trust_police, fear_logit, hall_sat, hall_tl, hall_tp,
               attitude_consts)
