"""The report's organisation section (issue 17): the same levers under different organisations
of the tranquillity function, with paired intervals and costs side by side; and the
landlord's part in a ZSP (its inputs, the points prosecution closed, what remained).

Strategies are grouped by their levers, the ``training`` lever aside: a group is one set of
levers run under several organisations (the variants of ``experiments/organisation.yaml``).
Its reference is the integrated organisation without training when present. Differences are
within replicates (common random numbers), BCa intervals as in the rest of the report."""

from __future__ import annotations

import json

import numpy as np

from tranqsim.experiments.compare import paired_interval
from tranqsim.report.i18n import T, fmt
from tranqsim.report.i18n_org import FUNCTION_METRICS, ORG_T


def _lever_key(obj) -> str:
    levers = {n: c.model_dump() for n, c in obj.levers if c is not None and n != "training"}
    return json.dumps(levers, sort_keys=True, default=str)


def _trained(obj) -> bool:
    return any(n == "training" and c is not None for n, c in obj.levers)


def groups(strategy_objs: dict, strategies: list[str]) -> list[list[str]]:
    """Strategies sharing their levers (training aside), reference first; groups of two or more."""
    by: dict[str, list[str]] = {}
    for s in strategies:
        by.setdefault(_lever_key(strategy_objs[s]), []).append(s)
    out = []
    for members in by.values():
        if len(members) < 2:
            continue
        ref = next((s for s in members if strategy_objs[s].organisation == "integrated"
                    and not _trained(strategy_objs[s])), members[0])
        out.append([ref] + [s for s in members if s != ref])
    return out


def _cell(v: np.ndarray, kind: str, lang: str, sign: bool = False) -> str:
    lo, hi = paired_interval(v)
    sep = "; " if lang == "en" else " ; "
    ci = f" [{fmt(lo, kind, lang, sign)}{sep}{fmt(hi, kind, lang, sign)}]" if np.isfinite(lo) else ""
    return fmt(float(np.mean(v)), kind, lang, sign) + ci


def section(doc, sweep, p: dict, names: dict, lang: str) -> None:
    """One table per group of strategies sharing their levers (see the module docstring)."""
    from tranqsim.describe import organisation

    t, o = T[lang], ORG_T[lang]
    runs = p["runs"]
    found = groups(sweep.strategy_objs, p["strategies"])
    if not found:
        return
    doc.h(2, o["org_title"])
    doc.p(o["org_text"])
    metrics = [m for m in FUNCTION_METRICS if m in runs.columns]
    label = {m: FUNCTION_METRICS[m][1 if lang == "en" else 2] for m in metrics}
    for members in found:
        ref = members[0]
        doc.p(o["org_ref"].format(ref=f"**{names[ref]}**"))
        base = runs[runs["strategy"] == ref].set_index("replicate")
        header = [o["org_strategy"], o["org_organisation"]] + [label[m] for m in metrics] + \
            [o["org_delta"].format(m=label[m]) for m in ("tranquillity_index", "cost_per_dwelling_eur")]
        rows = []
        for s in members:
            obj = sweep.strategy_objs[s]
            g = runs[runs["strategy"] == s].set_index("replicate")
            org = organisation(obj.organisation, lang) + (f", {o['org_trained']}" if _trained(obj) else "")
            cells = [f"**{names[s]}**", org]
            cells += [_cell(g[m].to_numpy(float), FUNCTION_METRICS[m][0], lang) for m in metrics]
            common = g.index.intersection(base.index)
            for m in ("tranquillity_index", "cost_per_dwelling_eur"):
                d = (g.loc[common, m] - base.loc[common, m]).to_numpy(float)
                cells.append(_cell(d, FUNCTION_METRICS[m][0], lang, sign=True) if s != ref and d.size
                             else t["na"])
            rows.append(cells)
        doc.table(header, rows)


def zsp_landlord(doc, an: dict, lang: str) -> None:
    """The landlord's inputs to the ZSP cell, the points prosecution closed, what remained."""
    o = ORG_T[lang]
    runs = [r for r in an["runs"] if "zsp_landlord_input" in r["series"]]
    if not runs:
        return
    start, end = an["window"]
    end = min(end if end is not None else runs[0]["days"], runs[0]["days"])
    days, inputs, closed, before, at_end, after, quality = [], [], [], [], [], [], []
    for r in runs:
        s = r["series"]
        w = s.iloc[start:end]
        days.append(int((w["zsp_landlord_input"] > 0).sum()))
        inputs.append(float(w["zsp_landlord_input"].mean()))
        closed.append(int(w["zsp_prosecution_closures"].sum()))
        before.append(float(s["dealing_points"].iloc[start]))
        at_end.append(float(s["dealing_points"].iloc[min(end, len(s)) - 1]))
        later = s.iloc[end:end + 180]
        after.append(float(later["dealing_points"].iloc[-1]) if len(later) else float("nan"))
        quality.append(float(later["implementation_quality"].mean()) if len(later) else float("nan"))
    mean = lambda v: float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")  # noqa: E731
    doc.p(o["zsp_landlord"].format(days=fmt(mean(np.array(days, float)), "count", lang), window=end - start,
                                   input=fmt(mean(np.array(inputs)), "trust", lang),
                                   closed=fmt(mean(np.array(closed, float)), "rate", lang),
                                   reps=", ".join(map(str, an["reps"]))))
    doc.p(o["zsp_remained"].format(before=fmt(mean(np.array(before)), "rate", lang),
                                   end=fmt(mean(np.array(at_end)), "rate", lang),
                                   after=fmt(mean(np.array(after)), "rate", lang),
                                   quality=fmt(mean(np.array(quality)), "trust", lang)))
