"""What the levers in force set, on each day one starts or ends (:func:`apply_levers`).

The modifiers of the active levers (``Modifiers``); staff posts -- caretakers with their
sectors, night mediators, guards, police crews (regular and ZSP), tranquillity officers --
reconciled with them; the static guardianship array (caretakers, cameras, lighting, access
control, enclosure, each weighted by its deterrence coefficient); the removal rates of the
three disorder components (repairs, tags, waste); and the running costs per day by lever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tranqsim.actors import Caretaker, NightMediator, PoliceUnit, SecurityGuard, TranquillityOfficer
from tranqsim.incidents import S
from tranqsim.levers import Modifiers
from tranqsim.organisation import officer_posts
from tranqsim.vocabulary import Phase, Source

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel


def apply_levers(m: EstateModel) -> None:
    """On a day a lever starts or ends: the modifiers of the levers in force, the staff on the
    ground reconciled with them, the static guardianship, the disorder removal rates and the
    running costs per day."""
    d, p, P = m.day, m.p, m.n_places
    mods = Modifiers()
    for lev in m.levers:
        if lev.active(d):
            lev.apply(m, mods)
    m.mods = mods
    D = m.n_dwellings
    sectors = Caretaker.sectors(m.halls, mods.caretaker_posts)  # once, not once per post
    _reconcile(m, Caretaker, mods.caretaker_posts, lambda i, n: Caretaker(m, sectors[i]))
    _reconcile(m, NightMediator, mods.mediator_posts, lambda i, n: _standing(NightMediator, m))
    _reconcile(m, SecurityGuard, round(mods.guard_level * D / p.dwellings_per_guard),
               lambda i, n: _standing(SecurityGuard, m))
    ctx_crews = m.spec.context.police.crews_per_1000 * D / 1000
    crews = ctx_crews * mods.police_level  # fractional crews act through their visits
    regular = max(1, round(crews)) if crews > 0 else 0
    zsp = round(mods.zsp_extra_crews) if mods.zsp_zone is not None else 0
    for a in m.staff[PoliceUnit]:
        a.remove()
    m.staff[PoliceUnit] = [PoliceUnit(m) for _ in range(regular)] + \
        [PoliceUnit(m, zsp=True) for _ in range(zsp)]
    _reconcile(m, TranquillityOfficer, officer_posts(m.spec.strategy.organisation, D),
               lambda i, n: TranquillityOfficer(m, int(m.halls[0])))
    m.police_crews = crews + zsp
    m.crew_visit_scale = (crews / regular) if regular else 0.0

    # static guardianship (S, 3, P), already weighted by deterrence coefficients
    g = np.zeros((S + 1, 3, P), np.float32)  # the last row (DIFFUSED) is filled daily
    cov = Caretaker.coverage(m, m.staff[Caretaker])
    m.caretaker_cov = cov
    m.cov_halls = cov[m.halls]
    g[Source.CARETAKER, Phase.DAY] = p.g_caretaker * cov
    cctv = (p.g_cctv_passive * mods.place_array("cctv_passive", P)
            + p.g_cctv_active * mods.place_array("cctv_active", P)) * m.cctv_place_factor
    g[Source.CCTV] = cctv[None, :]
    light = mods.place_array("lighting", P)
    g[Source.LIGHTING, Phase.EVENING] = g[Source.LIGHTING, Phase.NIGHT] = p.g_lighting * light
    acc = mods.place_array("access_control", P, bool)
    g[Source.ACCESS_CONTROL] = p.g_access_control * acc[None, :]
    resid = mods.place_array("residentialised", P, bool)
    g[Source.RESIDENTIALISATION] = p.g_residentialisation * resid[None, :]
    m.g_static = g
    m.surveillance[:] = cctv + p.g_lighting * light + p.g_access_control * acc
    # removal rates of the three disorder components per day
    speed = p.caretaker_repair_speedup * np.minimum(cov, 1.0)
    rep_days = p.repair_delay_days * mods.repair_days_factor * m.org.repair * (1 - speed)
    tag_days = p.tag_removal_days * mods.tag_days_factor * m.org.repair * (1 - 0.5 * speed)
    waste = 1 / p.waste_clearance_days + p.caretaker_clean_rate * np.minimum(cov, 1.0) \
        + 0.1 * mods.cleaning_level
    m.keep = 1 - np.clip(np.stack([1 / np.maximum(rep_days, 1), 1 / np.maximum(tag_days, 1),
                                      waste]), 0, 1)
    # running costs per day per key
    rate = np.zeros(len(m.cost_keys))
    for i, lev in enumerate(m.levers):
        if lev.active(d):
            rate[i] = lev.annual_cost(m) / 365
    rate[m.cost_keys.index("organisation")] = len(m.staff[TranquillityOfficer]) * p.cost_officer_post / 365
    m.cost_rate = rate
    m.public_rate = sum(getattr(lv, "public_cost", lambda m: 0.0)(m) for lv in m.levers
                           if lv.active(d)) / 365 + crews * p.cost_police_crew_day
    m.lever_changes.append(d)


def _reconcile(m: EstateModel, cls, target: int, make) -> None:
    """Exactly ``target`` agents of ``cls`` (new ones from ``make(i, target)``)."""
    agents = m.staff[cls]
    if len(agents) == target:
        return
    for a in agents:
        a.remove()
    m.staff[cls] = [make(i, target) for i in range(target)]


def _standing(cls, model):
    agent = cls(model)
    agent.stand_on(int(model.halls[0]))
    return agent
