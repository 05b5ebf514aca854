"""The compiled ``Deterrence`` (tranqsim.incidents) against the numpy version it replaced.

On real model days, every call of ``residents``, ``guardians`` and ``displace`` is made twice:
by the numpy reference below (a verbatim copy of ``Deterrence`` before the kernels) on copies
of the inputs, and by the kernels on the model's own arrays; what each returns or writes
(``res_off``, ``res_nui``, ``lam``, ``G``) must be equal byte for byte, and so must the float64
displacement product, which the rounding of ``lam`` to float32 would mostly hide. The scenarios cover
night mediators (global_approach) and evening-only mediators (social_prevention), whose
nuisance deterred in the evening partly comes back at night (the ``res_nui`` path). No
built-in strategy has night mediators, so the first case gives global_approach's mediators
the evening-and-night shift.
"""

from __future__ import annotations

import numpy as np
import pytest

import tranqsim
import tranqsim.incidents as incidents
from tranqsim.incidents import TABLE, IncidentType, T
from tranqsim.linalg import csr_times_dense


class ReferenceDeterrence:
    """The numpy version of tranqsim.incidents.Deterrence (verbatim, before the kernels)."""

    SET_AFTER = (IncidentType.STAFF_AGGRESSION, IncidentType.URBAN_VIOLENCE)  # rows set later

    def __init__(self, sens: np.ndarray, WT, share: float, mask: np.ndarray):
        assert self.SET_AFTER == (T - 2, T - 1)  # the kept types are the rows [:T - 2]
        self.off = off = np.flatnonzero(TABLE.offender_driven)
        self.nui = np.flatnonzero(TABLE.nuisance)
        self.neg = -sens[:, 0]  # float32: minus the residents' sensitivity per type
        vals = list(dict.fromkeys(self.neg[off].tolist()))
        self.vals = np.array(vals, np.float32)
        self.val_of = np.array([vals.index(v) for v in self.neg[off].tolist()])
        self.runs = [(a, b, r) for r, (a, b) in _runs(off)]  # off as slices: lam[a:b]
        self.coef = share * mask  # as (share * mask) * moved evaluates
        self.WT = WT
        P = mask.shape[-1]
        self.D = np.empty((P, 3 * off.size))
        self.moved = np.empty((P, 3 * off.size))
        # coef in the product's (place, 3 * type + phase) layout, as the float64 it is promoted to
        self.coef_T = np.ascontiguousarray(np.broadcast_to(self.coef, (off.size, 3, P))
                                           .reshape(3 * off.size, P).T, dtype=np.float64)
        self.diff = np.empty((off.size, 3, P), np.float32)

    def residents(self, lam: np.ndarray, g_res: np.ndarray, nuisance: bool):
        """lam_res for the offender-driven types, and for nuisance in the evening if asked."""
        E = np.exp(self.vals[:, None, None] * g_res)  # (value, phase, place)
        res_off = lam[self.off] * E[self.val_of]
        res_nui = None
        if nuisance:
            nui = self.nui
            res_nui = lam[nui, 1] * np.exp(self.neg[nui][:, None] * g_res[1])
        return res_off, res_nui

    def guardians(self, lam: np.ndarray, G: np.ndarray) -> None:
        """lam *= exp(-G) for the kept types; G becomes exp(-G) where it is read afterwards."""
        np.negative(G, out=G)
        k = T - 2
        np.exp(G[:k], out=G[:k])
        lam[:k] *= G[:k]
        np.exp(G[T - 1], out=G[T - 1])  # urban violence reads its exp(-G)

    def displace(self, lam: np.ndarray, res_off: np.ndarray, csr_times_dense) -> None:
        n, P = self.off.size, lam.shape[2]
        diff = self.diff  # res_off - lam[off], run by run of types (no gathered copy of lam)
        for a, b, r in self.runs:
            np.subtract(res_off[r:r + b - a], lam[a:b], out=diff[r:r + b - a])
        self.D.T[:] = diff.reshape(n * 3, P)
        moved = csr_times_dense(self.WT, self.D, self.moved)
        moved *= self.coef_T  # share * mask, in the product's own layout (contiguous)
        add = np.ascontiguousarray(moved.T).reshape(n, 3, P)
        for a, b, r in self.runs:
            lam[a:b] += add[r:r + b - a]


def _runs(idx: np.ndarray):
    """(position in idx, (start, stop)) of each run of consecutive integers in idx."""
    out, start = [], 0
    for i in range(1, idx.size + 1):
        if i == idx.size or idx[i] != idx[i - 1] + 1:
            out.append((start, (int(idx[start]), int(idx[i - 1]) + 1)))
            start = i
    return out


def _same_product(new, ref):
    """The float64 deterred amounts and W.T @ deterred, which lam's rounding to float32 after
    the displacement would mostly hide: the kernel's, against scipy's on the reference's D."""
    C = ref.D.shape[1]
    _same(np.ascontiguousarray(new.D[:, :C]), ref.D, "deterred (float64)")
    assert not new.D[:, C:].any()  # the padding stays zero
    moved = csr_times_dense(ref.WT, ref.D, np.empty_like(ref.D))
    for i in range(moved.shape[0]):
        incidents._csr_row(new.indptr, new.indices, new.data, new.D, i, new.acc)
        _same(new.acc[:C], moved[i], f"row {i} of W.T @ deterred")


def _same(a, b, what):
    if a is None or b is None:
        assert a is None and b is None, what
        return
    assert a.dtype == b.dtype and a.shape == b.shape, what
    assert a.tobytes() == b.tobytes(), f"{what}: {np.count_nonzero(a != b)} values differ"


class Paired:
    """Stands in for the model's Deterrence: runs the reference on copies, then the kernels on
    the model's arrays, and compares everything either writes or returns."""

    def __init__(self, new, ref):
        self.new, self.ref = new, ref
        self.days = self.nuisance_days = self.moved_days = 0

    def residents(self, lam, g_res, nuisance):
        lam_ref = lam.copy()
        ro_ref, rn_ref = self.ref.residents(lam_ref, g_res.copy(), nuisance)
        ro, rn = self.new.residents(lam, g_res, nuisance)
        _same(ro, ro_ref, "res_off")
        _same(rn, rn_ref, "res_nui")
        _same(lam, lam_ref, "lam (residents)")
        self.days += 1
        self.nuisance_days += rn is not None
        return ro, rn

    def guardians(self, lam, G):
        lam_ref, G_ref = lam.copy(), G.copy()
        self.ref.guardians(lam_ref, G_ref)
        self.new.guardians(lam, G)
        _same(lam, lam_ref, "lam (guardians)")
        _same(G, G_ref, "G")

    def resumed(self, *args):  # tested on its own below
        return self.new.resumed(*args)

    def resume(self, *args):
        return self.new.resume(*args)

    def displace(self, lam, res_off, *args):
        lam_ref, ro_ref = lam.copy(), res_off.copy()
        self.ref.displace(lam_ref, ro_ref, csr_times_dense)
        before = lam.copy()
        self.new.displace(lam, res_off, *args)
        _same(lam, lam_ref, "lam (displace)")
        _same(res_off, ro_ref, "res_off (displace)")
        _same_product(self.new, self.ref)
        self.moved_days += not np.array_equal(lam, before)


NIGHT_SHIFT = {"night_mediators": {"posts": 4, "shift": "evening_and_night"}}


def _paired_model(strategy: str, levers: dict | None = None, seed: int = 3):
    extra = {"levers": levers} if levers else {}
    m = tranqsim.build_model(tranqsim.load_scenario(context="zsp_estate", strategy=strategy,
                                                    years=1, seed=seed, **extra))
    new = m.deterrence
    ref = ReferenceDeterrence(m.sens, m.WT, m.p.displacement_share, m.displace_mask)
    m.deterrence = Paired(new, ref)
    return m


@pytest.mark.parametrize("strategy, levers, evening_only", [
    ("global_approach", NIGHT_SHIFT, False),  # mediators in the evening and at night
    ("social_prevention", None, True),  # mediators in the evening only
])
def test_kernels_give_the_reference_bytes_on_model_days(strategy, levers, evening_only):
    m = _paired_model(strategy, levers)
    for _ in range(200):
        m.step()
    assert m.mods.mediator_posts > 0 and m.mods.mediator_night_shift != evening_only
    pair = m.deterrence
    assert pair.days == 200 and pair.moved_days == 200
    if evening_only:  # the mediators' evening rounds: res_nui computed and compared
        assert pair.nuisance_days == 200
    else:
        assert pair.nuisance_days == 0


def test_a_one_ulp_change_is_caught(monkeypatch):
    """The comparison sees a single float32 value one ulp off (the test can fail)."""
    real = incidents._displace

    def nudged(lam, *args):
        real(lam, *args)
        t, p = 0, int(np.argmax(lam[0, 1]))
        lam[t, 1, p] = np.nextafter(lam[t, 1, p], np.float32(np.inf))

    monkeypatch.setattr(incidents, "_displace", nudged)
    m = _paired_model("global_approach")
    with pytest.raises(AssertionError, match="lam \\(displace\\): 1 values differ"):
        m.step()


def test_displacement_product_follows_scipy_on_awkward_matrices():
    """Empty rows, odd and even row lengths, unsorted and repeated column indices, signed
    zeros: the kernel's product adds in scipy's order, so the same bytes as the reference."""
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    P = 60
    rows = [np.sort(rng.choice(P, size=k, replace=False)) for k in rng.integers(0, 9, P)]
    rows[5] = np.array([], int)
    rows[6] = np.array([3, 1, 3, 2])  # unsorted, repeated
    indptr = np.concatenate([[0], np.cumsum([r.size for r in rows])]).astype(np.int32)
    indices = np.concatenate(rows).astype(np.int32)
    data = rng.random(indices.size) * 10.0 ** rng.integers(-3, 3, indices.size)
    data[::7] = -0.0
    WT = sp.csr_matrix((data, indices, indptr), shape=(P, P))
    WT.has_sorted_indices = False  # no resorting behind the kernel's back
    sens = rng.random((T, 9)).astype(np.float32)
    n_off = TABLE.offender_driven.sum()
    mask = (rng.random((n_off, 1, P)) < 0.7).astype(np.float32)
    new = incidents.Deterrence(sens, WT, 0.35, mask)
    ref = ReferenceDeterrence(sens, WT, 0.35, mask)
    for _ in range(5):
        lam = (rng.random((T, 3, P)) ** 3).astype(np.float32)
        lam[:, :, :4] = 0.0
        g_res = rng.random((3, P)).astype(np.float32)
        G = (rng.random((T, 3, P)) * 3).astype(np.float32)
        lam_ref, G_ref = lam.copy(), G.copy()
        ro, rn = new.residents(lam, g_res, True)
        ro_ref, rn_ref = ref.residents(lam_ref, g_res, True)
        _same(ro, ro_ref, "res_off")
        _same(rn, rn_ref, "res_nui")
        new.guardians(lam, G)
        ref.guardians(lam_ref, G_ref)
        _same(G, G_ref, "G")
        new.displace(lam, ro)
        ref.displace(lam_ref, ro_ref, csr_times_dense)
        _same(lam, lam_ref, "lam")
        _same_product(new, ref)


def test_resumed_nuisance_kernels_match_numpy_on_random_and_edge_values():
    # the two lines of EstateModel.step they replaced (evening mediators' deterred nuisance that
    # resumes at night), on values spanning expm1's range, the cap at 30, ties and zeros
    from tranqsim.incidents import Deterrence

    rng = np.random.default_rng(11)
    P = 4000
    m = tranqsim.build_model(tranqsim.load_scenario(context="calm_neighbourhood",
                                                    strategy="social_prevention", years=1, seed=3))
    det = Deterrence(m.sens, m.WT, 0.3, m.displace_mask[:, :, :1].repeat(P, 2))
    nui = det.nui
    lam = (rng.random((T, 3, P)) * 2).astype(np.float32)
    lam[:, :, :50] = 0
    med = rng.integers(0, 40, (3, P)).astype(np.float64)
    med[1, 50:100] = 0
    med[1, 100:200] = rng.random(100) * 1e-6
    sens_med = m.sens[nui, 2].copy()
    res_nui = (rng.random((nui.size, P)) * 0.5).astype(np.float32)
    res_nui[:, 200:300] = 0
    g_mediator = 3.0
    g_med = sens_med[:, None] * np.float32(g_mediator) * med[1].astype(np.float32)
    assert (g_med > 30).any() and (g_med == 0).any()
    expected_back = np.fmin(lam[nui, 1] * np.expm1(np.minimum(g_med, 30)), res_nui)
    res_nui[:, 300:400] = expected_back[:, 300:400]  # ties
    expected_back = np.fmin(lam[nui, 1] * np.expm1(np.minimum(g_med, 30)), res_nui)
    back = det.resumed(lam, np.ascontiguousarray(sens_med), g_mediator, med, res_nui)
    assert back.dtype == np.float32 and back.tobytes() == expected_back.tobytes()
    expected_lam = lam.copy()
    expected_lam[nui, 2] += 0.45 * expected_back
    det.resume(lam, back, 0.45)
    assert lam.tobytes() == expected_lam.tobytes()
    # expm1 of float32 in the kernel is numpy's, over the whole range it is given
    x = np.concatenate([rng.random(200_000).astype(np.float32) * 30,
                        (10.0 ** rng.uniform(-9, 0, 100_000)).astype(np.float32)])
    lam1 = np.ones((T, 3, x.size), np.float32)
    one = np.ones((3, x.size))
    one[1] = x
    out = np.empty((nui.size, x.size), np.float32)
    incidents._resumed(lam1, nui, np.ones(nui.size, np.float32), np.float32(1), one,
                       np.full((nui.size, x.size), np.inf, np.float32), out)
    assert out[0].tobytes() == np.expm1(x).tobytes()
