"""What the levers in force set, on each day one starts or ends (:func:`apply_levers`).

The modifiers of the active levers (``Modifiers``); staff posts -- caretakers with their
sectors, night mediators, guards, police crews (regular and ZSP), tranquillity officers --
reconciled with them; the static guardianship array (caretakers, cameras, lighting, access
control, enclosure, each weighted by its deterrence coefficient); the removal rates of the
three disorder components (repairs, tags, waste); and the running costs per day by lever.
"""

from __future__ import annotations

import numpy as np

from tranqsim.actors import Caretaker, NightMediator, PoliceUnit, SecurityGuard, TranquillityOfficer
from tranqsim.levers.base import Modifiers
from tranqsim.incidents import TABLE
from tranqsim.organisation import factors, officer_posts
from tranqsim.state import EstateState
from tranqsim.vocabulary import DIFFUSED, IncidentType as I, Phase, Source


def apply_levers(s: EstateState, d: int) -> None:
    """On a day a lever starts or ends: the modifiers of the levers in force, the staff on the
    ground reconciled with them, the static guardianship, the disorder removal rates and the
    running costs per day. Agents are created in ``s.registry`` (the Mesa model)."""
    p, st, inf, reg = s.p, s.static, s.in_force, s.registry
    P = st.n_places
    mods = Modifiers()
    for lev in inf.levers:
        if lev.active(d):
            lev.apply(s, mods)
    inf.mods = mods
    D = st.n_dwellings
    sectors = Caretaker.sectors(st.halls, mods.caretaker_posts)  # once, not once per post
    office = int(st.halls[0])
    _reconcile(inf.staff, Caretaker, mods.caretaker_posts, lambda i: Caretaker(reg, sectors[i]))
    _reconcile(inf.staff, NightMediator, mods.mediator_posts, lambda i: _standing(NightMediator, reg, office))
    _reconcile(inf.staff, SecurityGuard, round(mods.guard_level * D / p.dwellings_per_guard),
               lambda i: _standing(SecurityGuard, reg, office))
    ctx_crews = s.spec.context.police.crews_per_1000 * D / 1000
    crews = ctx_crews * mods.police_level  # fractional crews act through their visits
    regular = max(1, round(crews)) if crews > 0 else 0
    zsp = round(mods.zsp_extra_crews) if mods.zsp_zone is not None else 0
    for a in inf.staff[PoliceUnit]:
        a.remove()
    inf.staff[PoliceUnit] = [PoliceUnit(reg) for _ in range(regular)] + \
        [PoliceUnit(reg, zsp=True) for _ in range(zsp)]
    _reconcile(inf.staff, TranquillityOfficer, officer_posts(s.spec.strategy.organisation, D),
               lambda i: TranquillityOfficer(reg, office))
    inf.police_crews = crews + zsp
    inf.crew_visit_scale = (crews / regular) if regular else 0.0

    # the organisation's factors: the tranquillity function's day (implementation quality,
    # issue 17) once it has run, the table's values before
    inf.org = s.casework.factors if s.casework is not None else factors(s.spec.strategy.organisation, p)
    # static guardianship (sources, phases, places), already weighted by deterrence coefficients
    g = np.zeros((DIFFUSED + 1, 3, P), np.float32)  # the last row (DIFFUSED) is filled daily
    cov = Caretaker.coverage(s, inf.staff[Caretaker])
    inf.caretaker_cov = cov
    inf.cov_halls = cov[st.halls]
    g[Source.CARETAKER, Phase.DAY] = p.g_caretaker * cov
    # monitored cameras deter as monitored only in the shifts their post is filled, and as
    # recording-only cameras otherwise (offenders cannot tell which; Gill & Spriggs 2005)
    watched = min(1.0, p.monitoring_staffed_share * inf.org.monitoring)
    g_active = watched * p.g_cctv_active + (1 - watched) * p.g_cctv_passive
    cctv = (p.g_cctv_passive * mods.place_array("cctv_passive", P)
            + g_active * mods.place_array("cctv_active", P)) * st.cctv_place_factor
    g[Source.CCTV] = cctv[None, :]
    light = mods.place_array("lighting", P)
    g[Source.LIGHTING, Phase.EVENING] = g[Source.LIGHTING, Phase.NIGHT] = p.g_lighting * light
    # relit places are watched more by day too: informal control and pride (Welsh & Farrington
    # 2008: night-time crime did not fall more than daytime crime)
    g[Source.LIGHTING, Phase.DAY] = p.lighting_day_share * p.g_lighting * light
    acc = mods.place_array("access_control", P, bool)
    g[Source.ACCESS_CONTROL] = p.g_access_control * acc[None, :]
    # residents' own youths hold badges: hall occupation feels a share of access control
    st.sens_ext[I.HALL_OCCUPATION, Source.ACCESS_CONTROL] = np.float32(
        p.access_control_group_share * TABLE.sensitivity[I.HALL_OCCUPATION, Source.ACCESS_CONTROL])
    resid = mods.place_array("residentialised", P, bool)
    g[Source.RESIDENTIALISATION] = p.g_residentialisation * resid[None, :]
    inf.g_static = g
    s.places.surveillance[:] = cctv + p.g_lighting * light + p.g_access_control * acc
    removal_rates(s)
    # running costs per day per key
    rate = np.zeros(len(st.cost_keys))
    for i, lev in enumerate(inf.levers):
        if lev.active(d):
            rate[i] = lev.annual_cost(s) / 365
    rate[st.cost_keys.index("organisation")] = len(inf.staff[TranquillityOfficer]) * p.cost_officer_post / 365
    inf.cost_rate = rate
    inf.public_rate = sum(getattr(lv, "public_cost", lambda s: 0.0)(s) for lv in inf.levers
                          if lv.active(d)) / 365 + crews * p.cost_police_crew_day
    s.output.lever_changes.append(d)


def removal_rates(s: EstateState) -> None:
    """Removal rates of the three disorder components per day (rows: DisorderComponent):
    repairs and tag removal slowed by the organisation's repair factor (implementation
    quality, issue 17: re-run by the tranquillity function when that factor moves), waste by
    caretakers and cleaning."""
    p, inf = s.p, s.in_force
    mods, cov = inf.mods, inf.caretaker_cov
    speed = p.caretaker_repair_speedup * np.minimum(cov, 1.0)
    rep_days = p.repair_delay_days * mods.repair_days_factor * inf.org.repair * (1 - speed)
    tag_days = p.tag_removal_days * mods.tag_days_factor * inf.org.repair * (1 - 0.5 * speed)
    waste = 1 / p.waste_clearance_days + p.caretaker_clean_rate * np.minimum(cov, 1.0) \
        + 0.1 * mods.cleaning_level
    inf.keep = 1 - np.clip(np.stack([1 / np.maximum(rep_days, 1), 1 / np.maximum(tag_days, 1),
                                     waste]), 0, 1)


def _reconcile(staff: dict, cls, target: int, make) -> None:
    """Exactly ``target`` agents of ``cls`` (new ones from ``make(i)``)."""
    agents = staff[cls]
    if len(agents) == target:
        return
    for a in agents:
        a.remove()
    staff[cls] = [make(i) for i in range(target)]


def _standing(cls, registry, place: int):
    agent = cls(registry)
    agent.stand_on(place)
    return agent
