"""Regression guard: a few seeded runs' summaries are those recorded in tests/regression/.

The recorded file is written by ``make regression-update`` (``scripts/regression.py
--update``), on purpose, when a change is meant to move outputs; the reason goes in
CHANGELOG.md. Any other change to a mechanism that moves one of these outputs beyond
floating-point noise fails here, naming the output and how far it moved.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import tranqsim

FILE = Path(__file__).parent / "regression" / "summaries.json"
RECORDED = json.loads(FILE.read_text())
CASES = RECORDED["cases"]


def test_the_recorded_file_covers_every_context_with_a_dozen_metrics():
    from tranqsim.loading import available

    assert {c["context"] for c in CASES.values()} == set(available("contexts"))
    assert all(len(c["metrics"]) >= 12 for c in CASES.values())
    assert 0 < RECORDED["rel_tol"] <= 1e-6  # noise, not a licence to drift


@pytest.mark.parametrize("key", sorted(CASES))
def test_seeded_summaries_are_unchanged(key):
    case = CASES[key]
    summary = tranqsim.simulate(tranqsim.load_scenario(
        context=case["context"], strategy=case["strategy"], years=case["years"], seed=case["seed"])).summary
    moved = [f"{m}: recorded {v!r}, now {summary[m]!r}"
             for m, v in case["metrics"].items()
             if not math.isclose(float(summary[m]), v, rel_tol=RECORDED["rel_tol"],
                                 abs_tol=RECORDED["abs_tol"])]
    assert not moved, (f"{key} moved (if on purpose: make regression-update, and say why in "
                       "CHANGELOG.md):\n  " + "\n  ".join(moved))
