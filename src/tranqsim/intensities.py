"""The day's incident intensities before deterrence, in compiled kernels (see ``jit.py``).

:func:`base` is the routine-activity part of ``lambda[t, h, p]`` (``incidents`` module
docstring): the background rate times deprivation, disorder contagion and near-repeat
attractiveness; :func:`add_offenders` adds what offenders present bring -- youth groups at
their hangouts and dealing points at their halls. The arithmetic is numpy's, element by
element and in its order and dtypes (a float32 tensor; float64 terms added in float64 and
rounded back to float32, as ``lam[...] += float64_array`` does), so outputs keep their bits.
"""

from __future__ import annotations

import math

import numpy as np

from tranqsim.incidents import _deter_exponents, _deter_factors, _displace
from tranqsim.jit import njit
from tranqsim.metrics import _np_sum
from tranqsim.vocabulary import Neighbour, Phase

_NBR_DISORDER = int(Neighbour.DISORDER)
_DAY, _EVENING, _NIGHT = int(Phase.DAY), int(Phase.EVENING), int(Phase.NIGHT)


@njit(contiguous=True)
def base(bg_phase, disorder, nbr, attractiveness, attract_max, dep, contagion,
         attract_gain):  # pragma: no cover - compiled
    """(lam, dis_eff): ``lam = bg_phase * M`` (float32) with
    ``M = dep * (1 + contagion * dis_eff) * (1 + attract_gain * A_eff)`` per place, where
    ``dis_eff = 0.7 * disorder + 0.3 * neighbours' disorder`` (``nbr[:, 0]``) and the
    attractiveness saturates, ``A_eff = A / (1 + A / attract_max)``."""
    n_t, n_h, n_p = bg_phase.shape
    dis_eff = np.empty(n_p)
    M = np.empty(n_p, np.float32)
    for p in range(n_p):
        de = 0.7 * disorder[p] + 0.3 * nbr[p, _NBR_DISORDER]
        dis_eff[p] = de
        a = attractiveness[p]
        a_eff = a / (1 + a / attract_max)
        M[p] = np.float32(dep * (1 + contagion * de) * (1 + attract_gain * a_eff))
    lam = np.empty_like(bg_phase)
    for t in range(n_t):
        for h in range(n_h):
            for p in range(n_p):
                lam[t, h, p] = bg_phase[t, h, p] * M[p]
    return lam, dis_eff


@njit(contiguous=True)
def add_offenders(lam, host, host_rate, deal, deal_rate):  # pragma: no cover - compiled
    """``lam[t, h, p] += host_rate[t] * host[h, p] + ...`` where groups are (``host`` (3, P),
    their activity per phase) and ``+= deal_rate[t, h] * deal[p]`` where dealing points are,
    each added in float64 and rounded to float32, the host term first."""
    n_t, n_h, n_p = lam.shape
    for p in range(n_p):
        hosted = host[0, p] != 0 or host[1, p] != 0 or host[2, p] != 0
        if hosted:
            for t in range(n_t):
                for h in range(n_h):
                    lam[t, h, p] = np.float32(np.float64(lam[t, h, p]) + host_rate[t] * host[h, p])
        if deal[p] != 0:
            for t in range(n_t):
                for h in range(n_h):
                    lam[t, h, p] = np.float32(np.float64(lam[t, h, p]) + deal_rate[t, h] * deal[p])


@njit
def add_households(lam, noise, noise_phase, degradation, degradation_phase, halls, hall,
                   disruptive, occupied, squatted, any_squat, noise_rate):  # pragma: no cover - compiled
    """What households bring to their halls: noise and disputes from disruptive households
    (``noise_rate`` per household and day) and from squats (0.02), degradation from squats
    (0.01), spread over the phases by each type's profile. As the numpy code::

        per_hall = noise_rate * count(disruptive & occupied)
        if any squat: per_hall += 0.02 * count(squatted)
                      lam[degradation][:, halls] += 0.01 * phase[degradation][:, None] * count(squatted)
        lam[noise][:, halls] += phase[noise][:, None] * per_hall

    with counts per hall as floats (integers counted, then converted) and float32 += float64."""
    H = halls.size
    n_dis = np.zeros(H, np.int64)
    n_sq = np.zeros(H, np.int64)
    for i in range(hall.size):
        if disruptive[i] and occupied[i]:
            n_dis[hall[i]] += 1
        if squatted[i]:
            n_sq[hall[i]] += 1
    per_hall = np.empty(H)
    for i in range(H):
        per_hall[i] = noise_rate * np.float64(n_dis[i])
    if any_squat:
        for i in range(H):
            per_hall[i] = per_hall[i] + 0.02 * np.float64(n_sq[i])
        for h in range(3):
            a = 0.01 * degradation_phase[h]
            for i in range(H):
                p = halls[i]
                lam[degradation, h, p] = np.float32(np.float64(lam[degradation, h, p]) + a * np.float64(n_sq[i]))
    for h in range(3):
        for i in range(H):
            p = halls[i]
            lam[noise, h, p] = np.float32(np.float64(lam[noise, h, p]) + noise_phase[h] * per_hall[i])


@njit
def add_late_types(lam, uv, uv_phase, uv_scale, w_uv, G_uv, sa, aggression, med, guard,
                   caretaker_cov, contact_rate, host, deal, reminder_rate):  # pragma: no cover - compiled
    """The two types set after deterrence and displacement (``Deterrence.SET_AFTER``):

    - urban violence, ``lam[uv] = phase[:, None] * scale * w_uv * exp(-G_uv)``: the day's
      total (``scale``, per unit of weight) spread over public places by attractiveness;
    - aggressions against staff, ``lam[sa] = aggression * staff_here * (contact_rate *
      (host + deal) + reminder_rate)``: staff present (mediators, guards; caretakers by day)
      meeting groups and dealers, plus a base rate of rule reminders that go wrong.

    Left-to-right float64 products as the numpy expressions made them, rounded to float32."""
    P = lam.shape[2]
    for h in range(3):
        a = uv_phase[h] * uv_scale
        for p in range(P):
            lam[uv, h, p] = np.float32(a * w_uv[p] * np.float64(G_uv[h, p]))
    for h in range(3):
        for p in range(P):
            here = med[h, p] + guard[h, p]
            if h == _DAY:  # caretakers work by day
                here = here + caretaker_cov[p]
            lam[sa, h, p] = np.float32(aggression * here * (contact_rate * (host[h, p] + deal[p])
                                                             + reminder_rate))


# ------------------------------------------------------------------ the day's fused calls
# A kernel call costs about 1 us of dispatch and Python around it, whatever its work (the
# arguments' unboxing aside); the day's intensities were six calls and two Python loops over
# agents. The two kernels below run the same kernels, in the same order, in two calls.


def agent_values(groups, networks) -> tuple[np.ndarray, list]:
    """The youth groups' places, activities and tensions and the dealing points' places and
    strengths in one float64 array (exact: places are small integers), for
    :func:`before_deterrence`; and the tensions as the agents hold them (Python or numpy
    floats: the day's ``sum`` of them adds Python floats with compensation, so the caller sums
    this list, not the array)."""
    tensions = [g.tension for g in groups]
    return np.array([g.place for g in groups] + [g.activity for g in groups] + tensions
                    + [n.place for n in networks] + [n.strength for n in networks],
                    np.float64), tensions


@njit(contiguous=True)
def before_deterrence(bg_phase, disorder, nbr, attractiveness, attract_max, dep, contagion,
                      attract_gain, agents, ng, nn, k_tension, host_rate, deal_rate, noise,
                      noise_phase, degradation, degradation_phase, halls, hall, disruptive,
                      occupied, squatted, any_squat, noise_rate):  # pragma: no cover - compiled
    """(lam, dis_eff, host, deal): :func:`base`, then what offenders present bring
    (:func:`add_offenders`) and what households bring (:func:`add_households`), in one call.
    ``agents`` as :func:`agent_values` gathers them (``ng`` groups, ``nn`` dealing points).
    ``host`` (3, P): each group's activity, raised by its tension, ``a = activity * (1 +
    k_tension * max(0.0, tension - 0.1))`` added at its place in the evening and ``0.4 * a`` at
    night, group after group; ``deal`` (P): each point's strength added at its place, point after
    point (the former Python loops' float64 arithmetic, in their order)."""
    lam, dis_eff = base(bg_phase, disorder, nbr, attractiveness, attract_max, dep, contagion,
                        attract_gain)
    P = lam.shape[2]
    host = np.zeros((3, P))
    for i in range(ng):
        x = agents[2 * ng + i] - 0.1
        a = agents[ng + i] * (1 + k_tension * (x if x > 0.0 else 0.0))  # max(0.0, x)
        p = np.int64(agents[i])
        host[_EVENING, p] += a
        host[_NIGHT, p] += 0.4 * a
    deal = np.zeros(P)
    for j in range(nn):
        deal[np.int64(agents[3 * ng + j])] += agents[3 * ng + nn + j]
    add_offenders(lam, host, host_rate, deal, deal_rate)
    add_households(lam, noise, noise_phase, degradation, degradation_phase, halls, hall,
                   disruptive, occupied, squatted, any_squat, noise_rate)
    return lam, dis_eff, host, deal


@njit(contiguous=True)
def before_exp(bg_phase, disorder, nbr, attractiveness, attract_max, dep, contagion,
               attract_gain, agents, ng, nn, k_tension, host_rate, deal_rate, noise,
               noise_phase, degradation, degradation_phase, halls, hall, disruptive,
               occupied, squatted, any_squat, noise_rate, vals, g_res, G, sens_res, inv_share,
               buf):  # pragma: no cover - compiled
    """:func:`before_deterrence`, then the exponents of the deterrence once guardians overlap
    (``incidents._deter_exponents`` into ``buf``, the deterrence's ``exp_buf``: residents'
    (value, phase, place), then the guardians' (type, phase, place)), in one call."""
    out = before_deterrence(bg_phase, disorder, nbr, attractiveness, attract_max, dep, contagion,
                            attract_gain, agents, ng, nn, k_tension, host_rate, deal_rate, noise,
                            noise_phase, degradation, degradation_phase, halls, hall, disruptive,
                            occupied, squatted, any_squat, noise_rate)
    n_res = vals.size * 3 * G.shape[2]
    _deter_exponents(vals, g_res, G, sens_res, inv_share,
                     buf[:n_res].reshape((vals.size, 3, G.shape[2])),
                     buf[n_res:n_res + G.size].reshape(G.shape))
    return out


@njit(contiguous=True)
def late_terms(group_tension, k_operations, hall_heavy, n_halls, uv_pre, uv_gain, public_mask,
               attractiveness, aggression_rate):  # pragma: no cover - compiled
    """(tension, uv_scale, w_uv, contact_rate) for :func:`add_late_types`: the estate's tension
    ``group_tension + k_operations * sum(hall_heavy) / n_halls`` (the groups' mean tension, from
    Python's sum, plus heavy-handed operations), the day's urban violence ``uv_pre * exp(uv_gain
    * (tension - 0.1))`` (0.1: tension at rest) per unit of the weights ``w_uv = public_mask *
    (1 + attractiveness)``, and the staff's contact rate ``aggression_rate * (1 + 2 * tension)``.
    Sums as numpy's ``np.sum`` (pairwise, ``metrics._np_sum``), the rest left to right as the
    Python expressions were."""
    tension = group_tension + k_operations * _np_sum(hall_heavy) / n_halls
    uv_total = uv_pre * math.exp(uv_gain * (tension - 0.1))
    w_uv = np.empty(public_mask.size)
    for p in range(w_uv.size):
        w_uv[p] = public_mask[p] * (1 + attractiveness[p])
    return tension, uv_total / _np_sum(w_uv), w_uv, aggression_rate * (1 + 2 * tension)


@njit(contiguous=True)
def after_exp(lam, off, nui, val_of, buf, share, k, G, indptr, indices, data, coef_T, D,
              acc, uv, uv_phase, sa, aggression, med, guard, caretaker_cov, host, deal,
              reminder_rate, group_tension, k_operations, hall_heavy, n_halls, uv_pre, uv_gain,
              public_mask, attractiveness, aggression_rate):  # pragma: no cover - compiled
    """``buf``: the exponentials (:func:`before_exp`'s exponents after numpy's ``exp``).
    The deterrence's factors once guardians overlap (``incidents._deter_factors``, the
    residents' term for the offender-driven types only), displacement (``incidents._displace``)
    and the two types set after them (:func:`add_late_types`, with ``G[uv]``), in one call:
    ``Deterrence.residents_and_guardians`` (share < 1, no nuisance), ``Deterrence.displace``,
    then ``add_late_types`` (its terms from :func:`late_terms`), as the day made them in
    three calls; returns the estate's tension."""
    P = lam.shape[2]
    nv = buf.size // (3 * P) - G.shape[0]
    E_res = buf[:nv * 3 * P].reshape((nv, 3, P))
    E_g = buf[nv * 3 * P:].reshape(G.shape)
    res_off = np.empty((off.size, 3, P), np.float32)
    res_nui = np.empty((0, P), np.float32)
    _deter_factors(lam, off, nui, val_of, E_res, res_off, res_nui, E_g, share, k, G)
    _displace(lam, res_off, off, indptr, indices, data, coef_T, D, acc)
    tension, uv_scale, w_uv, contact_rate = late_terms(
        group_tension, k_operations, hall_heavy, n_halls, uv_pre, uv_gain, public_mask,
        attractiveness, aggression_rate)
    add_late_types(lam, uv, uv_phase, uv_scale, w_uv, G[uv], sa, aggression, med, guard,
                   caretaker_cov, contact_rate, host, deal, reminder_rate)
    return tension
