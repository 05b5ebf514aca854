"""Re-simulating a few replicates of a sweep for what its runs table does not keep.

The store keeps one summary row per run. Time series, maps and the ZSP zone analysis need the
daily series, the places and the incidents' places, so the report reruns, for each context,
the first few replicates of the strategies it shows (status quo, best strategy, strategies with
a ZSP window). A run is deterministic given its design point and seed, and the sweep's own
scenario builder is used, so a rerun *is* the stored run: the report checks that the
tranquillity index matches the stored one and says so.

A strategy with a ZSP window is also rerun *without* its ZSP lever on the same seeds: with
common random numbers the two runs are identical until the window opens, so their difference
afterwards is the ZSP's own effect, place by place (key ``STRATEGY + WITHOUT_ZSP``).
"""

from __future__ import annotations

import os

from tranqsim.pools import sigint_held, spawn_pool

import numpy as np
import pandas as pd

WITHOUT_ZSP = "#without_zsp"
SERIES = ("day", "incidents", "insecurity_share", "trust_landlord_mean", "trust_police_mean",
          # the tranquillity function in a ZSP (issue 17: report.organisation.zsp_landlord)
          "dealing_points", "zsp_landlord_input", "zsp_prosecution_closures", "implementation_quality")


def rerun(job: dict) -> dict:
    """One run of ``job`` (context, strategy, seed, years): what the report draws from it."""
    from tranqsim.experiments.runner import _scenario
    from tranqsim.result import Result
    from tranqsim.simulation import build_model

    strategy, _, variant = job["strategy"].partition("#")
    # the sweep's own point: its `--set` values (spec "fixed") too, so the rerun is the stored run
    sc = _scenario({**job.get("fixed", {}), "context": job["context"], "strategy": strategy}, job["years"],
                   job["seed"])
    if variant:  # the same strategy without its ZSP lever
        from tranqsim.loading import load_scenario

        sc = load_scenario(context=sc.context, strategy=sc.strategy, years=job["years"], seed=job["seed"],
                           levers={"zsp": None}, parameters=dict(sc.parameters or {}))
    model = build_model(sc)
    model.run()
    res = Result.from_model(model)
    zone = next((lv.zone_mask for lv in model.levers if lv.name == "zsp"), None)
    places = res.places[["place_id", "kind", "x", "y", "status", "incidents_12m"]]
    return {**job, "ti": float(res.summary["tranquillity_index"]), "dwellings": res.summary["dwellings"],
            "series": res.timeseries[list(SERIES)], "places": places,
            "inc_day": res.incidents["day"].to_numpy(np.int32),
            "inc_place": res.incidents["place_id"].to_numpy(np.int32),
            "zone": None if zone is None else np.asarray(zone, bool), "days": len(res.timeseries)}


def rerun_all(jobs: list[dict], workers: int | None = None, progress=None) -> dict[tuple, dict]:
    """(context, strategy, replicate) -> rerun result; in parallel processes when workers > 1.
    ``progress(1)`` is called after each run."""
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    tick = progress or (lambda n: None)
    results = []
    if workers <= 1:
        for j in jobs:
            results.append(rerun(j))
            tick(1)
    else:
        with spawn_pool(workers) as ex:
            with sigint_held():  # map submits every job now, and the workers start
                it = ex.map(rerun, jobs, chunksize=1)
            for r in it:
                results.append(r)
                tick(1)
    return {(r["context"], r["strategy"], r["replicate"]): r for r in results}


def jobs_for(runs: pd.DataFrame, context: str, strategies: list[str], replicates: int,
             years: float, without_zsp: list[str] = (), fixed: dict | None = None) -> list[dict]:
    """The first ``replicates`` stored replicates of each strategy in ``context`` on one parameter
    set (with its values), and of the ``without_zsp`` strategies without their ZSP lever (no
    stored run to check those against)."""
    out = []
    sub = runs[runs["context"] == context]
    if "parameter_set" in sub.columns and sub["parameter_set"].nunique() > 1:
        # one parameter set (the central one, else the first id): the replicates of several sets
        # share seeds, and a rerun must carry its set's values to be the stored run
        ids = sorted(sub["parameter_set"].astype(str).unique())
        sub = sub[sub["parameter_set"] == ("central" if "central" in ids else ids[0])]
    pcols = [c for c in sub.columns if c.startswith("parameters.")]
    for s, variant in [(s, "") for s in strategies] + [(s, WITHOUT_ZSP) for s in without_zsp]:
        rows = sub[sub["strategy"] == s].sort_values("replicate").head(replicates)
        for r in rows.to_dict("records"):
            values = {c: r[c] for c in pcols if pd.notna(r[c])}
            out.append({"context": context, "strategy": s + variant, "replicate": int(r["replicate"]),
                        "fixed": {**dict(fixed or {}), **values},
                        "seed": int(r["seed"]), "years": years,
                        "stored_ti": None if variant else float(r["tranquillity_index"])})
    return out


def monthly(values: np.ndarray, how: str = "sum") -> np.ndarray:
    """A daily series in 30-day months (incomplete last month dropped)."""
    n = len(values) // 30
    v = np.asarray(values[: n * 30], float).reshape(n, 30)
    return v.sum(1) if how == "sum" else v.mean(1)


def band(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 5-95% band across replicates (rows of equal length)."""
    a = np.vstack(rows)
    return np.median(a, 0), np.quantile(a, 0.05, 0), np.quantile(a, 0.95, 0)


def mismatches(results: dict) -> tuple[int, int, float]:
    """Reruns checked against a stored run, how many differ, the largest index difference."""
    d = [abs(r["ti"] - r["stored_ti"]) for r in results.values() if r["stored_ti"] is not None]
    bad = [x for x in d if x > 1e-9]
    return len(d), len(bad), max(d, default=0.0)
