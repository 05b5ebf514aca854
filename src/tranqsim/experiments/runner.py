"""Running an experiment through any ``concurrent.futures.Executor``.

Every (design point, replicate) is a *run* with a deterministic id (hash of the point and its
seed); replicate ``k`` has the same seed at every point, so differences between points are
paired (common random numbers). Results stream to the store in chunks as runs finish; a
restart skips the ids already stored. A run that raises is recorded in ``errors`` and the sweep
goes on. Ctrl-C or SIGTERM: the buffer is flushed, pending runs are cancelled, workers stopped.

Bounds before work: the number of runs is counted from the spec (``planned_runs``) and a plan
above ``MAX_RUNS`` is refused unless forced, before a single job is built.

A worker killed mid-run (the out-of-memory killer, ``kill -9``) breaks a
``ProcessPoolExecutor``: every run in flight fails with ``BrokenProcessPool``. The sweep's own
pool is then rebuilt and the lost runs resubmitted. To tell the run that killed its worker from
the innocent ones, each worker leaves a marker file named after its run (holding its pid) for
as long as the run lasts: after a break, the runs with a marker were running, the others were
only queued and are simply resubmitted. A run that was running gets a strike and is rerun
alone (nothing else in flight); if the pool breaks again while it runs alone, that second
strike records it in ``errors`` with its worker's fate (signal or exit code) and the sweep goes
on. An executor passed in by the caller is the caller's to repair: its ``BrokenProcessPool``
propagates (after a flush). Any other exception raised by a future (a Dask worker lost, say)
records that run as failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from tranqsim.experiments.design import count_points, design_points, replicate_seed
from tranqsim.experiments.own_pool import OwnPool, Window
from tranqsim.experiments.spec import Experiment
from tranqsim.experiments.store import Store
from tranqsim.pools import max_workers, sigint_held

#: runs (design points x replicates) above which a sweep is refused unless forced: about a
#: week of 5-year runs on a 2-core machine, and a few hundred MB of job records and store rows
MAX_RUNS = 200_000
#: a run whose worker died while it ran alone this many times is recorded as failed
STRIKES = 2
#: the pool breaking this many times in a row with no run finished in between is not one bad
#: run: the workers cannot run at all (out of memory at start-up, a broken install)
MAX_BARREN_BREAKS = 4
#: test hook, read only in the sweep's own pool workers: a run whose id starts with this value
#: kills its worker with SIGKILL, as the out-of-memory killer would (tests/test_runner.py)
TEST_KILL_ENV = "TRANQSIM_TEST_KILL_RUN"


class PlanTooLarge(ValueError):
    """The experiment plans more runs than ``MAX_RUNS`` (and the caller did not force it)."""


class TooManyWorkers(ValueError):
    """More worker processes than ``tranqsim.pools.max_workers()`` (and not forced)."""


class WorkersKeepDying(RuntimeError):
    """The pool broke again and again without finishing a run."""


def planned_runs(exp: Experiment) -> int:
    """Design points x replicates, counted from the spec without building a single job (an
    upper bound: a sampled design may repeat a point, and a repeated point runs once)."""
    return count_points(exp) * exp.replicates


def check_plan(exp: Experiment, force: bool = False) -> int:
    """The planned number of runs; ``PlanTooLarge`` above ``MAX_RUNS`` unless ``force``."""
    points = count_points(exp)
    n = points * exp.replicates
    if n > MAX_RUNS and not force:
        raise PlanTooLarge(f"the experiment plans {n:,} runs ({points:,} design points x "
                           f"{exp.replicates:,} replicates), above the limit of {MAX_RUNS:,} runs; "
                           "lower samples or replicates, or pass --force")
    return n


def check_workers(workers: int, force: bool = False) -> int:
    """``workers``; ``TooManyWorkers`` above ``max_workers()`` unless ``force``."""
    limit = max_workers()
    if workers > limit and not force:
        raise TooManyWorkers(f"--workers {workers}: more than {limit} worker processes (4 per usable "
                             f"core, {limit // 4} here); pass --force to start them anyway")
    return workers


def run_id(point: dict, seed: int, years: float) -> str:
    # the central parameter set is the parameter table itself: a run on it keeps the id it had
    # before sweeps carried parameter sets (a point without ``parameter_set``)
    if point.get("parameter_set") == "central":
        point = {k: v for k, v in point.items() if k != "parameter_set"}
    key = json.dumps({"point": point, "seed": seed, "years": years}, sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def jobs(exp: Experiment) -> list[dict]:
    out = []
    for point in design_points(exp):
        for k in range(exp.replicates):
            seed = replicate_seed(exp.seed, k)
            out.append({"run_id": run_id(point, seed, exp.years), "point": point, "replicate": k,
                        "seed": seed, "years": exp.years, "metrics": exp.metrics,
                        "timeseries": exp.timeseries})
    return out


def _scenario(point: dict, years: float, seed: int):
    from tranqsim.loading import load_context, load_scenario

    levers: dict = {}
    params: dict = {}
    ctx_over: dict = {}
    organisation = None
    for name, value in point.items():
        head, _, rest = name.partition(".")
        if head == "parameters":
            params[rest] = value
        elif head == "levers":
            lever, _, field = rest.partition(".")
            levers.setdefault(lever, {})[field] = value
        elif head == "context" and rest:
            section, _, field = rest.partition(".")
            ctx_over.setdefault(section, {})[field] = value
        elif name == "organisation":
            organisation = value
    context = point["context"]
    if ctx_over:
        from tranqsim.config import Context

        ctx, _ = load_context(context)
        data = ctx.model_dump()
        for section, fields in ctx_over.items():
            data[section].update(fields)
        context = Context.model_validate(data)
    kw = {"organisation": organisation} if organisation else {}
    # a variant (experiments.spec.Variant) runs its base strategy with its lever changes
    return load_scenario(context=context, strategy=point.get("variant_of", point["strategy"]), years=years,
                         seed=seed, levers=levers or None, parameters=params or None, **kw)


def _failure(job: dict, message: str, tb: str = "") -> dict:
    """The error record of a run (values as text: an errors chunk mixes every factor's type)."""
    base = {"run_id": job["run_id"], "replicate": job["replicate"], "seed": job["seed"], **job["point"]}
    return {"error": {**{k: str(v) for k, v in base.items()}, "error": message, "traceback": tb}}


def run_marked(job: dict, markers: str) -> dict:
    """``run_job`` in one of the sweep's own pool workers, with a marker file
    ``markers/<run_id>`` holding this worker's pid while the run lasts (left behind if the
    worker is killed: how the parent tells which run was running)."""
    marker = Path(markers) / job["run_id"]
    marker.write_text(str(os.getpid()))
    kill = os.environ.get(TEST_KILL_ENV)
    if kill and job["run_id"].startswith(kill):  # test hook only; see TEST_KILL_ENV
        os.kill(os.getpid(), signal.SIGKILL)
    try:
        return run_job(job)
    finally:
        marker.unlink(missing_ok=True)


def run_job(job: dict) -> dict:
    """One run, in a worker: a row of results, or an error record. Never raises."""
    from tranqsim.simulation import simulate

    base = {"run_id": job["run_id"], "replicate": job["replicate"], "seed": job["seed"], **job["point"]}
    t0 = time.perf_counter()
    try:
        res = simulate(_scenario(job["point"], job["years"], job["seed"]))
    except Exception as exc:  # recorded, the sweep goes on
        return _failure(job, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    row = dict(base)
    for key, value in res.summary.items():
        if job["metrics"] is not None and key not in job["metrics"]:
            continue
        if isinstance(value, dict):
            row.update({f"{key}.{k}": v for k, v in value.items()})
        elif key not in ("context", "strategy", "seed"):
            row[key] = value
    row["runtime_s"] = time.perf_counter() - t0
    out = {"row": row}
    if job["timeseries"]:
        ts = res.timeseries.copy()
        ts.insert(0, "run_id", job["run_id"])
        out["timeseries"] = ts
    return out


@dataclass
class SweepReport:
    total: int
    skipped: int
    done: int
    failed: int
    interrupted: bool
    out: Path


def run(exp: Experiment, out: str | Path, executor: Executor | None = None, workers: int = 1,
        flush_every: int = 20, progress: bool | None = None, force: bool = False) -> SweepReport:
    """Run the missing runs of ``exp`` into ``out``. ``executor`` (any concurrent.futures
    Executor) wins over ``workers``; ``workers=1`` runs serially in this process. ``force``
    lifts the caps on planned runs (``MAX_RUNS``) and on ``workers``."""
    if exp.parameter_sets is None:  # every sweep runs on its parameter sets (tranqsim.ensemble)
        from tranqsim.experiments.spec import with_ensemble

        exp = with_ensemble(exp)
    check_plan(exp, force)  # before a single job is built, and before the store is touched
    if executor is None:
        check_workers(workers, force)
    spec = exp.model_dump(mode="json")
    store = Store(out, spec)
    # a sampled design may visit the same point twice (Morris trajectories on a coarse grid):
    # same point and seed, same run id, one run
    all_jobs = list({j["run_id"]: j for j in jobs(exp)}.values())
    done_ids = store.done_ids()
    todo = [j for j in all_jobs if j["run_id"] not in done_ids]
    rep = SweepReport(len(all_jobs), len(all_jobs) - len(todo), 0, 0, False, Path(out))
    if progress is None:
        progress = sys.stderr.isatty()
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="runs", unit="run")
    rows, errors, series = [], [], []

    def flush():
        # all or nothing: an interrupt between two writes, or between a write and the clear,
        # would leave a temporary file or store the same runs twice; it waits until the end
        with sigint_held(signal.SIGTERM):
            _flush()

    def _flush():
        store.write("runs", rows)
        store.write("errors", errors)
        if series:
            import pandas as pd

            store.write("timeseries", pd.concat(series, ignore_index=True))
        rows.clear(), errors.clear(), series.clear()

    def collect(result: dict):
        if "error" in result:
            errors.append(result["error"])
            rep.failed += 1
        else:
            rows.append(result["row"])
            if "timeseries" in result:
                series.append(result["timeseries"])
            rep.done += 1
        if bar is not None:
            bar.update(1)
            bar.set_postfix(failed=rep.failed)
        if len(rows) + len(errors) >= flush_every:
            flush()

    own = None
    if executor is None and workers > 1 and len(todo) > 1:
        own = OwnPool(workers, run_marked)
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if executor is None and own is None:
            for j in todo:
                collect(run_job(j))
        else:
            _run_parallel(todo, executor, own, workers, collect)
    except KeyboardInterrupt:
        rep.interrupted = True
    finally:
        signal.signal(signal.SIGTERM, old_term)
        flush()
        if bar is not None:
            bar.close()
        if own is not None:
            own.close(rep.interrupted)
        store.close()  # releases the folder's lock (see experiments.lock)
    return rep


def _run_parallel(todo: list[dict], executor: Executor | None, own: OwnPool | None, workers: int,
                  collect) -> None:
    """Keep a window of runs in flight on ``executor`` (or the sweep's own pool ``own``) and
    ``collect`` every result; after a broken own pool, see the module docstring."""
    window = Window(executor, own.workers if own is not None else workers)
    queue = deque(todo)
    alone: deque = deque()  # runs that were running when the pool broke: rerun one at a time
    strikes: dict[str, int] = {}
    pending: dict[Future, dict] = {}
    barren = 0  # pool breaks in a row with no run running at the time (workers dying on their own)

    def submit(job: dict) -> None:
        pending[own.submit(job) if own is not None else executor.submit(run_job, job)] = job

    def settle(f: Future, job: dict, lost: list[dict]) -> None:
        try:
            result = f.result()
        except BrokenProcessPool:
            if own is None:
                raise  # the caller's executor: the caller's to rebuild
            lost.append(job)
            return
        except Exception as exc:  # the executor lost the run (a Dask worker died, ...)
            result = _failure(job, f"{type(exc).__name__}: {exc}")
        collect(result)

    def recover(lost: list[dict]) -> None:
        nonlocal barren
        # every other run in flight fails with the pool (or had finished just before): settle them
        for f in wait(list(pending)).done:
            settle(f, pending.pop(f), lost)
        running = own.shut_broken()
        barren = 0 if running else barren + 1
        if barren >= MAX_BARREN_BREAKS:
            raise WorkersKeepDying(f"the worker processes died {barren} times in a row, each time before "
                                   "starting a run; the runs finished so far are stored")
        own.restart()
        for j in reversed(lost):  # back at the front, in their order
            rid = j["run_id"]
            if rid in running:
                strikes[rid] = strikes.get(rid, 0) + 1
                if strikes[rid] >= STRIKES:
                    collect(_failure(j, f"WorkerDied: {running[rid]} while running this run, "
                                        f"{strikes[rid]} times (the last time alone in the pool)"))
                    continue
            (alone if rid in strikes else queue).appendleft(j)  # queued only: innocent

    while True:
        lost: list[dict] = []
        broke = False
        with sigint_held():  # workers start inside submit; see tranqsim.pools
            try:
                if alone:
                    if not pending:  # a suspect runs with nothing else in flight
                        submit(alone[0])
                        alone.popleft()
                else:
                    limit = window.size()
                    while queue and len(pending) < limit:
                        submit(queue[0])
                        queue.popleft()
            except BrokenProcessPool:  # broke between two waits: submit refuses at once
                if own is None:
                    raise
                broke = True
        if not broke:
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                settle(f, pending.pop(f), lost)
        if broke or lost:
            recover(lost)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
