"""Scenario discovery on the cursor map: "S is best when ...", with PRIM.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, Statistics and Computing
9:123), finds a box in the input space where the cases of interest are dense; scenario
discovery (Bryant & Lempert 2010, Technological Forecasting and Social Change 77:34) uses it
to say in which futures a policy succeeds. Here the implementation is the ``prim`` package
(D. Hadka's standalone version of the EMA Workbench's PRIM, itself from RAND's sdtoolkit).

A *case* is one cell of the map and one parameter set (the metric averaged over seeds); its
inputs are the map's axes and the ensemble's parameters that vary across sets; its outcome is
the strategy that is best in it. For each strategy best in some cases but not all, PRIM peels
a box around its cases; the box kept is the one on the peeling trajectory with the largest
coverage (share of the strategy's cases inside) among those with a density (share of the cases
inside where it is best) of at least :data:`MIN_DENSITY` -- the usual coverage/density
trade-off read off the trajectory.

Honest output: when one strategy is best in every case, when there are too few cases, or when
no box is dense enough, the rules file says so in plain words and lists no rule.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: a rule must hold in at least this share of the cases it covers (EMA Workbench users often
#: read boxes at 0.8; an assumption, range 0.6-0.95)
MIN_DENSITY = 0.8
#: and cover at least this share of the strategy's cases (assumption, range 0.2-0.5)
MIN_COVERAGE = 0.3
#: fewer cases than this and PRIM's peeling steps of 5 % are meaningless; a strategy best in
#: fewer cases than this gets no rule either: with tens of parameters varying across the sets,
#: a box can always be cut around a handful of cases by some parameter's narrow window (seen:
#: 3 cases of 60 "explained" by disorder_contagion between 1.85 and 1.89), which is noise
MIN_CASES = 8


@dataclass
class Rules:
    rules: list[dict] = field(default_factory=list)
    message: str = ""  # why there is no rule (empty when rules were found)
    reason: str = ""  # the same as a code: one_winner, few_cases, no_box, some_scattered, no_cases
    n_cases: int = 0
    winners: dict = field(default_factory=dict)  # strategy -> share of cases it is best in

    def markdown(self) -> str:
        share = ", ".join(f"{s} {100 * v:.0f}%" for s, v in self.winners.items())
        head = f"{self.n_cases} cases (cell x parameter set); best in: {share}.\n\n"
        if not self.rules:
            return head + f"**No rule found:** {self.message}\n"
        lines = ["| strategy is best when | coverage | density | cases in box |", "|---|---:|---:|---:|"]
        for r in self.rules:
            lines.append(f"| **{r['strategy']}** when {r['rule']} | {100 * r['coverage']:.0f}% | "
                         f"{100 * r['density']:.0f}% | {r['n_in_box']} |")
        extra = f"\n\n{self.message}" if self.message else ""
        return head + "\n".join(lines) + ("\n\nCoverage: share of the strategy's winning cases inside the box; "
                                          "density: share of the cases inside the box where it wins." + extra + "\n")

    def save(self, out: Path) -> list[Path]:
        cols = ["strategy", "rule", "coverage", "density", "mass", "n_in_box", "limits"]
        table = pd.DataFrame(self.rules, columns=cols)
        import json

        paths = []
        meta = {"reason": self.reason, "message": self.message, "n_cases": self.n_cases, "winners": self.winners,
                "rules": self.rules, "min_density": MIN_DENSITY, "min_coverage": MIN_COVERAGE}
        for path, text in ((out / "rules.csv", table.to_csv(index=False)),
                           (out / "rules.json", json.dumps(meta, indent=1)),
                           (out / "rules.md", "# Scenario discovery (PRIM)\n\n" + self.markdown())):
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
            paths.append(path)
        return paths


def cases(runs: pd.DataFrame, d, mapping: dict[str, dict]) -> tuple[pd.DataFrame, pd.Series]:
    """(inputs, best strategy) per case (cell x parameter set), on the metric's seed means."""
    from tranqsim.experiments.uncertainty import _better

    a, b = d.axes
    runs = runs[runs["context"].isin(mapping)]
    if "parameter_set" not in runs.columns:
        runs = runs.assign(parameter_set="central")
    sign = _better(d.metric, None)
    means = runs.pivot_table(index=["context", "parameter_set"], columns="strategy", values=d.metric,
                             aggfunc="mean")
    # a case is complete when every strategy of its cell has its run for that set. Under a
    # budget a cell holds only the strategies it can afford (``cursor.affordable``), and the best
    # is chosen among those, as the map does (dropping every case short of a strategy dropped
    # the cells a budget trims, and the rules then described part of the map as all of it)
    if getattr(d, "budget", None) is None:
        expected = np.ones(means.shape, bool)
    else:
        in_cell = runs.groupby("context")["strategy"].unique()
        expected = np.array([[s in set(in_cell[c]) for s in means.columns] for c, _ in means.index], bool)
    means = means[~(means.isna().to_numpy() & expected).any(axis=1)]
    best = (sign * means).idxmax(axis=1)
    x = pd.DataFrame({a: [mapping[c][a] for c, _ in means.index], b: [mapping[c][b] for c, _ in means.index]},
                     index=means.index)
    params = [c for c in runs.columns if c.startswith("parameters.")]
    if params:
        vals = runs.groupby("parameter_set")[params].first()
        varying = [p for p in params if vals[p].nunique() > 1]
        for p in varying:
            x[p.partition(".")[2]] = [float(vals.loc[s, p]) for _, s in means.index]
    return x.astype(float), best


def discover(runs: pd.DataFrame, d, mapping: dict[str, dict], table: pd.DataFrame | None = None) -> Rules:
    """PRIM rules for every strategy that wins somewhere but not everywhere (module docstring)."""
    x, best = cases(runs, d, mapping)
    shares = best.value_counts(normalize=True)
    out = Rules(n_cases=int(len(best)), winners={str(k): float(v) for k, v in shares.items()})
    if len(best) == 0:
        out.message, out.reason = "no case has a finished run for every strategy.", "no_cases"
        return out
    if len(shares) == 1:
        out.reason = "one_winner"
        out.message = (f"{shares.index[0]} is the best strategy in every case: there is no boundary to describe, "
                       "so no rule is reported.")
        return out
    if len(best) < MIN_CASES:
        out.reason = "few_cases"
        out.message = (f"only {len(best)} cases (at least {MIN_CASES} are needed for PRIM's peeling to mean "
                       "anything): read the map itself.")
        return out
    import prim

    logging.getLogger("prim").setLevel(logging.WARNING)
    failed, rare = [], []
    for strategy in shares.index:
        y = (best == strategy).to_numpy()
        if y.sum() < MIN_CASES:
            rare.append(f"{strategy} ({int(y.sum())})")
            continue
        rule = _box(prim, x, y)
        if rule is None:
            failed.append(str(strategy))
        else:
            out.rules.append({"strategy": str(strategy), **rule})
    notes = []
    if failed:
        notes.append(f"No box dense enough (>= {MIN_DENSITY:.0%}) for: {', '.join(failed)} "
                     "(their winning cases are scattered).")
    if rare:
        notes.append(f"Best in too few cases for a rule (fewer than {MIN_CASES}): {', '.join(rare)}.")
    if not out.rules:
        out.reason = "no_box"
        out.message = (f"PRIM found no box with density >= {MIN_DENSITY:.0%} and coverage >= {MIN_COVERAGE:.0%} "
                       "for any strategy: the winners are mixed across the map, with no simple boundary."
                       + "".join(" " + n for n in notes if n.startswith("Best in")))
    elif notes:
        out.reason = "some_scattered"
        out.message = " ".join(notes)
    return out


def _box(prim, x: pd.DataFrame, y: np.ndarray) -> dict | None:
    """The kept box of the peeling trajectory for cases ``y`` (module docstring), or None."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package's pandas idioms warn on pandas 3
        p = prim.Prim(x.reset_index(drop=True), y, threshold=0.5, threshold_type=">")
        box = p.find_box()
        if box is None:
            return None
        traj = box.peeling_trajectory.reset_index(drop=True)
        ok = traj[(traj["density"] >= MIN_DENSITY) & (traj["coverage"] >= MIN_COVERAGE)]
        if ok.empty:
            return None
        i = int(ok.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0])
        box.select(i)
        lims = box._box_lims[i]  # the selected box's limits (a record array: row 0 min, row 1 max)
    lo_all, hi_all = x.min(), x.max()
    parts, limits = [], {}
    for name in x.columns:
        lo, hi = float(lims[name][0]), float(lims[name][1])
        cond = []
        if lo > lo_all[name] + 1e-12:
            cond.append(f"{name} >= {lo:.3g}")
        if hi < hi_all[name] - 1e-12:
            cond.append(f"{name} <= {hi:.3g}")
        if cond:
            parts.append(" and ".join(cond))
            limits[name] = [lo, hi]
    row = traj.loc[i]
    inside = np.ones(len(x), bool)
    for name, (lo, hi) in limits.items():
        inside &= (x[name].to_numpy() >= lo) & (x[name].to_numpy() <= hi)
    return {"rule": " and ".join(parts) if parts else "anywhere on the map", "coverage": float(row["coverage"]),
            "density": float(row["density"]), "mass": float(row["mass"]), "n_in_box": int(inside.sum()),
            "limits": str(limits)}
