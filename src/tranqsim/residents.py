"""Residents day by day: collective efficacy, fear, satisfaction and trust, tenancy, hall status.

Hall-level targets are computed from what residents of each hall see (visible disorder around
the hall, recent incidents nearby, dealing, the landlord's and the police's responsiveness,
trusted presence, participation, heavy-handed operations); households' own state moves toward
them in bulk (:meth:`tranqsim.households.Households.update_attitudes`). Tenancy: complaints and
evictions for disturbance, settled disputes, move-outs, relets and squats
(:meth:`Households.mobility`). Hall status follows the Nantes grading: severity-weighted
incidents per month, a dealing point makes a hall at least orange, a strong one red.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tranqsim.estate import HallStatus
from tranqsim.households import sigmoid
from tranqsim.incidents import EVENING, NIGHT

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel

# how much a police visit reassures residents, by style
POLICE_STYLE_REASSURANCE = {"community": 0.5, "standard": 0.25, "order_maintenance": 0.1}


def update_residents(m: EstateModel, d, med, pol, guard, style) -> None:
    """Collective efficacy, fear, satisfaction, trust; tenancy events; hall status."""
    p, hh, halls, H = m.p, m.households, m.halls, m.n_halls
    occ = hh.occupied
    n_occ = hh.per_hall_count(occ, H)
    m.hall_occ = n_occ / m.layout.dwellings_per_hall
    denom = np.maximum(n_occ, 1)
    fear_h = np.bincount(hh.hall, weights=hh.fear * occ, minlength=H) / denom
    m.fear[halls] = fear_h
    part = min(m.mods.participation, 2.0)
    if d % 7 == 0:  # residential stability changes slowly: weekly is enough
        stable = np.minimum(1.0, (d - hh.move_in) / (3 * 365)) * occ
        m.stab_h = np.bincount(hh.hall, weights=stable, minlength=H) / denom
    # community policing works through residents (problem-solving with them, Braga et al. 2015):
    # like participation, a community crew's regular presence strengthens informal control
    ce = m.hall_occ * (1 - fear_h) * (0.5 + 0.5 * m.stab_h) * (
        1 + 0.3 * part + p.community_ce_gain * np.minimum(m.hall_community, 1.0))
    m.ce = np.minimum(np.maximum(ce, 0.0, out=ce), 1.3, out=ce)
    near = m.nbr[halls]  # neighbourhood means, from this morning's product
    dis_h = 0.6 * m.disorder[halls] + 0.4 * near[:, 0]
    inc_month = 30 * (m.recent[halls] + 4 * near[:, 3])  # own + about half the neighbours
    deal_h = np.minimum(m.dealing[halls] + 4 * near[:, 4], 1.5)
    pol_h = pol[0, halls] + pol[1, halls] + pol[2, halls]  # as pol[:, halls].sum(0) adds
    presence = m.caretaker_cov[halls] + med[EVENING, halls] + 0.3 * guard[NIGHT, halls] + \
        POLICE_STYLE_REASSURANCE[style] * pol_h
    m.hall_reassure += (presence - m.hall_reassure) / 30
    reassure = np.minimum(m.hall_reassure, 1.0)
    if style == "community":
        m.hall_community += (pol_h - m.hall_community) / 60
    else:
        m.hall_community -= m.hall_community / 60
    heavy = pol_h * (style == "order_maintenance") + m.raids[halls]
    m.hall_heavy += (heavy - m.hall_heavy) / 60
    m.hall_fear_logit = (p.fear_base + p.fear_disorder * dis_h + p.fear_incidents * np.log1p(inc_month)
                            + p.fear_dealing * deal_h - p.fear_reassurance * reassure)
    if d % 7 == 0 or m.hall_sat is None:
        # targets (log-odds) around the territory's history (its initial trust), moved by what
        # residents see: responsiveness, presence, participation, disorder, heavy-handedness.
        # Satisfaction and trust move slowly: their targets are reassessed weekly.
        cov = m.cov_halls
        m.hall_sat = 1.2 - 3 * dis_h + 2 * (m.resp_landlord - 0.5) + 0.8 * cov + 0.3 * part \
            - 0.1 * 30 * m.recent[halls] + 0.3 * m.mods.dispute_mediation
        m.hall_tl = m.trust_l0 + 2 * (m.resp_landlord - 0.5) + 0.8 * (cov - 0.7) \
            + 0.6 * (reassure - 0.5) + 0.4 * part - 1.5 * (dis_h - 0.1)
        m.hall_tp = m.trust_p0 + 1.5 * (m.resp_police - 0.4) + 0.6 * np.minimum(m.hall_community, 1) \
            - p.order_maintenance_trust_loss * np.minimum(m.hall_heavy, 1) - 0.8 * np.minimum(deal_h, 1)
        m.hall_trust_l = sigmoid(m.hall_tl)  # what reporting uses
        m.hall_trust_p = sigmoid(m.hall_tp)
    hh.update_attitudes(d, m.hall_fear_logit, m.hall_sat, m.hall_tl, m.hall_tp)
    # tenancy: complaints and evictions for disturbance; settled disputes; move-outs, relets, squats
    u = m.streams["mobility"].random((4, hh.n), dtype=np.float32)
    m.day_evict_cost = 0.0
    evict_due = None
    if m.mods.eviction:
        # complaints filed: the monthly odds first, they leave ~1% of the slots to check
        odds = np.flatnonzero(u[3] < 1 / 120)
        file = odds[occ[odds] & hh.disruptive[odds] & (hh.complaint_day[odds] < 0)]
        hh.complaint_day[file] = d
        m.day_evict_cost = file.size * p.cost_eviction_case
        evict_due = occ & (hh.complaint_day >= 0) & (d - hh.complaint_day >= p.eviction_procedure_days)
    if m.mods.dispute_mediation:
        hh.disruptive &= u[3] < 1 - 1 / 365  # some disputes settle for good
    hh.mobility(d, u, m.status[halls], m.streams, evict_due)
    # hall status (Nantes grading): severity-weighted incidents per month, dealing points
    score = 30 * m.status_score[halls]
    st = (score >= p.status_yellow).astype(np.int64) + (score >= p.status_orange) + (score >= p.status_red)
    dh = m.dealing[halls]
    if dh.any():
        st = np.where(dh > 0, np.maximum(st, HallStatus.ORANGE), st)
        st = np.where(dh > 0.7, HallStatus.RED, st)
    m.status[halls] = st
