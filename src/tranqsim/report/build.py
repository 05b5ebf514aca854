"""Building the report: read the sweep, rerun a few replicates, compute, draw, write atomically.

    from tranqsim.report import build_report
    paths = build_report("runs/main/sweep", "runs/main/report.html", lang="fr")

writes ``report.html`` (self-contained), ``report.md`` and ``report_figures/*.png`` beside it.
Everything is made in a temporary folder next to the output and moved into place at the end:
a failure leaves the previous report (or nothing), never half a report.

Only what an earlier report wrote is replaced: HTML and Markdown files that carry tranqsim's
generator line, a figures folder with its ``tranqsim-figures.json`` and nothing else in it
(anything else only with ``overwrite``; never a folder holding the sweep or a non-file). This,
and whether the place can be written, is checked before the long computation, and again just
before the files are moved into place.

The replicates re-simulated for series, maps and the ZSP analysis are fixed by the sweep: the
first ``sweep_series_replicates(spec)`` replicate ids of its experiment (``SERIES_REPLICATES`` or
fewer), so every report of one sweep, in any language, draws the same runs and gives the same
figures.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from tranqsim.outputs import FIGURES_MARKER, check_file, check_folder, replace_folder, temp_sibling, write_marker
from tranqsim.report import answer, figures, organisation, resim, sections, tables, zsp
from tranqsim.report.data import ReportError, colour_order, read_sweep, read_validation, zsp_window
from tranqsim.report.i18n import LANGS, T, years
from tranqsim.report.render import Doc, to_html, to_markdown

# where the report looks for `tranqsim validate` results when --validation is not given: a
# local run first, then the result `make validate` ships with the model's defaults
DEFAULT_VALIDATION = Path("runs/validation/validation.json")
SHIPPED_VALIDATION = (Path("docs/validation.json"),
                      Path(__file__).resolve().parents[3] / "docs" / "validation.json")


def default_validation() -> Path:
    """The first validation result found (see DEFAULT_VALIDATION), or DEFAULT_VALIDATION."""
    for path in (DEFAULT_VALIDATION, *SHIPPED_VALIDATION):
        if path.is_file():
            return path
    return DEFAULT_VALIDATION


def output_paths(out: str | Path) -> tuple[Path, Path, Path]:
    """(html, markdown, figure folder) for ``--out FILE.html``."""
    out = Path(out)
    return out, out.with_suffix(".md"), out.with_name(f"{out.stem}_figures")


def check_output(out: Path) -> None:
    if out.is_dir():
        raise ReportError(f"--out {out}: is a folder; give a file name such as report.html")
    if out.suffix.lower() == ".md":
        raise ReportError(f"--out {out}: give the HTML file name (the Markdown goes beside it)")


def check_targets(html_path: Path, md_path: Path, fig_dir: Path, overwrite: bool, protect: list[Path]) -> None:
    """Refuse to replace what an earlier report did not write (see the module docstring)."""
    shown = f"--out {html_path}"
    check_file(html_path, written_by="tranqsim report", overwrite=overwrite, protect=protect, shown=shown)
    check_file(md_path, written_by="tranqsim report", overwrite=overwrite, protect=protect,
               shown=f"{shown}: the Markdown {md_path}")
    check_folder(fig_dir, marker=FIGURES_MARKER, written_by="tranqsim report", overwrite=overwrite,
                 protect=protect, shown=f"{shown}: the figures folder {fig_dir}")


#: replicates re-simulated per strategy shown (fewer when the sweep has fewer)
SERIES_REPLICATES = 4


def sweep_series_replicates(spec: dict) -> int:
    """How many replicates a report of this sweep re-simulates: a property of the sweep."""
    return max(1, min(SERIES_REPLICATES, int(spec.get("replicates", SERIES_REPLICATES))))


def _quiet(message: str) -> None:
    """The default stage reporter: nothing (the CLI passes one that prints)."""


def build_report(folder: str | Path, out: str | Path, lang: str = "en", baseline: str = "proximity_management",
                 validation: str | Path | None = None, series_replicates: int | None = None,
                 workers: int | None = None, overwrite: bool = False, stage=_quiet,
                 progress=None, budget: float | None = None, cursor: str | Path | None = None) -> list[Path]:
    """Write the report of the sweep in ``folder``; return the paths written.

    ``series_replicates``: None (the sweep's own number, see the module docstring) or a number
    asked for explicitly. ``stage(message)`` is told each stage as it begins; ``progress(n)``
    after each re-simulated run (n = 1), with ``progress.total`` set first when it has one.
    ``budget`` (EUR per dwelling per year) and ``cursor`` (a ``tranqsim cursor`` folder) shape
    the answer the report opens with (:mod:`tranqsim.report.answer`).

    Raises :class:`~tranqsim.outputs.OutputError` (before any rerun) when an output exists
    that an earlier report did not write, unless ``overwrite``; see the module docstring.
    """
    if lang not in LANGS:
        raise ReportError(f"--lang: {lang!r} is not one of {', '.join(LANGS)}")
    html_path, md_path, fig_dir = output_paths(out)
    check_output(html_path)
    if validation is not None and not Path(validation).is_file():
        raise ReportError(f"--validation {validation}: no such file")
    val_path = Path(validation) if validation is not None else default_validation()
    val = read_validation(val_path)
    if cursor is not None:  # the answer's cursor map (report/answer.py): checked before any work
        answer.check_cursor(cursor)
    sweep = read_sweep(folder, baseline)
    protect = [Path(folder)] + ([val_path] if val_path.is_file() else [])
    check_targets(html_path, md_path, fig_dir, overwrite, protect)
    # stages are told once the input is known good: bad input stays one error line
    stage(f"read the sweep {folder}: {len(sweep.runs)} runs, {len(sweep.strategies)} strategies")

    k = series_replicates if series_replicates is not None else sweep_series_replicates(sweep.spec)
    plan, jobs = _plan(sweep, baseline, k)
    stage(f"re-simulating {len(jobs)} runs (the first {k} replicates of the strategies shown) for the "
          "series, maps and ZSP analysis")
    if progress is not None and hasattr(progress, "total"):
        progress.total = len(jobs)
    results = resim.rerun_all(jobs, workers, progress=progress) if jobs else {}
    stage(f"computing the tables and drawing the figures ({lang})")

    tmp = temp_sibling(Path(os.path.abspath(html_path)))
    try:
        figs = tmp / fig_dir.name
        figs.mkdir()
        doc = _document(sweep, plan, results, baseline, lang, figs, val, val_path, budget, cursor)
        write_marker(figs, FIGURES_MARKER, "tranqsim report")
        (tmp / md_path.name).write_text(to_markdown(doc, fig_dir.name), encoding="utf-8")
        (tmp / html_path.name).write_text(to_html(doc), encoding="utf-8")
        stage(f"writing {html_path} and {md_path.name}")
        # the reruns take minutes: someone may have put a file there meanwhile
        check_targets(html_path, md_path, fig_dir, overwrite, protect)
        _move_into_place(tmp, html_path, md_path, fig_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [html_path, md_path] + sorted(fig_dir.glob("*.png"))


def _plan(sweep, baseline: str, series_replicates: int) -> tuple[dict, list[dict]]:
    """Per context: ranking, differences, best strategy, ZSP strategies; the reruns they need."""
    plan, jobs = {}, []
    for ctx in sweep.contexts:
        runs = sweep.runs[sweep.runs["context"] == ctx]
        strategies = [s for s in sweep.strategies if s in set(runs["strategy"])]
        if baseline not in strategies:
            continue  # the baseline failed in every replicate here: nothing to compare with
        rank = tables.ranking(runs, strategies)
        try:
            diffs = tables.differences(runs, baseline)
        except ValueError:
            diffs = None  # a single strategy: the ranking alone
        best = tables.best_strategy(rank, baseline)
        zsps = {s: w for s in strategies if (w := zsp_window(sweep.strategy_objs[s])) is not None}
        shown = list(dict.fromkeys([baseline, best, *zsps]))
        reps = sorted(runs["replicate"].unique())[:series_replicates]
        plan[ctx] = {"runs": runs, "strategies": strategies, "rank": rank, "diffs": diffs, "best": best,
                     "zsp": zsps, "reps": [int(r) for r in reps]}
        jobs += resim.jobs_for(runs, ctx, shown, series_replicates, sweep.years, without_zsp=list(zsps),
                               fixed=dict(sweep.spec.get("fixed") or {}))
    if not plan:
        raise ReportError(f"{sweep.folder}: the baseline {baseline!r} has no finished run in any context")
    return plan, jobs


def _median_replicate(results: dict, ctx: str, strategy: str, reps: list[int]) -> int:
    """The replicate whose rerun index is the median of the reruns (lower middle when even)."""
    have = [(results[(ctx, strategy, r)]["ti"], r) for r in reps if (ctx, strategy, r) in results]
    have.sort()
    return have[(len(have) - 1) // 2][1]


def _document(sweep, plan, results, baseline, lang, figs: Path, val, val_path, budget=None, cursor=None) -> Doc:
    t = T[lang]
    order = colour_order(sweep.strategies)
    colours = figures.strategy_colours(order)
    names = {s: sweep.title("strategy", s, lang) for s in sweep.strategies}
    doc = Doc(lang, t["title"])
    doc.p(t["generated"].format(folder=f"`{sweep.folder}`", n=len(sweep.runs), reps=sweep.replicates,
                                years=years(sweep.years, lang), seed=sweep.spec.get("seed", "?")))
    answer.section(doc, sweep, plan, names, lang, budget, cursor, figs)  # the answer first, tables below
    doc.h(1, t["how_to_read"])
    doc.p(t["how_to_read_text"].format(reps=sweep.replicates, baseline=names[baseline]))
    doc.p(t["notation"])
    sections.strategies_table(doc, sweep, names, lang)
    for ctx, p in plan.items():
        ctx_title = sweep.title("context", ctx, lang)
        slug = _slug(ctx)
        doc.h(1, t["context"].format(title=ctx_title))
        sections.summary(doc, p, baseline, names, lang)
        sections.ranking(doc, p, names, lang)
        sections.difference_table(doc, p, baseline, names, lang)

        front = tables.frontier(p["rank"])
        doc.h(2, t["ce"])
        doc.p(t["ce_text"])
        f = figures.cost_effectiveness(p["rank"], front, names, colours, lang,
                                       figs / f"{slug}_cost_effectiveness.png")
        doc.figure(f, t["ce_caption"].format(ctx=ctx_title))
        sections.frontier_text(doc, front, names, lang)

        windows = {s: [w for w in _windows(sweep, s) if w["start"] or w["end"]] for s in sweep.strategies}
        shown = list(dict.fromkeys([baseline, p["best"]]))
        doc.h(2, t["series"])
        doc.p(t["series_text"].format(best=names[p["best"]], reps=", ".join(map(str, p["reps"]))))
        f = figures.time_series(results, ctx, shown, p["reps"], windows, names, colours, lang,
                                figs / f"{slug}_time_series.png")
        doc.figure(f, t["series_caption"].format(ctx=ctx_title))

        rep = _median_replicate(results, ctx, baseline, p["reps"])
        doc.h(2, t["maps"])
        doc.p(t["maps_text"].format(rep=rep))
        f = figures.estate_maps([results[(ctx, s, rep)] for s in shown], names, lang, figs / f"{slug}_maps.png")
        doc.figure(f, t["maps_caption"].format(ctx=ctx_title))

        costs = tables.cost_breakdown(p["runs"], [s for s in p["rank"]["strategy"]])
        doc.h(2, t["costs"])
        doc.p(t["costs_text"])
        f = figures.cost_breakdown(costs, names, lang, figs / f"{slug}_costs.png")
        doc.figure(f, t["costs_caption"].format(ctx=ctx_title))
        sections.cost_table(doc, costs, names, lang, public=tables.public_costs(p["runs"], list(costs.index)))

        for s, window in p["zsp"].items():
            an = zsp.analyse(results, ctx, s, window, p["reps"])
            if an is None:
                continue
            doc.h(2, t["zsp"] + (f" ({names[s]})" if len(p["zsp"]) > 1 else ""))
            sections.zsp_section(doc, an, names, lang)
            organisation.zsp_landlord(doc, an, lang)  # the landlord's part (issue 17)
            f = figures.zsp_series(an, results, ctx, names, colours, lang, figs / f"{slug}_zsp_{_slug(s)}.png")
            doc.figure(f, t["zsp_caption"].format(s=names[s], ctx=ctx_title))

        organisation.section(doc, sweep, p, names, lang)  # issue 17
        sections.side_effects(doc, p, names, lang)
    sections.caveats(doc, sweep, names, lang, val, val_path, resim.mismatches(results))
    return doc


def _slug(name: str) -> str:
    """A file-name-safe form of a context or strategy (which may be a path to a YAML file)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem if name.endswith((".yaml", ".yml")) else name)


def _windows(sweep, strategy: str) -> list[dict]:
    from tranqsim.report.data import lever_windows

    return lever_windows(sweep.strategy_objs[strategy])


def _move_into_place(tmp: Path, html_path: Path, md_path: Path, fig_dir: Path) -> None:
    """Figures first (a whole folder), then Markdown, then the HTML (the file a reader opens) last."""
    replace_folder(tmp / fig_dir.name, Path(os.path.realpath(fig_dir)))
    os.replace(tmp / md_path.name, md_path)
    os.replace(tmp / html_path.name, html_path)


__all__ = ["DEFAULT_VALIDATION", "SERIES_REPLICATES", "build_report", "output_paths", "sweep_series_replicates"]
