"""The report's figures: one matplotlib style, the Okabe-Ito palette, labels in the report's language.

Every function draws one figure and writes it as PNG to ``path``. Strategies keep one colour
in every figure (``colours``); hall statuses use Okabe-Ito shades of their Nantes colours so
that green and red stay apart for colour-blind readers.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap, LogNorm  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from tranqsim.report import resim, zsp  # noqa: E402
from tranqsim.report.i18n import COST_GROUPS, LANGS, T, fmt, metric_label  # noqa: E402

# Okabe & Ito (2008): one colour per strategy, in doctrinal order
PALETTE = ["#D55E00", "#0072B2", "#009E73", "#56B4E9", "#CC79A7", "#000000", "#E69F00", "#999999",
           "#F0E442"]
STATUS = {"green": "#009E73", "yellow": "#F0E442", "orange": "#E69F00", "red": "#D55E00"}
AREA_COLOURS = {"zone": "#D55E00", "buffer": "#E69F00", "outside": "#0072B2"}
GROUP_ORDER = ("management", "situational", "social", "partnership", "organisation", "casework", "repairs",
               "vacancy", "squats", "evictions")
GROUP_COLOURS = dict(zip(GROUP_ORDER, ["#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#000000", "#666666",
                                       "#E69F00", "#999999", "#D55E00", "#F0E442"]))
STYLE = {"font.size": 9, "axes.titlesize": 10, "axes.titlelocation": "left", "axes.grid": True,
         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False,
         "legend.fontsize": 8, "figure.dpi": 110, "savefig.dpi": 110, "axes.prop_cycle":
         matplotlib.cycler(color=PALETTE)}


def strategy_colours(order: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(order)}


def _save(fig, path: Path) -> Path:
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def cost_effectiveness(rank, front, names: dict, colours: dict, lang: str, path: Path) -> Path:
    t = T[lang]
    dominated = dict(zip(front["strategy"], front["dominated_by"].notna()))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 5))
        f = front[front["on_frontier"]]
        labels = []
        ax.plot(f["cost_per_dwelling_eur"], f["tranquillity_index"], "-", color="#555555", lw=1.2,
                zorder=1, label=t["frontier"])
        for r in rank.itertuples(index=False):
            c, ti = r.cost_per_dwelling_eur, r.tranquillity_index
            dom = dominated[r.strategy]
            ax.errorbar(c, ti, xerr=[[c - r.cost_per_dwelling_eur_lo], [r.cost_per_dwelling_eur_hi - c]],
                        yerr=[[ti - r.tranquillity_index_lo], [r.tranquillity_index_hi - ti]],
                        fmt="o", ms=8, capsize=3, color=colours[r.strategy], zorder=2,
                        mfc="white" if dom else colours[r.strategy], mew=1.6)
            label = names[r.strategy] + (f" ({t['dominated']})" if dom else "")
            labels.append(ax.annotate(label, (c, ti), xytext=(6, 5), textcoords="offset points",
                                      fontsize=8, color="#333333"))
        ax.plot([], [], "o", mfc="white", mec="#555555", label=t["dominated"])
        ax.set_xlabel(t["xlabel_cost"])
        ax.set_ylabel(metric_label("tranquillity_index", lang))
        ax.legend(loc="lower right")
        ax.margins(x=0.15, y=0.12)
        _declutter(fig, labels)
        return _save(fig, path)


def _declutter(fig, labels: list, step: float = 9.0, tries: int = 8) -> None:
    """Moves annotation labels that overlap one already placed, below then above their point by
    ``step`` points at a time (strategies of close cost and index would print over each other);
    a label with no free place within ``tries`` moves stays where it was drawn."""
    fig.draw_without_rendering()  # lays the texts out: their extents are known from here
    renderer = fig.canvas.get_renderer()
    placed = []
    for text in sorted(labels, key=lambda a: -a.xy[1]):
        x0, y0 = text.xyann
        for k in range(tries + 1):
            shift = 0.0 if k == 0 else step * ((k + 1) // 2) * (-1 if k % 2 else 1)
            text.xyann = (x0, y0 + shift)
            if not any(text.get_window_extent(renderer).overlaps(b) for b in placed):
                break
        else:
            text.xyann = (x0, y0)
        placed.append(text.get_window_extent(renderer))


def _mark_levers(ax, windows: list[dict], colour: str) -> None:
    for w in windows:
        for day in (w["start"], w["end"]):
            if day:  # day 0 is the start of the run, not an event
                ax.axvline(day / 365, color=colour, ls=":", lw=1.0)


def time_series(results: dict, context: str, shown: list[str], reps: list[int], windows: dict,
                names: dict, colours: dict, lang: str, path: Path) -> Path:
    """2 x 2 panels (incidents, insecurity, trust in landlord, in police): median and 90% band."""
    t = T[lang]
    panels = (("incidents", t["inc_month"], "sum"),
              ("insecurity_share", metric_label("insecurity_share", lang), "mean"),
              ("trust_landlord_mean", metric_label("trust_landlord_mean", lang), "mean"),
              ("trust_police_mean", metric_label("trust_police_mean", lang), "mean"))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
        for ax, (col, label, how) in zip(axes.flat, panels):
            for s in shown:
                runs = [results[(context, s, r)] for r in reps if (context, s, r) in results]
                if not runs:
                    continue
                rows = []
                for run in runs:
                    v = resim.monthly(run["series"][col].to_numpy(), how)
                    rows.append(v * 1000 / run["dwellings"] if col == "incidents" else v)
                med, lo, hi = resim.band(rows)
                x = (np.arange(med.size) * 30 + 15) / 365
                ax.fill_between(x, lo, hi, color=colours[s], alpha=0.2, lw=0)
                ax.plot(x, med, color=colours[s], lw=1.6, label=names[s])
                _mark_levers(ax, windows.get(s, []), colours[s])
            ax.set_title(label)
            if col != "incidents":
                ax.set_ylim(0, None)
        for ax in axes[1]:
            ax.set_xlabel(t["year"])
        axes[0, 0].legend(loc="best")
        fig.tight_layout()
        return _save(fig, path)


def _grid(places, values) -> np.ndarray:
    w, h = int(places["x"].max()) + 1, int(places["y"].max()) + 1
    g = np.full((w, h), np.nan)
    g[places["x"], places["y"]] = values
    return g.T


def estate_maps(runs: list[dict], names: dict, lang: str, path: Path) -> Path:
    """One row per run: incidents per place (shared log scale, halls outlined) and halls by status."""
    t = T[lang]
    vmax = max(max(int(r["places"]["incidents_12m"].max()) for r in runs), 1)
    p0 = runs[0]["places"]
    w, h = int(p0["x"].max()) + 1, int(p0["y"].max()) + 1
    with plt.rc_context({**STYLE, "axes.grid": False}):
        fig, axes = plt.subplots(len(runs), 2, figsize=(10, 0.8 + len(runs) * 4.6 * h / w), squeeze=False)
        for row, ((ax_i, ax_s), run) in enumerate(zip(axes, runs)):
            pl = run["places"]
            halls = pl[pl["kind"] == "hall"]
            inc = _grid(pl, pl["incidents_12m"].to_numpy(float))
            im = ax_i.imshow(np.where(inc > 0, inc, np.nan), origin="lower", cmap="YlOrRd",
                             norm=LogNorm(1, vmax))
            ax_i.scatter(halls["x"], halls["y"], marker="s", s=40, facecolor="none", edgecolor="#555555",
                         linewidth=0.5)
            kind = _grid(pl, pl["kind"].cat.codes.to_numpy(float))
            ax_s.imshow(np.where(kind == 0, np.nan, kind), origin="lower",
                        cmap=ListedColormap(["#f4f4f4", "#dcdcdc", "#e3eee0"]), vmin=1, vmax=3)
            counts = []
            for status, colour in STATUS.items():
                g = halls[halls["status"] == status]
                counts.append(f"{t['status'][status]} {len(g)}")
                ax_s.scatter(g["x"], g["y"], marker="s", s=40, color=colour, edgecolor="#333333",
                             linewidth=0.5, label=t["status"][status])
            ax_i.set_ylabel(names[run["strategy"]], fontsize=9)
            ax_s.set_xlabel(", ".join(counts), fontsize=8)
            if row == 0:
                ax_i.set_title(t["incidents_12m"])
                ax_s.set_title(t["hall_status"])
            for ax in (ax_i, ax_s):
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_xlim(-0.5, w - 0.5)
                ax.set_ylim(-0.5, h - 0.5)
            cb = fig.colorbar(im, ax=ax_i, fraction=0.04, pad=0.02)
            cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axes[0, 1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
        return _save(fig, path)


def cost_breakdown(table, names: dict, lang: str, path: Path) -> Path:
    """Stacked horizontal bars: cost per dwelling per year by lever family / item."""
    from tranqsim.report.tables import cost_group

    groups = {}
    for key in table.columns:
        groups.setdefault(cost_group(key), []).append(key)
    order = [g for g in GROUP_ORDER if g in groups] + [g for g in groups if g not in GROUP_ORDER]
    li = LANGS.index(lang)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.6 + 0.5 * len(table)))
        y = np.arange(len(table))[::-1]
        left = np.zeros(len(table))
        for g in order:
            v = table[groups[g]].sum(axis=1).to_numpy()
            ax.barh(y, v, left=left, color=GROUP_COLOURS.get(g, "#777777"), height=0.6,
                    label=COST_GROUPS.get(g, (g, g))[li], edgecolor="white", linewidth=0.5)
            left += v
        for yi, total in zip(y, left):
            ax.text(total, yi, " " + fmt(total, "eur", lang), va="center", fontsize=8)
        ax.set_yticks(y, [names[s] for s in table.index])
        ax.set_xlabel(T[lang]["xlabel_cost"])
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.12)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _save(fig, path)


def zsp_series(an: dict, results: dict, context: str, names: dict, colours: dict, lang: str,
               path: Path) -> Path:
    """Incidents per place per year in the zone, buffer and outside: the strategy with and
    without its ZSP on the same seeds and cells; the window shaded."""
    t = T[lang]
    start, end = an["window"]
    days = an["runs"][0]["days"]
    s = an["strategy"]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True)
        for ax, area in zip(axes, zsp.AREAS):
            for who, style, colour, label in ((s, "-", colours[s], names[s]),
                                              (s + resim.WITHOUT_ZSP, "--", "#555555", t["without_zsp"])):
                rows = []
                for run in an["runs"]:
                    mask = zsp.areas(run["places"], run["zone"])[area]
                    other = results.get((context, who, run["replicate"]))
                    if other is not None and mask.any():
                        rows.append(zsp.monthly_rates(other, mask))
                if not rows:
                    continue
                med, lo, hi = resim.band(rows)
                x = (np.arange(med.size) * 30 + 15) / 365
                ax.fill_between(x, lo, hi, color=colour, alpha=0.18, lw=0)
                ax.plot(x, med, style, color=colour, lw=1.5, label=label)
            ax.axvspan(start / 365, min(end if end is not None else days, days) / 365, color="#999999",
                       alpha=0.15, lw=0)
            ax.set_title(f"{t[area]} ({an['n_places'][area]})")
            ax.set_xlabel(t["year"])
        axes[0].set_ylabel(t["per_place_year"])
        axes[0].legend(loc="upper left")
        fig.tight_layout()
        return _save(fig, path)
