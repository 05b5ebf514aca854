"""What a validation check is: a :class:`Check` reduces the paired runs of its arms to one value
per replicate, then to a mean with a 95 % BCa bootstrap interval over replicates, and passes when
its *mean* lies in its two-sided target range ("significant" targets also need the interval to
exclude zero); a :class:`Pattern` is a published figure with the arms that measure it. The
measures shared by the calibration targets and the evidence table live here too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tranqsim.experiments.compare import paired_interval


@dataclass
class Check:
    pattern: str
    name: str
    unit: str
    low: float | None
    high: float | None
    values: np.ndarray
    significant: bool = False  # the interval must also exclude 0
    mean: float = field(init=False)
    ci: tuple[float, float] = field(init=False)
    passed: bool = field(init=False)

    def __post_init__(self):
        v = np.asarray(self.values, float)
        v = v[np.isfinite(v)]
        self.mean = float(v.mean()) if v.size else float("nan")
        self.ci = paired_interval(v) if v.size >= 3 else (float("nan"), float("nan"))
        ok = np.isfinite(self.mean)
        if self.low is not None:
            ok &= self.mean >= self.low
        if self.high is not None:
            ok &= self.mean <= self.high
        if self.significant:
            lo, hi = self.ci
            ok &= bool(np.isfinite(lo) and (lo > 0 or hi < 0))
        self.passed = bool(ok)

    @property
    def inside(self) -> bool:
        """Passed with its whole 95 % interval inside the band: a pass the replicates' noise
        could not turn into a fail (a pass on the mean alone can sit at a band's edge)."""
        lo, hi = self.ci
        return (self.passed and bool(np.isfinite(lo) and np.isfinite(hi))
                and (self.low is None or lo >= self.low) and (self.high is None or hi <= self.high))

    def target_text(self) -> str:
        if self.low is not None and self.high is not None:
            t = f"[{self.low:g}, {self.high:g}]"
        elif self.low is not None:
            t = f">= {self.low:g}"
        else:
            t = f"<= {self.high:g}"
        return t + (", CI excludes 0" if self.significant else "")


@dataclass
class Pattern:
    id: str
    title: str
    source: str
    published: str
    reading: str
    arms: tuple[str, ...]
    #: the function reducing the arms' runs to this pattern's checks (set where it is defined)
    measure: Callable | None = field(default=None, repr=False, compare=False)

    def checks(self, runs: dict[str, list[dict]]) -> list[Check]:
        return self.measure(self, runs)


def _s(runs, arm, key) -> np.ndarray:
    return np.array([r["summary"][key] for r in runs[arm]], float)


def _rel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Relative change in % of the paired baseline ``b``."""
    return 100 * (a - b) / np.where(b > 0, b, np.nan)

def _at(runs, arm, mask_from, kind=None) -> np.ndarray:
    """Incidents in the last 12 months at the places covered in arm ``mask_from`` (paired by
    replicate), optionally only places of one kind."""
    out = []
    for r, ref in zip(runs[arm], runs[mask_from]):
        mask = ref["covered"].copy()
        if kind is not None:
            mask &= ref["kind"] == kind
        out.append(r["place_counts"][mask].sum())
    return np.array(out, float)


def _targets(r, share=0.1) -> np.ndarray:
    """The hot spots: the 10% of places with the highest expected incident rate at the start,
    fixed before any patrol (as studies pick hot spots from past calls), the same in both arms."""
    v = r["initial_risk"]
    k = max(1, int(round(share * v.size)))
    mask = np.zeros(v.size, bool)
    mask[np.argsort(-v, kind="stable")[:k]] = True
    return mask


def _buffer(r, target: np.ndarray, radius: int = 2) -> np.ndarray:
    x, y = r["xy"].astype(int)
    tx, ty = x[target], y[target]
    near = np.zeros(target.size, bool)
    for i in range(target.size):
        if not target[i]:
            near[i] = bool(np.any((np.abs(tx - x[i]) <= radius) & (np.abs(ty - y[i]) <= radius)))
    return near


def _hot_spot_changes(runs) -> tuple[np.ndarray, np.ndarray]:
    """Hot-spot patrols against random ones (paired): relative change (%) at the targeted
    places and in a 2-cell buffer around them, per replicate (C6 and E5 read the same runs)."""
    tgt, buf = [], []
    for hot, rnd in zip(runs["police_hot_spot"], runs["priority"]):
        t = _targets(hot)
        b = _buffer(hot, t)
        tgt.append(_rel(hot["place_counts"][t].sum(), rnd["place_counts"][t].sum()))
        buf.append(_rel(hot["place_counts"][b].sum(), rnd["place_counts"][b].sum()))
    return np.array(tgt, float), np.array(buf, float)
