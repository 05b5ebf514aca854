"""The emulator of the checks (tranqsim.validation.emulator) and the sets it proposes: fitted on
synthetic candidates whose checks are known functions of the parameters, so what it recovers,
what error it admits and where it searches can be checked against the truth."""

import numpy as np

from tranqsim.validation import emulator as E
from tranqsim.validation import choice as C
from tranqsim.validation import posterior as P

BOX = {"a": (0.0, 2.0), "b": (10.0, 20.0), "c": (-1.0, 1.0)}


def _records(n, fn, noise=0.0, seed=0, replicates=4):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        v = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in BOX.items()}
        z = np.array([(v[k] - lo) / (hi - lo) * 2 - 1 for k, (lo, hi) in BOX.items()])
        means = {c: float(f(z) + noise * rng.standard_normal() / np.sqrt(replicates)) for c, f in fn.items()}
        out.append({"values": v, "means": means, "stage": 3, "replicates": replicates, "index": i,
                    "accepted": True, "box": {k: list(b) for k, b in BOX.items()}})
    return out


QUAD = {"q": lambda z: 3.0 + 4.0 * z[0] - 2.0 * z[1] ** 2,  # in the emulator's form
        "x": lambda z: 5.0 * z[0] * z[2]}  # an interaction it cannot represent


def test_a_check_in_the_emulators_form_is_recovered_and_its_error_is_its_noise():
    recs = _records(200, QUAD, noise=0.5)
    em = E.fit(recs, BOX, {"q": 0.5, "x": 0.5}, {})
    z = np.array([[0.5, -0.5, 0.0], [-0.9, 0.9, 0.3]])
    pred = em.predict(z)[:, em.checks.index("q")]
    truth = [QUAD["q"](r) for r in z]
    assert np.allclose(pred, truth, atol=0.15)
    j = em.checks.index("q")
    # the error is the leave-one-out residual: here the candidates' own noise (0.5 / 2), no more
    assert em.error[j] < 1.2 * 0.25 and em.r2[j] > 0.95


def test_what_the_emulator_cannot_represent_shows_as_its_error():
    """An interaction (a * c) is outside intercept + linear + squares: the leave-one-out error
    admits it (net of the candidates' noise), so proposals do not trust that check's emulation."""
    recs = _records(200, QUAD, noise=0.5)
    em = E.fit(recs, BOX, {"q": 0.5, "x": 0.5}, {})
    j = em.checks.index("x")
    assert em.error[j] > 1.0 and em.r2[j] < 0.3


def test_a_parameter_an_earlier_wave_held_takes_the_tables_value():
    recs = _records(120, {"q": QUAD["q"]})
    for r in recs[:60]:
        del r["values"]["c"]  # held at 0.0 by that wave: the box's middle
        r["means"]["q"] = QUAD["q"](np.array([(r["values"]["a"] - 0) / 2 * 2 - 1,
                                              (r["values"]["b"] - 10) / 10 * 2 - 1, 0.0]))
    em = E.fit(recs, BOX, {"q": 0.5}, {"c": 0.0})
    assert em.error[0] < 0.05


def test_proposals_land_where_every_check_passes_and_unconstrained_parameters_stay_central():
    """Two checks whose bands meet only in a slab: a = 1.5 +/- 0.1 and b near 15; c touches
    neither check, so the proposal keeps it near the accepted sets' centre (not at an edge)."""
    fn = {"A": lambda z: 10 * z[0], "B": lambda z: 10 * z[1] ** 2}
    recs = _records(200, fn, noise=0.1)
    sd = {"A": 0.1, "B": 0.1}
    em = E.fit(recs, BOX, sd, {})
    bands = {"A": (4.0, 6.0), "B": (None, 1.0)}  # z_a in [0.4, 0.6]; |z_b| <= 0.32
    sigma = E.spread(em, sd, 4, 20)
    centre = np.array([0.0, 0.0, 0.3])
    (vals, chance), = E.propose(em, bands, sigma, 1, seed=1, centre=centre)
    z = em.unit([vals])[0]
    assert 0.4 <= z[0] <= 0.6 and abs(z[1]) <= 0.32
    assert chance > 0.8 and chance > np.exp(E.log_pass(em, np.zeros((1, 3)), bands, sigma)[0])
    assert abs(z[2] - 0.3) < 0.1


def test_proposed_sets_are_confirmed_before_any_drawn_set(monkeypatch):
    import tranqsim.validation as V
    from tranqsim.validation import MASTER_SEED, ValidationReport
    from tranqsim.validation.patterns import Check

    box = {"a": [0.0, 1.0]}
    recs = [{"values": {"a": v}, "accepted": True, "screen_failed": [], "box": box, "index": i,
             "max_implausibility": 0.0, "means": {"E0: x": m}}
            for i, (v, m) in enumerate(((0.1, -19.0), (0.5, -18.0), (0.6, -12.0)))]
    recs.append(dict(recs[2], values={"a": 0.7}, index=C.PROPOSED_BASE))
    calls = []

    def fake_validate(replicates, years, workers, parameters=None, progress=None, seed=MASTER_SEED):
        calls.append(parameters["a"])
        return ValidationReport([Check("E0", "x", "%", -20.0, -5.0, np.array([-10.0]))], [],
                                replicates, years, parameters, 0.0)

    monkeypatch.setattr(V, "validate", fake_validate)
    chosen, tried = C.confirm(recs, {"E0: x": 2.0}, tries=3, log=lambda *_: None, first=[C.PROPOSED_BASE])
    assert calls == [0.7] and tried[0]["index"] == C.PROPOSED_BASE and chosen == 3


def test_proposals_are_read_back_and_an_older_emulators_are_kept_apart(monkeypatch, tmp_path):
    """A rerun reads back the current emulator's proposals (a try costs minutes, a proposal's
    screen half a minute); an older version's stay in the log, out of the ensemble, and new
    proposals take indices after them, so their logged confirmation tries are never confused."""
    import json

    import tranqsim.validation.emulator as Em

    recs = _records(60, {"q": QUAD["q"]})
    (tmp_path / "noise.json").write_text(json.dumps({"q": 0.5}))
    old = dict(recs[0], index=C.PROPOSED_BASE, proposed={"by": "emulator", "chance": 0.1})
    (tmp_path / "proposed.jsonl").write_text(json.dumps(old) + "\n")
    calls = []
    monkeypatch.setattr(C, "bands_of", lambda out, workers=1, progress=None: {"q": (0.0, 5.0)})
    monkeypatch.setattr(Em, "propose", lambda em, bands, sigma, k, seed, centre=None:
                        [({"a": 1.0, "b": 15.0, "c": 0.0}, 0.5)] * k)

    def fake_evaluate(cands, sd, workers=1, progress=None, replicates=2):
        calls.append(len(cands))
        return [{"values": c, "accepted": True, "screen_failed": [], "stage": 3, "means": {}} for c in cands]

    monkeypatch.setattr(C, "evaluate", fake_evaluate)
    new = C.propose(tmp_path, recs, 2, log=lambda *_: None)
    assert calls == [2] and [r["index"] for r in new] == [C.PROPOSED_BASE + 1, C.PROPOSED_BASE + 2]
    assert all(r["proposed"]["version"] == Em.VERSION for r in new)
    assert C.propose(tmp_path, recs, 2, log=lambda *_: None) == new and calls == [2]
    assert len((tmp_path / "proposed.jsonl").read_text().splitlines()) == 3
