"""The search for the best mix at or under a budget: Optuna, multi-objective, resumable.

Each trial proposes doses (:mod:`tranqsim.optimise.space`); the budget repair
(:func:`tranqsim.optimise.cost.repair`) brings the mix at or under the budget before any run;
the mix then runs on every draw, one draw being a parameter set of the ensemble and a seed
(common random numbers: draw (set, k) has the same seed and parameter values for every mix,
so two mixes are compared on the same simulated worlds). Its objectives:

- tranquillity index (maximised) and share of residents feeling insecure (minimised), each
  scored over the ensemble by its expected value (``robust="mean"``) or its pessimistic
  quantile (``robust="quantile"``: the 10 % worst set means, or draws with a single set);
- the landlord's cost per dwelling (spending plus repairs, lost rent, squats, evictions) and
  the public cost per dwelling (police), both expected values, minimised.

Optuna's multi-objective sampler (TPE by default, NSGA-II on request) proposes the doses; the
study lives in ``DIR/study.db`` (SQLite), so a killed search resumes where it stopped: the
trials told are kept, the one being run when killed is marked failed and proposed again.
``DIR/optimise.json`` records the problem; resuming with other settings is refused.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tranqsim.loading import ScenarioError

METRICS = ("tranquillity_index", "insecurity_share", "cost_per_dwelling_eur", "public_cost_per_dwelling_eur")
#: objective name -> (metric, direction); the scored statistic depends on ``robust``
OBJECTIVES = (("tranquillity", "tranquillity_index", "maximize"), ("insecurity", "insecurity_share", "minimize"),
              ("landlord_cost", "cost_per_dwelling_eur", "minimize"),
              ("public_cost", "public_cost_per_dwelling_eur", "minimize"))
PESSIMISTIC_Q = 0.1
STUDY = "optimise"


@dataclass
class Problem:
    context: str
    budget: float  # EUR per dwelling per year of tranquillity spending
    years: float = 4.0
    seeds: int = 2
    seed: int = 1
    ensemble: str = "shipped"
    levers: list[str] | None = None
    robust: str = "mean"
    sampler: str = "tpe"
    benchmark: str | None = None  # a strategy run on the same draws, for comparison
    confirm: int = 4  # fresh seeds per set on which the recommended mix and the benchmark are rerun
    # trials run on the first ``search_sets`` parameter sets (a fixed random subsample: the
    # calibration writes its sets in random order); the confirmation runs on every set
    search_sets: int = 10
    sets: list[dict] = field(default_factory=list)  # resolved: [{id, values}]
    ensemble_note: str = ""

    @property
    def days(self) -> int:
        return max(1, round(self.years * 365))

    def key(self) -> dict:
        """What must be the same to resume a study."""
        return {k: getattr(self, k) for k in ("context", "budget", "years", "seeds", "seed", "levers", "robust",
                                               "sampler", "benchmark")} | {"sets": self.search_draw_sets}

    @property
    def search_draw_sets(self) -> list[dict]:
        """The parameter sets the trials (and the benchmark beside them) run on."""
        return self.sets[:max(1, self.search_sets)]


def resolve(problem: Problem) -> Problem:
    from tranqsim import ensemble

    ens = ensemble.resolve(problem.ensemble)
    problem.sets = [{"id": k, "values": v} for k, v in ens.sets.items()]
    problem.ensemble_note = ens.note()
    return problem


def draws(problem: Problem, replicates: range | None = None,
          all_sets: bool = False) -> list[tuple[str, dict, int]]:
    """(set id, parameter values, seed) for every draw; replicate k's seed is the one
    experiments use (``design.replicate_seed``). The search uses replicates ``0..seeds-1`` on
    the first ``search_sets`` sets; the confirmation, fresh ones after them on every set."""
    from tranqsim.experiments.design import replicate_seed

    ks = replicates if replicates is not None else range(problem.seeds)
    sets = problem.sets if all_sets else problem.search_draw_sets
    return [(s["id"], s["values"], replicate_seed(problem.seed, k)) for s in sets for k in ks]


def run_draw(job: dict) -> dict:
    """One run in a worker: the metrics of a strategy on a draw (or an error)."""
    from tranqsim.config import Strategy
    from tranqsim.loading import load_scenario
    from tranqsim.simulation import simulate

    try:
        strategy = Strategy.model_validate(job["strategy"]) if isinstance(job["strategy"], dict) else job["strategy"]
        sc = load_scenario(context=job["context"], strategy=strategy, years=job["years"], seed=job["seed"],
                           parameters=job["parameters"] or None)
        s = simulate(sc).summary
        return {"set": job["set"], "seed": job["seed"], **{m: float(s[m]) for m in METRICS}}
    except Exception as exc:  # reported with the trial
        return {"set": job["set"], "seed": job["seed"], "error": f"{type(exc).__name__}: {exc}"}


def evaluate(problem: Problem, strategy, executor: Executor | None, replicates: range | None = None,
             all_sets: bool = False) -> pd.DataFrame:
    """The metrics of ``strategy`` (a name, or a Strategy) on every draw (of the search's
    sets, or of every set)."""
    strat = strategy if isinstance(strategy, str) else strategy.model_dump(mode="json")
    jobs = [{"context": problem.context, "strategy": strat, "years": problem.years, "seed": seed,
             "parameters": values, "set": sid} for sid, values, seed in draws(problem, replicates, all_sets)]
    rows = list(executor.map(run_draw, jobs)) if executor is not None else [run_draw(j) for j in jobs]
    bad = [r["error"] for r in rows if "error" in r]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(rows)} runs failed: {bad[0]}")
    return pd.DataFrame(rows)


def scores(runs: pd.DataFrame) -> dict[str, float]:
    """Expected value and pessimistic quantile of each metric over the ensemble: over the
    set means when there are several sets, over the draws otherwise."""
    out = {}
    per_set = runs.groupby("set")[list(METRICS)].mean()
    base = per_set if len(per_set) > 1 else runs[list(METRICS)]
    for _, m, direction in OBJECTIVES:
        out[f"{m}.mean"] = float(per_set[m].mean())
        q = PESSIMISTIC_Q if direction == "maximize" else 1 - PESSIMISTIC_Q
        out[f"{m}.pessimistic"] = float(base[m].quantile(q))
    return out


def objective_values(sc: dict, robust: str) -> list[float]:
    stat = "pessimistic" if robust == "quantile" else "mean"
    return [sc[f"{m}.{stat}"] if name in ("tranquillity", "insecurity") else sc[f"{m}.mean"]
            for name, m, _ in OBJECTIVES]


# ------------------------------------------------------------------ the study
def _check_folder(out: Path, problem: Problem) -> None:
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "optimise.json"
    key = json.loads(json.dumps(problem.key()))
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text())["problem"]
        except (OSError, ValueError, KeyError) as exc:
            raise ScenarioError(f"{manifest}: unreadable ({exc}); choose another --out folder") from None
        diffs = [k for k in sorted(set(old) | set(key)) if old.get(k) != key.get(k)]
        if diffs:
            raise ScenarioError(f"{out}: holds a search with other settings ({', '.join(diffs)} differ); "
                                "choose another --out folder or repeat the same settings to resume")
        return
    tmp = manifest.with_name(".optimise.json.tmp")
    tmp.write_text(json.dumps({"problem": key, "ensemble_note": problem.ensemble_note}, indent=1))
    os.replace(tmp, manifest)


def open_study(out: Path, problem: Problem):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # the samplers read each trial's constraint (Trial.set_constraint: over budget > 0)
    if problem.sampler == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=problem.seed,
                                                population_size=min(50, max(8, 4 * len(_doses(problem)) // 3)))
    else:
        sampler = optuna.samplers.TPESampler(seed=problem.seed, n_startup_trials=10, multivariate=True)
    # another process reading the study (a dashboard, a second terminal) holds SQLite's lock for
    # a moment: wait for it up to a minute rather than fail after sqlite3's default 5 s
    storage = optuna.storages.RDBStorage(f"sqlite:///{(out / 'study.db').resolve()}",
                                         engine_kwargs={"connect_args": {"timeout": 60}})
    study = optuna.create_study(study_name=STUDY, storage=storage, sampler=sampler, load_if_exists=True,
                                directions=[d for _, _, d in OBJECTIVES])
    # a trial left running by a killed search will never be told: fail it so it is not counted
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
    return study


def _doses(problem: Problem):
    from tranqsim.optimise.space import doses_for

    return doses_for(problem.levers)


@dataclass
class SearchReport:
    out: Path
    trials: int  # completed trials in the study
    new: int  # completed by this call
    runs: int  # simulation runs made by this call
    interrupted: bool = False
    failed: list[str] = field(default_factory=list)  # trials whose runs failed (their messages)
    seconds: float = 0.0


def search(problem: Problem, out: str | Path, trials: int, executor: Executor | None = None,
           progress=None, stop_after: int | None = None) -> SearchReport:
    """Run trials until the study holds ``trials`` completed ones (``stop_after``: at most
    this many new ones in this call, for tests of resuming)."""
    from tranqsim.experiments.lock import StoreLock

    out = Path(out)
    _check_folder(out, problem)
    lock = StoreLock(out).acquire()  # one search per folder: a second one would fail this one's trials
    try:
        return _search(problem, out, trials, executor, progress, stop_after)
    finally:
        lock.release()


def _search(problem: Problem, out: Path, trials: int, executor, progress, stop_after) -> SearchReport:
    import optuna

    from tranqsim.optimise.cost import repair
    from tranqsim.optimise.space import suggest, to_strategy

    study = open_study(out, problem)
    doses = _doses(problem)
    done = lambda: len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))  # noqa: E731
    rep = SearchReport(out, done(), 0, 0)
    t0 = time.perf_counter()
    try:
        while rep.trials < trials and (stop_after is None or rep.new < stop_after):
            trial = study.ask()
            mix = suggest(trial, doses)
            fixed, spend, excess = repair(mix, problem.context, problem.budget, problem.days, doses)
            trial.set_user_attr("mix", fixed)
            trial.set_user_attr("spending", spend)
            trial.set_user_attr("over_budget", excess)
            trial.set_constraint("over_budget", excess)
            if excess > 0:  # the switches alone cost more than the budget: no run, worst values
                study.tell(trial, [0.0, 1.0, 1e9, 1e9])
            else:
                try:
                    runs = evaluate(problem, to_strategy(fixed), executor)
                except RuntimeError as exc:  # a run failed: the trial fails, the search goes on
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    rep.failed.append(f"trial {trial.number}: {exc}")
                    if (len(rep.failed) >= 3 and rep.new == 0) or len(rep.failed) > trials:
                        raise ScenarioError(f"{out}: the trials' runs keep failing ({rep.failed[0]})") from None
                    continue
                rep.runs += len(runs)
                sc = scores(runs)
                trial.set_user_attr("scores", sc)
                trial.set_user_attr("runs", runs.to_dict("records"))  # per draw, for paired comparisons
                study.tell(trial, objective_values(sc, problem.robust))
            rep.new += 1
            rep.trials = done()
            if progress is not None:
                progress(1)
    except KeyboardInterrupt:
        rep.interrupted = True
    rep.seconds = time.perf_counter() - t0
    return rep


# ------------------------------------------------------------------ results
def trials_table(out: str | Path, problem: Problem) -> pd.DataFrame:
    """Every completed trial within budget: doses, spending, scores."""
    import optuna

    study = open_study(Path(out), problem)
    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        if t.user_attrs.get("over_budget", 0) > 0 or "scores" not in t.user_attrs:
            continue
        rows.append({"trial": t.number, "spending_per_dwelling": t.user_attrs["spending"],
                     **{f"dose.{k}": v for k, v in t.user_attrs["mix"].items()},
                     **t.user_attrs["scores"],
                     **{f"objective.{name}": v for (name, _, _), v in zip(OBJECTIVES, t.values)}})
    return pd.DataFrame(rows)


def pareto(table: pd.DataFrame) -> pd.DataFrame:
    """The non-dominated rows of ``table`` on the four objectives."""
    if table.empty:
        return table
    signs = np.array([1.0 if d == "maximize" else -1.0 for _, _, d in OBJECTIVES])
    u = table[[f"objective.{n}" for n, _, _ in OBJECTIVES]].to_numpy(float) * signs  # higher is better
    keep = np.ones(len(u), bool)
    for i in range(len(u)):
        dominated = np.all(u >= u[i], axis=1) & np.any(u > u[i], axis=1)
        keep[i] = not dominated.any()
    return table[keep].reset_index(drop=True)


def recommend(front: pd.DataFrame) -> pd.Series | None:
    """The front's mix with the best tranquillity objective; ties: less insecurity, then less
    landlord cost."""
    if front.empty:
        return None
    order = front.sort_values(["objective.tranquillity", "objective.insecurity", "objective.landlord_cost"],
                              ascending=[False, True, True], kind="stable")
    return order.iloc[0]


def mix_of(row: pd.Series) -> dict:
    return {k[5:]: v for k, v in row.items() if k.startswith("dose.") and not (isinstance(v, float) and np.isnan(v))}
