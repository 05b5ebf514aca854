"""The compiled staff deployments (tranqsim.actors) against the numpy version they replaced.

The reference below is a verbatim copy of the numpy deployments (``NightMediator.deploy``,
``SecurityGuard.deploy``, ``PoliceUnit.deploy`` and their helpers, before the kernels). On real
model days, each deployment runs twice from the same state, once per version (the random
streams and the agents' places are restored in between): the (3, places) visits must be the
same bytes in the same dtype, every random stream must end in the same state (the same draws,
in the same order and shapes), and every staff agent must stand on the same place.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tranqsim.actors import (NightMediator, PoliceUnit, SecurityGuard, _cum_weights, _guard_weights,
                             _hot_spot_terms, _mediation_weights, _neg_gumbel_keys, _NO_VISITS, _NO_ZONE,
                             _patrols)
from tranqsim.experiments.runner import _scenario
from tranqsim.incidents import EVENING, NIGHT
from tranqsim.simulation import build_model

# ------------------------------------------------------------------ reference (numpy) version
# copied from actors.py before the compiled kernels (commit 8ec1d06); the classmethods' bodies
# unchanged, ``cls`` passed explicitly


def ref_gumbel_top_k(rng: np.random.Generator, weights: np.ndarray, teams: int, k: int) -> np.ndarray:
    """(teams, k) places sampled without replacement per team, proportional to ``weights``."""
    pos = np.flatnonzero(weights > 0)
    k = min(k, pos.size)
    if teams == 0 or k == 0:
        return np.empty((teams, 0), np.int64)
    u = rng.random((teams, weights.size))
    # minus the keys log(w) - log(-log(u)): +inf wherever w == 0, whatever u, so the logs are
    # taken only where w > 0 (often a third of the places); the same array as over all places
    neg_keys = np.full((teams, weights.size), np.inf)
    gumbel = np.log(u[:, pos])
    np.negative(gumbel, out=gumbel)
    np.log(gumbel, out=gumbel)
    neg_keys[:, pos] = -(np.log(weights[pos]) - gumbel)
    return np.argpartition(neg_keys, k - 1, axis=1)[:, :k]


def ref_mediator_deploy(cls, model, agents, night_shift: bool) -> np.ndarray:
    phases = (EVENING, NIGHT) if night_shift else (EVENING,)
    return ref_rounds(model, agents, model.mediation_targets(), "mediation", cls.visits_per_round, phases)


def ref_guard_deploy(cls, model, agents) -> np.ndarray:
    w = model.guard_beat * (0.05 + model.hotness())  # halls and car parks (1.0, else 0.0)
    return ref_rounds(model, agents, w, "guards", cls.visits_per_round, (NIGHT,))


def ref_rounds(model, agents, weights: np.ndarray, stream: str, k: int,
               phases: tuple[int, ...]) -> np.ndarray:
    """Rounds of staff working in pairs: each pair visits ``k`` distinct places drawn in
    proportion to ``weights``; returns visits per (phase, place)."""
    out = np.zeros((3, model.n_places))
    teams = (len(agents) + 1) // 2
    if teams == 0:
        return out
    visits = ref_gumbel_top_k(model.streams[stream], weights, teams, k)
    if visits.shape[1] == 0:
        return out
    per_place = np.bincount(visits.ravel(), minlength=model.n_places)
    for ph in phases:
        out[ph] += per_place
    for i, a in enumerate(agents):
        a.stand_on(int(visits[i // 2, 0]))
    return out


def ref_police_deploy(cls, model, agents, mode: str, zone: np.ndarray | None) -> np.ndarray:
    """Visits per phase (a crew works one phase of the day, ``PHASE_SHARE``).
    Hot-spot mode weights places by recent incidents squared; ZSP crews patrol their zone."""
    out = np.zeros((3, model.n_places))
    if not agents:
        return out
    rng = model.streams["police"]
    hot = model.hotness()
    k = model.p.police_visits_per_crew
    regular = [a for a in agents if not a.zsp]
    zsp = [a for a in agents if a.zsp]
    for crews, m, z in ((regular, mode, None), (zsp, "hot_spot", zone)):
        if not crews:
            continue
        scale = model.crew_visit_scale if m is mode and z is None else 1.0
        sizes = [int(round(len(crews) * scale * share * k)) for share in cls.PHASE_SHARE]
        n_places = hot.size
        if m == "random" and z is None:  # uniform over the estate
            visits = rng.integers(0, n_places, sum(sizes))
        else:
            cum = np.cumsum(ref_weights(hot, m, z, model.p.hot_spot_exponent))
            visits = np.searchsorted(cum, rng.random(sum(sizes)) * cum[-1], side="right")
            np.minimum(visits, n_places - 1, out=visits)
        phase = np.repeat(np.arange(3), sizes)
        out += np.bincount(phase * n_places + visits, minlength=3 * n_places).reshape(3, -1)
        for i, a in enumerate(crews):
            if visits.size:
                a.stand_on(int(visits[(i * visits.size) // len(crews)]))
    return out


def ref_weights(hot: np.ndarray, mode: str, zone: np.ndarray | None, exponent: float = 2.0) -> np.ndarray:
    # hot-spot patrols: visits in proportion to recent incidents to the power ``exponent``
    # (1: proportional; larger: more concentrated on the very hottest places)
    w = (hot ** exponent + 1e-3 * (hot.mean() ** exponent + 1e-6)) if mode == "hot_spot" else np.ones_like(hot)
    return w if zone is None else w * zone


# ------------------------------------------------------------------ the comparison


def _deploys(m):
    """(name, stream, reference call, new call) of the day's three deployments, as model.step
    makes them."""
    s, mods = m.staff, m.mods
    return [
        ("mediators", "mediation",
         lambda: ref_mediator_deploy(NightMediator, m, s[NightMediator], mods.mediator_night_shift),
         lambda: NightMediator.deploy(m, s[NightMediator], mods.mediator_night_shift)),
        ("guards", "guards",
         lambda: ref_guard_deploy(SecurityGuard, m, s[SecurityGuard]),
         lambda: SecurityGuard.deploy(m, s[SecurityGuard])),
        ("police", "police",
         lambda: ref_police_deploy(PoliceUnit, m, s[PoliceUnit], mods.police_mode, mods.zsp_zone),
         lambda: PoliceUnit.deploy(m, s[PoliceUnit], mods.police_mode, mods.zsp_zone)),
    ]


def _state(m):
    staff = [a for agents in m.staff.values() for a in agents]
    streams = {name: copy.deepcopy(m.streams[name].bit_generator.state) for name in m.streams.names()}
    return streams, [a.place for a in staff]


def _restore(m, state):
    streams, places = state
    for name in list(m.streams.names()):
        if name in streams:
            m.streams[name].bit_generator.state = streams[name]
        else:  # created by the call: forget it (it was not there before)
            del m.streams._streams[name]
    for a, place in zip([a for agents in m.staff.values() for a in agents], places):
        a.place = place


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare_day(m, seen: dict) -> None:
    """Each deployment from the model's current state by both versions: the same outputs,
    stream states and places. The model is left as the new version leaves it."""
    for name, stream, ref, new in _deploys(m):
        before = _state(m)
        ref_out = ref()
        ref_after = _state(m)
        _restore(m, before)
        assert _state(m) == before
        new_out = new()
        new_after = _state(m)
        assert _same(ref_out, new_out), f"{name}: visits differ"
        assert ref_after[0] == new_after[0], f"{name}: random streams differ"
        assert ref_after[1] == new_after[1], f"{name}: agents' places differ"
        if ref_out.any():
            seen[name] = seen.get(name, 0) + 1
            seen[f"{name} moved"] = seen.get(f"{name} moved", 0) + (ref_after[1] != before[1])
        if name == "police" and m.mods.zsp_zone is not None and any(a.zsp for a in m.staff[PoliceUnit]):
            seen["zsp crews"] = seen.get("zsp crews", 0) + 1


CASES = [
    # (context, strategy, overrides, days): every strategy with police, mediators or guards,
    # every context; a ZSP started early (its crews patrol the zone); police in random mode with
    # a ZSP; an odd number of mediators on evening and night rounds; hot-spot exponents numpy
    # computes by fast paths (2.0: x * x, 0.5: sqrt); crews too few for a visit; guards at a
    # level with one unpaired guard
    ("calm_neighbourhood", "global_approach", {}, 30),
    ("calm_neighbourhood", "heavy_security", {}, 30),
    ("priority_estate", "social_prevention", {}, 30),
    ("priority_estate", "partnership_zsp", {"levers.zsp.start": 5, "levers.zsp.zone": "estate"}, 25),
    ("zsp_estate", "partnership_zsp", {"levers.zsp.start": 3}, 30),
    ("zsp_estate", "partnership_zsp", {"levers.zsp.start": 3, "levers.police.mode": "random",
                                       "parameters.hot_spot_exponent": 2.0}, 25),
    ("zsp_estate", "global_approach", {"levers.night_mediators.posts": 5,
                                       "levers.night_mediators.shift": "evening_and_night",
                                       "parameters.hot_spot_exponent": 0.5}, 25),
    ("zsp_estate", "heavy_security", {"levers.police.level": 0.02,
                                      "levers.private_security.level": 0.35}, 25),
    ("large_estate", "heavy_security", {}, 12),
    ("large_estate", "global_approach", {}, 12),
]


@pytest.mark.parametrize("ctx,strategy,extra,days", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_deployments_give_the_numpy_versions_bits(ctx, strategy, extra, days):
    m = build_model(_scenario({"context": ctx, "strategy": strategy, **extra}, 1, 7))
    seen: dict = {}
    compare_day(m, seen)  # day 0: nothing recent yet
    for _ in range(days):
        m.step()
        compare_day(m, seen)
    staff = m.staff
    # the days compared deployed what the case is about
    if staff[NightMediator]:
        assert seen.get("mediators", 0) >= days and seen["mediators moved"] > 0
    if staff[SecurityGuard]:
        assert seen.get("guards", 0) >= days and seen["guards moved"] > 0
    if "levers.police.level" in extra:
        assert "police" not in seen  # too few crews for a visit: they stay where they were
    else:
        assert seen.get("police", 0) >= days and seen["police moved"] > 0
    if "levers.zsp.start" in extra:
        assert seen.get("zsp crews", 0) >= days - extra["levers.zsp.start"]


def test_the_cases_cover_the_deployments():
    # odd and even pairs, both shifts, both police modes, ZSP crews, several exponents
    m = build_model(_scenario({"context": "zsp_estate", "strategy": "global_approach",
                               "levers.night_mediators.posts": 5,
                               "levers.night_mediators.shift": "evening_and_night"}, 1, 7))
    m.step()
    assert len(m.staff[NightMediator]) == 5 and m.mods.mediator_night_shift
    m = build_model(_scenario({"context": "zsp_estate", "strategy": "heavy_security",
                               "levers.police.level": 0.02, "levers.private_security.level": 0.35}, 1, 7))
    m.step()
    assert len(m.staff[SecurityGuard]) % 2 == 1 and len(m.staff[PoliceUnit]) == 1
    assert round(m.crew_visit_scale * 0.4 * m.p.police_visits_per_crew) == 0


@pytest.mark.parametrize("ctx", ["calm_neighbourhood", "large_estate"])
def test_weights_are_the_models(ctx):
    """The kernels' weights are model.mediation_targets() and the guards' beat times
    (0.05 + hotness), to the bit (the model's method stays the definition)."""
    m = build_model(_scenario({"context": ctx, "strategy": "global_approach"}, 1, 3))
    for _ in range(8):
        m.step()
        w, n = _mediation_weights(m.recent, m.hangout_places, m.n_places)
        ref = m.mediation_targets()
        assert _same(w, ref) and n == np.count_nonzero(ref > 0)
        w, n = _guard_weights(m.guard_beat, m.hotness())
        ref = m.guard_beat * (0.05 + m.hotness())
        assert _same(w, ref) and n == np.count_nonzero(ref > 0)


@pytest.mark.parametrize("ctx,exponent", [("zsp_estate", None), ("zsp_estate", 2.0), ("calm_neighbourhood", 0.5)])
def test_keys_and_cumulative_weights_are_numpys(ctx, exponent):
    """The floats inside the deployments, to the bit (the visits are counts and places, which a
    last-bit difference would move only on rare days): minus the Gumbel keys, and the police's
    cumulative weights in each mode, with and without a zone."""
    extra = {} if exponent is None else {"parameters.hot_spot_exponent": exponent}
    m = build_model(_scenario({"context": ctx, "strategy": "partnership_zsp", **extra}, 1, 5))
    rng = np.random.default_rng(2)
    zone = rng.random(m.n_places) < 0.3
    for day in range(10):
        m.step()
        for w in (m.mediation_targets(), m.guard_beat * (0.05 + m.hotness())):
            u = rng.random((3, m.n_places))
            u[0, :5] = 0.0  # log(0): -inf, and an infinite key
            pos = np.flatnonzero(w > 0)
            neg_keys = np.full(u.shape, np.inf)
            with np.errstate(divide="ignore"):
                gumbel = np.log(u[:, pos])
            np.negative(gumbel, out=gumbel)
            np.log(gumbel, out=gumbel)
            neg_keys[:, pos] = -(np.log(w[pos]) - gumbel)
            assert _same(_neg_gumbel_keys(u, w), neg_keys)
        hot = m.hotness()
        e = m.p.hot_spot_exponent
        pw, hot_sum = _hot_spot_terms(hot, e)
        for mode in ("hot_spot", "random"):
            for z in (None, zone):
                ref = np.cumsum(ref_weights(hot, mode, z, e))
                new = _cum_weights(pw, hot_sum, float(e), mode == "hot_spot", _NO_ZONE if z is None else z,
                                   z is not None)
                assert _same(new, ref), (day, mode, z is None)


def test_cumulative_weights_on_many_hotness_arrays():
    """The police's weights' floats on a few thousand arrays of recent incidents (sizes, zeros,
    exponents numpy's power computes by fast paths or by pow): the mean's and the power's last
    bits reach the cumulative weights through the places with no recent incident."""
    rng = np.random.default_rng(6)
    for i in range(3000):
        n = int(rng.integers(20, 2000))
        hot = rng.exponential(0.05, n) * (rng.random(n) < rng.random())
        e = (1.0352, 2.0, 0.5, 1.0, 3.0, float(rng.uniform(0.5, 3)))[i % 6]
        z = rng.random(n) < 0.4 if i % 3 == 0 else None
        pw, hot_sum = _hot_spot_terms(hot, e)
        ref = np.cumsum(ref_weights(hot, "hot_spot", z, e))
        new = _cum_weights(pw, hot_sum, e, True, _NO_ZONE if z is None else z, z is not None)
        assert _same(new, ref), (i, n, e)


def test_the_search_is_numpys_searchsorted():
    """Uniforms that fall exactly on cumulative weights (side="right": past a run of equal
    ones, as a zone's zero weights make), at 0 and just below 1, and at random: the visits
    (each visit a crew's place here), their phases and counts are numpy's."""
    m = build_model(_scenario({"context": "zsp_estate", "strategy": "partnership_zsp"}, 1, 5))
    for _ in range(5):
        m.step()
    P, hot = m.n_places, m.hotness()
    rng = np.random.default_rng(4)
    zone = rng.random(P) < 0.3
    pw, hot_sum = _hot_spot_terms(hot, m.p.hot_spot_exponent)
    for mode in ("hot_spot", "random"):
        for z in (None, zone):
            cum = np.cumsum(ref_weights(hot, mode, z, m.p.hot_spot_exponent))
            r = np.concatenate([cum / cum[-1], np.arange(P) / P, [0.0, np.nextafter(1.0, 0.0)],
                                rng.random(500)])
            ref = np.searchsorted(cum, r * cum[-1], side="right")
            np.minimum(ref, P - 1, out=ref)
            assert np.isin(r * cum[-1], cum[:-1]).sum() > P // 4  # on a weight: right of it
            sizes = [r.size // 3, r.size // 3, r.size - 2 * (r.size // 3)]
            phase = np.repeat(np.arange(3), sizes)
            ref_out = np.bincount(phase * P + ref, minlength=3 * P).reshape(3, -1).astype(float)
            out = np.zeros((3, P))
            visits = _patrols(out, _NO_VISITS, r, True, pw, hot_sum, float(m.p.hot_spot_exponent),
                              mode == "hot_spot", _NO_ZONE if z is None else z, z is not None,
                              sizes[0], sizes[1], r.size)
            assert np.array_equal(visits, ref), (mode, z is None)
            assert _same(out, ref_out)


def test_a_whole_run_is_the_same_with_the_numpy_deployments(monkeypatch):
    """Two models, one with the reference deployments patched in: the same days to the bit."""
    sc = _scenario({"context": "zsp_estate", "strategy": "partnership_zsp", "levers.zsp.start": 4}, 1, 11)
    a, b = build_model(sc), build_model(sc)
    for _ in range(20):
        b.step()
    monkeypatch.setattr(NightMediator, "deploy", classmethod(ref_mediator_deploy))
    monkeypatch.setattr(SecurityGuard, "deploy", classmethod(ref_guard_deploy))
    monkeypatch.setattr(PoliceUnit, "deploy", classmethod(ref_police_deploy))
    for _ in range(20):
        a.step()
    assert _same(a.police_today, b.police_today)
    assert _same(a.recent, b.recent) and _same(a.dis_comp, b.dis_comp)
    for name in sorted(set(a.streams.names()) | set(b.streams.names())):
        assert a.streams.state(name) == b.streams.state(name), name
    assert [x.place for x in a.staff[PoliceUnit]] == [x.place for x in b.staff[PoliceUnit]]
