"""The cursor map: which position between withdrawal and hard security wins in which territory.

The seminar's question (issue 19, item 4) is where a landlord should set the cursor between
withdrawing to its basic missions and unbridled security intervention, and it says the answer
depends on the territory. The map answers it over a grid of territories:

- **Axes** (:data:`AXES`): offender pressure, drug dealing, deprivation. Each axis moves a few
  context fields together and spans the range of the shipped contexts (``scenarios/contexts``):
  from the least of them (the calm neighbourhood) to the most (the ZSP estate; for dealing
  points the large estate's 4). Every other field of a cell is its *base* context's
  (``priority_estate`` by default). An axis's levels are evenly spaced over that span; integer
  fields are rounded.
- **Cells**: one per combination of levels, named by the base and the levels. Each is also
  written as an ordinary context file to ``OUT/contexts``, so any cell can be rerun alone with
  ``tranqsim run --context OUT/contexts/FILE``.
- **Runs**: every cell x strategy x parameter set of the ensemble x seed, through the sweep
  runner, one store per cell (``OUT/sweep/CELL``: the base context with the cell's values set
  at every point, so run ids hash the values, not a path, and a moved folder still resumes):
  common random numbers (replicate ``k`` has the same seed in every cell, strategy and set),
  any executor (local pool, Dask), and a rerun after a kill only runs what is missing.
- **Analysis** (:func:`analyse`): per cell, from :func:`tranqsim.experiments.uncertainty.summarise`,
  the best strategy (least expected regret on the chosen metric), its probability of being best
  over draws (parameter set x seed) and over parameter sets (seed noise averaged out), its
  expected regret and the runner-up's. ``cursor_map.parquet`` (one row per cell) and
  ``cursor_strategies.parquet`` (cell x strategy).
- **Rules** (:mod:`tranqsim.experiments.discovery`): PRIM scenario discovery over the cells
  (and the parameter sets, when they vary): "S is best when pressure >= ...".

The probabilities say how often a strategy is best over what we do not know (the ensemble's
sets) and seed noise; with the central parameter set alone they reflect seed noise only, and
every output says so (the ensemble's note).
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tranqsim.comparison import STRATEGY_ORDER
from tranqsim.errors import ScenarioError


@dataclass(frozen=True)
class Axis:
    """A territorial axis: the context fields (``section.field``) it moves together."""

    name: str
    fields: tuple[str, ...]
    integer: bool
    en: str
    fr: str


AXES = {
    "pressure": Axis("pressure", ("offenders.pressure", "offenders.youth_groups_per_1000"), False,
                     "offender pressure (multiplier on offending rates)",
                     "pression délinquante (multiplicateur des taux)"),
    "dealing": Axis("dealing", ("offenders.dealing_points", "offenders.dealing_capacity"), True,
                    "drug-dealing points", "points de deal"),
    "deprivation": Axis("deprivation", ("population.deprivation", "population.newcomer_deprivation"), False,
                        "deprivation (share of low-income households)",
                        "précarité (part des ménages modestes)"),
}
DEFAULT_AXES = ("pressure", "dealing")
#: the cursor from withdrawal to hard security, then the global approach (comparison.STRATEGY_ORDER)
DEFAULT_STRATEGIES = STRATEGY_ORDER
QUICK_STRATEGIES = ("withdrawal", "proximity_management", "heavy_security")
BASELINE = "proximity_management"
METRICS = ["tranquillity_index", "insecurity_share", "incidents_per_1000_dwellings", "cost_per_dwelling_eur",
           "public_cost_per_dwelling_eur"]
#: the shipped contexts marked on the figure, where they sit on the axes
LANDMARKS = ("calm_neighbourhood", "priority_estate", "zsp_estate")


@dataclass
class Design:
    """What ``tranqsim cursor`` runs: the axes' levels, the strategies, the sweep settings.
    Defaults are issue 19's full map: 5 x 5 territories, the seven strategies, 2 seeds of
    2-year runs (the issue's benchmark length; the metrics cover each run's last 12 months, so
    the first year lets a strategy take effect) on every parameter set of the shipped ensemble."""

    axes: tuple[str, ...] = DEFAULT_AXES
    levels: int = 5
    strategies: tuple[str, ...] = DEFAULT_STRATEGIES
    base: str = "priority_estate"
    years: float = 2.0
    seeds: int = 2
    seed: int = 1
    ensemble: str = "shipped"
    metric: str = "tranquillity_index"
    #: the landlord's spending a strategy may cost (EUR per dwelling per year, its mean over the
    #: cell's runs): dearer strategies are left out of that cell's choice (the status quo always
    #: stays, as the pairing every comparison needs). Analysis only: the same sweep answers
    #: every budget, and changing it reruns nothing.
    budget: float | None = None

    @classmethod
    def quick(cls, **kw) -> "Design":
        """A map small enough for the tests: 3 x 3 cells, 3 strategies, half-year runs."""
        return cls(**{"levels": 3, "strategies": QUICK_STRATEGIES, "years": 0.5, "seeds": 2, **kw})


def check_design(d: Design) -> None:
    """One ``ScenarioError`` line for a design that cannot run (before anything is written)."""
    from tranqsim.experiments.uncertainty import HIGHER_IS_BETTER
    from tranqsim.loading import available

    if len(d.axes) != 2 or len(set(d.axes)) != 2:
        raise ScenarioError(f"--axes: give two different axes (got {','.join(d.axes)}; known: {', '.join(AXES)})")
    bad = [a for a in d.axes if a not in AXES]
    if bad:
        raise ScenarioError(f"--axes: unknown axis {bad[0]!r} (known: {', '.join(AXES)})")
    if not 2 <= d.levels <= 12:
        raise ScenarioError(f"--levels {d.levels}: between 2 and 12 per axis")
    known = available("strategies")
    bad = [s for s in d.strategies if s not in known and not s.endswith((".yaml", ".yml"))]
    if bad:
        raise ScenarioError(f"--strategies: unknown strategy {bad[0]!r} (known: {', '.join(known)})")
    if BASELINE not in d.strategies:
        raise ScenarioError(f"--strategies: include {BASELINE} (the status quo every comparison is paired with)")
    if d.metric not in HIGHER_IS_BETTER:
        raise ScenarioError(f"--metric: {d.metric!r} has no known better direction "
                            f"(known: {', '.join(HIGHER_IS_BETTER)})")
    if d.budget is not None and not (math.isfinite(d.budget) and d.budget >= 0):
        raise ScenarioError(f"--budget {d.budget}: a spending in EUR per dwelling per year, 0 or more")


def affordable(runs: pd.DataFrame, budget: float | None) -> pd.DataFrame:
    """The runs of the strategies whose mean landlord cost per dwelling in their cell is at or
    under ``budget`` (all of them when ``budget`` is None), and always the status quo's."""
    if budget is None:
        return runs
    cost = runs.groupby(["context", "strategy"])["cost_per_dwelling_eur"].transform("mean")
    return runs[(cost <= budget) | (runs["strategy"] == BASELINE)]


def _get(ctx, field: str):
    section, _, name = field.partition(".")
    return getattr(getattr(ctx, section), name)


def spans() -> dict[str, tuple[float, float]]:
    """Each axis field's (least, most) over the shipped contexts: what the map spans."""
    from tranqsim.loading import available, load_context

    ctxs = [load_context(n)[0] for n in available("contexts")]
    fields = {f for a in AXES.values() for f in a.fields}
    return {f: (float(min(_get(c, f) for c in ctxs)), float(max(_get(c, f) for c in ctxs))) for f in fields}


def axis_levels(axis: str, n: int, span: dict | None = None) -> list[dict[str, float]]:
    """The ``n`` levels of ``axis``: per level, field -> value (evenly spaced over the span)."""
    span = span or spans()
    a = AXES[axis]
    out = []
    for t in np.linspace(0.0, 1.0, n):
        level = {}
        for f in a.fields:
            lo, hi = span[f]
            v = lo + t * (hi - lo)
            level[f] = int(round(v)) if a.integer else round(float(v), 3)
        out.append(level)
    return out


def axis_value(axis: str, level: dict) -> float:
    """The number a level is shown by: its first field's value."""
    return float(level[AXES[axis].fields[0]])


def cells(d: Design) -> list[dict]:
    """Every cell: ``{"i", "j", axis names -> shown values, "fields": {field: value}}``."""
    span = spans()
    a, b = d.axes
    la, lb = axis_levels(a, d.levels, span), axis_levels(b, d.levels, span)
    return [{"i": i, "j": j, a: axis_value(a, x), b: axis_value(b, y), "fields": {**x, **y}}
            for (i, x), (j, y) in itertools.product(enumerate(la), enumerate(lb))]


def _cell_name(d: Design, cell: dict) -> str:
    a, b = d.axes
    return f"{Path(d.base).stem}__{a}{cell[a]:g}__{b}{cell[b]:g}"


def write_contexts(d: Design, out: Path) -> dict[str, dict]:
    """Write one context file per cell into ``out/contexts`` (for rerunning a cell alone with
    ``tranqsim run --context``; the runs themselves carry the cell's values); cell name -> cell."""
    from tranqsim.loading import load_context

    base, _ = load_context(d.base, origin="--base")
    folder = out / "contexts"
    folder.mkdir(parents=True, exist_ok=True)
    a, b = d.axes
    mapping = {}
    for cell in cells(d):
        data = base.model_dump(mode="json")
        for f, v in cell["fields"].items():
            section, _, name = f.partition(".")
            data[section][name] = v
        data["title"] = {"en": f"{base.title.en}: {a} {cell[a]:g}, {b} {cell[b]:g}",
                         "fr": f"{base.title.fr} : {AXES[a].fr.split(' (')[0]} {cell[a]:g}, "
                               f"{AXES[b].fr.split(' (')[0]} {cell[b]:g}"}
        data["description"] = (f"A cell of the cursor map (tranqsim cursor): the {Path(d.base).stem} context "
                               f"with {', '.join(f'{k} = {v}' for k, v in cell['fields'].items())}.")
        path = (folder / f"{_cell_name(d, cell)}.yaml").resolve()
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # same file on a rerun
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        mapping[_cell_name(d, cell)] = cell
    return mapping


def experiment(d: Design, cell: dict | None = None):
    """The sweep of one cell: the base context with the cell's fields set at every point
    (``fixed``: the run ids hash them, not a file's path, so a moved folder still resumes),
    every strategy x parameter set x seed (CRN). Without ``cell``, the first cell's shape."""
    from tranqsim.experiments.spec import Experiment, with_ensemble

    cell = cell or cells(d)[0]
    exp = Experiment(description=f"cursor map cell {_cell_name(d, cell)}", contexts=[d.base],
                     strategies=list(d.strategies), design="strategies", replicates=d.seeds, years=d.years,
                     seed=d.seed, metrics=list(dict.fromkeys([*METRICS, d.metric])), ensemble=d.ensemble,
                     fixed={f"context.{f}": v for f, v in cell["fields"].items()})
    try:
        return with_ensemble(exp, d.ensemble)
    except ScenarioError as exc:
        raise ScenarioError(f"--ensemble: {exc}") from None


def planned(d: Design) -> int:
    """Runs of the full map, counted before anything runs."""
    from tranqsim import ensemble

    return d.levels ** 2 * len(d.strategies) * len(ensemble.resolve(d.ensemble).sets) * d.seeds


def run(d: Design, out: str | Path, executor=None, workers: int = 1, progress: bool | None = None,
        force: bool = False):
    """Run the map's missing runs (one store per cell, ``out/sweep/CELL``: resumable), then
    analyse and write it. Returns (sweep report summed over cells, :class:`MapResult` or None
    when interrupted). With ``workers > 1`` and no ``executor``, one spawn pool serves every
    cell; if a worker dies, that cell is finished on the runner's own pool (which records a run
    that kills its worker twice as failed) and a fresh pool serves the next cells."""
    from concurrent.futures.process import BrokenProcessPool

    from tranqsim.experiments.runner import SweepReport
    from tranqsim.experiments.runner import run as run_sweep
    from tranqsim.pools import spawn_pool

    check_design(d)
    out = Path(out)
    mapping = write_contexts(d, out)
    total = SweepReport(0, 0, 0, 0, False, out / "sweep")
    own = spawn_pool(workers) if executor is None and workers > 1 else None
    try:
        for name, cell in mapping.items():
            exp = experiment(d, cell)
            try:
                rep = run_sweep(exp, out / "sweep" / name, executor=executor or own, workers=workers,
                                progress=progress, force=force)
            except BrokenProcessPool:  # a worker died (out of memory, killed): only our own pool
                if own is None:
                    raise
                own.shutdown(wait=True, cancel_futures=True)
                own = None
                # the cell again on the runner's own pool, which tells the run that kills its
                # worker from the innocent ones (strikes; see experiments.runner); finished runs kept
                rep = run_sweep(exp, out / "sweep" / name, workers=workers, progress=progress, force=force)
                own = spawn_pool(workers)
            total.total += rep.total
            total.skipped += rep.skipped
            total.done += rep.done
            total.failed += rep.failed
            if rep.interrupted:
                total.interrupted = True
                return total, None
    finally:
        if own is not None:
            if total.interrupted:
                for proc in list((getattr(own, "_processes", None) or {}).values()):
                    proc.terminate()
            own.shutdown(wait=not total.interrupted, cancel_futures=True)
    return total, write(d, out, mapping, experiment(d))


def load_runs(out: str | Path, mapping: dict[str, dict]) -> pd.DataFrame:
    """Every cell's runs, its ``context`` column naming the cell."""
    from tranqsim.experiments import load

    parts = []
    for name in mapping:
        folder = Path(out) / "sweep" / name
        if (folder / "manifest.json").is_file():
            parts.append(load(folder).assign(context=name))
    if not parts:
        raise ScenarioError(f"{out}: no finished cell of the cursor map")
    return pd.concat(parts, ignore_index=True)


@dataclass
class MapResult:
    table: pd.DataFrame  # one row per cell
    strategies: pd.DataFrame  # cell x strategy
    rules: object  # discovery.Rules
    note: str  # what the parameter sets represent
    files: list[Path]


def analyse(runs: pd.DataFrame, d: Design, mapping: dict[str, dict], note: str = ""):
    """(per-cell table, cell x strategy table) from the runs of the map's sweep."""
    from tranqsim.experiments.uncertainty import summarise

    a, b = d.axes
    per = summarise(runs, BASELINE, [d.metric], note=note)
    per = per[per["context"].isin(mapping)].copy()
    per.insert(1, a, per["context"].map(lambda c: mapping[c][a]))
    per.insert(2, b, per["context"].map(lambda c: mapping[c][b]))
    per.insert(3, "i", per["context"].map(lambda c: mapping[c]["i"]))
    per.insert(4, "j", per["context"].map(lambda c: mapping[c]["j"]))
    costs = runs.groupby(["context", "strategy"])[["cost_per_dwelling_eur", "public_cost_per_dwelling_eur"]].mean()
    per = per.join(costs, on=["context", "strategy"])
    rows = []
    for ctx, grp in per.groupby("context", sort=False):
        g = grp.sort_values(["expected_regret", "p_best"], ascending=[True, False], kind="stable")
        best, second = g.iloc[0], (g.iloc[1] if len(g) > 1 else None)
        rows.append({
            "context": ctx, a: best[a], b: best[b], "i": int(best["i"]), "j": int(best["j"]),
            "metric": d.metric, "best": best["strategy"], "best_mean": best["mean"],
            "p_best": best["p_best"], "p_best_sets": best["p_best_sets"],
            "expected_regret": best["expected_regret"], "max_regret": best["max_regret"],
            "runner_up": second["strategy"] if second is not None else None,
            "runner_up_p_best": second["p_best"] if second is not None else math.nan,
            "runner_up_regret": second["expected_regret"] if second is not None else math.nan,
            "landlord_cost_eur": best["cost_per_dwelling_eur"], "public_cost_eur": best["public_cost_per_dwelling_eur"],
            "n_sets": int(best["n_sets"]), "n_seeds": int(best["n_seeds"]),
        })
    table = pd.DataFrame(rows).sort_values(["i", "j"], kind="stable").reset_index(drop=True)
    table.attrs["note"] = per.attrs.get("note", note)
    return table, per.reset_index(drop=True)


def write(d: Design, out: Path, mapping: dict[str, dict], exp) -> MapResult:
    """Analyse the stored sweep and write the table, the figures (en, fr) and the rules."""
    from tranqsim.experiments.cursor_figure import draw
    from tranqsim.experiments.discovery import discover
    from tranqsim.experiments.uncertainty import sweep_note

    note = sweep_note(exp)
    if d.budget is not None:
        note += f"; strategies costing the landlord more than EUR {d.budget:g} per dwelling a year left out"
    runs = affordable(load_runs(out, mapping), d.budget)
    table, per = analyse(runs, d, mapping, note)
    rules = discover(runs, d, mapping, table)
    files = [_parquet(table, out / "cursor_map.parquet", note), _parquet(per, out / "cursor_strategies.parquet", note)]
    files += [draw(table, d, out / f"cursor_map_{lang}.png", lang, tuple(getattr(AXES[x], lang) for x in d.axes),
                   landmarks(d, lang)) for lang in ("en", "fr")]
    files += rules.save(out)
    files.append(_atomic(out / "cursor.md", markdown(table, d, rules, note)))
    return MapResult(table, per, rules, note, files)


def landmarks(d: Design, lang: str) -> list[tuple[str, float, float]]:
    """(title, value on the first axis, on the second) of the shipped contexts in :data:`LANDMARKS`."""
    from tranqsim.loading import available, load_context

    out = []
    for name in LANDMARKS:
        if name in available("contexts"):
            ctx = load_context(name)[0]
            out.append((getattr(ctx.title, lang).split(" (")[0],
                        *(float(_get(ctx, AXES[x].fields[0])) for x in d.axes)))
    return out


def _parquet(df: pd.DataFrame, path: Path, note: str) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.Table.from_pandas(df, preserve_index=False)
    t = t.replace_schema_metadata({**(t.schema.metadata or {}), b"tranqsim.note": note.encode()})
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(t, tmp)
    os.replace(tmp, path)
    return path


def _atomic(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def markdown(table: pd.DataFrame, d: Design, rules, note: str) -> str:
    a, b = d.axes
    lines = ["# The cursor map: the best strategy per territory", "",
             f"**Parameter sets:** {note}.", "",
             f"Best = least expected regret on {d.metric} (against the best strategy of each parameter set)"
             + (f", among the strategies costing the landlord at most EUR {d.budget:g} per dwelling a year "
                "(and the status quo)" if d.budget is not None else "") + "; "
             "P(best) = share of draws (parameter set x seed, common random numbers) in which it is best.", "",
             f"| {a} | {b} | best | P(best) | P(best), set means | expected regret | runner-up | "
             "landlord €/dw./yr | public €/dw./yr |", "|---:|---:|---|---:|---:|---:|---|---:|---:|"]
    for r in table.itertuples(index=False):
        lines.append(f"| {getattr(r, a):g} | {getattr(r, b):g} | {r.best} | {100 * r.p_best:.0f}% | "
                     f"{100 * r.p_best_sets:.0f}% | {r.expected_regret:.2f} | {r.runner_up} "
                     f"({100 * r.runner_up_p_best:.0f}%) | {r.landlord_cost_eur:.0f} | {r.public_cost_eur:.0f} |")
    lines += ["", "## Scenario discovery (PRIM)", "", rules.markdown(), ""]
    return "\n".join(lines)
