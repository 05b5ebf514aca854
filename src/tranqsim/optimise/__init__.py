"""The best mix of levers for a budget (``tranqsim optimise``).

    from tranqsim import optimise
    res = optimise.run("priority_estate", budget="global_approach", out="runs/opt", trials=200)

:mod:`.space` holds the doses searched, :mod:`.cost` the spending (known before running) and
the budget repair, :mod:`.search` the Optuna study (resumable, SQLite in the output folder)
and its Pareto front; this module ties them together and writes the outputs:

- ``trials.parquet`` (every mix within budget: doses, spending, scores) and ``pareto.parquet``
  (its non-dominated mixes on the four objectives);
- ``pareto.png``: tranquillity against the landlord's cost, the front, the recommended mix and
  the benchmark strategy;
- ``recommendation.md``: the recommended mix in plain words, in French and in English, what
  it costs and achieves, and how it compares with the benchmark on the same draws.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.loading import ScenarioError
from tranqsim.optimise import search, space
from tranqsim.optimise.search import Problem, SearchReport, mix_of, pareto, recommend, resolve, trials_table


@dataclass
class Outcome:
    report: SearchReport
    problem: Problem
    front: pd.DataFrame
    recommended: pd.Series | None
    benchmark: pd.DataFrame | None  # the benchmark's runs per draw
    files: list[Path]
    confirmation: dict | None = None  # the recommended mix against the benchmark on fresh seeds


def budget_of(context: str, budget: str | float, years: float) -> tuple[float, str | None]:
    """(EUR per dwelling per year, the strategy it comes from or None): a number, or the
    spending of a shipped strategy (or strategy file) in ``context``."""
    from tranqsim.loading import load_strategy
    from tranqsim.optimise.cost import total_spending

    try:
        value = float(budget)
    except (TypeError, ValueError):
        strat, name = load_strategy(str(budget), "--budget")
        return total_spending(context, strat, max(1, round(years * 365))), name
    if not np.isfinite(value) or value < 0:
        raise ScenarioError(f"--budget: {budget!r} is not a budget in EUR per dwelling per year (>= 0)")
    return value, None


def run(context: str, budget: str | float, out: str | Path, trials: int = 100, executor=None,
        years: float = 4.0, seeds: int = 2, seed: int = 1, ensemble: str = "shipped",
        levers: list[str] | None = None, robust: str = "mean", sampler: str = "tpe",
        benchmark: str | None = None, confirm: int = 4, search_sets: int = 10, progress=None,
        stop_after: int | None = None) -> Outcome:
    """Search, then write the outputs (see the module docstring). ``budget`` may name a
    strategy: its spending is the budget and it is the benchmark (unless ``benchmark`` is
    given)."""
    from tranqsim.loading import load_context

    load_context(context, "--context")  # a clear error before anything is created
    value, named = budget_of(context, budget, years)
    problem = resolve(Problem(context=context, budget=round(value, 4), years=years, seeds=seeds, seed=seed,
                              ensemble=ensemble, levers=levers, robust=robust, sampler=sampler,
                              benchmark=benchmark or named, confirm=confirm, search_sets=search_sets))
    rep = search.search(problem, out, trials, executor, progress=progress, stop_after=stop_after)
    return write_outputs(problem, Path(out), rep, executor)


def write_outputs(problem: Problem, out: Path, rep: SearchReport, executor=None) -> Outcome:
    from tranqsim.optimise.search import evaluate

    table = trials_table(out, problem)
    front = pareto(table)
    best = recommend(front)
    bench = None
    if problem.benchmark:
        cache = out / "benchmark.parquet"
        if cache.exists():
            bench = pd.read_parquet(cache)
        elif not rep.interrupted:  # after Ctrl-C, no new runs: the next call evaluates it
            bench = evaluate(problem, problem.benchmark, executor)
            _atomic_parquet(bench, cache)
    confirmation = None
    if best is not None and bench is not None and problem.confirm > 0 and not rep.interrupted:
        confirmation = _confirm(problem, out, best, executor)
    files = []
    if not table.empty:
        files += [_atomic_parquet(table, out / "trials.parquet"), _atomic_parquet(front, out / "pareto.parquet")]
        files.append(_figure(problem, table, front, best, bench, out / "pareto.png"))
    files.append(_atomic_text(out / "recommendation.md",
                              recommendation(problem, rep, front, best, bench, out, confirmation)))
    return Outcome(rep, problem, front, best, bench, files, confirmation)


def _confirm(problem: Problem, out: Path, best: pd.Series, executor) -> dict:
    """The recommended mix and the benchmark rerun on ``confirm`` fresh seeds per set (never
    used by the search): picking the best of many noisy trials flatters the winner (the
    winner's curse), fresh draws do not. Cached per trial in ``confirmation.parquet``."""
    from tranqsim.optimise.search import evaluate
    from tranqsim.optimise.space import to_strategy

    cache = out / "confirmation.parquet"
    trial = int(best["trial"])
    fresh = range(problem.seeds, problem.seeds + problem.confirm)
    old = pd.read_parquet(cache) if cache.exists() else None
    if old is not None and set(old["trial"]) == {trial} and old["seed"].nunique() == problem.confirm \
            and len(old) == 2 * len(problem.sets) * problem.confirm:
        df = old
    else:
        mix = evaluate(problem, to_strategy(mix_of(best)), executor, fresh, all_sets=True).assign(arm="mix")
        ref = evaluate(problem, problem.benchmark, executor, fresh, all_sets=True).assign(arm="benchmark")
        df = pd.concat([mix, ref], ignore_index=True).assign(trial=trial)
        _atomic_parquet(df, cache)
    c = paired(df[df["arm"] == "mix"].to_dict("records"), df[df["arm"] == "benchmark"])
    c["benchmark_mean"] = float(df.loc[df["arm"] == "benchmark", "tranquillity_index"].mean())
    return c


def _atomic_parquet(df: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def _atomic_text(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


def paired(best_runs: list[dict], bench: pd.DataFrame, metric: str = "tranquillity_index") -> dict:
    """The recommended mix against the benchmark on the same draws: mean difference, share of
    draws where the mix does at least as well, number of pairs."""
    a = pd.DataFrame(best_runs).set_index(["set", "seed"])[metric]
    b = bench.set_index(["set", "seed"])[metric]
    common = a.index.intersection(b.index)
    d = (a.loc[common] - b.loc[common]).to_numpy(float)
    return {"difference": float(d.mean()) if d.size else float("nan"),
            "share_at_least_as_good": float(np.mean(d >= 0)) if d.size else float("nan"), "pairs": int(d.size)}


def _figure(problem, table, front, best, bench, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stat = "pessimistic" if problem.robust == "quantile" else "mean"
    y = f"tranquillity_index.{stat}"
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    sc = ax.scatter(table["cost_per_dwelling_eur.mean"], table[y], c=table["insecurity_share.mean"], cmap="viridis_r",
                    s=18, alpha=0.6, label="mixes tried (within budget)")
    ax.scatter(front["cost_per_dwelling_eur.mean"], front[y], facecolors="none", edgecolors="black", s=60,
               label="Pareto front (4 objectives)")
    if best is not None:
        ax.scatter([best["cost_per_dwelling_eur.mean"]], [best[y]], marker="*", s=260, color="crimson",
                   label="recommended mix")
    if bench is not None:
        ax.scatter([bench["cost_per_dwelling_eur"].mean()], [bench["tranquillity_index"].mean()], marker="D", s=70,
                   color="orange", edgecolors="black", label=f"{problem.benchmark} (same draws)")
    fig.colorbar(sc, ax=ax, label="residents feeling insecure (share)")
    ax.set_xlabel("landlord cost, EUR per dwelling per year (spending + consequences)")
    ax.set_ylabel(f"tranquillity index ({'pessimistic quantile' if stat == 'pessimistic' else 'expected'})")
    ax.set_title(f"{problem.context}: mixes at or under {problem.budget:.0f} EUR/dwelling/yr of spending", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def recommendation(problem: Problem, rep: SearchReport, front: pd.DataFrame, best, bench, out: Path,
                   confirmation: dict | None = None) -> str:
    from tranqsim.optimise.space import describe

    n_sets, n_search = len(problem.sets), len(problem.search_draw_sets)
    lines = [f"# Recommended mix / Bouquet recommandé: {problem.context}", "",
             f"Budget: {problem.budget:.0f} EUR per dwelling per year of tranquillity spending (levers and "
             f"tranquillity function, averaged over {problem.years:.3g} years)"
             + (f", the spending of `{problem.benchmark}`" if problem.benchmark else "") + ".",
             f"Draws: the trials run on {n_search} of the {n_sets} parameter set(s) x {problem.seeds} seeds "
             f"(common random numbers); the recommended mix is confirmed on all {n_sets}. "
             f"Parameter sets: {problem.ensemble_note}.",
             f"Search: {rep.trials} trials in the study ({problem.sampler}, objectives scored by "
             f"{'the pessimistic 10% quantile' if problem.robust == 'quantile' else 'the expected value'}); "
             f"{len(front)} mixes on the Pareto front.", ""]
    if best is None:
        lines += ["No mix within the budget has been evaluated yet: run more trials (the same command resumes).",
                  "", "Aucun bouquet dans le budget n'a encore été évalué : relancez la même commande.", ""]
        return "\n".join(lines)
    mix = mix_of(best)
    lines += ["## English", "", f"Spending: {best['spending_per_dwelling']:.0f} EUR per dwelling per year "
              f"(budget {problem.budget:.0f}).", "", "The mix:", ""]
    lines += [f"- {x}" for x in describe(mix, "en")]
    lines += ["", "Expected results over the draws (last 12 months of the run):", "",
              f"- tranquillity index {best['tranquillity_index.mean']:.1f} "
              f"(pessimistic 10%: {best['tranquillity_index.pessimistic']:.1f})",
              f"- residents feeling insecure {100 * best['insecurity_share.mean']:.1f}%",
              f"- landlord cost {best['cost_per_dwelling_eur.mean']:.0f} EUR per dwelling per year "
              "(spending plus repairs, lost rent, squats and evictions)",
              f"- public cost (police) {best['public_cost_per_dwelling_eur.mean']:.0f} EUR per dwelling per year", ""]
    cmp = _benchmark_lines(problem, best, bench, out, confirmation)
    lines += cmp[0]
    lines += ["## Français", "", f"Dépense : {best['spending_per_dwelling']:.0f} € par logement et par an "
              f"(budget {problem.budget:.0f} €).", "", "Le bouquet :", ""]
    lines += [f"- {x}" for x in describe(mix, "fr")]
    lines += ["", "Résultats attendus sur les tirages (12 derniers mois) :", "",
              f"- indice de tranquillité {best['tranquillity_index.mean']:.1f}".replace(".", ",")
              + f" (quantile pessimiste 10 % : {best['tranquillity_index.pessimistic']:.1f})".replace(".", ","),
              f"- habitants se sentant en insécurité {100 * best['insecurity_share.mean']:.1f} %".replace(".", ","),
              f"- coût bailleur {best['cost_per_dwelling_eur.mean']:.0f} € par logement et par an "
              "(dépense, réparations, loyers perdus, squats, expulsions)",
              f"- coût public (police) {best['public_cost_per_dwelling_eur.mean']:.0f} € par logement et par an", ""]
    lines += cmp[1]
    lines += ["## The front / Le front de Pareto", "",
              "| trial | spending | tranquillity | insecurity | landlord cost | public cost |",
              "|---:|---:|---:|---:|---:|---:|"]
    for _, d in front.sort_values("objective.tranquillity", ascending=False).iterrows():
        lines.append(f"| {d['trial']} | {d['spending_per_dwelling']:.0f} | {d['objective.tranquillity']:.1f} | "
                     f"{100 * d['objective.insecurity']:.1f}% | {d['objective.landlord_cost']:.0f} | "
                     f"{d['objective.public_cost']:.0f} |")
    return "\n".join(lines) + "\n"


def _benchmark_lines(problem, best, bench, out: Path, conf: dict | None) -> tuple[list[str], list[str]]:
    if bench is None:
        return [], []
    from tranqsim.optimise.search import open_study

    study = open_study(out, problem)
    runs = study.trials[int(best["trial"])].user_attrs.get("runs", [])
    c = paired(runs, bench)
    b = bench["tranquillity_index"].mean()
    verdict_en = "at least as good as" if c["difference"] >= 0 else "worse than"
    verdict_fr = "au moins aussi bon que" if c["difference"] >= 0 else "moins bon que"
    en = [f"Against `{problem.benchmark}` on the same {c['pairs']} draws: tranquillity index "
          f"{c['difference']:+.2f} on average ({b:.1f} for the benchmark), at least as good in "
          f"{100 * c['share_at_least_as_good']:.0f}% of draws: the mix is {verdict_en} the benchmark.", ""]
    comma = lambda x, fmt: format(x, fmt).replace(".", ",")  # noqa: E731
    fr = [f"Face à `{problem.benchmark}` sur les mêmes {c['pairs']} tirages : indice de tranquillité "
          f"{comma(c['difference'], '+.2f')} en moyenne ({comma(b, '.1f')} pour la référence), au moins aussi bon "
          f"dans {100 * c['share_at_least_as_good']:.0f} % des tirages : le bouquet est {verdict_fr} la référence.",
          ""]
    if conf is not None:
        ok = conf["difference"] >= 0
        en += [f"Confirmed on {conf['pairs']} fresh draws ({problem.confirm} new seeds per set, not used by the "
               f"search, which flatters the best of many noisy trials): {conf['difference']:+.2f} on average, at "
               f"least as good in {100 * conf['share_at_least_as_good']:.0f}% of them: "
               f"{'confirmed' if ok else 'NOT confirmed'}.", ""]
        fr += [f"Confirmation sur {conf['pairs']} tirages neufs ({problem.confirm} graines nouvelles par jeu, "
               f"jamais vues par la recherche) : {comma(conf['difference'], '+.2f')} en moyenne, au moins aussi bon "
               f"dans {100 * conf['share_at_least_as_good']:.0f} % d'entre eux : "
               f"{'confirmé' if ok else 'NON confirmé'}.", ""]
    return en, fr
