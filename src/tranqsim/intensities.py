"""The day's incident intensities before deterrence, in compiled kernels (see ``jit.py``).

:func:`base` is the routine-activity part of ``lambda[t, h, p]`` (``incidents`` module
docstring): the background rate times deprivation, disorder contagion and near-repeat
attractiveness; :func:`add_offenders` adds what offenders present bring -- youth groups at
their hangouts and dealing points at their halls. The arithmetic is numpy's, element by
element and in its order and dtypes (a float32 tensor; float64 terms added in float64 and
rounded back to float32, as ``lam[...] += float64_array`` does), so outputs keep their bits.
"""

from __future__ import annotations

import numpy as np

from tranqsim.jit import njit
from tranqsim.vocabulary import Neighbour, Phase

_NBR_DISORDER = int(Neighbour.DISORDER)
_DAY = int(Phase.DAY)


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
