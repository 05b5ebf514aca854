"""The compiled ``Recorder.record`` (tranqsim.metrics) against the numpy version it replaced.

On real model days (four contexts, four strategies), every call of ``record`` is made twice:
by the numpy reference below (a verbatim copy of ``Recorder.record`` before the kernel) on a
deep copy of the recorder, and by the kernel version on the model's own recorder. Both must write
the same bits: the whole series and cost arrays, the row count and ``m.occ_float``. ``record``
reads the model and writes only the recorder and ``m.occ_float``, so the model itself is shared.
The days compared cover halls in several statuses, squats, evictions, dealing points and groups,
rows of fewer and of more than 8 costs, and hall counts on every path of numpy's pairwise sum
(under 8, up to 128, over 128 halls); :func:`tranqsim.metrics._np_sum` is also compared with
``np.sum`` on made-up arrays of every length up to 1100 and beyond.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tranqsim.experiments.runner import _scenario
from tranqsim.metrics import COL, Recorder, _np_sum
from tranqsim.simulation import build_model


def _household_counts(occ, fear, last_victim, day):
    """The compiled counts the numpy version called (tranqsim.metrics, before): integers."""
    return (int(np.count_nonzero(occ)), int(np.count_nonzero(occ & (day - last_victim < 365))),
            int(np.count_nonzero(occ & (fear > 0.5))))


def reference_record(self, m) -> None:
    """The numpy version of tranqsim.metrics.Recorder.record (verbatim, before the kernel)."""
    if self.n >= self.data.shape[0]:
        self._grow()
    hh, d = m.households, m.day
    occ = hh.occupied
    n_occ, vict, insecure = _household_counts(occ, hh.fear, hh.last_victim, d)
    k = max(n_occ, 1)
    occ_f = m.occ_float = occ.astype(np.float64)
    row = self.data[self.n]
    counts = m.day_type_counts
    row[0] = counts.sum()
    row[1] = m.day_reported
    row[2] = m.day_handled
    row[3:3 + counts.size] = counts
    c = 3 + counts.size
    squatted = hh.n_squatted
    status = np.bincount(m.status[m.halls], minlength=4)
    groups = m.group_list
    networks = m.network_list
    row[c:] = [
        insecure / k, vict / k, m.victims_today, n_occ,
        hh.n - n_occ, squatted, (hh.n - n_occ) / hh.n, hh.moves_today, hh.evictions_today,
        hh.relets_today, m.disorder[m.halls].sum() / m.n_halls, np.dot(hh.satisfaction, occ_f) / k,
        np.dot(hh.trust_landlord, occ_f) / k, np.dot(hh.trust_police, occ_f) / k,
        *status, m.tension, len(networks), sum(n.strength for n in networks),
        (sum(g.activity for g in groups) / len(groups)) if groups else 0.0,
        m.police_crews, m.staff_count(), 0.0, m.public_rate]
    cost = self.costs[self.n]
    cost[:] = m.cost_rate
    keys = m.cost_index
    cost[keys["repairs"]] += m.day_repair_cost
    cost[keys["vacancy"]] += (hh.n - n_occ) * m.rent * 12 / 365
    cost[keys["squats"]] += squatted * m.p.cost_squat_day
    cost[keys["evictions"]] += m.day_evict_cost
    row[COL["cost_eur"]] = cost.sum()
    self.n += 1


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def differences(ref_rec, ref_occ, rec, occ) -> list[str]:
    out = []
    if ref_rec.n != rec.n:
        out.append("n")
    if not _same(ref_rec.data, rec.data):
        out.append("data: " + ", ".join(
            name for j, name in enumerate(COL) if not _same(ref_rec.data[:, j], rec.data[:, j])))
    if not _same(ref_rec.costs, rec.costs):
        out.append("costs")
    if not _same(ref_occ, occ) or ref_occ is occ:
        out.append("occ_float")
    return out


class _Checked:
    """Stands in for Recorder.record: the reference on a copy of the recorder, then the kernel
    version on the recorder itself; records the differences and what the day had."""

    new_record = Recorder.record

    def __init__(self):
        self.diffs, self.seen = [], dict.fromkeys(
            ("status_kinds", "squats", "eviction_cost", "networks", "groups", "incidents"), 0)

    def __call__(self, rec, m):
        ref = copy.deepcopy(rec)
        reference_record(ref, m)
        ref_occ = m.occ_float
        _Checked.new_record(rec, m)
        diff = differences(ref, ref_occ, rec, m.occ_float)
        if diff:
            self.diffs.append((m.day, diff))
        row = rec.data[rec.n - 1]
        s = self.seen
        s["status_kinds"] = max(s["status_kinds"], int(np.count_nonzero(
            row[COL["halls_green"]:COL["halls_green"] + 4])))
        s["squats"] += row[COL["squatted"]] > 0
        s["eviction_cost"] += m.day_evict_cost != 0
        s["networks"] += len(m.network_list) > 0
        s["groups"] += len(m.group_list) > 0
        s["incidents"] += row[COL["incidents"]] > 0


CASES = [  # context, strategy, seed, days (years of the scenario: 1, so the recorder grows
    # only in the last case)
    ("calm_neighbourhood", "withdrawal", 1, 200),
    ("calm_neighbourhood", "global_approach", 2, 120),
    ("priority_estate", "withdrawal", 3, 250),
    ("priority_estate", "heavy_security", 1, 120),
    ("zsp_estate", "partnership_zsp", 1, 150),
    ("zsp_estate", "global_approach", 4, 120),
    ("large_estate", "heavy_security", 1, 60),
    ("large_estate", "partnership_zsp", 2, 40),
]


@pytest.mark.parametrize("context, strategy, seed, days", CASES)
def test_record_kernel_matches_numpy_reference(context, strategy, seed, days, monkeypatch):
    m = build_model(_scenario({"context": context, "strategy": strategy}, 1, seed))
    checked = _Checked()
    monkeypatch.setattr(Recorder, "record", lambda rec, m: checked(rec, m))
    m.run(days)
    assert not checked.diffs, checked.diffs[:5]
    assert m.recorder.n == days
    s = checked.seen
    assert s["groups"] == days and s["incidents"] > 0 and s["status_kinds"] >= 2, s
    if context != "calm_neighbourhood":
        assert s["networks"] > 0, s


def test_record_kernel_matches_numpy_reference_with_squats_evictions_and_growth(monkeypatch):
    """A run past its horizon (the recorder grows), with squats and evictions (float costs)."""
    m = build_model(_scenario({"context": "priority_estate", "strategy": "withdrawal",
                               "levers.eviction.start": 0}, 0.3, 5))
    checked = _Checked()
    monkeypatch.setattr(Recorder, "record", lambda rec, m: checked(rec, m))
    days = m.days_total + 60
    m.run(days)
    assert not checked.diffs, checked.diffs[:5]
    assert m.recorder.n == days and m.recorder.data.shape[0] > m.days_total
    assert checked.seen["squats"] > 0 and checked.seen["eviction_cost"] > 0, checked.seen


def test_comparison_sees_a_one_ulp_change(monkeypatch):
    """The comparison can fail: one ulp in one cost, or in occ_float, is a difference."""
    m = build_model(_scenario({"context": "zsp_estate", "strategy": "global_approach"}, 1, 1))
    m.run(3)
    ref = copy.deepcopy(m.recorder)
    reference_record(ref, m)
    ref_occ = m.occ_float
    rec = copy.deepcopy(m.recorder)
    Recorder.record(rec, m)
    assert differences(ref, ref_occ, rec, m.occ_float) == []
    rec.costs[3, 1] = np.nextafter(rec.costs[3, 1], np.inf)
    assert differences(ref, ref_occ, rec, m.occ_float) == ["costs"]
    rec.costs[3, 1] = ref.costs[3, 1]
    rec.data[3, COL["disorder_index"]] = np.nextafter(rec.data[3, COL["disorder_index"]], -np.inf)
    assert differences(ref, ref_occ, rec, m.occ_float) == ["data: disorder_index"]


def test_np_sum_is_numpys_sum():
    """numpy's pairwise summation reproduced to the bit: every length up to 1100 and some
    beyond (every path: under 8 values, the 8 accumulators, the recursion), values of mixed
    magnitudes and signs, cancellations, and negative zeros (numpy adds the sum to 0.0: a sum
    of -0.0s is 0.0)."""
    rng = np.random.default_rng(1)
    for n in list(range(1100)) + [2047, 2048, 4096, 5000, 8191, 8192, 8193, 16384, 100_003]:
        for kind in range(5):
            if kind == 0:
                a = rng.random(n)
            elif kind == 1:
                a = rng.random(n) * 10.0 ** rng.integers(-8, 9, n) * rng.choice([-1, 1], n)
            elif kind == 2:
                a = np.round(rng.normal(size=n), 2) * 1e16
            elif kind == 3:
                a = np.where(rng.random(n) < 0.1, -rng.random(n), -0.0)
            else:
                a = np.full(n, -0.0)  # numpy's sum: 0.0
            assert np.float64(_np_sum(a)).tobytes() == a.sum().tobytes(), (n, kind)
