"""Laws the compiled kernels obey, on made-up inputs: conservation, bounds, the equations their
docstrings state, and sampling in proportion to weights.

These replace the former kernel-equivalence tests, which compared each kernel bit for bit with
a frozen copy of the numpy code it replaced. What was a law there is kept here, against the
equation or the library function the kernel claims to compute (up to floating-point rounding
unless the kernel's contract is numpy's very bits), so a change of coefficient in a kernel is
one edit, and a change of direction or of conservation still fails. (Poisson draws and the
Gumbel-max choice are in test_properties.py; directions of the mechanisms in
test_mechanisms.py; seeded summaries in test_regression.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tranqsim.actors import _NO_VISITS, _NO_ZONE, _hot_spot_terms, _patrols
from tranqsim.households import _count_per_hall
from tranqsim.incidents import TABLE, Deterrence, T
from tranqsim.metrics import _np_sum
from tranqsim.offenders import _day_sum, _heavy
from tranqsim.response import _shift


def test_per_hall_counts_conserve_the_households_counted():
    """Counting a mask per hall (empty halls included) is bincount: every masked dwelling is
    counted once, in its own hall."""
    rng = np.random.default_rng(0)
    hall = np.sort(rng.choice([0, 1, 3, 4, 6], 500))  # halls 2 and 5 have no dwellings
    for mask in (rng.random(500) < 0.5, np.zeros(500, bool), np.ones(500, bool)):
        counts = _count_per_hall(hall, mask, 7)
        assert counts.dtype == np.float64 and counts.shape == (7,)
        assert np.array_equal(counts, np.bincount(hall, weights=mask, minlength=7))
        assert counts.sum() == mask.sum() and counts[2] == counts[5] == 0


def test_the_recorded_sums_are_numpys_sums():
    """The recorder's sums are np.sum's very bits (its contract: a summary recomputed with
    numpy from the recorded arrays gives the same number): every summation path -- under 8
    values, the 8 accumulators, the pairwise recursion -- with mixed magnitudes, cancellations
    and negative zeros (numpy's sum of -0.0s is 0.0)."""
    rng = np.random.default_rng(1)
    for n in list(range(0, 300)) + [1023, 1024, 1025, 4096, 8193, 100_003]:
        for kind in range(4):
            if kind == 0:
                a = rng.random(n)
            elif kind == 1:
                a = rng.random(n) * 10.0 ** rng.integers(-8, 9, n) * rng.choice([-1, 1], n)
            elif kind == 2:
                a = np.round(rng.normal(size=n), 2) * 1e16
            else:
                a = np.full(n, -0.0)
            assert np.float64(_np_sum(a)).tobytes() == a.sum().tobytes(), (n, kind)


def test_shifted_uniforms_stay_uniforms_in_their_cell():
    """Several events in one cell share the cell's uniforms, each shifted by a multiple of the
    golden ratio modulo 1: the results stay in [0, 1), at the stated shift, and the first event
    (rank 0) keeps the cell's own uniforms."""
    rng = np.random.default_rng(2)
    u = rng.random((50_000, 4), dtype=np.float32)
    u[:100] = np.nextafter(np.float32(1), np.float32(0))  # just below 1
    rank = rng.integers(0, 40, u.shape[0])
    got = u.copy()
    _shift(got, rank)
    assert got.dtype == np.float32 and (got >= 0).all() and (got < 1).all()
    assert np.array_equal(got[rank == 0], u[rank == 0])
    expected = (u.astype(np.float64) + 0.6180339887 * rank[:, None]) % 1.0
    gap = np.abs(got - expected)
    assert np.minimum(gap, 1 - gap).max() < 1e-5  # float32 rounding, modulo 1
    # the shifted uniforms of one rank are still uniform
    assert abs(got[rank == 7].mean() - 0.5) < 0.02


def test_the_days_contacts_add_the_phases_and_weigh_each_kind_of_patrol():
    """Police, guard and mediator visits at a place over the day are the sum of the three
    phases; heavy-handed contacts are police (order maintenance only) + half the guards + two
    per raid, so more visits never mean fewer contacts."""
    rng = np.random.default_rng(4)
    P = 40
    pol, guard = rng.random((3, P)) * 5, rng.random((3, P)) * 5
    raids = (rng.random(P) < 0.3) * 1.0
    for om in (0.0, 1.0):
        for pl in range(P):
            assert _day_sum(pol, pl) == pytest.approx(pol[:, pl].sum(), rel=1e-15)
            heavy = _heavy(pol, guard, raids, pl, om)
            assert heavy == pytest.approx(pol[:, pl].sum() * om + 0.5 * guard[:, pl].sum()
                                          + 2 * raids[pl], rel=1e-15)
            more = pol.copy()
            more[1, pl] += 1.0
            assert _heavy(more, guard, raids, pl, om) >= heavy


def _deterrence(rng, P=60):
    rows = [np.sort(rng.choice(P, size=k, replace=False)) for k in rng.integers(0, 9, P)]
    rows[5] = np.array([], int)  # a place from which nothing moves
    indptr = np.concatenate([[0], np.cumsum([r.size for r in rows])]).astype(np.int32)
    indices = np.concatenate(rows).astype(np.int32)
    data = rng.random(indices.size)
    WT = sp.csr_matrix((data, indices, indptr), shape=(P, P))
    sens = rng.random((T, 9)).astype(np.float32)
    n_off = int(TABLE.offender_driven.sum())
    mask = (rng.random((n_off, 1, P)) < 0.7).astype(np.float32)
    return Deterrence(sens, WT, 0.35, mask), sens, WT, mask


def test_deterrence_lowers_intensities_and_displacement_moves_part_of_what_was_deterred():
    """The class's equations (its docstring): residents' control multiplies the intensities by
    exp(-sens * g) <= 1; guardians by exp(-G); a share of what guardians deterred moves to the
    neighbours through W.T, only where displacement is possible, and never lowers an
    intensity."""
    rng = np.random.default_rng(7)
    det, sens, WT, mask = _deterrence(rng)
    P = WT.shape[0]
    off = np.flatnonzero(TABLE.offender_driven)
    for _ in range(5):
        lam = (rng.random((T, 3, P)) ** 3).astype(np.float32)
        g_res = rng.random((3, P)).astype(np.float32)
        # all guardians' exponent includes the residents' (sens * g_res): G >= that term
        G = (sens[:, 0][:, None, None] * g_res[None] + rng.random((T, 3, P)) * 3).astype(np.float32)
        lam0, G0 = lam.copy(), G.copy()
        res_off, _ = det.residents(lam, g_res, False)
        expected_res = lam0[off] * np.exp(-sens[off, 0][:, None, None] * g_res[None])
        np.testing.assert_allclose(res_off, expected_res, rtol=1e-6)
        assert (res_off <= lam0[off]).all()
        det.guardians(lam, G)
        np.testing.assert_allclose(lam[:T - 2], lam0[:T - 2] * np.exp(-G0[:T - 2]), rtol=1e-6)
        before = lam.copy()
        det.displace(lam, res_off)
        deterred = (res_off - before[off]).astype(np.float64)  # >= 0: guardians only remove
        moved = np.stack([WT @ deterred[:, h, :].T for h in range(3)], axis=1).transpose(2, 1, 0)
        expected = before[off] + 0.35 * mask * moved
        np.testing.assert_allclose(lam[off], expected, rtol=1e-6, atol=1e-9)
        assert (lam[off] >= before[off]).all()
        others = np.setdiff1d(np.arange(T), off)
        assert np.array_equal(lam[others], before[others])  # only offender-driven types move
        # where displacement is masked off, nothing arrives
        assert np.array_equal(lam[off][np.broadcast_to(mask == 0, lam[off].shape)],
                              before[off][np.broadcast_to(mask == 0, lam[off].shape)])


@pytest.mark.parametrize("share", [0.7, 0.35])
def test_residents_and_overlapping_guardians_share_one_exp_and_keep_their_equations(share):
    """``Deterrence.residents_and_guardians`` (one np.exp for the day's exponents): residents'
    control alone gives ``lam * exp(-sens_res * g_res)`` for the offender-driven types and, in
    the evening, the nuisance types; the guardians' factor is ``exp(-G_res) * ((1 - share) +
    share * exp(-max(G - G_res, 0) / share))`` for every type, it scales the kept types'
    intensities only; and the residents' factor of types sharing a sensitivity is the same."""
    rng = np.random.default_rng(23)
    det, sens, WT, mask = _deterrence(rng)
    sens[:4, 0] = sens[4, 0]  # types sharing a sensitivity share one exp row
    det = Deterrence(sens, WT, 0.35, mask)
    P, off, nui = WT.shape[0], det.off, det.nui
    assert det.vals.size == len(set(sens[:, 0].tolist())) < T
    lam = (rng.random((T, 3, P)) * 2).astype(np.float32)
    g_res = rng.random((3, P)).astype(np.float32)
    G = (rng.random((T, 3, P)) * 3).astype(np.float32)
    G[0, 0, :7] = 0.0  # below the residents' own term: the guardians' excess clips at zero
    lam0, G0 = lam.copy(), G.copy()
    res_off, res_nui = det.residents_and_guardians(lam, G, g_res, share, True)
    res = np.exp(-sens[:, 0][:, None, None].astype(np.float64) * g_res[None])
    np.testing.assert_allclose(res_off, lam0[off] * res[off], rtol=2e-6)
    np.testing.assert_allclose(res_nui, lam0[nui, 1] * res[nui, 1], rtol=2e-6)
    g_o = np.maximum(G0 - sens[:, 0][:, None, None] * g_res[None], 0).astype(np.float64)
    factor = res * ((1 - share) + share * np.exp(-g_o / share))
    np.testing.assert_allclose(G, factor, rtol=2e-6, atol=1e-9)
    np.testing.assert_allclose(G[0, 0, :7], res[0, 0, :7], rtol=2e-6)  # clipped: residents' alone
    np.testing.assert_allclose(lam[:T - 2], lam0[:T - 2] * factor[:T - 2], rtol=4e-6, atol=1e-9)
    assert np.array_equal(lam[T - 2:], lam0[T - 2:])  # set later in the day
    assert ((0 < G) & (G <= 1)).all() and (res_off <= lam0[off]).all()
    # the residents' term is the same whether or not guardians follow in the same call
    alone_off, alone_nui = det.residents(lam0.copy(), g_res, True)
    assert np.array_equal(alone_off, res_off) and np.array_equal(alone_nui, res_nui)
    # no overlap (share 1): the multiplicative model, lam *= exp(-G)
    lam1, G1 = lam0.copy(), G0.copy()
    det.residents_and_guardians(lam1, G1, g_res, 1.0, False)
    np.testing.assert_allclose(lam1[:T - 2], lam0[:T - 2] * np.exp(-G0[:T - 2].astype(np.float64)),
                               rtol=2e-6)


def test_resumed_nuisance_is_bounded_by_what_residents_left_to_deter():
    """Evening mediators deter nuisance that partly resumes at night: what resumes is what the
    mediators' term alone removed, lam * expm1(min(g, 30)), never more than the nuisance the
    residents' control left, never negative; and resuming adds a share of it at night only."""
    rng = np.random.default_rng(11)
    det, *_ = _deterrence(rng, P=300)
    P, nui = det.P, det.nui
    lam = (rng.random((T, 3, P)) * 2).astype(np.float32)
    med = rng.integers(0, 40, (3, P)).astype(np.float64)
    med[1, :50] = 0  # no mediator: nothing deterred, nothing resumes
    sens_med = (rng.random(nui.size) + 0.1).astype(np.float32)
    res_nui = (rng.random((nui.size, P)) * 0.5).astype(np.float32)
    back = det.resumed(lam, sens_med, 3.0, med, res_nui)
    g = np.minimum(sens_med[:, None] * 3.0 * med[1][None].astype(np.float32), 30)
    np.testing.assert_allclose(back, np.fmin(lam[nui, 1] * np.expm1(g), res_nui), rtol=1e-5)
    assert (back >= 0).all() and (back <= res_nui).all() and (back[:, :50] == 0).all()
    assert (back == res_nui).any() and (back < res_nui).any()  # both sides of the bound
    lam0 = lam.copy()
    det.resume(lam, back, 0.45)
    np.testing.assert_allclose(lam[nui, 2], lam0[nui, 2] + 0.45 * back, rtol=1e-6)
    lam[nui, 2] = lam0[nui, 2]
    assert np.array_equal(lam, lam0)  # nothing else changed


def test_patrols_go_to_places_in_proportion_to_their_weights():
    """Crews are sent by inverse-CDF sampling on the hot-spot weights (hot ** e + a small floor
    for every place): over many uniforms each place's share of visits is its share of weight,
    a zone keeps every visit inside it, and the visits of each phase add up to its crews."""
    rng = np.random.default_rng(4)
    P, e = 50, 1.5
    hot = rng.exponential(0.3, P) * (rng.random(P) < 0.6)
    pw, hot_sum = _hot_spot_terms(hot, e)
    w = hot ** e + 1e-3 * (hot.mean() ** e + 1e-6)
    zone = rng.random(P) < 0.3
    n = 200_000
    r = rng.random(n)
    sizes = (n // 3, n // 3, n - 2 * (n // 3))
    for zoned in (False, True):
        out = np.zeros((3, P))
        z = zone if zoned else _NO_ZONE
        visits = _patrols(out, _NO_VISITS, r, True, pw, hot_sum, e, True, z, zoned, sizes[0],
                          sizes[1], n)
        assert visits.shape == (n,) and visits.min() >= 0 and visits.max() < P
        assert out.sum(axis=1).tolist() == [float(s) for s in sizes]
        weights = w * zone if zoned else w
        share = np.bincount(visits, minlength=P) / n
        expected = weights / weights.sum()
        assert np.abs(share - expected).max() < 5 * np.sqrt(expected.max() / n)
        if zoned:
            assert zone[visits].all()
    # in random mode every place is equally likely
    out = np.zeros((3, P))
    visits = _patrols(out, _NO_VISITS, r, True, pw, hot_sum, e, False, _NO_ZONE, False,
                      sizes[0], sizes[1], n)
    assert np.abs(np.bincount(visits, minlength=P) / n - 1 / P).max() < 5 * np.sqrt(1 / P / n)


def _state(P, **params):
    """A stand-in for the parts of EstateState the guardians' small kernels read."""
    from types import SimpleNamespace as NS

    p = NS(police_exposure_days=90, police_habituation=2.0, police_residual_weight=3.0,
           equipment_break_rate=0.006, equipment_vandalism_disorder=3.0, equipment_repair_days=25)
    vars(p).update(params)
    mods = NS(cctv_passive=np.zeros(P), cctv_active=None, access_control=None, repair_days_factor=0.5)
    return NS(p=p, static=NS(n_places=P), places=NS(police_exposure=None, equipment_up=None,
                                                    disorder=np.random.default_rng(1).random(P)),
              in_force=NS(mods=mods, org=NS(repair=1.2),
                          g_static=np.random.default_rng(2).random((10, 3, P)).astype(np.float32)))


def test_patrol_exposure_coefficients_and_memory_follow_their_equations():
    """police_day: exposure moves 1/days of the way to today's visits; the coefficient is
    base / (1 + habituation * exposure); the memory a third of weight * exposure."""
    from tranqsim.guardianship import police_coefficients, police_day, police_memory

    P = 50
    s = _state(P)
    pol = np.random.default_rng(3).integers(0, 3, (3, P)).astype(float)
    for _ in range(3):
        before = np.zeros(P) if s.places.police_exposure is None else s.places.police_exposure.copy()
        coef, memory = police_day(s, pol, 1.5)
        np.testing.assert_allclose(s.places.police_exposure, before + (pol.sum(0) - before) / 90, rtol=1e-12)
        np.testing.assert_allclose(coef, police_coefficients(s, 1.5), rtol=1e-12)
        np.testing.assert_allclose(memory, police_memory(s), rtol=1e-12)
    assert (coef < 1.5).all() == (s.places.police_exposure > 0).all()
    s = _state(P, police_residual_weight=0.0)
    assert police_day(s, pol, 1.5)[1].size == 0  # no memory without its weight


def test_equipment_wears_to_its_steady_share_and_scales_cameras_and_access_only():
    """static_in_service: the share in service stays in [0, 1], tends to 1 / (1 + break *
    repair days), and scales the cameras' and access control's rows only."""
    from tranqsim.guardianship import _ACC, _TECH0, static_in_service

    P = 40
    s = _state(P)
    s.places.disorder[:] = 0.0
    g = s.in_force.g_static
    for _ in range(2000):
        out = static_in_service(s)
    up = s.places.equipment_up
    repair_days = 25 * 0.5 * 1.2
    np.testing.assert_allclose(up, 1 / (1 + 0.006 * repair_days), rtol=1e-6)
    others = [k for k in range(g.shape[0]) if k not in (_TECH0, _ACC)]
    assert np.array_equal(out[others], g[others])
    np.testing.assert_allclose(out[_TECH0], g[_TECH0] * up.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(out[_ACC], g[_ACC] * up.astype(np.float32), rtol=1e-6)
    s.in_force.mods.cctv_passive = None
    assert static_in_service(s) is g  # no equipment: the static guardianship itself
