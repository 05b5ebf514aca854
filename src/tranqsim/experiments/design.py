"""Design points: the scenarios and factor values an experiment runs, in a fixed order.

- ``strategies``: every context x strategy (the table strategists read);
- ``grid``: the full product of factor values, in every context x strategy;
- ``lhs``: a scrambled Latin hypercube of ``samples`` points (scipy.stats.qmc);
- ``sobol``: Saltelli's scheme for first and total Sobol' indices (SALib, no second order),
  ``samples`` x (D + 2) points;
- ``morris``: ``samples`` elementary-effect trajectories (SALib), ``samples`` x (D + 1) points.
Sampled designs draw from the master seed, so the same file gives the same points.

Every point is crossed with the experiment's strategies *and variants* (a variant runs as a
strategy of its own name, its lever changes carried in the point as ``levers.*`` values and
its base as ``variant_of``) and, when parameter sets were resolved, with the sets: a point
carries ``parameter_set`` (the id, a column of the runs table) and the set's values as
``parameters.*`` entries (the runner applies them as overrides; an experiment factor on the
same parameter wins). Seeds do not depend on the point (:func:`replicate_seed`): replicate
``k`` runs with the same seed for every strategy and parameter set (common random numbers).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from tranqsim.experiments.spec import Experiment


def salib_problem(exp: Experiment) -> dict:
    names = list(exp.factors)
    bounds = []
    for f in exp.factors.values():
        lo, hi = (np.log(f.low), np.log(f.high)) if f.distribution == "loguniform" else (f.low, f.high)
        bounds.append([lo, hi])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _unit_to_values(exp: Experiment, unit: np.ndarray) -> list[dict]:
    out = []
    for row in unit:
        point = {}
        for u, (name, f) in zip(row, exp.factors.items()):
            if f.distribution == "loguniform":
                v = float(np.exp(np.log(f.low) + u * (np.log(f.high) - np.log(f.low))))
            else:
                v = float(f.low + u * (f.high - f.low))
            point[name] = int(round(v)) if f.integer else v
        out.append(point)
    return out


def factor_points(exp: Experiment) -> list[dict]:
    """Factor values per point (without context and strategy)."""
    if exp.design == "strategies" or not exp.factors:
        return [{}]
    if exp.design == "grid":
        names = list(exp.factors)
        return [dict(zip(names, combo)) for combo in
                itertools.product(*(exp.factors[n].values for n in names))]
    d = len(exp.factors)
    if exp.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(exp.seed)).random(exp.samples)
        return _unit_to_values(exp, unit)
    problem = salib_problem(exp)
    raw = salib_sample(exp)
    lows = np.array([b[0] for b in problem["bounds"]])
    highs = np.array([b[1] for b in problem["bounds"]])
    return _unit_to_values(exp, (raw - lows) / (highs - lows))


def count_factor_points(exp: Experiment) -> int:
    """How many rows ``factor_points`` returns, from the spec alone (nothing is sampled), so a
    huge design is refused before it is built."""
    if exp.design == "strategies" or not exp.factors:
        return 1
    if exp.design == "grid":
        return math.prod(len(f.values) for f in exp.factors.values())
    d = len(exp.factors)
    return {"lhs": exp.samples, "sobol": exp.samples * (d + 2), "morris": exp.samples * (d + 1)}[exp.design]


def count_points(exp: Experiment) -> int:
    """How many points ``design_points`` returns (an upper bound on distinct ones: a sampled
    design may repeat a point)."""
    sets = len(exp.parameter_sets.sets) if exp.parameter_sets is not None else 1
    return len(scenario_entries(exp)) * count_factor_points(exp) * sets


def salib_sample(exp: Experiment) -> np.ndarray:
    """SALib's sample matrix of a sobol or morris design, in the problem's units (log for
    loguniform factors), rows in design order: what ``SALib.analyze`` expects back."""
    problem = salib_problem(exp)
    if exp.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, exp.samples, calc_second_order=False, seed=exp.seed)
    if exp.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, exp.samples, seed=exp.seed)
    raise ValueError(f"design {exp.design!r} has no SALib sample")


def strategy_entries(exp: Experiment) -> list[dict]:
    """The strategies, then the variants, each as the point entries that make it."""
    out = [{"strategy": s} for s in exp.strategies]
    for name, v in exp.variants.items():
        entry = {"strategy": name, "variant_of": v.of}
        for lever, fields in v.levers.items():
            # a lever with nothing to set (dispute_mediation: {}) is switched on by its window
            entry.update({f"levers.{lever}.{f}": val for f, val in (fields or {"start": 0}).items()})
        if v.organisation:
            entry["organisation"] = v.organisation
        out.append(entry)
    return out


def set_entries(exp: Experiment) -> list[dict]:
    """The parameter sets as point entries ([{}] when none were resolved: a point as before)."""
    if exp.parameter_sets is None:
        return [{}]
    return [{"parameter_set": ps.id, **{f"parameters.{n}": v for n, v in ps.values.items()}}
            for ps in exp.parameter_sets.sets]


def design_points(exp: Experiment) -> list[dict]:
    """Every point: context, strategy (or variant), parameter set, ``--set`` values and factor
    values, in a stable order (later entries win: a ``--set`` value or a factor replaces a
    parameter set's value of the same parameter)."""
    fixed = dict(exp.fixed)  # `--set` values: every point, under the factors of the design
    fps = factor_points(exp)
    return [{**sc, **ps, **fixed, **fp}
            for sc in scenario_entries(exp) for ps in set_entries(exp) for fp in fps]


def scenario_entries(exp: Experiment) -> list[dict]:
    """Every context x strategy (and variant); for a portfolio (experiments.spec), every estate
    under its own strategy, or under each listed strategy, with its ``estate`` name."""
    if exp.estates is None:
        return [{"context": c, **st} for c in exp.contexts for st in strategy_entries(exp)]
    return [{"context": e.context, "estate": e.name, **st} for e in exp.estates
            for st in ([{"strategy": e.strategy}] if e.strategy else strategy_entries(exp))]


#: replicates per master seed: an experiment has at most 10,000 (``Experiment.replicates``), so
#: replicate seeds of two master seeds never overlap
SEEDS_PER_MASTER = 10_000


def replicate_seed(master: int, replicate: int) -> int:
    """The seed of replicate ``k``: ``master * 10,000 + k``, the same at every design point
    (common random numbers). A small integer one can read and retype: master seed 1 gives
    replicates 10000, 10001, ...; ``tranqsim run --seed 10001`` reruns replicate 1 alone.
    Streams of nearby seeds are independent all the same: every run expands its seed through
    numpy's ``SeedSequence`` (tranqsim.rng), which hashes it."""
    if not 0 <= replicate < SEEDS_PER_MASTER:
        raise ValueError(f"replicate {replicate} outside [0, {SEEDS_PER_MASTER})")
    return (master * SEEDS_PER_MASTER + replicate) % 2**63


def spawned_seed(master: int, replicate: int) -> int:
    """The former replicate seed (a 63-bit number spawned by numpy's ``SeedSequence``), kept for
    the validation and calibration replicates, whose shipped results were drawn with it."""
    return int(np.random.SeedSequence(entropy=master, spawn_key=(replicate,)).generate_state(1, np.uint64)[0]
               >> np.uint64(1))
