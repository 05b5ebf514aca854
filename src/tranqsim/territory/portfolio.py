"""A whole housing stock: many estates, each with its context and strategy, and the landlord's totals.

A landlord sets its tranquillity budget across tens of estates (issue 20, item 4). A portfolio
is read from either

- a YAML file listing the estates (paths relative to the file, or shipped names)::

      title: Our stock
      estates:
        - {name: Les Tilleuls, context: estates/tilleuls.yaml, strategy: estates/strategies/tilleuls_current.yaml}
        - {name: Centre, context: priority_estate, strategy: social_prevention}

  (``strategy`` defaults to ``proximity_management``, close management); or
- a folder written by ``tranqsim territory build`` from a register with many estates: every
  estate's context with its status-quo strategy (``strategies/<estate>_current.yaml``).

Every estate runs alone, exactly as ``tranqsim run --context C --strategy S --seed s`` would
(estate ``i`` gets seed ``1000 * seed + i``: independent estates, each rerunnable alone), in
this process or on any ``concurrent.futures`` executor (a process pool, Dask's). The landlord's
figures are sums and weighted means of the estates' own last-12-month summaries
(:mod:`tranqsim.metrics`): costs and incidents per year are summed (per-dwelling figures times
dwellings), shares (feeling insecure, victimised) and the tranquillity index are weighted by
households (occupied dwellings at the end of the run), so the stock's figure is that of its
average household, not of its average estate.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tranqsim.errors import ScenarioError

TERRITORY_MARKER = "tranqsim-territory.json"
PORTFOLIO_MARKER = "tranqsim-portfolio.json"
DEFAULT_STRATEGY = "proximity_management"
#: summary keys copied per estate (see tranqsim.metrics.summary)
KEPT = ("dwellings", "households", "cost_per_dwelling_eur", "public_cost_per_dwelling_eur",
        "incidents_per_1000_dwellings", "insecurity_share", "victimisation_rate", "turnover_rate",
        "vacancy_rate", "tranquillity_index", "trust_landlord_mean", "disorder_index")
#: the shares and indices the stock reports as household-weighted means
WEIGHTED = ("insecurity_share", "victimisation_rate", "turnover_rate", "vacancy_rate",
            "tranquillity_index", "trust_landlord_mean", "disorder_index")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EstateEntry(_Strict):
    name: str = Field(..., min_length=1, max_length=120, description="the estate's name (the landlord's)")
    context: str = Field(..., min_length=1, description="context file (relative to the portfolio file) "
                                                        "or shipped context name")
    strategy: str = Field(DEFAULT_STRATEGY, min_length=1, description="strategy file or shipped name")


class PortfolioFile(_Strict):
    title: str = ""
    description: str = ""
    estates: list[EstateEntry] = Field(..., min_length=1, max_length=1000)


@dataclass
class Estate:
    name: str
    context: str  # path (resolved) or shipped name, as load_scenario takes it
    strategy: str
    dwellings: int


@dataclass
class Portfolio:
    title: str
    source: str  # as shown in messages
    estates: list[Estate]

    @property
    def dwellings(self) -> int:
        return sum(e.dwellings for e in self.estates)


def _ref(raw: str, base: Path) -> str:
    """A file reference relative to the portfolio's folder; a shipped name as it is."""
    if raw.endswith((".yaml", ".yml")) or "/" in raw:
        p = Path(raw)
        return str(p if p.is_absolute() else base / p)
    return raw


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and check a portfolio (a YAML file or a ``territory build`` folder); every context
    and strategy is loaded and validated, so a bad one is refused before anything runs."""
    path = Path(path)
    if path.is_dir():
        return _from_territory(path)
    from tranqsim.loading import read_yaml, validate
    from tranqsim.field_errors import _walk

    data, node, shown = read_yaml(path)
    pf = validate(PortfolioFile, data, node, shown, ())
    estates, seen = [], set()
    for i, e in enumerate(pf.estates):
        line = _walk(node, ("estates", i))[0]
        at = f"{shown}:{line}" if line is not None else shown
        if e.name in seen:
            raise ScenarioError(f"{at}: estates[{i}].name: estate {e.name!r} is listed twice")
        seen.add(e.name)
        where = {}
        for key in ("context", "strategy"):
            kl = _walk(node, ("estates", i, key))[0] if key in e.model_fields_set else line
            where[key] = f"{shown}:{kl}: estates[{i}].{key} ({e.name})" if kl is not None else shown
        estates.append(_estate(e.name, _ref(e.context, path.parent), _ref(e.strategy, path.parent),
                               where["context"], where["strategy"]))
    return Portfolio(pf.title or path.stem, shown, estates)


def _from_territory(folder: Path) -> Portfolio:
    if not (folder / TERRITORY_MARKER).is_file():
        raise ScenarioError(f"{folder}: not a portfolio: give a YAML file listing the estates, or a "
                            f"folder written by `tranqsim territory build` (it holds {TERRITORY_MARKER})")
    estates = []
    for ctx in sorted(folder.glob("*.yaml")):
        if ctx.name == "sweep.yaml":
            continue
        strat = folder / "strategies" / f"{ctx.stem}_current.yaml"
        from tranqsim.loading import read_yaml

        data = read_yaml(ctx)[0]
        title = data.get("title", {}).get("en", ctx.stem) if isinstance(data, dict) else ctx.stem
        name = str(title).removesuffix(" (landlord's register)")
        estates.append(_estate(name, str(ctx), str(strat) if strat.is_file() else DEFAULT_STRATEGY,
                               f"{folder}: {ctx.name}", f"{folder}: {strat.name}"))
    if not estates:
        raise ScenarioError(f"{folder}: no estate context in this territory folder")
    return Portfolio(folder.name, str(folder), estates)


def _estate(name: str, context: str, strategy: str, at_context: str, at_strategy: str) -> Estate:
    from tranqsim.loading import load_context, load_strategy

    try:
        ctx, _ = load_context(context, origin="context")
    except ScenarioError as exc:
        raise ScenarioError(f"{at_context}: {exc}") from None
    try:
        load_strategy(strategy, origin="strategy")
    except ScenarioError as exc:
        raise ScenarioError(f"{at_strategy}: {exc}") from None
    return Estate(name, context, strategy, int(ctx.estate.dwellings))


def estate_seed(seed: int, index: int) -> int:
    """Estate ``index``'s seed: ``1000 * seed + index`` (a portfolio holds at most 1,000)."""
    return (1000 * seed + index) % 2**63


def run_estate(job: dict) -> dict:
    """One estate's run (picklable, for a worker): its row of figures."""
    from tranqsim.loading import load_scenario
    from tranqsim.simulation import simulate

    sc = load_scenario(context=job["context"], strategy=job["strategy"], years=job["years"],
                       seed=job["seed"], **({"parameters": job["parameters"]} if job.get("parameters") else {}))
    return estate_row(job, simulate(sc).summary)


def estate_row(job: dict, s: dict) -> dict:
    """An estate's row: the kept summary figures, and its landlord's totals per year."""
    row = {"estate": job["estate"], "context": s["context"], "strategy": s["strategy"],
           "seed": job["seed"], **{k: s[k] for k in KEPT}}
    row["landlord_cost_eur"] = s["cost_per_dwelling_eur"] * s["dwellings"]
    row["public_cost_eur"] = s["public_cost_per_dwelling_eur"] * s["dwellings"]
    row["incidents_per_year"] = s["incidents_per_1000_dwellings"] * s["dwellings"] / 1000
    row.update({f"cost_eur.{k}": v for k, v in s["cost_by_lever_eur"].items()})
    return row


def jobs(pf: Portfolio, seed: int, years: float, parameters: dict | None = None) -> list[dict]:
    return [{"estate": e.name, "context": e.context, "strategy": e.strategy, "years": years,
             "seed": estate_seed(seed, i), "parameters": parameters or {}}
            for i, e in enumerate(pf.estates)]


@dataclass
class PortfolioRun:
    portfolio: Portfolio
    seed: int
    years: float
    estates: pd.DataFrame  # one row per estate (estate_row)
    totals: dict = field(default_factory=dict)


def aggregate(estates: pd.DataFrame) -> dict:
    """The landlord's figures: sums, and household-weighted means of the shares and indices."""
    w = estates["households"].astype(float)
    wsum = float(w.sum()) or 1.0
    d = float(estates["dwellings"].sum())
    tot = {"estates": int(len(estates)), "dwellings": int(d), "households": int(w.sum()),
           "landlord_cost_eur": float(estates["landlord_cost_eur"].sum()),
           "public_cost_eur": float(estates["public_cost_eur"].sum()),
           "incidents_per_year": float(estates["incidents_per_year"].sum())}
    tot["landlord_cost_per_dwelling_eur"] = tot["landlord_cost_eur"] / d
    tot["incidents_per_1000_dwellings"] = 1000 * tot["incidents_per_year"] / d
    for k in WEIGHTED:
        tot[k] = float((estates[k] * w).sum() / wsum)
    return tot


def run_portfolio(pf: Portfolio, seed: int = 1, years: float = 3.0, executor: Executor | None = None,
                  parameters: dict | None = None, progress: Callable[[int], None] | None = None) -> PortfolioRun:
    """Run every estate (here, or on ``executor``) and aggregate; rows in the portfolio's order."""
    todo = jobs(pf, seed, years, parameters)
    if executor is None:
        rows = []
        for j in todo:
            rows.append(run_estate(j))
            if progress:
                progress(1)
    else:
        futures = [executor.submit(run_estate, j) for j in todo]
        rows = []
        for f in futures:
            rows.append(f.result())
            if progress:
                progress(1)
    df = pd.DataFrame(rows).fillna({c: 0.0 for c in {c for r in rows for c in r if c.startswith("cost_eur.")}})
    return PortfolioRun(pf, seed, years, df, aggregate(df))


def write(run: PortfolioRun, out: Path, overwrite: bool = False, protect=()) -> None:
    """The run's folder, whole or not at all: estates.parquet and .csv, totals.json, marker."""
    import json
    import shutil

    from tranqsim.outputs import check_folder, replace_folder, temp_sibling, write_marker

    target = check_folder(out, marker=PORTFOLIO_MARKER, written_by="tranqsim run --portfolio",
                          overwrite=overwrite, protect=protect)
    tmp = temp_sibling(target)
    try:
        run.estates.to_parquet(tmp / "estates.parquet", index=False)
        run.estates.to_csv(tmp / "estates.csv", index=False)
        meta = {"portfolio": run.portfolio.title, "source": run.portfolio.source, "seed": run.seed,
                "years": run.years, "totals": run.totals}
        (tmp / "totals.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        write_marker(tmp, PORTFOLIO_MARKER, "tranqsim run --portfolio")
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def describe(run: PortfolioRun, lang: str = "en") -> list[str]:
    """The landlord's figures in plain words (last 12 months of the run)."""
    t = run.totals
    if lang == "fr":
        n = lambda x: f"{x:,.0f}".replace(",", " ")  # noqa: E731 - French thousands separator
        lines = [f"{run.portfolio.title} : {t['estates']} résidences, {n(t['dwellings'])} logements, "
                 f"{run.years:g} ans simulés ; 12 derniers mois :",
                 f"  coût pour le bailleur        {n(t['landlord_cost_eur'])} €/an "
                 f"({n(t['landlord_cost_per_dwelling_eur'])} €/logement)",
                 f"  incidents                    {n(t['incidents_per_year'])}/an "
                 f"({n(t['incidents_per_1000_dwellings'])} pour 1 000 logements)",
                 f"  ménages en insécurité        {t['insecurity_share']:.1%} (moyenne pondérée par les ménages)"]
    else:
        lines = [f"{run.portfolio.title}: {t['estates']} estates, {t['dwellings']:,} dwellings, "
                 f"{run.years:g} years simulated; last 12 months:",
                 f"  landlord cost                {t['landlord_cost_eur']:,.0f} EUR/yr "
                 f"({t['landlord_cost_per_dwelling_eur']:.0f} EUR/dwelling)",
                 f"  incidents                    {t['incidents_per_year']:,.0f}/yr "
                 f"({t['incidents_per_1000_dwellings']:.0f} per 1,000 dwellings)",
                 f"  households feeling insecure  {t['insecurity_share']:.1%} (household-weighted)"]
    head = (("résidence", "logements", "coût €/an", "incidents/an", "insécurité") if lang == "fr" else
            ("estate", "dwellings", "cost EUR/yr", "incidents/yr", "insecure"))
    lines.append(f"    {head[0]:<28} {head[1]:>9} {head[2]:>12} {head[3]:>12} {head[4]:>9}")
    for _, r in run.estates.iterrows():
        lines.append(f"    {r['estate'][:28]:<28} {r['dwellings']:>9} "
                     f"{r['landlord_cost_eur']:>12,.0f} {r['incidents_per_year']:>12.0f} "
                     f"{r['insecurity_share']:>9.1%}")
    return lines
