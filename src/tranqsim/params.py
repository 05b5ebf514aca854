"""The parameter table: every behavioural and cost default, with its unit and its source.

One place holds every number the model uses that is not a property of the territory (those live
in context files) or of the strategy (strategy files). Each entry says where the value comes
from: a published figure (``source``), or an assumption awaiting calibration (``note`` starting
with "assumption"), so that ``docs/parameters.md`` -- rendered from this table by
``tranqsim params --markdown`` -- is the model's honest bill of materials.

Scenario files may override any of them under ``parameters:`` (used by sweeps and calibration);
the value must stay within the entry's ``[low, high]`` range.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from tranqsim.params_behaviour import BEHAVIOUR
from tranqsim.params_levers import LEVERS
from tranqsim.params_schema import Param

#: the whole table, in the order docs/parameters.md lists it
_TABLE: tuple[Param, ...] = BEHAVIOUR + LEVERS

# the values written in the table, before calibration: the calibration starts from these, never from
# its own previous output, so that `tranqsim calibrate` reproduces the shipped defaults from scratch
PRIOR: MappingProxyType = MappingProxyType({p.name: p.value for p in _TABLE})
CALIBRATION_FILE = Path(__file__).with_name("calibrated.json")


def _confirmed(entry: dict) -> str:
    # calibrations before the confirmation stage (2026-11-26) have no "confirmed" count
    if "confirmed" not in entry:
        return ""
    failed = " (the block failed: no finalist passed every check)" if entry["confirmed"] == 0 else ""
    return f", finalists confirmed: {entry['confirmed']}{failed}"


def _calibrated(table: tuple[Param, ...]) -> dict[str, Param]:
    """The table with the values chosen by `tranqsim calibrate` (``calibrated.json``), each with
    its provenance prefixed to its source."""
    out = {p.name: p for p in table}
    if not CALIBRATION_FILE.exists():
        return out
    data = json.loads(CALIBRATION_FILE.read_text())
    for name, entry in data["values"].items():
        p = out[name]
        if entry["block"] == "ensemble":  # the central set of `tranqsim ensemble`
            bc = entry.get("block_calibration")
            prov = (f"central set of the calibrated ensemble (`tranqsim ensemble`, history matching: "
                    f"{entry['accepted']} of {entry['candidates']} sets not ruled out by C1-C10, E1-E12; "
                    f"box [{entry['prior'][0]:g}, {entry['prior'][1]:g}]"
                    + (f"; block calibration {bc['value']:g}" if bc else "")
                    # a block none of whose finalists passed: its value only centred the box
                    + (" (that block failed: no candidate passed every check)" if bc and bc.get("confirmed") == 0
                       else "") + f"; first guess {PRIOR[name]:g})")
            out[name] = replace(p, value=entry["value"], source=f"{prov}; {p.source}" if p.source else prov,
                                note="calibrated")
            continue
        prov = (f"calibrated by `tranqsim calibrate` (rejection ABC, block {entry['block']}: "
                f"{entry['accepted']} of {entry['candidates']} candidates accepted on "
                f"{', '.join(entry['patterns'])}{_confirmed(entry)}; prior [{entry['prior'][0]:g}, {entry['prior'][1]:g}], "
                f"first guess {PRIOR[name]:g})")
        if "adjusted" in entry:  # a value re-set by hand after the ABC run, with its reason
            prov = f"{prov}; ABC value {entry['abc_value']:g}, {entry['adjusted']}"
        out[name] = replace(p, value=entry["value"], source=f"{prov}; {p.source}" if p.source else prov,
                            note="calibrated")
    return out


PARAMS: MappingProxyType = MappingProxyType(_calibrated(_TABLE))


class Parameters:
    """Resolved parameter values, attribute access (``p.g_police``), overrides checked."""

    def __init__(self, overrides: dict[str, float] | None = None):
        values = {name: p.value for name, p in PARAMS.items()}
        for name, value in (overrides or {}).items():
            if name not in PARAMS:
                raise KeyError(name)
            values[name] = float(value)
        object.__setattr__(self, "_values", values)
        # the values also live in the instance dict: the model reads parameters some 50 times
        # a day, and a plain attribute lookup skips __getattr__ (kept for unknown names)
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> float:
        if name.startswith("_"):  # not a parameter (e.g. copy's probes before _values exists)
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("Parameters are read-only")

    def __copy__(self):
        return self  # read-only: a copy may share it

    def __deepcopy__(self, memo):
        return self

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)


def markdown_table() -> str:
    """Render the table as Markdown for ``docs/parameters.md``."""
    lines = [
        "# Parameter table",
        "",
        "Generated by `tranqsim params --markdown` from `src/tranqsim/params.py`; do not edit by hand.",
        "Territory values (estate size, deprivation, offender pressure, police availability,",
        "initial disorder) are in `scenarios/contexts/*.yaml`; strategy values in",
        "`scenarios/strategies/*.yaml`. Any value below can be overridden in a scenario file under",
        "`parameters:` within its range.",
        "",
        "Three kinds of provenance: a published source; **calibrated** (the value chosen by",
        "`tranqsim calibrate`, rejection ABC on the validation patterns, with its prior range and",
        "first guess: see [calibration.md](calibration.md) and [validation.md](validation.md));",
        "or *assumption*: an order of magnitude with no direct source, which the validation",
        "patterns test only indirectly. `make calibrate` recomputes the calibrated values from",
        "scratch and checks them against the shipped ones.",
        "",
        f"{sum(p.note == 'calibrated' for p in PARAMS.values())} calibrated, "
        f"{sum(p.note.startswith('assumption') for p in PARAMS.values())} assumptions, "
        f"{len(PARAMS)} parameters in all.",
        "",
    ]
    group = None
    for p in PARAMS.values():
        if p.group != group:
            group = p.group
            lines += ["", f"## {group}", "", "| name | default | unit | range | source | note |",
                      "|---|---|---|---|---|---|"]
        note = p.note.replace("|", "/")
        lines.append(f"| `{p.name}` | {p.value:g} | {p.unit} | [{p.low:g}, {p.high:g}] | "
                     f"{p.source or '-'} | {note or '-'} |")
    return "\n".join(lines) + "\n"
