"""A finished run: summary, tables, and saving them atomically to a folder.

``Result.save(dir)`` writes ``summary.json``, ``timeseries.parquet``, ``incidents.parquet``,
``households.parquet``, ``places.parquet``, ``costs.parquet``, ``scenario.resolved.yaml`` and
PNG plots and a ``tranqsim-run.json`` marker into a temporary sibling folder, then renames it
into place: a crash or a bad input never leaves a half-written run folder. An existing ``dir``
is replaced only if it is an earlier run folder holding nothing but what tranqsim wrote (or
with ``overwrite``), never if it is not a folder or holds an input (see ``tranqsim.outputs``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tranqsim.estate import KIND_NAMES, STATUS_NAMES
from tranqsim.incidents import HANDLERS, PHASES, TYPE_NAMES
from tranqsim.outputs import RUN_MARKER, check_folder, replace_folder, temp_sibling, write_marker


@dataclass
class Result:
    scenario: object
    summary: dict
    timeseries: pd.DataFrame
    incidents: pd.DataFrame
    households: pd.DataFrame
    places: pd.DataFrame
    costs: pd.DataFrame
    lever_windows: list[dict] = field(default_factory=list)
    version: str = ""

    @classmethod
    def from_model(cls, model) -> Result:
        from tranqsim.version import __version__
        from tranqsim.metrics import summary

        return cls(model.spec, summary(model.state), model.recorder.frame(), incidents_frame(model),
                   households_frame(model), places_frame(model),
                   model.recorder.costs_frame(model.cost_keys).assign(day=lambda df: np.arange(len(df))),
                   [{"lever": lv.name, "start": lv.config.start, "end": lv.config.end}
                    for lv in model.levers], __version__)

    def resolved_scenario(self) -> dict:
        sc = self.scenario
        return {"tranqsim_version": self.version,
                "context_name": sc.context_name, "strategy_name": sc.strategy_name,
                "context": sc.context.model_dump(mode="json"),
                "strategy": sc.strategy.model_dump(mode="json", exclude_none=True),
                "run": sc.run.model_dump(mode="json"), "parameters": dict(sc.parameters)}

    def save(self, out: str | Path, plots: bool = True, overwrite: bool = False,
             protect: Iterable[str | Path] = ()) -> Path:
        """Write every output into the folder ``out``, replacing an earlier run folder as a whole.

        Raises :class:`~tranqsim.outputs.OutputError`, having written nothing, when ``out`` may
        not be written: see :func:`tranqsim.outputs.check_folder` (``protect``: input files).
        """
        out = Path(out)
        target = check_folder(out, marker=RUN_MARKER, written_by="tranqsim run", overwrite=overwrite,
                              protect=protect)
        tmp = temp_sibling(target)
        try:
            from tranqsim.rounding import rounded  # 6 significant digits: no float noise in the JSON

            (tmp / "summary.json").write_text(json.dumps(rounded(self.summary), indent=2,
                                                         ensure_ascii=False) + "\n")
            self.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
            self.incidents.to_parquet(tmp / "incidents.parquet", index=False)
            self.households.to_parquet(tmp / "households.parquet", index=False)
            self.places.to_parquet(tmp / "places.parquet", index=False)
            self.costs.to_parquet(tmp / "costs.parquet", index=False)
            resolved = self.resolved_scenario()
            header = (f"# tranqsim {self.version}: {self.scenario.context_name} x "
                      f"{self.scenario.strategy_name}, seed {self.scenario.run.seed}\n"
                      "# rerun with: tranqsim run scenario.resolved.yaml\n")
            (tmp / "scenario.resolved.yaml").write_text(
                header + yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True))
            if plots:
                from tranqsim.plots import save_run_plots

                save_run_plots(self, tmp)
            write_marker(tmp, RUN_MARKER, "tranqsim run")
            replace_folder(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out


def incidents_frame(model) -> pd.DataFrame:
    lay = model.layout
    if model.events:
        days, *cols = zip(*model.events)
        place, typ, phase, wit, rep, handler = (np.concatenate(c) for c in cols)
        day = np.repeat(np.array(days, np.int32), [c.size for c in cols[0]])
    else:
        day = place = np.empty(0, np.int32)
        typ = phase = handler = np.empty(0, np.int8)
        wit = rep = np.empty(0, bool)
    return pd.DataFrame({
        "day": day, "place_id": place, "building_id": lay.building[place].astype(np.int32),
        "x": lay.x[place].astype(np.int16), "y": lay.y[place].astype(np.int16),
        "type": pd.Categorical.from_codes(typ, TYPE_NAMES),
        "phase": pd.Categorical.from_codes(phase, list(PHASES)),
        "witnessed": wit, "reported": rep,
        "handled_by": pd.Categorical.from_codes(handler, list(HANDLERS)),
    })


def households_frame(model) -> pd.DataFrame:
    hh, lay, d = model.households, model.layout, model.day
    occ = hh.occupied
    return pd.DataFrame({
        "dwelling": np.arange(hh.n), "household_id": hh.household_id,
        "occupied": occ, "squatted": hh.squatted,
        "hall_place_id": lay.hall_places[hh.hall], "building_id": hh.building,
        "deprived": hh.deprived & occ, "means": np.where(occ, hh.means, np.nan),
        "fear": np.where(occ, hh.fear, np.nan), "feels_insecure": (hh.fear > 0.5) & occ,
        "victimised_12m": occ & (d - hh.last_victim < 365),
        "satisfaction": np.where(occ, hh.satisfaction, np.nan),
        "trust_landlord": np.where(occ, hh.trust_landlord, np.nan),
        "trust_police": np.where(occ, hh.trust_police, np.nan),
        "tenure_days": np.where(occ, d - hh.move_in, -1),
        "disruptive": hh.disruptive & occ,
    })


def places_frame(model) -> pd.DataFrame:
    lay = model.layout
    status = model.status.copy()
    return pd.DataFrame({
        "place_id": np.arange(lay.n_places),
        "kind": pd.Categorical.from_codes(lay.kind, KIND_NAMES),
        "building_id": lay.building, "x": lay.x, "y": lay.y,
        "disorder": model.disorder.copy(), "attractiveness": model.attractiveness.copy(),
        "surveillance": model.surveillance.copy(),
        "status": pd.Categorical.from_codes(np.where(status >= 0, status, -1), STATUS_NAMES),
        "incidents_12m": model.incidents_12m.copy(),
    })
