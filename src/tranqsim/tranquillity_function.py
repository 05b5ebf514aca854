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
   targeting; a dedicated function points mediators' rounds to them), and warns disruptive
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
assumptions with ranges (docs/evidence_review.md). Steps 1-4 and 6 run in one compiled kernel
over halls and dwellings (:func:`_casework_day`); the only per-agent loop is over dealing
points inside a ZSP (a handful).
"""

from __future__ import annotations

import math

import numpy as np

from tranqsim.actors import Caretaker, TranquillityOfficer
from tranqsim.incidents import TABLE, IncidentType as I
from tranqsim.jit import njit
from tranqsim.levers.in_force import removal_rates
from tranqsim.organisation import factors, implementation
from tranqsim.rng import day_key, uniform
from tranqsim.state import Casework, EstateState
from tranqsim.vocabulary import HallStatus

_TO_LANDLORD_I = (~TABLE.to_police.astype(bool)).astype(np.int64)  # reports go to the landlord
_ORG_CODE = {"none": 0, "integrated": 1, "dedicated": 2}
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
        factors=factors(s.spec.strategy.organisation, s.p), key=np.uint64(s.streams.key("casework")),
        consts=_consts(s.p), out=np.zeros(_N_OUT), diag=np.zeros(H, bool), warn_at=np.zeros(H, np.int64),
        withdrew=np.zeros(H, bool))


def _consts(p) -> tuple:
    """The kernel's parameters, in its order (floats: one tuple type)."""
    return tuple(float(getattr(p, n)) for n in (
        "report_base", "case_complaint_share", "case_staff_report_share", "case_triage_gain",
        "case_abandon_days", "case_target_days", "case_action_days", "case_repair_share",
        "case_close_trust", "case_delay_trust", "case_complaint_support", "case_warning_desist",
        "case_procedure_days", "staff_days_per_aggression", "staff_withdrawal_days",
        "staff_replacement_share", "staff_red_unfilled"))


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


# the kernel's scalar outputs (one float64 array): their positions
(_OPENED, _CLOSED, _ABANDONED, _BACKLOG, _DIAG30, _OVERDUE30, _NDIAG, _WARNINGS, _PROCEDURES,
 _DAYS_LOST, _NLISTED, _FULL, _WITHDREW) = range(13)
_N_OUT = 13
_EMPTY_F = np.zeros(0)


def tranquillity_function(s: EstateState, d: int) -> None:
    """The function's day (module docstring): cases, diagnosis, actions, quality, staff, ZSP.
    The per-hall and per-dwelling arithmetic runs in one compiled kernel (:func:`_casework_day`:
    about a hundred numpy calls on arrays of tens of halls cost more than the model's budget
    for the stage); Python keeps the factors, the police hint, the ZSP and the log."""
    cw = s.casework
    if cw is None:
        cw = s.casework = _start(s)
    _sectors(s, cw)
    p, st, today, mods, places, hh = s.p, s.static, s.today, s.in_force.mods, s.places, s.households
    org = s.spec.strategy.organisation
    logging = s.output.log_events and d >= 0  # the UI's log (nothing before day 0)
    extra = _EMPTY_F
    if mods.information_sharing and s.offenders.network_list:  # police information on dealing
        extra = np.zeros(st.n_halls)
        for net in s.offenders.network_list:
            extra[st.nearest_hall[net.place]] += p.case_police_info_month / 30 * net.strength
    out = cw.out
    cw.closed_ema, cw.delay, cw.overload = _casework_day(
        d, today.ts, today.ps, st.nearest_hall, st.halls, _TO_LANDLORD_I, s.halls.hall_trust_l,
        s.in_force.caretaker_cov, extra, places.status, cw.flagged_since, cw.listed_until,
        cw.backlog, _ORG_CODE[org], cw.capacity, cw.key, places.dis_comp, s.halls.resp_landlord,
        s.halls.resp_police, cw.closed_ema, hh.hall, hh.disruptive, hh.occupied, cw.warned,
        cw.sector_of_hall, cw.absent, cw.withdrawn_until, cw.presence, cw.factors.quality,
        cw.diag, cw.warn_at, cw.withdrew, out, cw.consts)
    cw.opened, cw.closed, cw.abandoned = out[_OPENED], out[_CLOSED], out[_ABANDONED]
    cw.diagnosed_30, cw.overdue_30 = int(out[_DIAG30]), int(out[_OVERDUE30])
    cw.warnings, cw.procedures, cw.days_lost = int(out[_WARNINGS]), int(out[_PROCEDURES]), out[_DAYS_LOST]
    cw.presence_full = bool(out[_FULL])
    n_diag, listed_any = int(out[_NDIAG]), out[_NLISTED] > 0
    cw.day_cost = n_diag * p.case_action_cost + cw.procedures * p.cost_tenancy_procedure
    if logging:
        _log(s, cw, d, n_diag, out[_WITHDREW] != 0)
    # implementation quality: the day's factors for every mechanism (recomputed on change only;
    # quality reads the overload up to 1: beyond, the factors no longer move)
    key = (round(min(cw.overload, 1.0), 3), mods.training, mods.pairing)
    if key != cw.impl_key:
        cw.impl_key = key
        f = implementation(org, p, cw.overload, mods.training, mods.pairing)
        old = s.in_force.org
        s.in_force.org = cw.factors = f
        if abs(f.repair - old.repair) > 0.02 * old.repair:  # repairs' removal rates follow
            removal_rates(s)
    elif s.in_force.org is not cw.factors:  # the levers' stage set the table's factors
        s.in_force.org = cw.factors
    # shared lists point crews to the listed halls (information sharing; a ZSP cell); a
    # dedicated function points the mediators' rounds to them
    zone = mods.zsp_zone
    coordinating = org == "dedicated" and listed_any
    cw.police_hint = cw.mediator_hint = None
    sharing = mods.information_sharing or zone is not None
    if listed_any and org != "none" and (sharing or (coordinating and mods.mediator_posts)):
        on_list = st.halls[cw.listed_until >= d]
        if sharing:
            cw.police_hint = hint = places.recent.copy()
            hint[on_list] *= 1 + p.share_targeting_gain
        if coordinating and mods.mediator_posts:
            cw.mediator_hint = hint = places.recent.copy()
            hint[on_list] *= 1 + p.coord_mediator_gain
    # the landlord in a ZSP
    cw.zsp_input, cw.zsp_closures = 0.0, 0
    if zone is not None:
        _zsp(s, cw, d, zone, cw.listed_until >= d, cw.factors, logging)


def _log(s: EstateState, cw: Casework, d: int, n_diag: int, withdrew: bool) -> None:
    """The day's actions for the UI's log (diagnoses, warnings, procedures, withdrawals;
    ``withdrew``: ``cw.withdrew.any()``, which the kernel counted)."""
    halls = s.static.halls
    if n_diag:
        cw.log.extend((d, "diagnosis", int(q), 1) for q in halls[cw.diag])
    if cw.warnings:
        cw.log.extend((d, "warning", int(halls[h]), int(cw.warn_at[h])) for h in np.flatnonzero(cw.warn_at))
    if cw.procedures:
        cw.log.append((d, "procedure", -1, cw.procedures))
    if withdrew:
        cw.log.extend((d, "withdrawal", int(halls[h]), 1) for h in np.flatnonzero(cw.withdrew))


@njit
def _casework_day(d, ts, ps, nearest_hall, halls, to_landlord, trust_l, caretaker_cov, extra,
                  place_status, flagged_since, listed_until, backlog, org, C, key, dis_comp,
                  resp_l, resp_p, closed_ema, hh_hall, disruptive, occupied, warned,
                  sector_of_hall, absent, withdrawn_until, presence, q, diag, warn_at, withdrew,
                  out, consts):  # pragma: no cover - compiled
    """Steps 1-4 and 6 of the module docstring, hall by hall; returns (closed EMA, delay,
    overload) and writes the day's counts into ``out``. Uniforms are counter-based (stream
    "casework"): index h for hall h's diagnosis, H + i for dwelling i's answer to a warning."""
    (report_base, complaint_share, staff_share, triage, abandon_days, target_days, action_days,
     repair_share, close_trust, delay_trust, support, desist, procedure_days, days_per_agg,
     withdrawal_days, replacement, red_unfilled) = consts
    H = halls.size
    for k in range(out.size):
        out[k] = 0.0
    for h in range(H):
        withdrew[h] = False
    # --- 1. signals open cases
    arrivals = np.zeros(H)
    for i in range(ts.size):
        h = nearest_hall[ps[i]]
        w = min(caretaker_cov[ps[i]], 1.0) * staff_share
        if to_landlord[ts[i]]:
            w += report_base * (0.3 + 0.7 * trust_l[h]) * complaint_share
        arrivals[h] += w
        if ts[i] == _SA:  # 6. an aggression against staff: sick leave, withdrawal in red halls
            out[_DAYS_LOST] += days_per_agg
            c = sector_of_hall[h]
            if c >= 0 and absent.size:
                absent[c] += days_per_agg
            if place_status[halls[h]] == _RED:
                withdrawn_until[h] = d + np.int64(withdrawal_days)
                withdrew[h] = True
                out[_WITHDREW] = 1.0
    for h in range(extra.size):
        arrivals[h] += extra[h]
    flagged = np.zeros(H, np.bool_)
    for h in range(H):
        flagged[h] = place_status[halls[h]] >= _ORANGE
        age = d - flagged_since[h]
        waiting = flagged_since[h] > NEVER
        if waiting and age == 31:
            out[_OVERDUE30] += 1
        # back to green or yellow before its diagnosis: out of the queue once a month old
        if waiting and not flagged[h] and age > 30:
            flagged_since[h] = NEVER
        if flagged[h] and flagged_since[h] == NEVER and listed_until[h] < d:
            flagged_since[h] = d
            if org != 0:  # nobody reads the grading without a function
                arrivals[h] += 1.0
    # --- 2. capacity, triage (dedicated), service; capacity left where queues ran dry
    B = backlog + arrivals
    prio = B.copy()
    if org == 2:
        for h in range(H):
            if flagged[h]:
                prio[h] *= 1 + triage
    total = prio.sum()
    served = np.zeros(H)
    if total > 0:
        for h in range(H):
            served[h] = min(B[h], C * prio[h] / total)
    left = C - served.sum()
    rem = B - served
    rs = rem.sum()
    if left > 1e-9 and rs > 1e-12:
        for h in range(H):
            served[h] += min(rem[h], left * rem[h] / rs)
    closed = served.sum()
    waiting_total = 0.0
    for h in range(H):
        backlog[h] = B[h] - served[h]
        waiting_total += backlog[h]
    cap = C * abandon_days  # cases beyond what the function handles in that many days: given up
    if waiting_total > cap:
        out[_ABANDONED] = waiting_total - cap
        for h in range(H):
            backlog[h] *= cap / waiting_total
        waiting_total = cap
    closed_ema += (closed - closed_ema) / 30
    delay = waiting_total / max(closed_ema, 0.05)
    if C > 0:
        overload = max(0.0, waiting_total / max(C * target_days, 1e-9) - 1)
    else:
        overload = 1.0 if waiting_total > 0 else 0.0
    out[_OPENED], out[_CLOSED], out[_BACKLOG] = arrivals.sum(), closed, waiting_total
    # --- 3. diagnosis and action; 4. delays and answers
    dk = day_key(key, d)
    late = max(0.0, 1 - target_days / delay) if delay > 0 else 0.0
    any_diag = False
    for h in range(H):
        diag[h] = False
        if org != 0 and flagged_since[h] > NEVER and B[h] > 0:
            if uniform(dk, h) < served[h] / B[h]:
                diag[h] = True
                any_diag = True
                out[_NDIAG] += 1
                if d - flagged_since[h] <= 30:
                    out[_DIAG30] += 1
                listed_until[h] = d + np.int64(action_days)
                flagged_since[h] = NEVER
                pl = halls[h]
                for k in range(3):
                    dis_comp[k, pl] *= 1 - repair_share
        r = resp_l[h]
        r += close_trust * served[h] * (1 - r) - delay_trust / 30 * late * min(backlog[h], 1.0) * r
        resp_l[h] = min(max(r, 0.0), 1.0)
        if listed_until[h] >= d:
            out[_NLISTED] += 1
            resp_p[h] += support * (1 - resp_p[h])
    # warnings at diagnosed halls; procedures for those still disruptive after procedure_days
    for h in range(H):
        warn_at[h] = 0
    for i in range(hh_hall.size):
        if not occupied[i]:
            warned[i] = NEVER  # moved out: the next tenant starts afresh
            continue
        if warned[i] > NEVER:
            if d - warned[i] == np.int64(procedure_days) and disruptive[i]:
                out[_PROCEDURES] += 1
        elif any_diag and disruptive[i] and diag[hh_hall[i]]:
            warned[i] = d
            warn_at[hh_hall[i]] += 1
            out[_WARNINGS] += 1
            if uniform(dk, H + i) < desist:
                disruptive[i] = False
    # --- 6. caretakers' presence: sick leave (a replacement covers a share), withdrawal, posts
    # unfilled in red halls as quality falls
    full = True
    for h in range(H):
        pres = 1.0
        c = sector_of_hall[h]
        if c >= 0 and absent.size and absent[c] > 0:
            pres = replacement
        if withdrawn_until[h] >= d:
            pres = 0.0
        if place_status[halls[h]] == _RED:
            pres *= 1 - red_unfilled * (1 - q)
        presence[halls[h]] = pres
        if pres < 1.0:
            full = False
    for c in range(absent.size):
        absent[c] = max(absent[c] - 1.0, 0.0)
    out[_FULL] = 1.0 if full else 0.0
    return closed_ema, delay, overload


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
                (d + 1 + int(math.ceil(rng.exponential(p.zsp_closure_days))), net.origin))
            cw.zsp_closures += 1
            if logging:
                cw.log.append((d, "prosecution", int(net.place), 1))
