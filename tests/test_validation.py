"""Validation suite and calibration (issue 4): a fast version of `tranqsim validate` (few
replicates, short horizon) and the calibration procedure on a tiny block."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tranqsim.params import PARAMS, PRIOR
from tranqsim.validation import calibration as cal
from tranqsim.validation.patterns import PATTERNS, Check


def test_a_check_passes_only_inside_its_target_and_when_significant_if_asked():
    assert Check("X", "in", "%", 1, 3, np.array([2.0, 2.1, 1.9, 2.05])).passed
    assert not Check("X", "out", "%", 1, 3, np.array([3.5, 3.4, 3.6])).passed
    assert Check("X", "one-sided", "%", None, 0, np.array([-2.0, -1.5, -2.5, -1.8]), significant=True).passed
    # mean below 0 but the interval straddles 0: not significant
    assert not Check("X", "noisy", "%", None, 0, np.array([-5.0, 4.0, -3.0, 3.5]), significant=True).passed


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("val")
    exe = Path(sys.executable).with_name("tranqsim")
    r = subprocess.run([str(exe), "validate", "--replicates", "3", "--years", "1", "--workers", "2",
                        "--out", str(out)], capture_output=True, text=True, timeout=900)
    return out, r


def test_quick_validation_reports_every_pattern_and_its_exit_status_matches(quick):
    out, r = quick
    assert "Traceback" not in r.stderr, r.stderr
    data = json.loads((out / "validation.json").read_text())
    assert r.returncode == (0 if data["passed"] else 1)
    assert data["passed"] == all(c["passed"] for c in data["checks"])
    assert {c["pattern"] for c in data["checks"]} == {p.id for p in PATTERNS}
    md = (out / "validation.md").read_text()
    for p in PATTERNS:
        assert f"## {p.id} - " in md and p.source in md
        png = out / "validation" / f"{p.id}.png"
        assert png.stat().st_size > 5000
    for c in data["checks"]:
        assert len(c["values"]) == 3 and np.isfinite(c["mean"])
        assert f"| {c['pattern']} | {c['name']} |" in md


def test_quick_validation_mechanisms_point_the_published_way(quick):
    """Directions that hold at any horizon: visible disorder raises incivility (C7), mediators
    cut evening nuisance and part of it resumes at night (C9), cost-free CCTV still deters (C5)."""
    out, _ = quick
    checks = {c["name"]: c for c in json.loads((out / "validation.json").read_text())["checks"]}
    assert checks["incivility rate, full visible disorder / clean (same estate, same day)"]["mean"] > 1.2
    assert checks["night mediators: change in evening nuisance (18-24h)"]["mean"] < 0
    assert checks["night mediators: change in night nuisance (0-6h), the resumption"]["mean"] > 0
    assert checks["passive CCTV: change in incidents at the covered places"]["mean"] < 0


def test_unknown_pattern_is_one_clear_error(tmp_path):
    exe = Path(sys.executable).with_name("tranqsim")
    r = subprocess.run([str(exe), "validate", "--patterns", "C1,C42", "--out", str(tmp_path / "v")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "C42" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "v").exists()


def test_calibration_is_deterministic_and_picks_the_finalist_with_the_largest_margin():
    block = cal.Block("tiny", {"fear_base": (-1.6, 0.0)}, ("C1",), ("priority", "calm"), candidates=3,
                      replicates=2, finalists=2, confirm=3)
    a = cal.calibrate(workers=2, years=0.3, blocks=(block,))
    b = cal.calibrate(workers=1, years=0.3, blocks=(block,))
    assert a == b
    blk = a["blocks"][0]
    rows, finals = blk["rows"], blk["finalists"]
    assert [r["fear_base"] for r in rows] == [c["fear_base"] for c in cal.candidates(block)]
    # the finalists are the screening's best margins, confirmed on more replicates
    assert blk["confirm"] == 3 and len(finals) == 2
    best_screened = sorted(rows, key=lambda r: -r["margin"])[:2]
    assert {f["candidate"] for f in finals} == {r["candidate"] for r in best_screened}
    pool = [f for f in finals if f["passed"]] or finals
    assert blk["chosen"] == max(pool, key=lambda f: f["margin"])["candidate"]
    assert a["values"]["fear_base"]["value"] == rows[blk["chosen"]]["fear_base"]
    # a lower fear baseline lowers insecurity in the priority estate (same seeds)
    key = "C1: priority estate: residents feeling insecure"
    by_fear = sorted(rows, key=lambda r: r["fear_base"])
    assert by_fear[0][key] < by_fear[-1][key]
    assert block.n_runs() == 2 * 3 * 2 + 1 * 2 * 2


def _check(values, low, high):
    return Check("CX", "x", "%", low, high, np.asarray(values, float))


def test_margin_counts_standard_errors_inside_the_target_range():
    # same spread (sd 1, 4 replicates: se 0.5) in both sets; the first sits 1 inside its range's
    # nearer bound, the second 1 outside; a one-sided check counts from its only bound
    inside = [_check([13, 14, 15, 14], 11, 17), _check([-2, -1, -1, 0], None, 0)]
    outside = [_check([9, 10, 11, 10], 11, 17), _check([-3, -2, -2, -1], None, 0)]
    sd = np.std([13, 14, 15, 14], ddof=1)
    m_in, m_out = cal.margins([inside, outside])
    assert m_in == pytest.approx(round(min(3 / (sd / 2), 1 / (sd / 2)), 4))
    assert m_out == pytest.approx(round(-1 / (sd / 2), 4))
    assert m_in > 0 > m_out


def test_calibrated_parameters_carry_their_provenance():
    shipped = cal.shipped()
    if shipped is None:
        pytest.skip("no calibration shipped")
    for name, entry in shipped["values"].items():
        assert PARAMS[name].value == entry["value"]
        assert PARAMS[name].source.startswith("calibrated by `tranqsim calibrate`")
        lo, hi = entry["prior"]
        assert lo <= entry["value"] <= hi
        assert name in PRIOR


@pytest.mark.slow  # three small calibrations (~55 s)
def test_resume_reuses_unchanged_leading_blocks_and_equals_a_run_from_scratch():
    fear = cal.Block("fear", {"fear_base": (-1.6, 0.0)}, ("C1",), ("priority", "calm"), candidates=2,
                     replicates=2, finalists=1, confirm=2)
    mob = cal.Block("mobility", {"move_base": (0.07, 0.13)}, ("C3",), ("priority",), candidates=3,
                    replicates=2, finalists=1, confirm=2)
    first = cal.calibrate(years=0.3, blocks=(fear, mob))
    changed = (fear, cal.Block(**{**cal.asdict(mob), "candidates": 2}))
    counted = []
    resumed = cal.calibrate(years=0.3, blocks=changed, resume=first, progress=counted.append)
    assert len(counted) == cal.n_runs(changed, resume=first, years=0.3) == changed[1].n_runs()
    assert resumed["blocks"][0] == first["blocks"][0]
    assert resumed == cal.calibrate(years=0.3, blocks=changed)
    # another horizon reuses nothing
    assert cal.n_runs(changed, resume=first, years=1) == sum(b.n_runs() for b in changed)


def test_resume_from_a_file_that_is_not_a_calibration_is_one_clear_error(tmp_path):
    exe = Path(sys.executable).with_name("tranqsim")
    bad = tmp_path / "bad.json"
    for text in ("{not json", json.dumps({"values": {}})):
        bad.write_text(text)
        r = subprocess.run([str(exe), "calibrate", "--resume", str(bad), "--out", str(tmp_path / "c")],
                           capture_output=True, text=True)
        assert r.returncode == 2 and "bad.json" in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / "c").exists()
