"""The youth groups' evening choice: a Gumbel-max softmax draw, exact and cheap.

Each group picks tonight's hangout with probability proportional to exp(utility) (a softmax):
the index of the largest ``utility - log(-log(u))`` over the candidates, ``u`` one uniform per
candidate (the Gumbel-max trick). The kernels here return the very index ``np.argmax`` over
all keys would give, but compute the two logs only where a row's maximum can be, and, with the
groups' territories, read only the candidates within a group's range
(:meth:`tranqsim.offenders.YouthGroup.home_utility`), so that the choice's cost does not grow
with the estate's size.
"""

from __future__ import annotations

import numpy as np

from tranqsim.jit import njit
from tranqsim.rng import uniform

def gumbel_argmax(u: np.ndarray, util: np.ndarray, home=None) -> np.ndarray:
    """Per row, ``argmax(util + home - log(-log(u)))`` (Gumbel-max softmax choice): the first
    maximum, as ``np.argmax`` over the whole array of keys would give, with the two logs taken
    only where the row's maximum can be (a handful of places a row).

    ``u`` (rows, places) uniforms (or more columns: the first ``util.size`` are read),
    ``util`` (places,) utilities, ``home`` None or (bonus, bonus != 0) with bonus (rows, places),
    from :meth:`YouthGroup.home_utility`.
    Why it is exact: the row's maximum is at least L, the exact key at its largest uniform. A
    place j without bonus has key = util_j - log(-log u_j), which reaches L only if
    -log(u_j) <= exp(util_j - L) = E_j * t, with E_j = exp(util_j - max(util)) (once a call)
    and t = exp(max(util) - L) (once a row); since 1 - u <= -log(u), only places with
    1 - u_j <= E_j * t can (t carries a margin far above rounding; E_j is bounded below by
    exp(-700), and t above by exp(700), where no place is left out). Exact keys are computed
    there, at bonus places whose key can reach L (util + bonus + 40 >= L, since
    -log(-log(u)) < 36.8) and at
    the largest uniform; the others cannot be the first maximum.
    """
    if home is None:
        return _gumbel_argmax(u, util.size, util, _NO_BONUS, _NO_MASK, False)
    return _gumbel_argmax(u, util.size, util, home[0], home[1], True)


_NO_BONUS, _NO_MASK = np.zeros((1, 1)), np.zeros((1, 1), bool)
_NO_NEAR = (np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0))
#: a home term below this is "beyond the group's range" (-1e3, YouthGroup.home_utility)
_FAR = -500.0


def _near(bonus: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``bonus``: the columns above ``_FAR`` (CSR pointers and indices, in column
    order) and the largest term among the others (-inf if none)."""
    near = bonus > _FAR
    ptr = np.concatenate([[0], np.cumsum(near.sum(1))]).astype(np.int64)
    idx = np.nonzero(near)[1].astype(np.int64)
    far_max = np.where(near.all(1), -np.inf, np.where(near, -np.inf, bonus).max(1, initial=-np.inf))
    return ptr, idx, far_max.astype(np.float64)


@njit
def _gumbel_argmax(u, n, util, bonus, mask, has_home):  # pragma: no cover - compiled
    """:func:`gumbel_argmax` over the first ``n`` columns of ``u`` (the full array of uniforms
    passed, not a view of it: rows of a contiguous array are read faster)."""
    rows = u.shape[0]
    out = np.empty(rows, np.int64)
    umax = util.max()
    E = np.empty(n)
    for j in range(n):
        E[j] = np.exp(max(util[j] - umax, -700.0))
    keep = np.empty(n, np.int64)  # the row's places whose exact key is computed, in order
    for r in range(rows):
        top = 0
        m = u[r, 0]
        for j in range(1, n):  # the first largest uniform, as np.argmax
            x = u[r, j]
            if x > m:
                m = x
                top = j
        # key = -log(-log(u)) + (util + bonus): the operations numpy made, in its order
        ut = util[top] + bonus[r, top] if has_home else util[top]
        L = -np.log(-np.log(m)) + ut
        top2 = -1
        if has_home:
            # the largest uniform is mostly at a place beyond the group's range (bonus -1e3),
            # whose key is a bound ~1000 too low to rule anything out: the key at the largest
            # uniform among the places without a negative home term is a bound too, and tight
            m2 = -1.0
            for j in range(n):
                x = u[r, j]
                if x > m2 and bonus[r, j] >= 0.0:
                    m2 = x
                    top2 = j
            if top2 >= 0:
                L = max(L, -np.log(-np.log(m2)) + (util[top2] + bonus[r, top2]))
        t = np.exp(min(umax - L, 700.0) + 1e-6)  # 700: exp stays finite
        # the places whose key can reach L (see the docstring), listed without branches
        k = 0
        if has_home:
            # a place with a home term (its own territory, or beyond the group's range at
            # -1e3) is kept only if its key can reach L: -log(-log(u)) < 36.8 for any double
            # u < 1, so util + bonus + 40 < L rules it out without a log (keeping every such
            # place computed two logs for nearly every candidate of every row: O(n^2) logs a
            # day, most of a 50,000-dwelling estate's day)
            for j in range(n):
                keep[k] = j
                k += (not (1.0 - u[r, j] > E[j] * t)) | (mask[r, j] & (util[j] + bonus[r, j] + 40.0 >= L)) \
                    | (j == top) | (j == top2)
        else:
            for j in range(n):
                keep[k] = j
                k += (not (1.0 - u[r, j] > E[j] * t)) | (j == top)
        best, arg = -np.inf, -1
        for i in range(k):
            j = keep[i]
            uj = util[j] + bonus[r, j] if has_home else util[j]
            key = -np.log(-np.log(u[r, j])) + uj
            if key > best or arg < 0:
                best, arg = key, j
        out[r] = arg if best > -np.inf else 0  # all keys -inf: np.argmax's first place
    return out


@njit
def _gumbel_argmax_near(u, n, util, bonus, mask, ptr, idx, far_max):  # pragma: no cover - compiled
    """:func:`_gumbel_argmax` with a home term, reading each row's places within range only
    (the uniforms given as an array; see :func:`_near_rows`)."""
    return _near_rows(u, False, np.uint64(0), u.shape[0], n, util, bonus, mask, ptr, idx, far_max)


@njit
def _gumbel_argmax_near_counter(dk, rows, n, util, bonus, mask, ptr, idx, far_max):  # pragma: no cover
    """:func:`_gumbel_argmax_near` with row ``r``'s uniform at column ``j`` the counter-based
    ``uniform(dk, r * (n + 1) + j)`` (:mod:`tranqsim.rng`), computed only where it is read:
    the places within the group's range (all of the row's only when it falls back to the full
    scan), so the day's draws no longer grow as groups x hangouts."""
    return _near_rows(np.empty((1, 1)), True, dk, rows, n, util, bonus, mask, ptr, idx, far_max)


@njit
def _u(u, buf, counter, r, j):  # pragma: no cover - compiled
    return buf[0, j] if counter else u[r, j]


@njit
def _near_rows(u, counter, dk, rows, n, util, bonus, mask, ptr, idx, far_max):  # pragma: no cover - compiled
    """Per row, the Gumbel-max choice over places within range, exact as the full argmax.

    A group's hangouts beyond ``group_range`` carry a home term of about -1e3; with uniforms
    below 1 their keys are below util + term + 36.8. The row's bound L is taken at the largest
    uniform among its places within range; when L exceeds every place beyond range's bound
    (max util + the row's largest such term + 40), none of them can be the first maximum and
    only the places within range are read: the same index as the full argmax, at a cost that
    does not grow with the estate's size (the full scan made the groups' choice quadratic: 150
    groups x 2,800 hangouts a day at 50,000 dwellings). Otherwise the row falls back to the
    full scan. ``counter``: the uniforms are computed (see :func:`_gumbel_argmax_near_counter`)
    into a row buffer, not read from ``u``."""
    out = np.empty(rows, np.int64)
    umax = util.max()
    E = np.empty(n)
    for j in range(n):
        E[j] = np.exp(max(util[j] - umax, -700.0))
    keep = np.empty(n, np.int64)
    buf = np.empty((1, n + 1) if counter else (1, 1))
    for r in range(rows):
        if counter:
            base = r * (n + 1)
            for i in range(ptr[r], ptr[r + 1]):
                buf[0, idx[i]] = uniform(dk, base + idx[i])
        top2 = -1
        m2 = -1.0
        for i in range(ptr[r], ptr[r + 1]):
            j = idx[i]
            x = _u(u, buf, counter, r, j)
            if x > m2:
                m2 = x
                top2 = j
        L = -np.inf
        if top2 >= 0:
            L = -np.log(-np.log(m2)) + (util[top2] + bonus[r, top2])
        if top2 < 0 or not (L > umax + far_max[r] + 40.0):
            if counter:
                for j in range(n):
                    buf[0, j] = uniform(dk, base + j)
                full = _gumbel_argmax(buf, n, util, bonus[r:r + 1], mask[r:r + 1], True)
            else:
                full = _gumbel_argmax(u[r:r + 1], n, util, bonus[r:r + 1], mask[r:r + 1], True)
            out[r] = full[0]
            continue
        t = np.exp(min(umax - L, 700.0) + 1e-6)
        k = 0
        for i in range(ptr[r], ptr[r + 1]):
            j = idx[i]
            keep[k] = j
            k += (not (1.0 - _u(u, buf, counter, r, j) > E[j] * t)) \
                | (mask[r, j] & (util[j] + bonus[r, j] + 40.0 >= L)) | (j == top2)
        best, arg = -np.inf, -1
        for i in range(k):
            j = keep[i]
            key = -np.log(-np.log(_u(u, buf, counter, r, j))) + (util[j] + bonus[r, j])
            if key > best or arg < 0:
                best, arg = key, j
        out[r] = arg if best > -np.inf else 0
    return out
