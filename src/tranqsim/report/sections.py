"""The report's text and tables, section by section (figures are drawn in ``figures``)."""

from __future__ import annotations

import numpy as np

from tranqsim.report import tables, zsp
from tranqsim.report.i18n import (LANGS, MAIN, METRICS, PHRASES, T, eur, fmt, metric_fmt, metric_label, num,
                                  years)


def _sep(lang: str) -> str:
    return "; " if lang == "en" else " ; "


def _nb(text: str) -> str:
    """No line break inside a number and its unit (a table cell may wrap only between the
    value and its interval)."""
    return text.replace(" ", "\u00a0")


def interval(metric: str, mean: float, lo: float, hi: float, lang: str, sign: bool = False) -> str:
    """``mean [low; high]`` (see the notation line)."""
    return (f"{_nb(metric_fmt(metric, mean, lang, sign))} [{_nb(metric_fmt(metric, lo, lang, sign))}"
            f"{_sep(lang)}{_nb(metric_fmt(metric, hi, lang, sign))}]")


def strategies_table(doc, sweep, names, lang) -> None:
    """Each strategy's organisation and levers, with their doses and windows, before any result."""
    from tranqsim.describe import field_label, field_value, organisation
    from tranqsim.levers import REGISTRY

    t = T[lang]
    doc.h(1, t["strategies"])
    doc.p(t["strategies_text"])
    rows = []
    for s in sweep.strategies:
        obj = sweep.strategy_objs[s]
        levers = []
        for name, cfg in obj.levers:
            if cfg is None:
                continue
            values = cfg.model_dump(exclude_none=True)
            start, end = values.pop("start", 0), values.pop("end", None)
            doses = ", ".join(f"{field_label(f, lang)} {field_value(v, lang)}" for f, v in values.items())
            window = (t["days"].format(a=start, b=end) if end is not None
                      else t["from_day"].format(a=start) if start else "")
            text = _sep(lang).join(x for x in (doses, window) if x)
            label = getattr(REGISTRY[name], f"label_{lang}")
            levers.append(f"**{label}**" + (f" ({text})" if text else ""))
        rows.append([f"**{names[s]}**", organisation(obj.organisation, lang), "\n".join(levers)])
    doc.table([t["strategy"], t["organisation"], t["levers"]], rows, "lll")


def summary(doc, p, baseline, names, lang) -> None:
    t = T[lang]
    rank, best = p["rank"], p["best"]
    by = rank.set_index("strategy")

    def ti(x):
        return metric_fmt("tranquillity_index", x, lang, sign=False)

    doc.h(2, t["summary"])
    if p["diffs"] is None:
        return
    look = tables.diff_lookup(p["diffs"])
    if rank["strategy"].iloc[0] == baseline:
        doc.p(t["best_is_baseline"].format(base=names[baseline], ti=ti(by.loc[baseline, "tranquillity_index"]),
                                           best=names[best], bti=ti(by.loc[best, "tranquillity_index"])))
        return
    d, dc = look[(best, "tranquillity_index")], look[(best, "cost_per_dwelling_eur")]
    doc.p(t["best_is"].format(best=f"**{names[best]}**", ti=ti(by.loc[best, "tranquillity_index"]),
                              base_ti=ti(by.loc[baseline, "tranquillity_index"]),
                              diff=metric_fmt("tranquillity_index", d.difference, lang, True),
                              lo=metric_fmt("tranquillity_index", d.ci_low, lang, True),
                              hi=metric_fmt("tranquillity_index", d.ci_high, lang, True),
                              cost=eur(by.loc[best, "cost_per_dwelling_eur"], lang),
                              dcost=eur(dc.difference, lang, True)))


def ranking(doc, p, names, lang) -> None:
    t = T[lang]
    rank = p["rank"]
    doc.h(2, t["ranking"])
    doc.p(t["ranking_text"].format(n=int(rank["n"].max())))
    header = [t["rank"], t["strategy"]] + [metric_label(m, lang, short=True) for m in MAIN]
    rows = []
    for r in rank.itertuples(index=False):
        d = r._asdict()
        rows.append([str(r.rank), names[r.strategy]]
                    + [interval(m, d[m], d[f"{m}_lo"], d[f"{m}_hi"], lang) for m in MAIN])
    doc.table(header, rows, "rl" + "r" * len(MAIN), keys=2)
    colon = ": " if lang == "en" else "\u00a0: "
    doc.p(" · ".join(f"{metric_label(m, lang, True)}{colon}{metric_label(m, lang)}" for m in MAIN))


def difference_table(doc, p, baseline, names, lang) -> None:
    t = T[lang]
    if p["diffs"] is None:
        return
    look = tables.diff_lookup(p["diffs"])
    doc.h(2, t["diff"] + f" ({names[baseline]})")
    doc.p(t["diff_text"])
    header = [t["strategy"]] + [metric_label(m, lang, short=True) for m in MAIN]
    rows = []
    for s in p["rank"]["strategy"]:
        if s == baseline:
            continue
        cells = [names[s]]
        for m in MAIN:
            r = look.get((s, m))
            if r is None:
                cells.append(t["na"])
                continue
            text = interval(m, r.difference, r.ci_low, r.ci_high, lang, sign=True)
            v = tables.verdict(m, r)
            mark = {1: " " + _nb(t["better"]), -1: " " + _nb(t["worse"]), 0: ""}[v]
            cells.append((text + mark, {1: "better", -1: "worse", 0: ""}[v]))
        rows.append(cells)
    doc.table(header, rows)


def frontier_text(doc, front, names, lang) -> None:
    t = T[lang]
    steps = tables.frontier_steps(front)
    if steps:
        doc.p(t["ce_frontier"].format(steps=_sep(lang).join(
            t["ce_step"].format(a=names[s["from"]], b=names[s["to"]],
                                dti=metric_fmt("tranquillity_index", s["dti"], lang, True),
                                dcost=eur(s["dcost"], lang, True), ratio=eur(s["per_point"], lang))
            for s in steps)))
    dom = front[front["dominated_by"].notna()]
    items = ", ".join(t["dominated_by"].format(s=names[r.strategy], by=names[r.dominated_by])
                      for r in dom.itertuples(index=False))
    doc.p(t["ce_dominated"].format(items=items or t["none"]))


def cost_table(doc, costs, names, lang, public=None) -> None:
    """Items x strategies; with ``public`` (strategy -> public partners' cost per dwelling), the
    landlord's total, the public partners' cost and the total of both."""
    from tranqsim.levers import REGISTRY
    from tranqsim.report.i18n import COST_GROUPS

    t = T[lang]
    li = LANGS.index(lang)
    header = [t["item"]] + [names[s] for s in costs.index]
    rows = []
    for key in costs.columns:
        label = (getattr(REGISTRY[key], f"label_{lang}") if key in REGISTRY
                 else COST_GROUPS.get(key, (key, key))[li])
        rows.append([label] + [_nb(fmt(v, "eur", lang)) if v else "\u2013" for v in costs[key]])
    totals = costs.sum(axis=1)
    if public is None:
        rows.append([f"**{t['total']}**"] + [f"**{_nb(fmt(v, 'eur', lang))}**" for v in totals])
    else:
        rows.append([f"**{t['landlord_total']}**"] + [f"**{_nb(fmt(v, 'eur', lang))}**" for v in totals])
        rows.append([t["public_row"]] + [_nb(fmt(public[s], "eur", lang)) for s in costs.index])
        rows.append([f"**{t['all_total']}**"] + [f"**{_nb(fmt(v + public[s], 'eur', lang))}**"
                                                 for s, v in totals.items()])
    doc.table(header, rows)


def zsp_section(doc, an, names, lang) -> None:
    t = T[lang]
    start, end = an["window"]
    per = list(an["periods"])
    doc.p(t["zsp_text"].format(s=f"**{names[an['strategy']]}**", start=start,
                               end=end if end is not None else "-", buffer=an["buffer"],
                               reps=", ".join(map(str, an["reps"]))))
    if "after" not in per:
        doc.p(t["zsp_no_after"])
    cmp = [q for q in ("during", "after") if q in per]
    header = [t["area"], t["places"]] + [t[q] for q in per] + [t["vs_without"].format(p=t[q]) for q in cmp]
    rows = []
    for a in zsp.AREAS:
        if not an["n_places"].get(a):
            continue
        cells = [t[a], str(an["n_places"][a])]
        for q in per:
            s = an["summary"][(a, q)]
            cells.append(f"{fmt(s['mean'], 'rate', lang)} [{fmt(s['min'], 'rate', lang)}{_sep(lang)}"
                         f"{fmt(s['max'], 'rate', lang)}]")
        for q in cmp:
            s = an["summary"][(a, q)]
            lo, hi = s["vs_base_ci"]
            ci = f" [{_pct(lo, lang)}{_sep(lang)}{_pct(hi, lang)}]" if np.isfinite(lo) else ""
            cells.append(_pct(s["vs_base"], lang) + ci)
        rows.append(cells)
    doc.table(header, rows)
    q = an["wdq"]
    doc.p(t["wdq"].format(during=fmt(q.get("during", float("nan")), "trust", lang),
                          after=fmt(q.get("after", float("nan")), "trust", lang)))
    doc.p(t[zsp.reading(an)] + ("" if an["same_before"] else " " + t["zsp_not_same_before"]))


def _pct(x: float, lang: str) -> str:
    """A relative change already in percent: ``+12%`` / ``+12 %``."""
    if not np.isfinite(x):
        return T[lang]["na"]
    return num(x, 0, lang, sign=True) + ("%" if lang == "en" else "\u202f%")


def _change(m: str, row, lang: str) -> str:
    t = T[lang]
    word = "lowers" if row.difference < 0 else "raises"
    noun, unit = PHRASES[m][LANGS.index(lang)]
    v = metric_fmt(m, abs(row.difference), lang, sign=True).lstrip("+") + unit
    rel = row.relative_change_pct
    if METRICS[m][1] != "share" and np.isfinite(rel):
        v += f" ({_pct(rel, lang)})"
    return t[word].format(m=noun, v=v)


def _join(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {T[lang]['and']} " + parts[-1]


AIMS = ("incidents_per_1000_dwellings", "insecurity_share")  # what a tranquillity strategy is for


def side_effects(doc, p, names, lang) -> None:
    """Per strategy, in words: what it improves among the aims, and every outcome it worsens
    (cost and the composite index aside: they have their own sections)."""
    t = T[lang]
    if p["diffs"] is None:
        return
    doc.h(2, t["side"])
    doc.p(t["side_text"])
    items = []
    for e in tables.side_effects(p["diffs"], list(p["rank"]["strategy"])):
        name = f"**{names[e['strategy']]}**"
        gains = _join([_change(m, r, lang) for m, r in e["gains"] if m in AIMS], lang)
        losses = _join([_change(m, r, lang) for m, r in e["losses"]
                        if m not in ("tranquillity_index", "cost_per_dwelling_eur",
                                     "public_cost_per_dwelling_eur")], lang)
        if gains and losses:
            items.append(t["side_but"].format(s=name, gains=gains, losses=losses))
        elif losses:
            items.append(t["side_only_losses"].format(s=name, losses=losses))
        elif gains:
            items.append(t["side_clean"].format(s=name, gains=gains))
        else:
            items.append(t["side_none"].format(s=name))
    doc.ul(items)


def caveats(doc, sweep, names, lang, val, val_path, mismatch) -> None:
    t = T[lang]
    doc.h(1, t["caveats"])
    doc.h(2, t["validation"])
    if val is None:
        doc.p(t["validation_none"].format(path=f"`{val_path}`"))
    else:
        checks = val["checks"]
        n_pass = sum(bool(c.get("passed")) for c in checks)
        doc.p(t["validation_summary"].format(n_pass=n_pass, n=len(checks), file=f"`{val_path}`",
                                             reps=val.get("replicates", "?"),
                                             years=years(float(val.get("years", 0)), lang)))
        doc.p(_validation_model(val, t))
        failed = [c for c in checks if not c.get("passed")]
        if failed:
            doc.p(t["validation_fail"])
            doc.table([t["pattern"], t["check"], t["model"], t["target"]],
                      [[c["pattern"], f"{c['name']} ({c.get('unit', '')})",
                        f"{_num(c.get('mean'), lang)} [{_num(c.get('ci_low'), lang)}{_sep(lang)}"
                        f"{_num(c.get('ci_high'), lang)}]",
                        _target(c, lang)] for c in failed], "llrl")
    n_checked, n_bad, d = mismatch
    doc.p(t["resim_bad"].format(n=n_bad, d=d) if n_bad else t["resim_ok"].format(n=n_checked))
    doc.h(2, t["assumptions"])
    doc.ul([s.format(reps=sweep.replicates) for s in t["assumptions_items"]])
    doc.h(2, t["left_out"])
    doc.ul(t["left_out_items"])


def _validation_model(val: dict, t: dict) -> str:
    """Whether the validation was run with the parameter values the model has now."""
    from tranqsim.params import Parameters

    values = val.get("values")
    if not isinstance(values, dict):
        return t["validation_unknown"]
    now = Parameters().as_dict()
    differ = sorted(k for k in now.keys() | values.keys() if values.get(k) != now.get(k))
    if differ:
        shown = ", ".join(f"`{k}`" for k in differ[:6]) + (", ..." if len(differ) > 6 else "")
        return t["validation_other"].format(n=len(differ), names=shown)
    return t["validation_same"]


def _num(x, lang: str) -> str:
    if x is None or not np.isfinite(x):
        return T[lang]["na"]
    return num(x, 2 if abs(x) < 10 else 1, lang)


def _short(x: float, lang: str) -> str:
    return num(x, 0 if x == int(x) else len(f"{x:g}".split(".")[-1]), lang)


def _target(c: dict, lang: str) -> str:
    lo, hi = c.get("low"), c.get("high")
    if lo is not None and hi is not None:
        return f"[{_short(lo, lang)}{_sep(lang)}{_short(hi, lang)}]"
    return f"≥ {_short(lo, lang)}" if lo is not None else f"≤ {_short(hi, lang)}" if hi is not None else ""
