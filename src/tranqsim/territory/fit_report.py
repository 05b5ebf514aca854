"""The fit report: observed against simulated, by type and by building, with intervals.

Two files per build: ``fit_report.md`` (for the analyst) and ``fit_report.csv`` (one row per
estate x level x item: ``level`` is ``parameter``, ``type``, ``building``, ``concentration`` or
``survey``). Only counts, rates, the model's type names and the register's building codes are
written: no category label or other text from the landlord's files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tranqsim.incidents import TYPE_NAMES
from tranqsim.territory import fit_local
from tranqsim.territory.fit_local import Z, gini, ginis
from tranqsim.territory.fit_intervals import prediction_interval
from tranqsim.territory.fit_runs import STATS, Fit

CSV_COLUMNS = ["estate", "level", "item", "observed", "fitted_or_simulated", "low", "high", "within",
               "unit", "fitted_to"]


def _half_share(counts: np.ndarray) -> float:
    """Share of buildings holding half the incidents (the most affected first)."""
    c = np.sort(np.asarray(counts, float))[::-1]
    total = c.sum()
    if total <= 0:
        return 0.0
    return float((np.searchsorted(np.cumsum(c), 0.5 * total) + 1) / c.size)


def rows(fit: Fit) -> list[dict]:
    obs, sim = fit.observed, fit.simulated
    e = obs.estate
    per_year = 365 / obs.days
    out = []
    for name, value in fit.theta.as_dict().items():
        lo, hi = fit.intervals.get(name, (np.nan, np.nan))
        out.append({"estate": e, "level": "parameter", "item": name, "observed": np.nan,
                    "fitted_or_simulated": value, "low": lo, "high": hi, "within": np.nan, "unit": "",
                    "fitted_to": fit.fitted_to.get(name, "not fitted (the priority-estate profile's)")})
    for t, name in enumerate(TYPE_NAMES):
        m, lo, hi = prediction_interval(sim.by_type[:, t])
        o = obs.by_type[t]
        out.append({"estate": e, "level": "type", "item": name, "observed": o * per_year,
                    "fitted_or_simulated": m * per_year, "low": lo * per_year, "high": hi * per_year,
                    "within": bool(lo <= o <= hi), "unit": "incidents/year"})
    for n in STATS:
        m, lo, hi = prediction_interval(sim.stat(n))
        o = obs.stat(n)
        out.append({"estate": e, "level": "statistic", "item": f"{n} types", "observed": o * per_year,
                    "fitted_or_simulated": m * per_year, "low": lo * per_year, "high": hi * per_year,
                    "within": bool(lo <= o <= hi), "unit": "incidents/year", "fitted_to": f"fitted ({n})"})
    for b, bld in enumerate(obs.buildings):
        m, lo, hi = prediction_interval(sim.by_building[:, b])
        o = obs.by_building[b]
        out.append({"estate": e, "level": "building", "item": bld.id, "observed": o * per_year,
                    "fitted_or_simulated": m * per_year, "low": lo * per_year, "high": hi * per_year,
                    "within": bool(lo <= o <= hi), "unit": "incidents/year"})
    # concentration: one period's value under the model, mean +- 1.96 s.d. sqrt(1 + 1/R)
    for item, o, x, fitted, unit in (
            ("buildings holding half the incidents", _half_share(obs.by_building),
             np.array([_half_share(x) for x in sim.by_building]), False, "share"),
            ("all incidents across buildings", gini(obs.by_building), ginis(sim.by_building),
             False, "Gini"),
            ("background types across buildings", obs.concentration(), sim.concentration(),
             "hot_spot_spread" in fit.intervals, "Gini")):
        m, sd = float(x.mean()), float(x.std(ddof=1)) if x.size > 1 else 0.0
        half = Z * sd * np.sqrt(1 + 1 / x.size)
        lo, hi = max(0.0, m - half), min(1.0, m + half)
        out.append({"estate": e, "level": "concentration", "item": item, "observed": o,
                    "fitted_or_simulated": m, "low": lo, "high": hi,
                    "within": bool(lo - 1e-9 <= o <= hi + 1e-9), "unit": unit,
                    "fitted_to": "fitted (hot_spot_spread)" if fitted else "compared"})
    n = obs.survey.get("respondents")
    for key, simv in (("insecure", sim.insecure), ("satisfaction", sim.satisfied)):
        if key not in obs.survey:
            continue
        o = obs.survey[key]
        # the survey's own sampling error widens the model's spread (its respondents, or assumed)
        sd = fit_local.survey_sd(o, int(n or fit_local.ASSUMED_RESPONDENTS), simv, simv.size)
        m = float(simv.mean())
        fitted = key == "insecure" and "fear_offset" in fit.intervals
        how = ("fitted (fear_offset)" if fitted else "compared") + (
            "" if n else f"; sampling error assumed for {fit_local.ASSUMED_RESPONDENTS} respondents")
        out.append({"estate": e, "level": "survey", "item": key, "observed": o,
                    "fitted_or_simulated": m, "low": max(0.0, m - Z * sd),
                    "high": min(1.0, m + Z * sd), "within": bool(abs(o - m) <= Z * sd),
                    "unit": "share", "fitted_to": how})
    return out


def table(fits: list[Fit]) -> pd.DataFrame:
    return pd.DataFrame([r for f in fits for r in rows(f)], columns=CSV_COLUMNS)


def method(fitting_doc: str, intervals_doc: str) -> str:
    """The fit's method for the report: the fitting module's, its intervals section in place."""
    intervals = "Intervals." + intervals_doc.split("Intervals.", 1)[1].rstrip()
    return fitting_doc.split("Method.", 1)[1].strip().replace(
        "Intervals: :mod:`tranqsim.territory.fit_intervals`.", intervals)


def markdown(fits: list[Fit], sources: dict[str, str], settings: dict) -> str:
    from tranqsim.territory import fit_intervals, fitting

    df = table(fits)
    lines = ["<!-- generated by tranqsim territory build -->", "# Fit report", "",
             "Contexts built from a landlord's register and incident log. Inputs: "
             + ", ".join(f"{k} `{v}`" for k, v in sources.items()) + ".", "",
             f"Fit: {settings['rounds']} rounds of {settings['replicates']} replicates, then "
             f"{settings['final_replicates']} fresh replicates which, with the last round's, give "
             "the intervals below; the log is "
             f"compared with the simulated incidents that were **{settings['recorded']}**"
             + (" (reported by residents or by staff on the spot)" if settings["recorded"] == "reported"
                else " (every simulated incident)") + ".", "",
             "## Method and limits", "", method(fitting.__doc__, fit_intervals.__doc__), ""]
    for f in fits:
        sub = df[df.estate == f.observed.estate]
        o = f.observed
        lines += [f"## {o.estate}", "",
                  f"{len(o.buildings)} buildings, {sum(b.halls for b in o.buildings)} halls, "
                  f"{sum(b.dwellings for b in o.buildings)} dwellings; {int(o.by_type.sum())} logged "
                  f"incidents over {o.days} days.", "",
                  "| parameter | value | 95% interval | fitted to |", "|---|---:|---|---|"]
        for _, r in sub[sub.level == "parameter"].iterrows():
            iv = f"[{r['low']:.3g}, {r['high']:.3g}]" if r["low"] == r["low"] else "-"
            lines.append(f"| {r['item']} | {r['fitted_or_simulated']:.3g} | {iv} | {r['fitted_to']} |")
        for level, title in (("statistic", "fitted statistics"), ("type", "by incident type"),
                             ("building", "by building"), ("concentration", "concentration"),
                             ("survey", "survey")):
            part = sub[sub.level == level]
            if part.empty:
                continue
            unit = "/".join(dict.fromkeys(part["unit"]))
            how = level in ("statistic", "concentration", "survey")
            lines += ["", f"### {title.capitalize()} ({unit}; simulated: mean and 95% prediction "
                          "interval)", "",
                      "| item | observed | simulated | interval | within |" + (" fitted or compared |" if how else ""),
                      "|---|---:|---:|---|---|" + ("---|" if how else "")]
            for _, r in part.iterrows():
                fmt = {"incidents/year": "{:.1f}", "Gini": "{:.2f}"}.get(r["unit"], "{:.1%}")
                what = f"{r['unit']} of the " if r["unit"] == "Gini" else ""
                lines.append(f"| {what}{r['item']} | {fmt.format(r['observed'])} | "
                             f"{fmt.format(r['fitted_or_simulated'])} | [{fmt.format(r['low'])}, "
                             f"{fmt.format(r['high'])}] | {'yes' if r['within'] else '**no**'} |"
                             + (f" {r['fitted_to']} |" if how else ""))
        within = sub[sub.level.isin(["type", "building"])].within
        lines += ["", f"Observed within the simulated interval: {int(within.sum())} of {len(within)} "
                      "types and buildings (about 95% expected when the model fits).", ""]
    return "\n".join(lines) + "\n"
