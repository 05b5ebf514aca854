"""Displacement or diffusion around a Priority Security Zone (ZSP).

For a strategy with a ZSP window, the places are split into the zone (the lever's own mask,
fixed on its first day), a buffer of ``BUFFER`` cells around it (Chebyshev distance) and the
rest of the estate. Incidents per place per year are counted in each area before, during and
after the window, and compared with

- the weighted displacement quotient (Bowers & Johnson 2003, Security Journal 16:11):
  ``WDQ = (B_a/C_a - B_b/C_b) / (A_a/C_a - A_b/C_b)`` with incident counts in the zone (A),
  buffer (B) and control area (C), before (b) and after (a); > 0 is a diffusion of benefits,
  < 0 displacement; it reads only when the zone improved relative to the control (denominator
  < 0). Counts are pooled over replicates, which steadies the ratio;
- the same strategy rerun without its ZSP lever on the same seed, in the same cells: with common
  random numbers both runs are identical until the window opens, so the difference during and
  after it is the ZSP's own effect, place by place (a paired counterfactual, no trend to
  net out). A buffer with more incidents than without the ZSP is displacement; fewer, diffusion.
"""

from __future__ import annotations

import numpy as np

from tranqsim.experiments.compare import paired_interval

BUFFER = 3  # cells: about one building lot and its street around the zone
AREAS = ("zone", "buffer", "outside")
NEUTRAL_WDQ = 0.1  # |WDQ| below this: the buffer barely moved


def areas(places, zone: np.ndarray, buffer: int = BUFFER) -> dict[str, np.ndarray]:
    """Boolean masks (places,) of the zone, its buffer and the rest."""
    x, y = places["x"].to_numpy(), places["y"].to_numpy()
    zx, zy = x[zone], y[zone]
    if zx.size == 0:
        dist = np.full(x.size, np.inf)
    else:
        dist = np.max(np.abs(np.stack([x[:, None] - zx[None, :], y[:, None] - zy[None, :]])), axis=0).min(1)
    buf = (dist <= buffer) & ~zone
    return {"zone": zone, "buffer": buf, "outside": ~zone & ~buf}


def periods(start: int, end: int | None, days: int) -> dict[str, tuple[int, int]]:
    """Day ranges [a, b) of the periods that exist in a run of ``days`` days."""
    stop = days if end is None else min(end, days)
    out = {"before": (0, start), "during": (start, stop), "after": (stop, days)}
    return {k: v for k, v in out.items() if v[1] > v[0]}


def counts(run: dict, masks: dict, per: dict) -> dict:
    """(area, period) -> incident count in a rerun."""
    in_area = {a: m[run["inc_place"]] for a, m in masks.items()}
    out = {}
    for p, (a0, a1) in per.items():
        when = (run["inc_day"] >= a0) & (run["inc_day"] < a1)
        for a in masks:
            out[(a, p)] = int(np.count_nonzero(when & in_area[a]))
    return out


def rate(count: float, n_places: int, days: int) -> float:
    return count / (n_places * days / 365) if n_places and days else float("nan")


def wdq(c: dict, period: str) -> float:
    """Bowers & Johnson's WDQ of ``period`` against ``before`` from pooled counts; NaN when it
    does not read (no zone improvement, an empty area or period)."""
    try:
        a_b, a_a = c[("zone", "before")], c[("zone", period)]
        b_b, b_a = c[("buffer", "before")], c[("buffer", period)]
        c_b, c_a = c[("outside", "before")], c[("outside", period)]
    except KeyError:
        return float("nan")
    if min(c_b, c_a) == 0:
        return float("nan")
    success = a_a / c_a - a_b / c_b
    if success >= 0:
        return float("nan")
    # success < 0: the zone improved relative to the control; a buffer that improved too
    # (numerator < 0) gives a positive quotient, a diffusion of benefits
    return (b_a / c_a - b_b / c_b) / success


def analyse(results: dict, context: str, strategy: str, window: tuple[int, int | None],
            reps: list[int]) -> dict | None:
    """Per area and period: rates per replicate, paired change from the same strategy without
    its ZSP, pooled WDQ."""
    from tranqsim.report.resim import WITHOUT_ZSP

    runs = [results.get((context, strategy, r)) for r in reps]
    runs = [r for r in runs if r is not None and r["zone"] is not None]
    if not runs:
        return None
    start, end = window
    days = runs[0]["days"]
    per = periods(start, end, days)
    rates = {(a, p): [] for a in AREAS for p in per}
    vs_base = {(a, p): [] for a in AREAS for p in per}
    pooled = {(a, p): 0 for a in AREAS for p in per}
    sizes = {a: [] for a in AREAS}
    same_before = True
    for run in runs:
        masks = areas(run["places"], run["zone"])
        n_places = {a: int(m.sum()) for a, m in masks.items()}
        for a in AREAS:
            sizes[a].append(n_places[a])
        c = counts(run, masks, per)
        base = results.get((context, strategy + WITHOUT_ZSP, run["replicate"]))
        cb = counts(base, masks, per) if base is not None else None
        if cb is not None and "before" in per:
            same_before &= all(cb[(a, "before")] == c[(a, "before")] for a in AREAS)
        for (a, p), (d0, d1) in ((k, per[k[1]]) for k in rates):
            rates[(a, p)].append(rate(c[(a, p)], n_places[a], d1 - d0))
            pooled[(a, p)] += c[(a, p)]
            if cb is not None and cb[(a, p)] > 0:
                vs_base[(a, p)].append(100 * (c[(a, p)] - cb[(a, p)]) / cb[(a, p)])
    summary = {}
    for k, v in rates.items():
        v = np.asarray(v, float)
        d = np.asarray(vs_base[k], float)
        summary[k] = {"mean": float(np.nanmean(v)) if np.isfinite(v).any() else float("nan"),
                      "min": float(np.nanmin(v)) if np.isfinite(v).any() else float("nan"),
                      "max": float(np.nanmax(v)) if np.isfinite(v).any() else float("nan"),
                      "vs_base": float(d.mean()) if d.size else float("nan"),
                      "vs_base_ci": paired_interval(d) if d.size >= 3 else (float("nan"), float("nan"))}
    # the zone follows each replicate's hottest place, so its size varies (clipped at the edges)
    return {"strategy": strategy, "window": window, "periods": per,
            "n_places": {a: round(float(np.mean(v))) for a, v in sizes.items()},
            "summary": summary, "wdq": {p: wdq(pooled, p) for p in ("during", "after") if p in per},
            "reps": [r["replicate"] for r in runs], "runs": runs, "buffer": BUFFER,
            "same_before": same_before}


def reading(an: dict) -> str:
    """The i18n key of the reading: the buffer against the run without the ZSP when its interval
    is known, else the sign of the WDQ."""
    lo, hi = an["summary"][("buffer", "during")]["vs_base_ci"] if ("buffer", "during") in an["summary"] \
        else (float("nan"), float("nan"))
    if np.isfinite(lo):
        return "zsp_reading_displacement" if lo > 0 else "zsp_reading_diffusion" if hi < 0 else \
            "zsp_reading_neutral"
    q = an["wdq"].get("during", float("nan"))
    if not np.isfinite(q):
        return "zsp_reading_none"
    if abs(q) < NEUTRAL_WDQ:
        return "zsp_reading_neutral"
    return "zsp_reading_diffusion" if q > 0 else "zsp_reading_displacement"


def monthly_rates(run: dict, mask: np.ndarray) -> np.ndarray:
    """Incidents per place per year in ``mask``, by 30-day month."""
    n = run["days"] // 30
    sel = mask[run["inc_place"]] & (run["inc_day"] < n * 30)
    per_month = np.bincount(run["inc_day"][sel] // 30, minlength=n)[:n]
    return per_month / max(int(mask.sum()), 1) * 365 / 30
