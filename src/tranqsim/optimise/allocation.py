"""How to split a tranquillity budget across a landlord's estates (``tranqsim optimise --portfolio``).

The question a landlord with many estates asks: an extra ``B`` euros a year for tranquillity,
where do they do the most good? The method, in three steps:

1. **Response curves.** Each estate, under its current strategy, gets extra spending on the
   chosen levers (default: caretakers, the resident-facing presence whose removal the wardens
   evaluation measured; evidence E8) at a few doses: 0, ½, 1, 2 and 4 times the stock's
   average extra per dwelling (``B / dwellings``). Euros become lever doses through the model's
   own cost accounting (:mod:`tranqsim.optimise.cost`: a lever's field raised until its
   spending reaches the euros, equal shares when several levers are chosen). Every dose runs
   on the same seeds (common random numbers); the benefit is the status quo's outcome minus
   the dose's (default: incidents a year; or households feeling insecure), the mean over
   seeds, linearly interpolated between doses and flat beyond the largest (no extrapolation).
2. **Allocation.** A greedy marginal-gain allocation: the budget is handed out in 200
   increments, each to the estate whose curve gains most from it (exact when the curves are
   concave). Checked against a search over every allocation (NSGA-II, Optuna's
   ``NSGAIISampler``, maximising the benefit and minimising the spending): when the search finds
   a better allocation within budget (by more than 1 %), it is kept and the report says so.
3. **Confirmation.** The chosen allocation is simulated on fresh seeds against the status quo
   (paired): the simulated benefit is reported beside the curves' prediction, so a reader sees
   how far the interpolation can be trusted.

Outputs (written whole, or not at all): ``allocation.parquet`` (per estate: dwellings, euros,
lever doses, predicted and confirmed benefit), ``curves.parquet`` (per estate, dose and seed),
``allocation.md`` (plain words, French and English).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.errors import ScenarioError
from tranqsim.territory.portfolio import Portfolio, estate_seed

MARKER = "tranqsim-allocation.json"
DOSE_LEVELS = (0.0, 0.5, 1.0, 2.0, 4.0)  # multiples of the average extra per dwelling
STEPS = 200  # greedy increments of the budget
OBJECTIVES = {"incidents": "incidents a year", "insecure_households": "households feeling insecure"}
DEFAULT_LEVERS = ("caretakers",)


def spend_doses(levers) -> list:
    """The chosen levers' continuous spending doses (:data:`tranqsim.optimise.space.DOSES`)."""
    from tranqsim.optimise.space import DOSES

    by_lever = {d.lever: d for d in DOSES if d.spend}
    bad = [x for x in levers if x not in by_lever]
    if bad:
        raise ScenarioError(f"--levers: {bad[0]!r} is not a lever the budget can buy more of "
                            f"(one of: {', '.join(by_lever)})")
    return [by_lever[x] for x in levers]


def with_extra(context: str, strategy, doses, euros: float, days: int):
    """``strategy`` with ``euros`` a year more spent on ``doses`` (equal shares), and what the
    addition costs by the model's accounting (at most ``euros``)."""
    from tranqsim.config import Strategy
    from tranqsim.optimise.cost import total_spending, _state

    d = _state(context).static.n_dwellings
    base_cost = total_spending(context, strategy, days) * d
    if euros <= 0:
        return strategy, 0.0
    data = strategy.model_dump(mode="json", exclude_none=True)

    def build(values: dict):
        levers = dict(data.get("levers", {}))
        for dose, v in values.items():
            cfg = dict(levers.get(dose.lever) or {})
            cfg[dose.field] = int(v) if dose.kind == "int" else float(v)
            levers[dose.lever] = cfg
        return Strategy.model_validate({**data, "levers": levers})

    values = {}
    for dose in doses:
        cur = float((data.get("levers", {}).get(dose.lever) or {}).get(dose.field, 0.0))
        one = total_spending(context, build({dose: cur + 1}), days) * d
        unit = max(one - base_cost, 1e-9)  # euros a year per unit of the field
        values[dose] = min(dose.high, cur + euros / len(doses) / unit)
        if dose.kind == "int":
            values[dose] = np.floor(values[dose])  # never more than the share
    for _ in range(30):  # rounding (posts are whole) may overshoot: scale back until within
        strat = build(values)
        extra = total_spending(context, strat, days) * d - base_cost
        if extra <= euros * (1 + 1e-9):
            return strat, max(extra, 0.0)
        values = {k: (np.floor(v * 0.97) if k.kind == "int" else v * 0.97) for k, v in values.items()}
    return strategy, 0.0


def _outcome(summary: dict, objective: str) -> float:
    if objective == "incidents":
        return summary["incidents_per_1000_dwellings"] * summary["dwellings"] / 1000
    return summary["insecurity_share"] * summary["households"]


def run_dose(job: dict) -> dict:
    """One estate at one dose and seed (picklable, for a worker)."""
    from tranqsim.loading import load_scenario
    from tranqsim.simulation import simulate

    s = simulate(load_scenario(context=job["context"], strategy=job["strategy"], years=job["years"],
                               seed=job["seed"])).summary
    return {"estate": job["estate"], "dose": job["dose"], "euros": job["euros"], "seed": job["seed"],
            "phase": job["phase"], "outcome": _outcome(s, job["objective"])}


def _map(fn, jobs, executor, progress):
    out = []
    if executor is None:
        for j in jobs:
            out.append(fn(j))
            progress and progress(1)
    else:
        for f in [executor.submit(fn, j) for j in jobs]:
            out.append(f.result())
            progress and progress(1)
    return out


@dataclass
class Curve:
    euros: np.ndarray  # increasing, from 0
    benefit: np.ndarray  # mean benefit at each dose

    def __call__(self, e: float) -> float:
        return float(np.interp(e, self.euros, self.benefit))


def greedy(curves: list[Curve], budget: float, steps: int = STEPS) -> np.ndarray:
    """Hand the budget out in ``steps`` increments, each to the estate that gains most from it;
    stops when no estate gains (the rest stays unspent)."""
    alloc = np.zeros(len(curves))
    step = budget / steps
    for _ in range(steps):
        gains = [c(a + step) - c(a) for c, a in zip(curves, alloc)]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        alloc[best] += step
    return alloc


def search(curves: list[Curve], budget: float, trials: int = 400, seed: int = 1) -> np.ndarray:
    """The best allocation within budget an NSGA-II search finds (benefit up, spending down)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    n = len(curves)

    def alloc_of(shares):
        shares = np.asarray(shares, float)
        return budget * shares / max(1.0, shares.sum())

    def objective(trial):
        a = alloc_of([trial.suggest_float(f"s{i}", 0.0, 1.0) for i in range(n)])
        return sum(c(x) for c, x in zip(curves, a)), float(a.sum())

    study = optuna.create_study(directions=["maximize", "minimize"],
                                sampler=optuna.samplers.NSGAIISampler(seed=seed, population_size=40))
    study.optimize(objective, n_trials=trials)
    best = max(study.best_trials, key=lambda t: t.values[0])
    return alloc_of([best.params[f"s{i}"] for i in range(n)])


@dataclass
class Allocation:
    table: pd.DataFrame
    curves: pd.DataFrame
    budget: float
    objective: str
    method: str
    notes: list[str] = field(default_factory=list)


def allocate(pf: Portfolio, budget: float, levers=DEFAULT_LEVERS, objective: str = "incidents",
             years: float = 3.0, seeds: int = 2, seed: int = 1, trials: int = 400, confirm: bool = True,
             executor=None, progress=None) -> Allocation:
    """Response curves, allocation and confirmation (see the module docstring)."""
    from tranqsim.loading import load_strategy

    if budget <= 0:
        raise ScenarioError(f"--budget: must be a positive number of euros a year (got {budget:g})")
    if objective not in OBJECTIVES:
        raise ScenarioError(f"objective: one of {', '.join(OBJECTIVES)} (got {objective!r})")
    doses = spend_doses(levers)
    days = round(365 * years)
    per_dwelling = budget / pf.dwellings
    strategies, jobs = {}, []
    for i, e in enumerate(pf.estates):
        base = load_strategy(e.strategy, origin="strategy")[0]
        for k, level in enumerate(DOSE_LEVELS):
            strat, spent = with_extra(e.context, base, doses, level * per_dwelling * e.dwellings, days)
            strategies[(e.name, k)] = (strat, spent)
            for r in range(seeds):
                jobs.append({"estate": e.name, "dose": k, "euros": spent, "context": e.context,
                             "strategy": strat, "years": years, "seed": estate_seed(seed, i) * 100 + r,
                             "objective": objective, "phase": "curve"})
    runs = pd.DataFrame(_map(run_dose, jobs, executor, progress))
    curves = []
    for e in pf.estates:
        r = runs[runs.estate == e.name].pivot_table(index="seed", columns="dose", values="outcome")
        benefit = (r[0].to_numpy()[:, None] - r.to_numpy()).mean(0)
        euros = np.array([strategies[(e.name, k)][1] for k in range(len(DOSE_LEVELS))])
        order = np.argsort(euros, kind="stable")
        curves.append(Curve(euros[order], benefit[order]))
    alloc, method = greedy(curves, budget), "greedy"
    found = search(curves, budget, trials=trials, seed=seed)
    g_total, s_total = sum(c(a) for c, a in zip(curves, alloc)), sum(c(a) for c, a in zip(curves, found))
    notes = [f"greedy allocation: predicted benefit {g_total:.1f} {OBJECTIVES[objective]}; NSGA-II search "
             f"({trials} trials): {s_total:.1f}"]
    if s_total > g_total + 0.01 * abs(g_total) and found.sum() <= budget * (1 + 1e-9):
        alloc, method = found, "search"
        notes.append("the search found a better allocation than the greedy one (the curves are not "
                     "concave): the search's allocation is kept")
    rows = []
    for i, (e, c, a) in enumerate(zip(pf.estates, curves, alloc)):
        base = load_strategy(e.strategy, origin="strategy")[0]
        strat, spent = with_extra(e.context, base, doses, float(a), days)
        lev = dict(strat.levers)
        rows.append({"estate": e.name, "dwellings": e.dwellings, "allocated_eur": float(a),
                     "spent_eur": spent, "eur_per_dwelling": spent / e.dwellings,
                     **{f"{d.lever}.{d.field}": getattr(lev.get(d.lever), d.field, 0.0) if lev.get(d.lever) else 0.0
                        for d in doses},
                     "predicted_benefit": c(a)})
        strategies[(e.name, "chosen")] = (strat, spent)
    table = pd.DataFrame(rows)
    if confirm:
        cj = []
        for i, e in enumerate(pf.estates):
            for r in range(seeds):
                fresh = estate_seed(seed, i) * 100 + 50 + r  # not the curves' seeds
                for dose, strat in ((0, strategies[(e.name, 0)][0]), (1, strategies[(e.name, "chosen")][0])):
                    cj.append({"estate": e.name, "dose": dose, "euros": 0.0, "context": e.context,
                               "strategy": strat, "years": years, "seed": fresh, "objective": objective,
                               "phase": "confirm"})
        conf = pd.DataFrame(_map(run_dose, cj, executor, progress))
        piv = conf.pivot_table(index=["estate", "seed"], columns="dose", values="outcome")
        table["confirmed_benefit"] = table["estate"].map((piv[0] - piv[1]).groupby(level=0).mean())
        runs = pd.concat([runs, conf], ignore_index=True)
    return Allocation(table, runs, budget, objective, method, notes)


def words(a: Allocation, lang: str = "en") -> list[str]:
    """The allocation in plain words."""
    t = a.table
    fr = lang == "fr"
    eur = (lambda x: f"{x:,.0f} €".replace(",", " ")) if fr else (lambda x: f"EUR {x:,.0f}")
    what = {"incidents": ("incidents par an", "incidents a year"),
            "insecure_households": ("ménages en insécurité", "households feeling insecure")}[a.objective][0 if fr else 1]
    spent, given = float(t.spent_eur.sum()), float(t.allocated_eur.sum())
    out = [(f"Budget de tranquillité supplémentaire : {eur(a.budget)} par an ; attribué : {eur(given)}, "
            f"dépensé : {eur(spent)} (postes entiers, plafonds des leviers) ; méthode : "
            f"{'gain marginal (glouton)' if a.method == 'greedy' else 'recherche NSGA-II'}") if fr else
           (f"Extra tranquillity budget: {eur(a.budget)} a year; allocated: {eur(given)}, spent: {eur(spent)} "
            f"(whole posts, levers' caps); method: "
            f"{'greedy marginal gain' if a.method == 'greedy' else 'NSGA-II search'}")]
    if given < a.budget * 0.995:
        out.append(f"  {eur(a.budget - given)} non attribués : aucune résidence n'y gagne selon les courbes "
                   "mesurées" if fr else
                   f"  {eur(a.budget - given)} left unallocated: no estate gains from more on its measured curve")
    for _, r in t.sort_values("spent_eur", ascending=False).iterrows():
        conf = (f", {'confirmé' if fr else 'confirmed'} {r['confirmed_benefit']:.1f}"
                if "confirmed_benefit" in t and pd.notna(r.get("confirmed_benefit")) else "")
        out.append(f"- {r['estate']} ({r['dwellings']} {'logements' if fr else 'dwellings'}): {eur(r['spent_eur'])} "
                   f"({r['eur_per_dwelling']:.0f} {'€/logement' if fr else 'EUR/dwelling'}); "
                   f"{'gain attendu' if fr else 'expected gain'} {r['predicted_benefit']:.1f} {what}{conf}")
    return out


def write(a: Allocation, out: Path, overwrite: bool = False, protect=()) -> list[Path]:
    from tranqsim.outputs import check_folder, replace_folder, temp_sibling, write_marker

    target = check_folder(out, marker=MARKER, written_by="tranqsim optimise --portfolio",
                          overwrite=overwrite, protect=protect)
    tmp = temp_sibling(target)
    try:
        a.table.to_parquet(tmp / "allocation.parquet", index=False)
        a.curves.to_parquet(tmp / "curves.parquet", index=False)
        md = ["# Répartition du budget de tranquillité", "", *words(a, "fr"), "",
              "# Splitting the tranquillity budget", "", *words(a, "en"), "", "## Notes", "",
              *[f"- {n}" for n in a.notes],
              "- Benefits: the status quo's outcome minus the allocation's, mean over paired seeds; "
              "'confirmed' is measured on fresh seeds (see src/tranqsim/optimise/allocation.py).", ""]
        (tmp / "allocation.md").write_text("\n".join(md), encoding="utf-8")
        (tmp / "allocation.json").write_text(json.dumps(
            {"budget_eur": a.budget, "objective": a.objective, "method": a.method, "notes": a.notes},
            indent=2, ensure_ascii=False) + "\n")
        write_marker(tmp, MARKER, "tranqsim optimise --portfolio")
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / n for n in ("allocation.parquet", "curves.parquet", "allocation.md")]
