"""The landlord's tranquillity function as a process (issue 17; seminar programme, 2014).

Each day, after residents have graded the halls (hall status) and before offenders adapt:

1. **Signals open cases**, per hall (fluid counts): residents' reports to the landlord (the
   day's nuisance at the hall times the probability to report, ``report_base * (0.3 + 0.7 *
   trust)``, times ``case_complaint_share``); caretakers' and staff's reports (incidents where
   caretakers are present, ``case_staff_report_share``); a hall turning orange or red (one
   case, read only by a function that exists: with ``none`` nobody reads the grading); police
   information on dealing points under an information-sharing agreement.
2. **Capacity** (cases a day): ``case_capacity_none`` or ``case_capacity_integrated`` per
   1,000 dwellings, or, dedicated, the ``none`` level plus ``case_capacity_officer`` per
   tranquillity officer; training adds ``case_training_capacity``. Cases wait in a backlog;
   a dedicated function triages orange and red halls first (``case_triage_gain``). The mean
   delay is Little's law: backlog over cases closed a day. Cases beyond ``case_abandon_days``
   of capacity are abandoned (residents give up), so the backlog has a ceiling.
3. **Diagnosis and action**: a flagged hall is diagnosed when its queue is served (chance:
   the share of its cases handled today). Diagnosis sends rapid repair and cleaning (a share
   ``case_repair_share`` of its disorder removed), puts the hall on the function's list for
   ``case_action_days`` (support for residents filing complaints; the list is shared with
   police under an information-sharing agreement and in a ZSP cell, sharpening hot-spot
   targeting; a dedicated function targets mediators' rounds), and warns disruptive
   households (``case_warning_desist`` stop; the rest face a tenancy procedure after
   ``case_procedure_days``, at ``cost_tenancy_procedure``; eviction itself runs through the
   ``eviction`` lever's procedure).
4. **Delays** lower residents' view of the landlord's responsiveness (``case_delay_trust``);
   closed cases raise it (``case_close_trust``); undiagnosed halls keep their disorder.
5. **Implementation quality** (:func:`tranqsim.organisation.implementation`) from the
   organisation, the overload (backlog beyond capacity x ``case_target_days``) and training
   sets the day's factors every other mechanism reads (repair delays, equipment downtime,
   monitoring shifts, mediators, landlord response, partnership).
6. **Staff under pressure**: each aggression against staff costs ``staff_days_per_aggression``
   days of sick leave to the caretaker of the hall (``staff_replacement_share`` covered);
   after one in a red hall staff withdraw for ``staff_withdrawal_days``; posts go unfilled in
   red halls as quality falls (``staff_red_unfilled``). Caretakers' presence drops there.
7. **ZSP**: the landlord's inputs to the partnership cell (occupation reports from its list,
   camera footage, building access) weighted by quality; judicial follow-up closes dealing
   points in the zone for ``zsp_closure_days`` on average.

Every magnitude is a parameter (group ``function``, ``staff``, ``partnership``): all are
assumptions with ranges (docs/evidence_review.md). Everything is numpy over halls; the only
per-agent loop is over dealing points inside a ZSP (a handful).
"""

from __future__ import annotations

import math

import numpy as np

from tranqsim.actors import Caretaker, TranquillityOfficer
from tranqsim.incidents import TABLE, IncidentType as I
from tranqsim.levers.in_force import removal_rates
from tranqsim.organisation import factors, implementation
from tranqsim.state import Casework, EstateState
from tranqsim.vocabulary import HallStatus

_TO_LANDLORD = ~TABLE.to_police.astype(bool)
_SA = int(I.STAFF_AGGRESSION)
_ORANGE, _RED = int(HallStatus.ORANGE), int(HallStatus.RED)
# "no day": the spin-up's days are negative, so -1 cannot mean "none"
NEVER = -(2 ** 40)


def capacity(s: EstateState) -> float:
    """Cases a day the function handles: organisation, officers in post, training."""
    p, org = s.p, s.spec.strategy.organisation
    per_1000 = s.static.n_dwellings / 1000
    if org == "none":
        c = p.case_capacity_none * per_1000
    elif org == "integrated":
        c = p.case_capacity_integrated * per_1000
    else:
        c = p.case_capacity_none * per_1000 + p.case_capacity_officer * len(
            s.in_force.staff[TranquillityOfficer])
    return c * (1 + p.case_training_capacity * s.in_force.mods.training)


def _start(s: EstateState) -> Casework:
    st = s.static
    H = st.n_halls
    return Casework(
        capacity=0.0, backlog=np.zeros(H), flagged_since=np.full(H, NEVER, np.int64),
        listed_until=np.full(H, NEVER, np.int64), warned=np.full(s.households.n, NEVER, np.int64),
        absent=np.zeros(0), sector_of_hall=np.full(H, -1, np.int64),
        withdrawn_until=np.full(H, NEVER, np.int64), presence=np.ones(st.n_places, np.float32),
        factors=factors(s.spec.strategy.organisation, s.p))


def _sectors(s: EstateState, cw: Casework) -> None:
    """Which caretaker is in charge of each hall (re-read when the levers change)."""
    n = len(s.output.lever_changes)
    if cw.sectors_for == n:
        return
    cw.sectors_for = n
    cw.sector_of_hall[:] = -1
    agents = s.in_force.staff[Caretaker]
    for i, a in enumerate(agents):
        cw.sector_of_hall[s.static.hall_of_place[a.sector]] = i
    cw.absent = np.zeros(len(agents))
    cw.capacity = capacity(s)


def tranquillity_function(s: EstateState, d: int) -> None:
    """The function's day (module docstring): cases, diagnosis, actions, quality, staff, ZSP."""
    cw = s.casework
    if cw is None:
        cw = s.casework = _start(s)
    _sectors(s, cw)
    p, st, today, mods, places = s.p, s.static, s.today, s.in_force.mods, s.places
    org = s.spec.strategy.organisation
    H = st.n_halls
    ts, ps = today.ts, today.ps
    ev_hall = st.nearest_hall[ps]
    logging = s.output.log_events and d >= 0  # the UI's log (nothing before day 0)
    # --- 1. signals open cases
    trust = s.halls.hall_trust_l[ev_hall]
    w = _TO_LANDLORD[ts] * (p.report_base * (0.3 + 0.7 * trust)) * p.case_complaint_share \
        + np.minimum(s.in_force.caretaker_cov[ps], 1.0) * p.case_staff_report_share
    arrivals = np.bincount(ev_hall, weights=w, minlength=H).astype(np.float64)
    if mods.information_sharing and s.offenders.network_list:
        for net in s.offenders.network_list:
            arrivals[st.nearest_hall[net.place]] += p.case_police_info_month / 30 * net.strength
    status = places.status[st.halls]
    flagged = status >= _ORANGE
    listed = cw.listed_until >= d
    # a hall back to green or yellow before its diagnosis leaves the queue only once its case is
    # a month old (halls near a threshold flicker between grades: one case per episode)
    age = d - cw.flagged_since
    cw.overdue_30 = int(np.count_nonzero((cw.flagged_since > NEVER) & (age == 31)))
    cw.flagged_since[~flagged & (age > 30)] = NEVER
    new = flagged & (cw.flagged_since == NEVER) & ~listed
    cw.flagged_since[new] = d
    if org != "none":  # nobody reads the grading without a function
        arrivals[new] += 1.0
    cw.opened = float(arrivals.sum())
    # --- 2. capacity, triage, service
    B = cw.backlog + arrivals
    C = cw.capacity
    prio = B * (1 + p.case_triage_gain * flagged) if org == "dedicated" else B
    total = prio.sum()
    served = np.minimum(B, C * prio / total) if total > 0 else np.zeros(H)
    left = C - served.sum()
    rem = B - served
    if left > 1e-9 and rem.sum() > 1e-12:  # capacity left over where queues ran dry
        served += np.minimum(rem, left * rem / rem.sum())
    frac = np.divide(served, B, out=np.zeros(H), where=B > 0)
    cw.backlog = B - served
    # cases waiting beyond what the function could handle in case_abandon_days are given up
    cap = C * p.case_abandon_days
    waiting_total = cw.backlog.sum()
    cw.abandoned = max(0.0, waiting_total - cap)
    if cw.abandoned > 0:
        cw.backlog *= cap / waiting_total
    cw.closed = float(served.sum())
    cw.closed_ema += (cw.closed - cw.closed_ema) / 30
    backlog = float(cw.backlog.sum())
    cw.delay = backlog / max(cw.closed_ema, 0.05)
    cw.overload = max(0.0, backlog / max(C * p.case_target_days, 1e-9) - 1) if C > 0 else (
        1.0 if backlog > 0 else 0.0)
    # --- 3. diagnosis and action
    u = s.streams["casework"].random(H)
    waiting = cw.flagged_since > NEVER
    diag = waiting & (u < frac) if org != "none" else np.zeros(H, bool)
    age = d - cw.flagged_since
    cw.diagnosed_30 = int(np.count_nonzero(diag & (age <= 30)))
    cw.day_cost = 0.0
    cw.warnings = cw.procedures = 0
    if diag.any():
        cw.listed_until[diag] = d + int(p.case_action_days)
        cw.flagged_since[diag] = NEVER
        hp = st.halls[diag]
        places.dis_comp[:, hp] *= 1 - p.case_repair_share
        cw.day_cost += p.case_action_cost * hp.size
        _warn(s, cw, d, diag)
        if logging:
            cw.log.extend((d, "diagnosis", int(q), 1) for q in hp)
    _procedures(s, cw, d)
    if logging and cw.procedures:
        cw.log.append((d, "procedure", -1, cw.procedures))
    listed = cw.listed_until >= d
    # --- 4. delays and answers: residents' view of the landlord's responsiveness
    r = s.halls.resp_landlord
    late = max(0.0, 1 - p.case_target_days / cw.delay) if cw.delay > 0 else 0.0
    r += p.case_close_trust * served * (1 - r) - p.case_delay_trust / 30 * late * np.minimum(cw.backlog, 1) * r
    np.clip(r, 0, 1, out=r)
    if listed.any():  # support for residents filing complaints at listed halls
        rp = s.halls.resp_police
        rp[listed] += p.case_complaint_support * (1 - rp[listed])
    # --- 5. implementation quality: the day's factors for every mechanism
    coordinating = org == "dedicated" and bool(listed.any())
    f = implementation(org, p, cw.overload, mods.training, mods.pairing, coordinating)
    old = s.in_force.org
    s.in_force.org = cw.factors = f
    if abs(f.repair - old.repair) > 0.02 * old.repair:  # repairs' removal rates follow
        removal_rates(s)
    # shared lists point crews to the listed halls (information sharing; a ZSP cell)
    zone = mods.zsp_zone
    if listed.any() and org != "none" and (mods.information_sharing or zone is not None):
        hint = places.recent.copy()
        hint[st.halls[listed]] *= 1 + p.share_targeting_gain
        cw.police_hint = hint
    else:
        cw.police_hint = None
    # --- 6. staff under pressure
    _staff(s, cw, d, ts, ev_hall, status, f.quality, logging)
    # --- 7. the landlord in a ZSP
    cw.zsp_input, cw.zsp_closures = 0.0, 0
    if zone is not None:
        _zsp(s, cw, d, zone, listed, f, logging)


def _warn(s: EstateState, cw: Casework, d: int, diag: np.ndarray) -> None:
    """Disruptive households of the diagnosed halls get a formal warning; some stop."""
    hh = s.households
    at = diag[hh.hall] & hh.disruptive & hh.occupied & (cw.warned == NEVER)
    idx = np.flatnonzero(at)
    if idx.size == 0:
        return
    cw.warned[idx] = d
    cw.warnings = int(idx.size)
    if s.output.log_events and d >= 0:
        halls, n = np.unique(hh.hall[idx], return_counts=True)
        cw.log.extend((d, "warning", int(s.static.halls[h]), int(k)) for h, k in zip(halls, n))
    stop = s.streams["casework_tenancy"].random(idx.size) < s.p.case_warning_desist
    hh.disruptive[idx[stop]] = False


def _procedures(s: EstateState, cw: Casework, d: int) -> None:
    """Households still disruptive ``case_procedure_days`` after their warning face a tenancy
    procedure (counted and costed; eviction runs through the eviction lever's procedure)."""
    hh = s.households
    cw.warned[~hh.occupied] = NEVER  # moved out: the next tenant starts afresh
    due = (cw.warned > NEVER) & (d - cw.warned == int(s.p.case_procedure_days))
    if not due.any():
        return
    still = due & hh.disruptive & hh.occupied
    cw.procedures = int(np.count_nonzero(still))
    cw.day_cost += cw.procedures * s.p.cost_tenancy_procedure


def _staff(s: EstateState, cw: Casework, d: int, ts, ev_hall, status, q: float,
           logging: bool = False) -> None:
    """Sick leave, withdrawal and unfilled posts after aggressions: caretakers' presence."""
    p, st = s.p, s.static
    agg = ev_hall[ts == _SA]
    cw.days_lost = float(agg.size * p.staff_days_per_aggression)
    if agg.size:
        who = cw.sector_of_hall[agg]
        who = who[who >= 0]
        if who.size and cw.absent.size:
            np.add.at(cw.absent, who, p.staff_days_per_aggression)
        red = agg[status[agg] == _RED]
        cw.withdrawn_until[red] = d + int(p.staff_withdrawal_days)
        if logging:
            cw.log.extend((d, "withdrawal", int(st.halls[h]), 1) for h in np.unique(red))
    off = cw.absent > 0
    pres = np.ones(st.n_halls)
    if off.any():
        sec = cw.sector_of_hall
        gone = np.zeros(st.n_halls, bool)
        gone[sec >= 0] = off[sec[sec >= 0]]
        pres[gone] = p.staff_replacement_share
        cw.absent = np.maximum(cw.absent - 1, 0)
    pres[cw.withdrawn_until >= d] = 0.0
    pres[status == _RED] *= 1 - p.staff_red_unfilled * (1 - q)
    cw.presence[st.halls] = pres


def _zsp(s: EstateState, cw: Casework, d: int, zone: np.ndarray, listed: np.ndarray, f,
         logging: bool = False) -> None:
    """The landlord's inputs to the ZSP cell and the judicial follow-up they allow."""
    p, mods, st = s.p, s.in_force.mods, s.static
    in_zone = zone[st.halls]
    reports = s.spec.strategy.organisation != "none" and bool((listed & in_zone).any())
    footage = any(a is not None and bool((a[zone] > 0).any()) for a in (mods.cctv_active, mods.cctv_passive))
    access = mods.access_control is not None and bool(mods.access_control[zone].any())
    rest = (1 - p.zsp_input_quality) / 2
    z = f.quality * (p.zsp_input_quality * reports + rest * footage + rest * access)
    cw.zsp_input = z
    nets = [n for n in s.offenders.network_list if zone[n.place]]
    if not nets or z <= 0:
        return
    prob = min(1.0, p.zsp_prosecution_month / 30 * z * f.partnership)
    rng = s.streams["casework_justice"]
    for net, x in zip(nets, rng.random(len(nets)).tolist()):
        if x < prob:  # prosecution closes the point for a time; demand stays (re-emergence)
            s.offenders.network_list.remove(net)
            net.remove()
            s.offenders.reemergence_day.append(
                d + 1 + int(math.ceil(rng.exponential(p.zsp_closure_days))))
            cw.zsp_closures += 1
            if logging:
                cw.log.append((d, "prosecution", int(net.place), 1))
