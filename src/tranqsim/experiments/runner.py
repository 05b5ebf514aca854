"""Running an experiment through any ``concurrent.futures.Executor``.

Every (design point, replicate) is a *run* with a deterministic id (hash of the point and its
seed); replicate ``k`` has the same seed at every point, so differences between points are
paired (common random numbers). Results stream to the store in chunks as runs finish; a
restart skips the ids already stored. A run that raises is recorded in ``errors`` and the sweep
goes on. Ctrl-C or SIGTERM: the buffer is flushed, pending runs are cancelled, workers stopped.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass
from pathlib import Path

from tranqsim.experiments.design import design_points, replicate_seed
from tranqsim.experiments.spec import Experiment
from tranqsim.experiments.store import Store
from tranqsim.pools import sigint_held, spawn_pool


def run_id(point: dict, seed: int, years: float) -> str:
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
    return load_scenario(context=context, strategy=point["strategy"], years=years, seed=seed,
                         levers=levers or None, parameters=params or None, **kw)


def run_job(job: dict) -> dict:
    """One run, in a worker: a row of results, or an error record. Never raises."""
    from tranqsim.simulation import simulate

    base = {"run_id": job["run_id"], "replicate": job["replicate"], "seed": job["seed"], **job["point"]}
    t0 = time.perf_counter()
    try:
        res = simulate(_scenario(job["point"], job["years"], job["seed"]))
    except Exception as exc:  # recorded, the sweep goes on
        return {"error": {**{k: str(v) for k, v in base.items()}, "error": f"{type(exc).__name__}: {exc}",
                          "traceback": traceback.format_exc()}}
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
        flush_every: int = 20, progress: bool | None = None) -> SweepReport:
    """Run the missing runs of ``exp`` into ``out``. ``executor`` (any concurrent.futures
    Executor) wins over ``workers``; ``workers=1`` runs serially in this process."""
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
        executor = own = spawn_pool(workers)
    old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if executor is None:
            for j in todo:
                collect(run_job(j))
        else:
            limit = 4 * max(workers, getattr(executor, "_max_workers", 1))
            pending: set = set()
            queue = iter(todo)
            while True:
                with sigint_held():  # workers start inside submit; see tranqsim.pools
                    for j in queue:
                        pending.add(executor.submit(run_job, j))
                        if len(pending) >= limit:
                            break
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    collect(f.result())
    except KeyboardInterrupt:
        rep.interrupted = True
    finally:
        signal.signal(signal.SIGTERM, old_term)
        flush()
        if bar is not None:
            bar.close()
        if own is not None:
            if rep.interrupted:
                for p in list(getattr(own, "_processes", {}).values()):
                    p.terminate()
            own.shutdown(wait=not rep.interrupted, cancel_futures=True)
    return rep


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
