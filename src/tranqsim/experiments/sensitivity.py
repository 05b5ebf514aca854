"""Global sensitivity indices of a ``morris`` or ``sobol`` sweep (SALib).

The design is rebuilt from the spec stored in the sweep's manifest, so the sample matrix is
exactly the one that was run; each point's output is the mean over its replicates (averaging
the stochastic noise before the indices are computed, as Ten Broeke, van Voorn & Ligtenberg
2016 recommend for ABMs). Indices are computed per context x strategy.

- Morris (Morris 1991; Campolongo, Cariboni & Saltelli 2007): ``mu_star`` (mean absolute
  elementary effect: overall influence) with its bootstrap confidence interval, and ``sigma``
  (spread of the effects: non-linearity or interactions).
- Sobol' (Saltelli et al. 2010 estimators): first-order ``S1`` (share of output variance due
  to the factor alone) and total-order ``ST`` (including interactions), each with its 95%
  bootstrap interval.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.experiments.design import design_points, salib_problem, salib_sample
from tranqsim.experiments.runner import jobs
from tranqsim.experiments.spec import Experiment
from tranqsim.experiments.store import read_manifest


class SensitivityError(ValueError):
    """The sweep cannot give sensitivity indices."""


def load_spec(out: str | Path) -> Experiment:
    return Experiment.model_validate(read_manifest(out)["spec"])


def indices(out: str | Path, metrics: list[str] | None = None, seed: int = 0) -> pd.DataFrame:
    """One row per (context, strategy, metric, factor) with the design's indices."""
    from SALib.analyze import morris as morris_an
    from SALib.analyze import sobol as sobol_an

    exp = load_spec(out)
    if exp.design not in ("morris", "sobol"):
        raise SensitivityError(f"{out}: design {exp.design!r}; sensitivity needs a morris or sobol sweep")
    from tranqsim.experiments import load

    runs = load(out)  # verified, one row per run, this experiment's runs only
    metrics = metrics or ["tranquillity_index"]
    missing = [m for m in metrics if runs.empty or m not in runs.columns]
    if missing:
        raise SensitivityError(f"unknown metric(s) {', '.join(missing)} in {out}")
    all_jobs = jobs(exp)
    stored = runs.drop_duplicates("run_id").set_index("run_id")
    absent = [j for j in all_jobs if j["run_id"] not in stored.index]
    if absent:
        raise SensitivityError(f"{out}: {len(absent)} of {len(all_jobs)} runs missing (failed or not yet "
                               "run); rerun the sweep to complete it")
    problem = salib_problem(exp)
    X = salib_sample(exp)
    n_pts = len(X)
    points = design_points(exp)
    rows = []
    for b in range(len(points) // n_pts):
        block = all_jobs[b * n_pts * exp.replicates:(b + 1) * n_pts * exp.replicates]
        ctx, strat = block[0]["point"]["context"], block[0]["point"]["strategy"]
        for m in metrics:
            y = stored.loc[[j["run_id"] for j in block], m].to_numpy(float)
            Y = y.reshape(n_pts, exp.replicates).mean(axis=1)
            if exp.design == "morris":
                r = morris_an.analyze(problem, X, Y, conf_level=0.95, num_resamples=1000, seed=seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"context": ctx, "strategy": strat, "metric": m, "factor": name,
                                 "mu": float(r["mu"][i]), "mu_star": float(r["mu_star"][i]),
                                 "mu_star_conf": float(r["mu_star_conf"][i]), "sigma": float(r["sigma"][i])})
            else:
                r = sobol_an.analyze(problem, Y, calc_second_order=False, conf_level=0.95, seed=seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"context": ctx, "strategy": strat, "metric": m, "factor": name,
                                 "S1": float(r["S1"][i]), "S1_conf": float(r["S1_conf"][i]),
                                 "ST": float(r["ST"][i]), "ST_conf": float(r["ST_conf"][i])})
    table = pd.DataFrame(rows)
    key = "mu_star" if exp.design == "morris" else "ST"
    return table.sort_values(["context", "strategy", "metric", key], ascending=[True, True, True, False],
                             kind="stable").reset_index(drop=True)


def to_markdown(table: pd.DataFrame) -> str:
    morris = "mu_star" in table.columns
    lines = []
    for (ctx, strat, m), grp in table.groupby(["context", "strategy", "metric"], sort=False):
        lines += [f"## {m} - {ctx}, {strat}", ""]
        if morris:
            lines += ["| factor | mu* [95% CI] | sigma | mu |", "|---|---|---:|---:|"]
            lines += [f"| {r.factor} | {r.mu_star:.3g} [{r.mu_star - r.mu_star_conf:.3g}, "
                      f"{r.mu_star + r.mu_star_conf:.3g}] | {r.sigma:.3g} | {r.mu:.3g} |" for r in grp.itertuples()]
        else:
            lines += ["| factor | S1 [95% CI] | ST [95% CI] |", "|---|---|---|"]
            lines += [f"| {r.factor} | {r.S1:.3f} [{r.S1 - r.S1_conf:.3f}, {r.S1 + r.S1_conf:.3f}] | "
                      f"{r.ST:.3f} [{r.ST - r.ST_conf:.3f}, {r.ST + r.ST_conf:.3f}] |" for r in grp.itertuples()]
        lines.append("")
    return "\n".join(lines)


def plot(table: pd.DataFrame, path: str | Path) -> Path:
    """Morris: mu* against sigma, labelled; Sobol': S1 and ST bars with intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(table.groupby(["context", "strategy", "metric"], sort=False))
    fig, axes = plt.subplots(len(groups), 1, figsize=(7.5, 4.2 * len(groups)), squeeze=False)
    for ax, ((ctx, strat, m), g) in zip(axes[:, 0], groups):
        if "mu_star" in g.columns:
            ax.errorbar(g["mu_star"], g["sigma"], xerr=g["mu_star_conf"], fmt="o", color="#0072B2",
                        ecolor="#999999", capsize=2)
            for r in g.itertuples():
                ax.annotate(r.factor.removeprefix("parameters."), (r.mu_star, r.sigma), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_ylabel("sigma (interactions / non-linearity)")
        else:
            x = np.arange(len(g))
            ax.bar(x - 0.2, g["S1"], 0.4, yerr=g["S1_conf"], label="S1 (first order)", color="#0072B2", capsize=2)
            ax.bar(x + 0.2, g["ST"], 0.4, yerr=g["ST_conf"], label="ST (total order)", color="#E69F00", capsize=2)
            ax.set_xticks(x, [f.removeprefix("parameters.") for f in g["factor"]], rotation=30, ha="right",
                          fontsize=8)
            ax.set_ylabel("Sobol' index")
            ax.axhline(0, color="black", lw=0.5)
            ax.legend(fontsize=8)
        ax.set_title(f"{m} - {ctx}, {strat}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def save(table: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in (("sensitivity.csv", table.to_csv(index=False)), ("sensitivity.md", to_markdown(table))):
        p = out_dir / name
        tmp = p.with_name(f".{name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, p)
        paths.append(p)
    paths.append(plot(table, out_dir / "sensitivity.png"))
    return paths
