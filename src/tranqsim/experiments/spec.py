"""Experiment files: which scenarios, which factors, which design, how many replicates.

A factor is named by where it acts: ``parameters.NAME`` (the parameter table),
``levers.LEVER.FIELD`` (a lever of the strategy, switched on if absent), ``context.SECTION.FIELD``
(the territory) or ``organisation``. A factor takes a list of ``values`` (grid designs) or a
range ``low``/``high`` with a ``distribution`` (sampled designs: Latin hypercube, Sobol',
Morris). Validated like scenario files: one ``file:line: field: message`` line and exit 2.

Parameter uncertainty: ``ensemble: shipped | none | PATH`` crosses every design point with the
parameter sets of an ensemble (:mod:`tranqsim.ensemble`); replicate ``k`` keeps the same seed
in every set (common random numbers). ``load_experiment`` (or the runner, for an experiment
built in code) resolves it into ``parameter_sets``, recorded in the sweep's manifest, so a
stored sweep keeps the sets it ran with whatever is shipped later. Default: ``shipped``
(which is the central set alone, saying so, until the calibrated ensemble is shipped);
``none`` for Sobol' and Morris designs, whose sample matrix is already the parameter variation.

Variants: ``variants: {NAME: {of: STRATEGY, levers: {...}, organisation: ...}}`` adds
strategies built from a listed one by adding or changing levers ("status quo plus one lever");
they run as strategies named NAME.

Portfolio: ``portfolio: PATH`` (a portfolio file or a ``territory build`` folder, relative to
the experiment file; :mod:`tranqsim.territory.portfolio`) runs every estate of a landlord's
stock: its estates replace ``contexts`` (give one or the other), each under its own strategy,
or, when ``strategies`` are listed too, each under every listed strategy (and variant). Rows
carry an ``estate`` column; ``load_experiment`` records the resolved estates in ``estates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

from tranqsim.config import Context
from tranqsim.levers import REGISTRY
from tranqsim.params import PARAMS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Factor(_Strict):
    values: list[float | int | str] | None = Field(None, min_length=1, description="grid values")
    low: float | None = None
    high: float | None = None
    distribution: Literal["uniform", "loguniform"] = "uniform"
    integer: bool = Field(False, description="round sampled values to integers")

    @model_validator(mode="after")
    def _one_form(self):
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give either values: [...] or low and high")
        if self.low is not None and self.high is not None:
            if self.high <= self.low:
                raise ValueError(f"high ({self.high}) must be above low ({self.low})")
            if self.distribution == "loguniform" and self.low <= 0:
                raise ValueError("a loguniform range needs low > 0")
        return self


Design = Literal["strategies", "grid", "lhs", "sobol", "morris"]
SAMPLED = ("lhs", "sobol", "morris")


class ParameterSet(_Strict):
    id: str = Field(..., min_length=1)
    values: dict[str, float] = Field(default_factory=dict)


class ResolvedEnsemble(_Strict):
    """The parameter sets an experiment runs with, and what they represent (filled by
    ``load_experiment`` from ``ensemble``; recorded in the manifest)."""

    note: str
    calibrated: bool
    method: str = ""
    source: str = ""
    sets: list[ParameterSet] = Field(..., min_length=1)


class Variant(_Strict):
    """A strategy built from a listed one: its levers added or changed, its organisation."""

    of: str = Field(..., description="the strategy it starts from (listed in strategies)")
    levers: dict[str, dict[str, float | int | str | None]] = Field(
        default_factory=dict, description="lever -> fields merged into the base's config")
    organisation: Literal["none", "integrated", "dedicated"] | None = None
    summary: str = Field("", description="what it changes from its base, and why")

    @field_validator("levers")
    @classmethod
    def _known_levers(cls, v):
        for name, fields in v.items():
            if name not in REGISTRY:
                raise ValueError(f"unknown lever {name!r} (known: {', '.join(REGISTRY)})")
            bad = [f for f in fields if f not in REGISTRY[name].Config.model_fields]
            if bad:
                raise ValueError(f"lever {name!r} has no field {bad[0]!r}")
        return v


class PortfolioEstate(_Strict):
    """An estate of a portfolio, as resolved when the experiment was loaded."""

    name: str
    context: str
    strategy: str | None = Field(None, description="its own strategy (None: the listed strategies)")


class Experiment(_Strict):
    """An experiment: scenarios x factors x design x replicates."""

    description: str = ""
    contexts: list[str] = Field(["priority_estate"], min_length=1)
    strategies: list[str] = Field(["proximity_management"], min_length=1)
    design: Design = "strategies"
    factors: dict[str, Factor] = Field(default_factory=dict)
    fixed: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="values set at every design point, named as factors are "
        "(`tranqsim sweep --set KEY=VALUE` puts them here)")
    samples: int = Field(16, ge=1, le=100000, description="lhs: points; sobol: base N; morris: trajectories")
    replicates: int = Field(5, ge=1, le=10000)
    years: float = Field(5, gt=0, le=50)
    seed: int = Field(1, ge=0, le=2**63 - 1, description="master seed: replicate k has the same seed "
                                                          "at every design point")
    metrics: list[str] | None = Field(None, description="summary keys to keep (default: all scalars)")
    timeseries: bool = Field(False, description="also store the daily series of each run")
    variants: dict[str, Variant] = Field(default_factory=dict,
                                         description="strategies built from a listed one (run after it)")
    ensemble: str | None = Field(None, description="shipped | none | PATH: the parameter sets every point "
                                 "runs with (default: shipped; none for sobol and morris designs)")
    parameter_sets: ResolvedEnsemble | None = Field(
        None, description="filled from `ensemble` when the file is loaded; not written by hand")
    portfolio: str | None = Field(None, description="a portfolio file or `territory build` folder: "
                                  "its estates replace contexts (see the module docstring)")
    estates: list[PortfolioEstate] | None = Field(
        None, description="filled from `portfolio` when the file is loaded; not written by hand")

    @model_serializer(mode="wrap")
    def _without_portfolio_when_none(self, handler):
        # an experiment without a portfolio dumps as before: its manifest, spec hash and run
        # ids stay those of earlier versions (a stored sweep resumes; earlier versions read it)
        data = handler(self)
        if self.portfolio is None and isinstance(data, dict):
            data.pop("portfolio", None)
            data.pop("estates", None)
        return data

    @model_validator(mode="after")
    def _portfolio_or_contexts(self):
        if self.portfolio is not None and self.estates is None and "contexts" in self.model_fields_set:
            raise ValueError("give either portfolio (its estates are the contexts) or contexts, not both")
        return self

    @model_validator(mode="after")
    def _ensemble_default(self):
        if self.ensemble is None:
            self.ensemble = "none" if self.design in ("sobol", "morris") else "shipped"
        elif self.design in ("sobol", "morris") and self.ensemble != "none":
            raise ValueError(f"design {self.design!r} varies the parameters itself (its sample matrix): "
                             "set ensemble: none")
        return self

    @model_validator(mode="after")
    def _variants_build_on_listed(self):
        for name, v in self.variants.items():
            if name in self.strategies:
                raise ValueError(f"variant {name!r} has the name of a listed strategy")
            if v.of not in self.strategies:
                raise ValueError(f"variant {name!r} builds on {v.of!r}, which must be listed in "
                                 "strategies (its file is part of the sweep's identity)")
        return self

    @field_validator("factors", "fixed")
    @classmethod
    def _known_targets(cls, v: dict):
        for name in v:
            check_target(name)
        return v

    @model_validator(mode="after")
    def _within_parameter_ranges(self):
        # a sampled value outside the parameter table's range would fail every such run: refuse
        # the file instead, before anything runs
        for name, f in self.factors.items():
            head, _, rest = name.partition(".")
            if head != "parameters":
                continue
            p = PARAMS[rest]
            vals = [v for v in (f.values or []) + [f.low, f.high] if v is not None]
            bad = [v for v in vals if isinstance(v, str) or not p.low <= v <= p.high]
            if bad:
                raise ValueError(f"factor {name!r}: {bad[0]!r} is outside the parameter's range "
                                 f"[{p.low:g}, {p.high:g}] (see `tranqsim params`)")
        return self

    @model_validator(mode="after")
    def _design_needs(self):
        if self.design in SAMPLED:
            if not self.factors:
                raise ValueError(f"design {self.design!r} needs factors with low/high ranges")
            bad = [n for n, f in self.factors.items() if f.low is None]
            if bad:
                raise ValueError(f"design {self.design!r} samples ranges: give low/high for {', '.join(bad)}")
        if self.design == "grid" and not self.factors:
            raise ValueError("design 'grid' needs factors with values")
        if self.design == "grid":
            bad = [n for n, f in self.factors.items() if f.values is None]
            if bad:
                raise ValueError(f"design 'grid' takes values: [...] for {', '.join(bad)}")
        return self


def check_target(name: str) -> None:
    """Raise ValueError unless ``name`` says where a factor acts."""
    head, _, rest = name.partition(".")
    if head == "parameters":
        if rest not in PARAMS:
            raise ValueError(f"unknown parameter {rest!r} in factor {name!r}")
    elif head == "levers":
        lever, _, field = rest.partition(".")
        if lever not in REGISTRY:
            raise ValueError(f"unknown lever {lever!r} in factor {name!r}")
        if field not in REGISTRY[lever].Config.model_fields:
            raise ValueError(f"lever {lever!r} has no field {field!r} (factor {name!r})")
    elif head == "context":
        section, _, field = rest.partition(".")
        sub = Context.model_fields.get(section)
        ann = getattr(sub, "annotation", None)
        if sub is None or not isinstance(ann, type) or field not in getattr(ann, "model_fields", {}):
            raise ValueError(f"unknown context field {rest!r} in factor {name!r}")
    elif name != "organisation":
        raise ValueError(f"factor {name!r} must start with parameters., levers., context. "
                         "or be 'organisation'")


def load_experiment(path: str | Path, replicates: int | None = None, years: float | None = None,
                    ensemble: str | None = None) -> Experiment:
    """Read and validate an experiment file (``--replicates``/``--years``/``--ensemble``
    override it), its parameter sets resolved (see the module docstring)."""
    from tranqsim.loading import ScenarioError, available, load_scenario, read_yaml, validate

    data, node, shown = read_yaml(Path(path))
    exp = validate(Experiment, data, node, shown, ())
    for kind, names in (("contexts", exp.contexts), ("strategies", exp.strategies)):
        for n in names:
            if not (n.endswith((".yaml", ".yml")) or n in available(kind)):
                raise ScenarioError(f"{shown}: {kind}: unknown {kind[:-1] if kind == 'contexts' else 'strategy'} "
                                    f"{n!r} (known: {', '.join(available(kind))})")
    for name, v in exp.variants.items():  # each variant must make a valid strategy
        try:
            load_scenario(strategy=v.of, levers=v.levers, years=exp.years,
                          **({"organisation": v.organisation} if v.organisation else {}))
        except ScenarioError as exc:
            raise ScenarioError(f"{shown}: variants.{name}: {exc}") from None
    if exp.portfolio is not None:
        exp = with_portfolio(exp, Path(path).parent, shown)
    upd = {k: v for k, v in (("replicates", replicates), ("years", years)) if v is not None}
    exp = exp.model_copy(update=upd) if upd else exp
    try:
        return with_ensemble(exp, ensemble, base=Path(path).parent)
    except ScenarioError as exc:
        where = "--ensemble" if ensemble else f"{shown}: ensemble"
        raise ScenarioError(f"{where}: {exc}") from None


def with_portfolio(exp: Experiment, base: Path, shown: str) -> Experiment:
    """``exp`` with its portfolio's estates resolved: contexts are the estates' files, and the
    strategies their own ones unless strategies were listed (then every estate runs each)."""
    from tranqsim.loading import ScenarioError
    from tranqsim.territory.portfolio import load_portfolio

    ref = Path(exp.portfolio)
    try:
        pf = load_portfolio(ref if ref.is_absolute() else base / ref)
    except ScenarioError as exc:
        raise ScenarioError(f"{shown}: portfolio: {exc}") from None
    own = "strategies" not in exp.model_fields_set
    estates = [PortfolioEstate(name=e.name, context=e.context, strategy=e.strategy if own else None)
               for e in pf.estates]
    upd = {"estates": estates, "contexts": list(dict.fromkeys(e.context for e in pf.estates))}
    if own:
        upd["strategies"] = list(dict.fromkeys(e.strategy for e in pf.estates))
    return exp.model_copy(update=upd)


def with_ensemble(exp: Experiment, ref: str | None = None, base: Path | None = None) -> Experiment:
    """``exp`` with its parameter sets resolved from ``ref`` (or its own ``ensemble`` field)."""
    from tranqsim import ensemble as ens_mod

    ref = ref or exp.ensemble
    if exp.design in ("sobol", "morris") and ref != "none":
        from tranqsim.loading import ScenarioError

        raise ScenarioError(f"--ensemble {ref}: design {exp.design!r} varies the parameters itself; "
                            "use ensemble: none")
    ens = ens_mod.resolve(ref, base)
    own = [*exp.factors, *exp.fixed]  # the experiment's own factors and `--set` values
    clash = sorted({n for v in ens.sets.values() for n in v} & {f.partition(".")[2] for f in own
                                                               if f.startswith("parameters.")})
    resolved = ResolvedEnsemble(note=ens.note(), calibrated=ens.calibrated,
                                method=str(ens.provenance.get("method", "")), source=ens.source,
                                sets=[ParameterSet(id=k, values=v) for k, v in ens.sets.items()])
    if clash:  # the experiment's own factor is the deliberate variation: it wins, and says so
        resolved.note += f" (factor or --set values replace the sets' values of {', '.join(clash)})"
    return exp.model_copy(update={"ensemble": ref, "parameter_sets": resolved})
