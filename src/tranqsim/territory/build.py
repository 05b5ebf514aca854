"""``tranqsim territory build``: read the landlord's files, fit each estate, write the folder.

Everything is read and checked, and every estate fitted, before anything is written; the
output folder is then written whole (a temporary sibling renamed into place), or not at all:

    DIR/<estate>.yaml                 one context per estate (tranqsim run --context DIR/<estate>.yaml)
    DIR/strategies/<estate>_current.yaml   the status quo (register's caretaker posts)
    DIR/fit_report.md, fit_report.csv      observed against simulated, with intervals
    DIR/sweep.yaml                    an experiment: every estate x a few strategies x 20 parameter sets
    DIR/tranqsim-territory.json       marker (what wrote the folder, and from which inputs)
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import ValidationError

from tranqsim.config import Context
from tranqsim.loading import ScenarioError, field_message

from tranqsim.incidents import T
from tranqsim.outputs import check_folder, replace_folder, safe_name, temp_sibling, write_marker
from tranqsim.territory import contexts, fit_report, fit_runs, fitting
from tranqsim.territory.readers import read_incidents, read_mapping, read_register, read_survey

MARKER = "tranqsim-territory.json"
SWEEP_STRATEGIES = ("withdrawal", "proximity_management", "social_prevention", "situational_prevention",
                    "global_approach")
#: parameter sets of the shipped ensemble the written sweep.yaml runs, 1 replicate each (as
#: experiments/strategy_spectrum.yaml: sets before replicates). Every set (50) costs 2.5 times
#: more runs, 4 replicates of every set (what it wrote before) 10 times more: too many for a stock
#: of tens of estates; ``tranqsim sweep --ensemble shipped`` asks for every set.
SWEEP_SETS = 20


@dataclass
class Built:
    out: Path
    contexts: list[Path]
    notes: list[str]  # what was read, detected and ignored (for the terminal)
    fits: list


def build(register: Path, incidents: Path, out: Path, survey: Path | None = None,
          mapping: Path | None = None, *, rounds: int = 5, replicates: int = 4,
          final_replicates: int = 12, seed: int = 1, overwrite: bool = False,
          progress=None) -> Built:
    inputs = [p for p in (register, incidents, survey, mapping) if p is not None]
    target = check_folder(out, marker=MARKER, written_by="tranqsim territory build",
                          overwrite=overwrite, protect=inputs)
    reg = read_register(register)
    mp = read_mapping(mapping)
    log = read_incidents(incidents, reg, mp)
    sv = read_survey(survey, reg) if survey is not None else None
    notes = [f"{reg.shown}: {sum(len(b) for b in reg.estates.values())} buildings in "
             f"{len(reg.estates)} estates ({reg.encoding})",
             f"{log.shown}: {log.rows} rows from {log.start:%d/%m/%Y} to {log.end:%d/%m/%Y} "
             f"({log.days} days, {log.encoding}); {sum(log.left_out.values())} rows of categories "
             "mapped to null (not modelled) left out"]
    for shown, ignored in ((reg.shown, reg.ignored), (log.shown, log.ignored),
                           *(((sv.shown, sv.ignored),) if sv else ())):
        if ignored:
            notes.append(f"{shown}: columns not read: {', '.join(repr(c) for c in ignored)}")
    for estate, blds in reg.estates.items():  # every estate must make a context, before any fit
        try:
            contexts.context(estate, blds, contexts.Theta())
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(map(str, err["loc"]))
            raise ScenarioError(f"{reg.shown}:{blds[0].line}: estate {estate!r} cannot be simulated: "
                                f"{where}: {field_message(err, Context, tuple(err['loc']))}") from None
    fits = []
    for estate, blds in reg.estates.items():
        by_type, by_building = np.zeros(T), np.zeros(len(blds))
        bg_by_building = np.zeros(len(blds))
        background = set(int(t) for t in fit_runs.BACKGROUND_TYPES)
        for b, t, _m in log.records.get(estate, []):
            by_type[t] += 1
            by_building[b] += 1
            bg_by_building[b] += t in background
        obs = fit_runs.Observed(estate, blds, log.days, by_type, by_building,
                                dict(sv.figures.get(estate, {})) if sv else {}, bg_by_building)
        fits.append(fitting.fit(obs, contexts.strategy(estate, blds), rounds=rounds,
                                replicates=replicates, final_replicates=final_replicates, seed=seed,
                                recorded=mp.recorded, progress=progress))
    tmp = temp_sibling(target)
    written = []
    try:
        (tmp / "strategies").mkdir()
        names = {}
        for f in fits:
            e = f.observed.estate
            name = safe_name(e)
            if name in names.values():
                name = f"{name}_{len(names) + 1}"
            names[e] = name
            ctx = contexts.context_dict(e, f.observed.buildings, f.theta)
            (tmp / f"{name}.yaml").write_text(
                f"# built by tranqsim territory build; see fit_report.md\n"
                + yaml.safe_dump(ctx, sort_keys=False, allow_unicode=True), encoding="utf-8")
            (tmp / "strategies" / f"{name}_current.yaml").write_text(
                yaml.safe_dump(contexts.strategy_dict(e, f.observed.buildings), sort_keys=False,
                               allow_unicode=True), encoding="utf-8")
            written.append(out / f"{name}.yaml")
        sources = {"register": reg.shown, "incident log": log.shown, "mapping": mp.shown}
        if sv:
            sources["survey"] = sv.shown
        settings = {"rounds": rounds, "replicates": replicates, "final_replicates": final_replicates,
                    "recorded": mp.recorded}
        fit_report.table(fits).to_csv(tmp / "fit_report.csv", index=False)
        (tmp / "fit_report.md").write_text(fit_report.markdown(fits, sources, settings), encoding="utf-8")
        sweep = {"description": "Every estate of the register under a few strategies (built by "
                                "tranqsim territory build); the context paths are as --out was given. "
                                f"{SWEEP_SETS} parameter sets of the calibrated ensemble x 1 replicate: "
                                "parameter uncertainty, not seed noise, is what a comparison must carry.",
                 "contexts": [str(out / f"{n}.yaml") for n in names.values()],
                 "strategies": list(SWEEP_STRATEGIES), "design": "strategies", "replicates": 1,
                 "ensemble": f"shipped:{SWEEP_SETS}", "years": 3, "seed": 2026}
        (tmp / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False), encoding="utf-8")
        (tmp / "inputs.json").write_text(json.dumps({**sources, "settings": settings}, indent=2,
                                                    ensure_ascii=False) + "\n")
        write_marker(tmp, MARKER, "tranqsim territory build")
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Built(out, written, notes, fits)
