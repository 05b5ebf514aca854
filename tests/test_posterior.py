"""The calibrated ensemble's procedure (tranqsim.validation.posterior): the implausibility rule,
the prior box and the ensemble built from accepted candidates. The simulation-driven run itself
is `tranqsim ensemble` (docs/calibration.md)."""

import numpy as np
import pytest

from tranqsim.validation import choice as C
from tranqsim.validation import posterior as P
from tranqsim.validation.patterns import Check


def _check(values, low=-20.0, high=-5.0):
    return Check("E0", "x", "%", low, high, np.asarray(values, float))


def test_a_mean_inside_its_band_is_never_implausible():
    assert P.implausibility(_check([-10.0]), sd=1.0, n=1) == 0.0
    assert P.implausibility(_check([-20.0, -5.0]), sd=0.1, n=2) == 0.0


def test_implausibility_is_the_distance_to_the_band_in_standard_errors():
    # 2 points above the band's top, sd 2, one replicate: 1 standard error; four replicates: 2
    assert P.implausibility(_check([-3.0]), sd=2.0, n=1) == pytest.approx(1.0)
    assert P.implausibility(_check([-3.0] * 4), sd=2.0, n=4) == pytest.approx(2.0)
    # below the band's floor counts the same way
    assert P.implausibility(_check([-26.0]), sd=2.0, n=1) == pytest.approx(3.0)
    one_sided = Check("E0", "x", "%", None, 5.0, np.array([9.0]))
    assert P.implausibility(one_sided, sd=1.0, n=1) == pytest.approx(4.0)


def test_the_box_is_local_around_calibrated_values_and_holds_the_assumptions():
    from tranqsim.params import PARAMS
    from tranqsim.validation.calibration import BLOCKS

    box = P.priors()
    for block in BLOCKS:
        for name, (lo, hi) in block.priors.items():
            b = box[name]
            assert lo <= b[0] <= PARAMS[name].value <= b[1] <= hi
    for name, (lo, hi, why) in P.ASSUMPTIONS.items():
        assert box[name] == (lo, hi) and why
        assert PARAMS[name].low <= lo < hi <= PARAMS[name].high


def test_draws_fill_the_box_and_are_the_same_every_time():
    box = {"a": (0.0, 1.0), "b": (10.0, 20.0)}
    d1, d2 = P.draw(box, 16), P.draw(box, 16)
    assert d1 == d2
    x = np.array([[c["a"], c["b"]] for c in d1])
    assert (x[:, 0] >= 0).all() and (x[:, 0] <= 1).all() and (x[:, 1] >= 10).all() and (x[:, 1] <= 20).all()
    # a Sobol' sequence puts points in each half of each axis
    assert 4 <= (x[:, 0] < 0.5).sum() <= 12
    # resuming at 8 continues the sequence
    assert P.draw(box, 8, start=8) == d1[8:]


def test_the_ensemble_is_the_accepted_sets_with_the_medoid_first():
    box = {"a": [0.0, 1.0], "b": [0.0, 1.0]}
    vals = [(0.1, 0.1), (0.5, 0.45), (0.9, 0.9), (0.2, 0.8), (0.8, 0.2)]
    recs = [{"values": {"a": a, "b": b}, "accepted": True, "screen_failed": [], "box": box} for a, b in vals]
    recs.append({"values": {"a": 0.99, "b": 0.01}, "accepted": False, "screen_failed": ["C1: x"], "box": box})
    ens = P.ensemble_of(recs)
    assert ens.calibrated and len(ens.sets) == 5
    assert ens.sets["h000"] == {"a": 0.5, "b": 0.45}  # nearest the median (0.5, 0.45)
    assert {"a": 0.99, "b": 0.01} not in ens.sets.values()
    from tranqsim.validation.ensemble_docs import markdown

    md = markdown(recs, ens)
    assert "5 of 6 candidates not ruled out" in md and "| C1: x | 1 |" in md
    with pytest.raises(ValueError):
        P.ensemble_of([r | {"accepted": False} for r in recs])


def test_the_central_set_is_chosen_among_sets_inside_every_band():
    box = {"a": [0.0, 1.0]}
    recs = [{"values": {"a": v}, "accepted": True, "screen_failed": [], "box": box, "max_implausibility": m}
            for v, m in ((0.1, 0.0), (0.5, 1.2), (0.55, 0.0), (0.9, 0.0))]
    assert P.ensemble_of(recs).sets["h000"] == {"a": 0.55}  # 0.5 is nearer the median but at an edge


def test_the_command_builds_the_ensemble_from_its_log_without_rerunning(tmp_path, monkeypatch, capsys):
    """`tranqsim ensemble` resumes from OUT/candidates.jsonl: with the target already met it
    runs nothing and writes ensemble.json (loadable, calibrated) and ensemble.md."""
    import json

    from conftest import run_cli
    from tranqsim import ensemble

    box = {k: list(v) for k, v in P.priors().items()}
    cands = P.draw(P.priors(), 3)
    lines = [{"values": c, "accepted": i != 1, "screen_failed": [] if i != 1 else ["E12: x"], "box": box,
              "index": i, "max_implausibility": 0.0} for i, c in enumerate(cands)]
    (tmp_path / "candidates.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / "noise.json").write_text("{}")
    code, out, err = run_cli(monkeypatch, capsys, "ensemble", "--out", tmp_path, "--target", 2, "--confirm", 0)
    assert code == 0, err
    ens = ensemble.load(tmp_path / "ensemble.json")
    assert ens.calibrated and len(ens.sets) == 2 and ens.provenance["candidates"] == 3
    assert "2 of 3 candidates not ruled out" in (tmp_path / "ensemble.md").read_text()
    # a log drawn from another box is refused, not mixed in
    lines[0]["box"] = {k: [v[0], v[1] * 2 + 1] for k, v in box.items()}
    (tmp_path / "candidates.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    code, out, err = run_cli(monkeypatch, capsys, "ensemble", "--out", tmp_path, "--target", 2, "--confirm", 0)
    assert code == 2 and "another prior box" in err


def test_installing_a_central_set_keeps_the_block_calibration_it_was_drawn_around():
    """Installed twice, the block calibration's entry survives: the box (and so a redrawn
    ensemble) does not drift with each installed central set."""
    from tranqsim.ensemble import Ensemble

    cal = {"values": {"g_police": {"value": 1.49, "block": "policing", "prior": [0.3, 1.5], "accepted": 4,
                                   "candidates": 32, "patterns": ["C6"]}}}
    prov = {"central_set": "h000", "box": {"g_police": [1.1, 1.5]}, "accepted": 3, "candidates": 9}
    once = P.install_central(Ensemble({"h000": {"g_police": 1.3}}, prov), cal)
    twice = P.install_central(Ensemble({"h000": {"g_police": 1.2}}, prov), once)
    e = twice["values"]["g_police"]
    assert e["value"] == 1.2 and e["block"] == "ensemble"
    assert e["block_calibration"]["value"] == 1.49 and e["block_calibration"]["block"] == "policing"
    # a parameter no block calibrates (an assumption in the box) has no block entry to keep: an
    # earlier ensemble's entry is not nested as one
    prov2 = {"central_set": "h000", "box": {"cctv_group_share": [0.1, 0.8]}, "accepted": 3, "candidates": 9}
    first = P.install_central(Ensemble({"h000": {"cctv_group_share": 0.4}}, prov2), {"values": {}})
    again = P.install_central(Ensemble({"h000": {"cctv_group_share": 0.5}}, prov2), first)
    assert again["values"]["cctv_group_share"]["value"] == 0.5
    assert "block_calibration" not in again["values"]["cctv_group_share"]


def test_the_central_set_is_confirmed_on_seeds_the_validation_never_uses(monkeypatch):
    """The choice is made on the confirmation seeds, so that `tranqsim validate` (the validation
    seeds) is an out-of-sample check of it; the first set passing every check is chosen, and a
    failed try re-ranks the rest by their room on the check that failed."""
    import tranqsim.validation as V
    from tranqsim.validation import MASTER_SEED, ValidationReport

    box = {"a": [0.0, 1.0]}
    recs = [{"values": {"a": v}, "accepted": True, "screen_failed": [], "box": box, "index": i,
             "max_implausibility": 0.0, "means": {"E0: x": m}}
            for i, (v, m) in enumerate(((0.1, -19.0), (0.5, -18.0), (0.6, -12.0), (0.9, -6.0), (0.2, -19.5)))]
    seeds = []

    def fake_validate(replicates, years, workers, parameters=None, progress=None, seed=MASTER_SEED):
        seeds.append(seed)
        ok = parameters["a"] != 0.5  # the median set fails on these seeds
        return ValidationReport([_check([-10.0] if ok else [-30.0])], [], replicates, years, parameters, 0.0)

    monkeypatch.setattr(V, "validate", fake_validate)
    chosen, tried = C.confirm(recs, {"E0: x": 2.0}, tries=3, log=lambda *_: None)
    assert seeds and all(s == P.CONFIRM_SEED != MASTER_SEED for s in seeds)
    assert [t["index"] for t in tried] == [1, 2]  # median first, then the most room inside [-20, -5]
    assert chosen == 2 and tried[0]["failed"] and not tried[1]["failed"]


def test_a_confirmation_resumes_from_its_log_without_repeating_a_try(monkeypatch, tmp_path):
    """Each try (20 replicates of every arm: minutes) is logged as it ends; a larger ``tries``
    later goes on from the log, re-ranking by the failures logged, and tries no set twice."""
    import tranqsim.validation as V
    from tranqsim.validation import MASTER_SEED, ValidationReport

    box = {"a": [0.0, 1.0]}
    recs = [{"values": {"a": v}, "accepted": True, "screen_failed": [], "box": box, "index": i,
             "max_implausibility": 0.0, "means": {"E0: x": m}}
            for i, (v, m) in enumerate(((0.1, -19.0), (0.5, -18.0), (0.6, -12.0), (0.9, -11.0), (0.2, -19.5)))]
    calls = []

    def fake_validate(replicates, years, workers, parameters=None, progress=None, seed=MASTER_SEED):
        calls.append(parameters["a"])
        ok = parameters["a"] == 0.9  # only the last by room passes
        return ValidationReport([_check([-10.0] if ok else [-30.0])], [], replicates, years, parameters, 0.0)

    monkeypatch.setattr(V, "validate", fake_validate)
    log = tmp_path / "confirmation.jsonl"
    chosen, tried = C.confirm(recs, {"E0: x": 2.0}, tries=2, log=lambda *_: None, path=log)
    assert calls == [0.5, 0.6] and [t["index"] for t in tried] == [1, 2] and chosen in (1, 2)
    assert len(log.read_text().splitlines()) == 2 and "bands" in tried[0]
    chosen, tried = C.confirm(recs, {"E0: x": 2.0}, tries=5, log=lambda *_: None, path=log)
    assert calls == [0.5, 0.6, 0.9]  # the two logged tries are not run again
    assert [t["index"] for t in tried] == [1, 2, 3] and chosen == 3
    chosen, tried = C.confirm(recs, {"E0: x": 2.0}, tries=5, log=lambda *_: None, path=log)
    assert calls == [0.5, 0.6, 0.9] and chosen == 3  # a logged pass is the choice: nothing to run


def test_refined_sets_are_confirmed_by_their_fresh_replicates(monkeypatch, tmp_path):
    """The screen's two replicates chose the accepted sets, so their means flatter them; the
    refinement runs the sets with most room on fresh seeds (never the screen's) and the
    confirmation then ranks the refined sets by those means, logged and resumed."""
    import tranqsim.validation as V
    from tranqsim.validation import MASTER_SEED, ValidationReport

    box = {"a": [0.0, 1.0]}
    # screen means: set 3 looks best (-12.5, in the middle of [-20, -5]); fresh replicates say
    # set 2 is (-12) and set 3 near the edge (-19)
    screen = ((0.1, -19.0), (0.5, -18.0), (0.6, -15.0), (0.9, -12.5), (0.2, -19.5))
    fresh = {0.1: -19.0, 0.5: -18.0, 0.6: -12.0, 0.9: -19.0, 0.2: -19.5}
    recs = [{"values": {"a": v}, "accepted": True, "screen_failed": [], "box": box, "index": i,
             "max_implausibility": 0.0, "means": {"E0: x": m}} for i, (v, m) in enumerate(screen)]
    seen = []

    def fake_run(cands, reps, workers, progress=None, arms=None):
        seen.append(list(reps))
        return [{"arm": [fresh[c["a"]]] * len(reps)} for c in cands]

    monkeypatch.setattr(C, "_run", fake_run)
    monkeypatch.setattr(C, "_checks", lambda runs, patterns=None: [_check(runs["arm"])])
    bands = {"E0: x": (-20.0, -5.0)}
    log = tmp_path / "refined.jsonl"
    refined = C.refine(recs, {"E0: x": 2.0}, bands, top=3, log=lambda *_: None, path=log)
    assert sorted(refined) == [1, 2, 3]  # the three with most room on the screen
    assert all(r[0] >= P.REPLICATES for r in seen)  # never the screen's seeds
    assert refined[3]["means"]["E0: x"] == -19.0 and refined[3]["replicates"] == C.REFINE_REPLICATES
    n_runs = len(seen)
    assert C.refine(recs, {"E0: x": 2.0}, bands, top=3, log=lambda *_: None, path=log) == refined
    assert len(seen) == n_runs  # resumed from its log: nothing run again

    order = []

    def fake_validate(replicates, years, workers, parameters=None, progress=None, seed=MASTER_SEED):
        order.append(parameters["a"])
        return ValidationReport([_check([-30.0])], [], replicates, years, parameters, 0.0)

    monkeypatch.setattr(V, "validate", fake_validate)
    C.confirm(recs, {"E0: x": 2.0}, tries=3, log=lambda *_: None, refined=refined)
    assert order == [0.5, 0.6, 0.9]  # the median set, then the refined by their fresh means


def test_a_later_wave_refocuses_on_the_sets_the_earlier_one_accepted(tmp_path, monkeypatch, capsys):
    """History matching's waves: the next box is the accepted sets' range, widened by a tenth
    of it and kept inside the earlier box; a wave with no accepted set is one clear error."""
    import json

    from conftest import run_cli

    box = {"a": [0.0, 1.0], "b": [10.0, 20.0]}
    recs = [{"values": {"a": a, "b": b}, "accepted": ok, "box": box, "index": i, "screen_failed": []}
            for i, (a, b, ok) in enumerate(((0.2, 11.0, True), (0.6, 19.5, True), (0.9, 15.0, False)))]
    wave = P.wave_box(recs)
    assert (wave["a"], wave["b"]) == ((0.16, 0.64), (10.15, 20.0))
    # a parameter the earlier wave held at the table's value enters at its prior range
    assert {k: v for k, v in wave.items() if k not in box} == P.priors()
    with pytest.raises(ValueError, match="no set accepted"):
        P.wave_box([dict(r, accepted=False) for r in recs])
    (tmp_path / "w1").mkdir()
    (tmp_path / "w1" / "candidates.jsonl").write_text(
        "\n".join(json.dumps(dict(r, accepted=False)) for r in recs) + "\n")
    code, out, err = run_cli(monkeypatch, capsys, "ensemble", "--out", tmp_path / "w2", "--wave-of",
                             tmp_path / "w1", "--confirm", 0)
    assert code == 2 and "no set accepted" in err and "Traceback" not in err
    assert not (tmp_path / "w2").exists()  # nothing written
