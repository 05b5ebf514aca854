"""Reading a sweep for the report: the runs table, the experiment, names and titles.

Everything that can make the report fail on bad input is checked here, before any work:
the folder exists, it is a sweep (``manifest.json``), of design ``strategies`` (one point per
context x strategy), with finished runs, and the baseline is one of its strategies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tranqsim.experiments import load
from tranqsim.loading import ScenarioError
from tranqsim.report.i18n import MAIN

STRATEGY_ORDER = ("withdrawal", "proximity_management", "social_prevention", "situational_prevention",
                  "partnership_zsp", "heavy_security", "global_approach")


class ReportError(ValueError):
    """The folder or the options cannot give a report (one line, shown as ``error: ...``)."""


@dataclass
class Sweep:
    folder: Path
    spec: dict
    runs: pd.DataFrame
    contexts: list[str]
    strategies: list[str]
    titles: dict = field(default_factory=dict)  # (kind, name) -> {"en": ..., "fr": ...}
    strategy_objs: dict = field(default_factory=dict)  # name -> config.Strategy

    @property
    def replicates(self) -> int:
        return int(self.runs["replicate"].nunique())

    @property
    def years(self) -> float:
        return float(self.spec.get("years", float("nan")))

    def title(self, kind: str, name: str, lang: str) -> str:
        return self.titles.get((kind, name), {}).get(lang, name)


def read_sweep(folder: str | Path, baseline: str) -> Sweep:
    """Load and check a strategy sweep; raise ReportError with one clear line otherwise."""
    folder = Path(folder)
    if not folder.exists():
        raise ReportError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a folder")
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise ReportError(f"{folder}: not a sweep folder (no manifest.json); run `tranqsim sweep` first")
    try:
        spec = json.loads(manifest.read_text())["spec"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"{manifest}: unreadable manifest ({exc})") from None
    if spec.get("design") != "strategies" or spec.get("factors"):
        raise ReportError(f"{folder}: the report needs a sweep of design 'strategies' without factors "
                          f"(like experiments/strategy_spectrum.yaml); this one is {spec.get('design')!r}")
    try:
        runs = load(folder)
    except ScenarioError as exc:  # damaged chunks, an unreadable manifest: the store's own message
        raise ReportError(str(exc)) from None
    except Exception as exc:  # anything else: say which folder, not a traceback
        raise ReportError(f"{folder}: cannot read the runs table ({type(exc).__name__}: {exc})") from None
    if runs.empty:
        raise ReportError(f"{folder}: the sweep holds no finished run")
    missing = [m for m in MAIN if m not in runs.columns]
    if missing:
        raise ReportError(f"{folder}: the runs table lacks {', '.join(missing)} (sweep made with `metrics:` "
                          "that leave them out?)")
    contexts = [c for c in spec.get("contexts", []) if c in set(runs["context"])]
    found = set(runs["strategy"])
    strategies = [s for s in spec.get("strategies", []) if s in found]
    if baseline not in strategies:
        raise ReportError(f"--baseline: {baseline!r} is not a strategy of the sweep "
                          f"(strategies: {', '.join(strategies)})")
    sweep = Sweep(folder, spec, runs, contexts, strategies)
    _load_titles(sweep)
    return sweep


def _load_titles(sweep: Sweep) -> None:
    from tranqsim.loading import ScenarioError, load_context, load_strategy

    for kind, names, loader in (("context", sweep.contexts, load_context),
                                ("strategy", sweep.strategies, load_strategy)):
        for n in names:
            try:
                obj, _ = loader(n)
            except ScenarioError as exc:
                raise ReportError(f"{sweep.folder}: {kind} {n!r} of the sweep cannot be loaded ({exc})") from None
            sweep.titles[(kind, n)] = {"en": obj.title.en, "fr": obj.title.fr}
            if kind == "strategy":
                sweep.strategy_objs[n] = obj


def lever_windows(strategy_obj) -> list[dict]:
    """The strategy's levers with their day windows, in file order."""
    out = []
    for name, cfg in strategy_obj.levers:
        if cfg is not None:
            out.append({"lever": name, "start": cfg.start, "end": cfg.end})
    return out


def zsp_window(strategy_obj) -> tuple[int, int | None] | None:
    """(start, end) of the strategy's ZSP lever, or None if it has none."""
    for w in lever_windows(strategy_obj):
        if w["lever"] == "zsp":
            return w["start"], w["end"]
    return None


def read_validation(path: Path | None) -> dict | None:
    """The JSON written by ``tranqsim validate``, or None when the file is absent."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        data["checks"]  # noqa: B018 - the one key the report needs
    except (ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"{path}: not a `tranqsim validate` result ({exc})") from None
    return data


def colour_order(strategies: list[str]) -> list[str]:
    """Known strategies first in the doctrinal order (hard withdrawal to global), then the rest."""
    known = [s for s in STRATEGY_ORDER if s in strategies]
    return known + [s for s in strategies if s not in known]
