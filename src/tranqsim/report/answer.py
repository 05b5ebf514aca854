"""The answer the report leads with (issue 19, item 5): per territory, what to do and how sure.

For each context of the sweep:

- the **recommendation**: among the strategies whose mean landlord cost is at or under the
  budget (``tranqsim report --budget EUR``; every strategy without one), the one with the least
  expected regret on the tranquillity index (:func:`tranqsim.experiments.uncertainty.summarise`:
  the mean over parameter sets of how far it falls short of the best strategy of that set), ties
  broken by the probability of being best;
- **how sure**: its probability of being best over the draws (parameter set x seed, common
  random numbers) among the strategies within the budget, and the runner-up's; the sentence
  says whether the draws cover parameter uncertainty or seed noise alone;
- **what it costs whom**: the landlord's cost and the public partners' (police, justice), in
  euros per dwelling per year;
- **what would change it**: the parameter of the ensemble whose threshold best splits the
  parameter sets into "recommended" and "another one best" (the flip screening of
  :func:`~tranqsim.experiments.uncertainty.ranking_flips`), and the best strategy with a smaller
  budget than the recommendation's cost.

With ``--cursor DIR`` (a ``tranqsim cursor`` folder) the section ends with the cursor map, its
figure in the report's language and its PRIM rules, or the plain reason there are none.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.formatting import percent
from tranqsim.report.i18n import ANSWER, eur, fmt, metric_fmt

METRIC = "tranquillity_index"


def _p(x: float, lang: str) -> str:
    """A probability as a whole percentage (``62%`` / ``62 %``)."""
    return percent(x, lang, 0) if np.isfinite(x) else fmt(x, "share", lang)


def recommend(runs: pd.DataFrame, budget: float | None = None) -> dict:
    """The recommendation for one context's runs (see the module docstring), as numbers."""
    from tranqsim.experiments.uncertainty import ranking_flips, summarise

    costs = runs.groupby("strategy")[["cost_per_dwelling_eur", "public_cost_per_dwelling_eur", METRIC]].mean()
    fits = [s for s in dict.fromkeys(runs["strategy"]) if budget is None or costs.loc[s, "cost_per_dwelling_eur"] <= budget]
    if not fits:
        cheapest = costs["cost_per_dwelling_eur"].idxmin()
        return {"fits": False, "cheapest": cheapest, "cheapest_cost": float(costs.loc[cheapest, "cost_per_dwelling_eur"])}
    sub = runs[runs["strategy"].isin(fits)]
    table = summarise(sub, fits[0], [METRIC])
    table = table.sort_values(["expected_regret", "p_best"], ascending=[True, False], kind="stable")
    best, second = table.iloc[0], (table.iloc[1] if len(table) > 1 else None)
    s = best["strategy"]
    out = {"fits": True, "strategy": s, "ti": float(best["mean"]), "p_best": float(best["p_best"]),
           "regret": float(best["expected_regret"]), "n_sets": int(best["n_sets"]), "n_seeds": int(best["n_seeds"]),
           "cost": float(costs.loc[s, "cost_per_dwelling_eur"]),
           "public": float(costs.loc[s, "public_cost_per_dwelling_eur"]),
           "runner_up": None if second is None else second["strategy"],
           "runner_up_p": float("nan") if second is None else float(second["p_best"])}
    flips = ranking_flips(sub, METRIC) if out["n_sets"] > 1 else pd.DataFrame()
    if not flips.empty:
        f = flips[(flips["below_best"] == s) | (flips["above_best"] == s)]
        f = f.iloc[0] if len(f) else flips.iloc[0]
        above = f["below_best"] == s
        out["flip"] = {"param": f["parameter"], "above": bool(above), "value": float(f["threshold"]),
                       "other": f["above_best"] if above else f["below_best"], "share": float(f["explained"])}
    cheaper = costs[(costs["cost_per_dwelling_eur"] < out["cost"]) & costs.index.isin(fits)]
    if len(cheaper):
        c = cheaper[METRIC].idxmax()
        out["cheaper"] = {"strategy": c, "ti": float(cheaper.loc[c, METRIC])}
    return out


def section(doc, sweep, plan: dict, names: dict, lang: str, budget: float | None = None,
            cursor: str | Path | None = None, figs: Path | None = None) -> None:
    """Write the answer into ``doc`` (before everything else the report holds)."""
    a = ANSWER[lang]
    doc.h(1, a["title"])
    recs = {ctx: recommend(p["runs"], budget) for ctx, p in plan.items()}
    first = next((r for r in recs.values() if r["fits"]), None)
    what = ""
    if first is not None:
        sets = sweep.spec.get("parameter_sets") or {}
        how = a["calibrated" if sets.get("calibrated") else "prior"]
        what = (a["what_sets"].format(n=first["n_sets"], k=first["n_seeds"], how=how) if first["n_sets"] > 1
                else a["what_seeds"].format(k=first["n_seeds"]))
    doc.p(a["intro"].format(budget=a["at_budget"].format(budget=eur(budget, lang)) if budget is not None else "",
                            what=what))
    items = []
    for ctx, r in recs.items():
        title = sweep.title("context", ctx, lang)
        if not r["fits"]:
            items.append(a["none_fits"].format(ctx=title, budget=eur(budget, lang), s=names[r["cheapest"]],
                                               cost=eur(r["cheapest_cost"], lang)))
            continue
        text = a["recommend"].format(ctx=title, best=names[r["strategy"]], ti=metric_fmt(METRIC, r["ti"], lang),
                                     p=_p(r["p_best"], lang), regret=fmt(r["regret"], "index", lang),
                                     cost=eur(r["cost"], lang), public=eur(r["public"], lang))
        if r["runner_up"] is not None:
            text += " " + a["runner_up"].format(s=names[r["runner_up"]], p=_p(r["runner_up_p"], lang))
        if "flip" in r:
            f = r["flip"]
            text += " " + a["flip"].format(param=f"`{f['param']}`", side=a["above" if f["above"] else "below"],
                                           value=f"{f['value']:.3g}", other=names.get(f["other"], f["other"]),
                                           share=_p(f["share"], lang))
        else:
            text += " " + a["no_flip" if r["n_sets"] > 1 else "no_flip_single"]
        if "cheaper" in r:
            c = r["cheaper"]
            text += " " + a["cheaper"].format(cost=eur(r["cost"], lang), s=names[c["strategy"]],
                                              ti=metric_fmt(METRIC, c["ti"], lang))
        items.append(text)
    doc.ul(items)
    if cursor is not None:
        cursor_map(doc, cursor, lang, figs)


def check_cursor(folder: str | Path) -> None:
    """Raise ``ReportError`` (one line, before any work) unless ``folder`` holds a cursor map."""
    from tranqsim.report.data import ReportError

    folder = Path(folder)
    missing = [f for f in ("cursor_map.parquet", "rules.json", "cursor_map_en.png", "cursor_map_fr.png")
               if not (folder / f).is_file()]
    if missing:
        raise ReportError(f"--cursor {folder}: not a cursor map folder (no {missing[0]}; make one with "
                          f"`tranqsim cursor --out {folder}`)")


def cursor_map(doc, folder: str | Path, lang: str, figs: Path | None) -> None:
    """The cursor map's figure, counts and PRIM rules (or why there are none)."""
    from tranqsim.experiments.cursor_figure import titles

    a = ANSWER[lang]
    folder = Path(folder)
    table = pd.read_parquet(folder / "cursor_map.parquet")
    rules = json.loads((folder / "rules.json").read_text(encoding="utf-8"))
    names = titles(sorted(set(table["best"]) | {r["strategy"] for r in rules["rules"]} | set(rules["winners"])), lang)
    doc.h(2, a["map"])
    counts = table["best"].value_counts()
    sep = " ; " if lang == "fr" else "; "
    doc.p(a["map_text"].format(folder=folder, counts=sep.join(
        f"{names.get(s, s)} {n}/{len(table)} (P {_p(float(table.loc[table['best'] == s, 'p_best'].mean()), lang)})"
        for s, n in counts.items())))
    if figs is not None:
        shutil.copyfile(folder / f"cursor_map_{lang}.png", figs / "cursor_map.png")
        doc.figure(figs / "cursor_map.png", a["map_caption"])
    if rules["rules"]:
        doc.p(a["map_rules"])
        doc.ul([a["map_rule"].format(s=names.get(r["strategy"], r["strategy"]), rule=f"`{r['rule']}`",
                                     cov=_p(r["coverage"], lang), dens=_p(r["density"], lang))
                for r in rules["rules"]])
    else:
        reason = rules.get("reason") or "no_box"
        winner = next(iter(rules["winners"]), "")
        doc.p(a.get(reason, a["no_box"]).format(s=names.get(winner, winner), n=rules.get("n_cases", 0)))


__all__ = ["check_cursor", "recommend", "section"]
