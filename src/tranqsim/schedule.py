"""The day as data: the ordered stages of one day, each a function of the state and the day.

:meth:`tranqsim.model.EstateModel.step` runs :data:`DAY_STAGES` in order, then advances the
day. The ODD's process overview (``docs/ODD.md``, section 3) lists the same stages, by the same
names, in the same order (``tests/test_schedule.py`` checks it). A stage reads what earlier
stages of the day left in ``state.today`` (the day's scratch) and the state's other parts;
there is no random activation order: each agent type is processed as a block.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tranqsim import environment, intensities
from tranqsim.actors import NightMediator, PoliceUnit, SecurityGuard
from tranqsim.guardianship import equipment_args, morning, police_exposure
from tranqsim.incident_draw import draw
from tranqsim.incidents import EVENING, NIGHT, TABLE, S, T
from tranqsim.levers.in_force import apply_levers
from tranqsim.linalg import split_matmul
from tranqsim.offenders import YouthGroup, update_offenders
from tranqsim.residents import update_residents
from tranqsim.response import respond
from tranqsim.state import EstateState
from tranqsim.tranquillity_function import tranquillity_function as _function_day
from tranqsim.vocabulary import IncidentType as I, Source

RESIDENT_PHASE = np.array([1.0, 0.8, 0.4])  # residents watch less at night (by Phase)


def police_style_deterrence(p, style: str) -> float:
    """Deterrence per visit of the style, relative to the standard style (parameters)."""
    return {"community": p.police_deterrence_community, "standard": 1.0,
            "order_maintenance": p.police_deterrence_order}[style]
_NO_RESID = np.zeros(0, bool)  # (a kernel argument keeps one type: an empty array, not None)
_FULL_PRESENCE = np.zeros(0, np.float32)  # no caretaker presence lost: nothing to scale
_UV, _SA = int(I.URBAN_VIOLENCE), int(I.STAFF_AGGRESSION)
_NOISE, _DEGRADATION = int(I.NOISE_DISPUTE), int(I.DEGRADATION)
_NOISE_PHASE, _DEGRADATION_PHASE = TABLE.phase[_NOISE], TABLE.phase[_DEGRADATION]
_UV_PHASE = TABLE.phase[_UV]


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the day: its name (as the ODD names it) and what it does."""

    name: str
    run: Callable[[EstateState, int], None]


def levers(s: EstateState, d: int) -> None:
    """On day 0 and the days a lever starts or ends: modifiers, staff, static guardianship,
    disorder removal rates and cost rates (:func:`tranqsim.levers.in_force.apply_levers`)."""
    if d in s.in_force.change_days:
        apply_levers(s, d)


def guardians(s: EstateState, d: int) -> None:
    """Mediators, guards and police draw today's visits; guardianship per (source, phase,
    place), the places' guardianship layer and the day's neighbourhood means (one sparse
    product, morning values): see :mod:`tranqsim.guardianship`."""
    p, mods, staff, today, places = s.p, s.in_force.mods, s.in_force.staff, s.today, s.places
    st = s.static
    cw = s.casework  # the tranquillity function's lists and staff presence (issue 17)
    today.med = med = NightMediator.deploy(s, staff[NightMediator], mods.mediator_night_shift,
                                           None if cw is None else cw.mediator_hint)
    today.guard = guard = SecurityGuard.deploy(s, staff[SecurityGuard])
    # (3, P) police visits: read by validation (C6) and the UI
    org = s.in_force.org
    today.police_today = pol = PoliceUnit.deploy(s, staff[PoliceUnit], mods.police_mode, mods.zsp_zone,
                                                 None if cw is None else cw.police_hint)
    sat = p.police_saturation_visits
    hh = s.households
    # monitored cameras: is the post filled today? (else they only record); an overloaded or
    # absent function fills fewer shifts (org.monitoring)
    today.cctv_watched = bool(s.streams["monitoring"].random()
                              < min(1.0, p.monitoring_staffed_share * org.monitoring)) \
        if mods.cctv_active is not None else True
    # one kernel: offenders' adaptation to sustained patrols (guardianship.police_day),
    # equipment out of service (issue 16; guardianship.static_in_service), caretakers absent
    # after aggressions, withdrawn or posts unfilled in red halls (issue 17), then the day's
    # guardianship (an overloaded or absent function: org factors)
    presence = _FULL_PRESENCE if cw is None or not mods.caretaker_posts or cw.presence_full \
        else cw.presence
    today.g, today.nbr, today.evening_guard, today.n_occ, today.n_dep = morning(
        police_exposure(s), float(p.police_exposure_days),
        float(p.g_police * police_style_deterrence(p, mods.police_style)),
        float(p.police_habituation), float(p.police_residual_weight),
        *equipment_args(s), presence,
        s.in_force.g_static, med, guard, pol, p.g_mediator * org.mediator, p.g_guard,
        float(sat) if sat else 0.0, places.disorder,
        places.attractiveness, st.halls, s.halls.ce, places.recent, places.dealing, today.nbr_in,
        st.W_indptr, st.W_indices, st.W.data,
        _NO_RESID if mods.residentialised is None else mods.residentialised,
        mods.residentialised is not None,
        p.g_residents, RESIDENT_PHASE, p.diffusion_weight, hh.occupied, hh.deprived,
        places.guardianship,
        p.situational_diffusion_weight / p.diffusion_weight if p.diffusion_weight else 0.0,
        p.access_control_group_share, p.cctv_group_share)


def overlap(G: np.ndarray, sens_res: np.ndarray, g_res: np.ndarray, share: float) -> None:
    """Guardians overlap (issue 16), in place on ``G`` (T, 3, P): residents' informal control
    ``G_res = sens_res * g_res`` stays multiplicative (it sets the estate's baseline, which the
    calibration fits), while the summed deterrence of staff, police and technical measures,
    ``G_o = G - G_res``, deters a share ``share * (1 - exp(-G_o / share))`` of offending: close
    to ``1 - exp(-G_o)`` for one modest watcher, at most ``share`` however many watch. So one
    more watcher at a watched place gains less, in proportion, than at an unwatched one, and a
    bundle gains less than the sum of its parts. ``share`` 1 is the multiplicative model.

    This is the law in exponent form, for a few rows (the mediators' margin below);
    :meth:`tranqsim.incidents.Deterrence.guardians_overlapped` applies it to the whole day as
    a factor, in one compiled pass."""
    if share >= 1.0:
        return
    G_res = sens_res.astype(np.float32)[:, None, None] * g_res[None, :, :]
    Go = G - G_res
    np.maximum(Go, 0, out=Go)
    deterred = -np.expm1(-Go / np.float32(share)) * np.float32(share)
    G[...] = G_res - np.log1p(-deterred)


def youth_groups(s: EstateState, d: int) -> None:
    """Youth groups choose tonight's hangout, avoiding evening guardianship."""
    YouthGroup.deploy(s, s.offenders.group_list, s.today.evening_guard, d)


def incident_intensities(s: EstateState, d: int) -> None:
    """Intensities ``lam[t, h, p]`` (see :mod:`tranqsim.incidents`): background x deprivation
    x contagion x attractiveness, offenders present, households; deterrence by residents, then
    staff, police and technical guardians, displacement in space and time; urban violence and
    aggressions against staff."""
    p, mods, hh, st, places, today = s.p, s.in_force.mods, s.households, s.static, s.places, s.today
    P, g, nb, med = st.n_places, today.g, today.nbr, today.med
    G = split_matmul(st.sens_ext, g.reshape(S + 1, 3 * P), st.g_split).reshape(T, 3, P)
    back_on = not mods.mediator_night_shift and mods.mediator_posts
    if back_on:
        # what the evening rounds deter once guardians overlap: the exponent they add at the
        # margin (evening nuisance, with and without the mediators' term)
        nui = st.nuisance_types
        raw = G[nui, EVENING][:, None, :].copy()
        no_med = raw - (st.sens_ext[nui, Source.MEDIATOR][:, None] * g[Source.MEDIATOR, EVENING])[:, None, :]
        for x in (raw, no_med):
            overlap(x, st.sens_ext[nui, Source.RESIDENTS], g[Source.RESIDENTS, EVENING:EVENING + 1],
                    p.deterrable_share)
        med_exponent = (raw[:, 0, :] - no_med[:, 0, :]).astype(np.float32)
    today.dep = dep = 1 + p.deprivation_offending * (today.n_dep / max(today.n_occ, 1) - st.initial_deprived)
    # offenders present: groups, dealing points, squats, disruptive households;
    # group_evening_rate (hall occupation), group_nuisance_rate (noise, tags, degradation,
    # incivility) * host; dealing_daily_rate * phase (dealing), 0.5 * phase (occupation)
    groups, networks = s.offenders.group_list, s.offenders.network_list
    agents, tensions = intensities.agent_values(groups, networks)
    noise_rate = 0.02 * (1.0 - p.dispute_noise_cut if mods.dispute_mediation else 1.0) \
        * (1.0 - p.eviction_noise_cut if mods.eviction else 1.0)
    # background x deprivation x contagion x (saturating) attractiveness, then what offenders
    # (a group's nuisance rises with its grievance after heavy-handed contacts, issue 16) and
    # households bring: one kernel
    kernel_args = (
        st.bg_phase, places.disorder, nb, places.attractiveness, p.attract_max, dep,
        p.disorder_contagion, p.attractiveness_gain, agents, len(groups), len(networks),
        p.tension_group_activity, st.host_rate, st.deal_rate, _NOISE, _NOISE_PHASE, _DEGRADATION,
        _DEGRADATION_PHASE, st.halls, hh.hall, hh.disruptive, hh.occupied, hh.squatted,
        hh.n_squatted != 0, noise_rate)
    deterrence = st.deterrence
    share = p.deterrable_share
    fused = share < 1.0 and not back_on
    if fused:  # and the deterrence's exponents (as Deterrence._deter makes them), same call
        buf = deterrence.exp_buf  # (residents' values + types) x 3 x P: every exponent of the day
        lam, today.dis_eff, host, deal = intensities.before_exp(
            *kernel_args, deterrence.vals, g[Source.RESIDENTS], G, deterrence.sens_res,
            np.float32(1.0 / share), buf)
    else:
        lam, today.dis_eff, host, deal = intensities.before_deterrence(*kernel_args)
    places.dealing = deal
    # urban violence from accumulated tension; aggressions against staff from contacts: the
    # groups' mean tension (Python's sum: see intensities.agent_values), then
    # intensities.late_terms
    terms = ((sum(tensions) / len(groups) if groups else 0.0), p.tension_from_operations,
             s.halls.hall_heavy, st.n_halls,
             p.urban_violence_rate * st.n_dwellings / 1000 / 365 * dep,
             p.urban_violence_tension_gain, st.public_mask, places.attractiveness,
             p.staff_aggression_rate)
    # deterrence: residents' informal control, then staff, police and technical guardians;
    # what the latter deter partly moves next door (displacement; see incidents.Deterrence)
    if fused:
        # one np.exp of the day's exponents, then one kernel for the factors, displacement
        # and the late types (the same kernels as below, in fewer calls)
        np.exp(buf, out=buf)  # numpy's float32 exp (see incidents.Deterrence)
        tension = intensities.after_exp(
            lam, deterrence.off, deterrence.nui, deterrence.val_of, buf, np.float32(share), T - 2,
            G, deterrence.indptr, deterrence.indices, deterrence.data, deterrence.coef_T,
            deterrence.D, deterrence.acc, _UV, _UV_PHASE, _SA, s.in_force.org.aggression, med,
            today.guard, s.in_force.caretaker_cov, host, deal, p.staff_reminder_rate, *terms)
    else:
        # (residents' control alone: res_off, res_nui); G now holds the factor exp(-G) once
        # guardians overlap (one np.exp for both)
        res_off, res_nui = deterrence.residents_and_guardians(lam, G, g[Source.RESIDENTS],
                                                              share, back_on)
        back = None
        if back_on:
            # nuisance deterred by the evening rounds partly resumes after the shift: the part
            # of lam_res removed by the mediators' term alone, bounded by what was there to deter
            back = deterrence.resumed_exponent(lam, med_exponent, res_nui)
        deterrence.displace(lam, res_off)
        if back is not None:
            deterrence.resume(lam, back, p.time_displacement_share)
        # G now holds exp(-G)
        tension, uv_scale, w_uv, contact_rate = intensities.late_terms(*terms)
        intensities.add_late_types(lam, _UV, _UV_PHASE, uv_scale, w_uv, G[I.URBAN_VIOLENCE], _SA,
                                   s.in_force.org.aggression, med, today.guard,
                                   s.in_force.caretaker_cov, contact_rate, host, deal,
                                   p.staff_reminder_rate)
    s.offenders.tension = tension
    today.lam_today = lam  # (T, 3, P) final intensities: read by validation (C7)


def incidents(s: EstateState, d: int) -> None:
    """Incidents drawn cell by cell by Poisson inversion, one counter-based uniform per cell
    and day (:func:`tranqsim.incident_draw.draw`)."""
    today = s.today
    today.ts, today.hs, today.ps = draw(today.lam_today, s.keys["incidents"], d)


def consequences(s: EstateState, d: int) -> None:
    """Incident memory, near-repeat, disorder deposited, repair costs, victims, witnesses,
    reporting, handling, responsiveness, arrests; the event log (:mod:`tranqsim.response`)."""
    t = s.today
    respond(s, d, t.hs, t.ts, t.ps, t.police_today, t.med, t.guard)


def disorder_and_attractiveness(s: EstateState, d: int) -> None:
    """Disorder is littered, cleaned and repaired; attractiveness decays and spreads."""
    p, places, today = s.p, s.places, s.today
    environment.evening(places.dis_comp, s.static.litter, p.disorder_contagion, today.dis_eff,
                        s.in_force.keep, places.disorder, places.attractiveness, today.nbr,
                        p.attract_spread, p.attract_decay)


def residents(s: EstateState, d: int) -> None:
    """Hall aggregates, collective efficacy, fear, satisfaction and trust; tenancy; hall
    status (:mod:`tranqsim.residents`)."""
    t = s.today
    update_residents(s, d, t.med, t.police_today, t.guard, s.in_force.mods.police_style)


def tranquillity_function(s: EstateState, d: int) -> None:
    """The landlord's tranquillity function: signals open cases, capacity and backlog,
    diagnosis of orange and red halls and actions, delays and trust, implementation quality,
    staff under pressure, the landlord in a ZSP (:mod:`tranqsim.tranquillity_function`)."""
    _function_day(s, d)


def offenders(s: EstateState, d: int) -> None:
    """Groups' activity and tension; dealing points' pressure, displacement, dismantling and
    re-emergence; tomorrow's ZSP raids (:mod:`tranqsim.offenders`)."""
    t = s.today
    update_offenders(s, d, t.police_today, t.guard, t.med, s.in_force.mods.police_style)


def observation(s: EstateState, d: int) -> None:
    """The day's row of series and costs (:class:`tranqsim.metrics.Recorder`)."""
    s.output.recorder.record(s, d)


DAY_STAGES: tuple[Stage, ...] = (
    Stage("levers", levers),
    Stage("guardians", guardians),
    Stage("youth_groups", youth_groups),
    Stage("intensities", incident_intensities),
    Stage("incidents", incidents),
    Stage("consequences", consequences),
    Stage("disorder", disorder_and_attractiveness),
    Stage("residents", residents),
    Stage("tranquillity_function", tranquillity_function),
    Stage("offenders", offenders),
    Stage("observation", observation),
)
