"""Drawing the day's incidents from their intensities (``draw``; ODD 7.10).

Each (type, phase, place) cell's count is the Poisson quantile of the cell's own uniform of the
day, from the counter-based ``incidents`` stream (:mod:`tranqsim.rng`): the same uniform
whatever the intensities, so two strategies run on one seed see an incident in the same cell
whenever both intensities allow it (common random numbers per cell). Only the uniforms that
can give an event are computed: a Geometric skip chain finds the cells whose uniform is below
``CHAIN_SHARE``, and a vectorised scan the few cells likely enough to need their own.
"""

from __future__ import annotations

import numpy as np

from tranqsim.jit import njit
from tranqsim.rng import day_key, uniform


# The share of cells whose uniform the skip chain of ``draw`` gives (see there): 2**-8. Any value
# gives the same law; this one balances the chain's steps against the hot cells' own uniforms.
CHAIN_SHARE = 2.0 ** -8


def draw(lam: np.ndarray, key: np.uint64, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw incident counts from intensities ``lam[t, h, p]`` by inversion of each cell's Poisson
    law with its own uniform of the day: returns (type, phase, place) per event, in cell order.

    Cell c's uniform ``u_c`` is the same whatever the intensities (common random numbers at the
    level of each cell: two strategies run with the same seed see an incident in the same cell
    whenever both intensities allow it). Only the uniforms that can matter are computed: with
    ``q = CHAIN_SHARE``, the cells with ``u_c < q`` are found by a chain of geometric skips
    (uniforms of the day's even indices; ``u_c = q * v``, v the next odd one) and the other
    cells' ``u_c = q + (1 - q) * w_c`` (w_c the counter-based uniform of index c of a second day
    key) is computed only where the cell's P(N >= 1) exceeds q; elsewhere no event can happen.
    The skip chain does not depend on the intensities either. Each u_c is uniform on [0, 1)
    and independent of the others, as before; see :mod:`tranqsim.rng` for the streams.
    """
    flat = lam.ravel()
    return _draw(flat, flat.view(np.int32), np.uint64(key), day, lam.shape[1], lam.shape[2])


_BLOCK = 64  # cells per block in the scan for cells above the chain's share
# P(N >= 1) = 1 - exp(-lam) > q iff lam > -log(1 - q): a float32 just below, as its int32 bits
_THR_BITS = int(np.array([-np.log1p(-CHAIN_SHARE) * (1 - 1e-6)], np.float32).view(np.int32)[0])


@njit(contiguous=True)
def _draw(flat, bits, key, day, phases, places):  # pragma: no cover - compiled
    """See :func:`draw`. Counts: N = number of k >= 1 with u < P(N >= k), tails P(N >= k+1) =
    P(N >= k) - P(N = k) in float64 (a cell leaves the loop as soon as its count is known).
    Intensities are capped at 500 events per cell and phase (never reached; keeps
    exp(-lambda) representable so the loop ends). The scan for cells with P(N >= 1) > q
    compares intensities as the integers of their float32 bits (same order for the
    non-negative floats; a NaN compares above every number and then fails the exact test),
    block by block, which vectorises."""
    n = flat.size
    q = CHAIN_SHARE
    log1mq = np.log1p(-q)
    thr_bits = _THR_BITS
    # the cells above the threshold, in order
    hot = np.empty(n, np.int64)
    nh = 0
    for b0 in range(0, n, _BLOCK):
        b1 = min(b0 + _BLOCK, n)
        m = np.int32(-2147483648)
        for c in range(b0, b1):
            v = bits[c]
            m = v if v > m else m
        if m > thr_bits:
            for c in range(b0, b1):
                if bits[c] > thr_bits:
                    hot[nh] = c
                    nh += 1
    dk_chain = day_key(key, 2 * day)
    dk_cell = day_key(key, 2 * day + 1)
    hits = np.empty(nh + 64, np.int64)
    counts = np.empty(nh + 64, np.int64)
    nhit = 0
    j = np.int64(0)  # chain steps so far
    nxt = _next_link(dk_chain, j, np.int64(-1), log1mq, n)
    ih = 0
    while True:
        c_hot = hot[ih] if ih < nh else n
        c = min(nxt, c_hot)
        if c >= n:
            break
        if c == nxt:
            u = q * uniform(dk_chain, 2 * j + 1)
            j += 1
            nxt = _next_link(dk_chain, j, c, log1mq, n)
            if c == c_hot:
                ih += 1
        else:
            u = q + (1.0 - q) * uniform(dk_cell, c)
            ih += 1
        lh = min(np.float64(flat[c]), 500.0)
        if not u < -np.expm1(-lh):  # P(N >= 1); a NaN intensity draws nothing
            continue
        term = np.exp(-lh) * lh  # P(N = 1)
        tail = -np.expm1(-lh) - term  # P(N >= 2)
        k = 1
        while u < tail:
            k += 1
            term = term * lh / k
            tail = tail - term
        if nhit == hits.size:
            hits, counts = _grow(hits), _grow(counts)
        hits[nhit] = c
        counts[nhit] = k
        nhit += 1
    total = 0
    for i in range(nhit):
        total += counts[i]
    t, h, p = np.empty(total, np.int64), np.empty(total, np.int64), np.empty(total, np.int64)
    e = 0
    per_type = phases * places
    for i in range(nhit):
        ti, rest = divmod(hits[i], per_type)
        hi, pi = divmod(rest, places)
        for _ in range(counts[i]):
            t[e], h[e], p[e] = ti, hi, pi
            e += 1
    return t, h, p


@njit
def cell_uniforms(key, day, n):  # pragma: no cover - compiled
    """Every cell's uniform ``u_c`` of the day, as :func:`draw` defines them (which computes
    only those that can matter): the definition, for tests and checks."""
    q = CHAIN_SHARE
    log1mq = np.log1p(-q)
    dk_chain = day_key(key, 2 * day)
    dk_cell = day_key(key, 2 * day + 1)
    u = np.empty(n)
    for c in range(n):
        u[c] = q + (1.0 - q) * uniform(dk_cell, c)
    j = np.int64(0)
    c = _next_link(dk_chain, j, np.int64(-1), log1mq, n)
    while c < n:
        u[c] = q * uniform(dk_chain, 2 * j + 1)
        j += 1
        c = _next_link(dk_chain, j, c, log1mq, n)
    return u


@njit
def _next_link(dk, j, pos, log1mq, n):  # pragma: no cover - compiled
    """The chain's next cell after ``pos``: a Geometric(q) number of cells skipped, by inversion
    of uniform 2j (0 -- probability 2**-53 -- ends the chain)."""
    v = uniform(dk, 2 * j)
    if v <= 0.0:
        return n
    gap = np.floor(np.log(v) / log1mq)
    if gap >= n:
        return n
    return min(pos + 1 + np.int64(gap), n)


@njit
def _grow(a):  # pragma: no cover - compiled
    b = np.empty(2 * a.size, a.dtype)
    b[:a.size] = a
    return b
