"""The compiled ``YouthGroup.deploy`` (tranqsim.offenders: ``_deploy``, ``gumbel_argmax``)
against the version it replaced.

Two models with the same seed run side by side, one with the reference below (a verbatim copy
of ``YouthGroup.deploy`` and of its kernel before this change, the kernel compiled here), one
with the current code; after every day the groups' places and every random stream must be
equal. ``gumbel_argmax`` is also compared, on made-up uniforms and utilities (ties, uniforms of
exactly 0 and 1, utilities spread over thousands, territorial bonuses), with the old kernel and
with ``np.argmax`` over all the keys (what both claim to compute).
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from tranqsim.experiments.runner import _scenario
from tranqsim.offenders import YouthGroup, gumbel_argmax
from tranqsim.simulation import build_model


@numba.njit(cache=False, error_model="numpy")
def reference_gumbel_kernel(u, util, bonus, mask, has_home):
    """offenders._gumbel_argmax before this change (verbatim)."""
    rows, n = u.shape
    out = np.empty(rows, np.int64)
    umax = util.max()
    for r in range(rows):
        top = 0
        for j in range(1, n):  # the first largest uniform, as np.argmax
            if u[r, j] > u[r, top]:
                top = j
        # key = -log(-log(u)) + (util + bonus): the operations numpy made, in its order
        ut = util[top] + bonus[r, top] if has_home else util[top]
        L = -np.log(-np.log(u[r, top])) + ut
        t = np.exp(min(umax - L, 700.0) + 1e-6)  # 700: exp stays finite
        best, arg = -np.inf, -1
        for j in range(n):
            if j != top and 1.0 - u[r, j] > t and not (has_home and mask[r, j]):
                continue  # its key cannot reach L (see the docstring)
            uj = util[j] + bonus[r, j] if has_home else util[j]
            key = -np.log(-np.log(u[r, j])) + uj
            if key > best or arg < 0:
                best, arg = key, j
        out[r] = arg if best > -np.inf else 0  # all keys -inf: np.argmax's first place
    return out


_NO_BONUS, _NO_MASK = np.zeros((1, 1)), np.zeros((1, 1), bool)


def reference_gumbel_argmax(u, util, home=None):
    if home is None:
        return reference_gumbel_kernel(u, util, _NO_BONUS, _NO_MASK, False)
    return reference_gumbel_kernel(u, util, home[0], home[1], True)


def reference_deploy(model, groups, evening_guard) -> None:
    """YouthGroup.deploy before this change (verbatim, with the reference kernel)."""
    if not groups:
        return
    p = model.p
    cand = model.hangout_places
    score = (model.attractiveness[cand] + model.disorder[cand] - evening_guard[cand]
             + model.hangout_hall_bonus)
    rng = model.streams["youth"]
    u = rng.random((len(groups), cand.size + 1))
    util = p.group_choice_beta * score
    # territorial attachment: each group favours its own territory
    home = YouthGroup.home_utility(model, groups) if p.group_home_bonus else None
    choice = cand[reference_gumbel_argmax(u[:, :-1], util, home)].tolist()
    for g, c, stay in zip(groups, choice, (u[:, -1] < p.group_stickiness).tolist()):
        if not stay:
            g.place = c  # the Mesa cell follows in sync_cells()


def _state(m):
    return ([(g.place, type(g.place)) for g in m.group_list],
            {name: m.streams.state(name) for name in m.streams.names()})


CASES = [  # context, strategy, parameter overrides, seed, days
    ("calm_neighbourhood", "global_approach", {}, 1, 100),
    ("priority_estate", "heavy_security", {}, 2, 120),
    ("zsp_estate", "partnership_zsp", {}, 1, 100),
    ("zsp_estate", "withdrawal", {"parameters.group_home_bonus": 0.0}, 3, 100),  # no bonus
    ("large_estate", "heavy_security", {}, 1, 60),
    ("large_estate", "global_approach", {"parameters.group_choice_beta": 6.0}, 2, 40),
]


@pytest.mark.parametrize("context, strategy, overrides, seed, days", CASES)
def test_deploy_matches_reference(context, strategy, overrides, seed, days, monkeypatch):
    sc = _scenario({"context": context, "strategy": strategy, **overrides}, 1, seed)
    ref, new = build_model(sc), build_model(sc)
    new_deploy = YouthGroup.deploy
    moved = 0
    for _ in range(days):
        before = [g.place for g in ref.group_list]
        monkeypatch.setattr(YouthGroup, "deploy", classmethod(
            lambda cls, model, groups, guard: reference_deploy(model, groups, guard)))
        ref.step()
        monkeypatch.setattr(YouthGroup, "deploy", new_deploy)
        new.step()
        assert _state(ref) == _state(new), f"day {ref.day - 1}"
        moved += sum(a != g.place for a, g in zip(before, ref.group_list))
    assert ref.recorder.data.tobytes() == new.recorder.data.tobytes()
    assert moved > 0


def _made_up(rng, trial):
    rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 900))
    u = rng.random((rows, cols + 1))
    if trial % 5 == 0:
        u = np.round(u, int(rng.integers(1, 4)))  # ties, zeros and ones
    if trial % 7 == 0:
        u[:, int(rng.integers(cols))] = 1.0  # keys of +inf (ties among them)
    if trial % 11 == 0:
        u[rng.random(u.shape) < 0.9] = 0.0  # mostly keys of -inf
    scale = [0.0, 0.1, 1.0, 5.0, 50.0, 1000.0, 3000.0][trial % 7]
    util = rng.normal(size=cols) * scale
    if trial % 13 == 0:
        util[rng.random(cols) < 0.5] -= 800.0  # beyond the clamps (exp(-700))
    home = None
    if trial % 3:
        bonus = (rng.random((rows, cols)) < 0.01) * rng.choice([3.0, -2.0, 1e-12, 900.0])
        home = (bonus, bonus != 0)
    return u, util, home


def test_gumbel_argmax_matches_old_kernel_and_numpy():
    """The new pruning (exact keys only where exp(util_j - L) allows) returns the old kernel's
    choice and np.argmax's over all keys, on the full uniforms (the first columns read) and on
    the view the old kernel was given."""
    rng = np.random.default_rng(12)
    for trial in range(1500):
        u, util, home = _made_up(rng, trial)
        view = u[:, :-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = -np.log(-np.log(view))
            keys += util if home is None else util + home[0]
        expected = np.argmax(keys, axis=1)
        old = reference_gumbel_argmax(view, util, home)
        assert np.array_equal(old, expected), trial
        assert np.array_equal(gumbel_argmax(view, util, home), expected), trial
        assert np.array_equal(gumbel_argmax(u, util, home), expected), trial


def test_utilities_match_numpy():
    """The candidates' utilities, bit for bit, on real model states (the evening's guardianship
    as the model computes it) and on made-up values of every magnitude and sign."""
    from tranqsim.offenders import _utilities

    captured = []
    real = YouthGroup.deploy.__func__

    def spy(cls, model, groups, guard):
        captured.append((model.hangout_places, model.attractiveness.copy(), model.disorder.copy(),
                         guard.copy(), model.hangout_hall_bonus, model.p.group_choice_beta))
        return real(cls, model, groups, guard)

    for context in ("calm_neighbourhood", "zsp_estate", "large_estate"):
        m = build_model(_scenario({"context": context, "strategy": "global_approach"}, 1, 1))
        YouthGroup.deploy = classmethod(spy)
        try:
            m.run(20)
        finally:
            YouthGroup.deploy = classmethod(real)
    rng = np.random.default_rng(5)
    for _ in range(100):
        P = int(rng.integers(1, 500))
        cand = np.sort(rng.choice(P, int(rng.integers(1, P + 1)), replace=False))
        a, d, g = (rng.normal(size=P) * 10.0 ** rng.integers(-3, 4, P) for _ in range(3))
        captured.append((cand, a, d, g, rng.normal(size=cand.size), float(rng.normal() * 5)))
    for cand, a, d, g, hb, beta in captured:
        expected = beta * (a[cand] + d[cand] - g[cand] + hb)
        got = _utilities(cand, a, d, g, hb, float(beta))
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
