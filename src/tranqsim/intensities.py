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


@njit
def base(bg_phase, disorder, nb_disorder, attractiveness, attract_max, dep, contagion,
         attract_gain):  # pragma: no cover - compiled
    """(lam, dis_eff): ``lam = bg_phase * M`` (float32) with
    ``M = dep * (1 + contagion * dis_eff) * (1 + attract_gain * A_eff)`` per place, where
    ``dis_eff = 0.7 * disorder + 0.3 * neighbours' disorder`` and the attractiveness saturates,
    ``A_eff = A / (1 + A / attract_max)``."""
    n_t, n_h, n_p = bg_phase.shape
    dis_eff = np.empty(n_p)
    M = np.empty(n_p, np.float32)
    for p in range(n_p):
        de = 0.7 * disorder[p] + 0.3 * nb_disorder[p]
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


@njit
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
def add_per_hall(lam_t, phase_t, halls, per_hall):  # pragma: no cover - compiled
    """``lam_t[:, halls] += phase_t[:, None] * per_hall`` for one type (float32 += float64)."""
    for h in range(lam_t.shape[0]):
        for i in range(halls.size):
            p = halls[i]
            lam_t[h, p] = np.float32(np.float64(lam_t[h, p]) + phase_t[h] * per_hall[i])
