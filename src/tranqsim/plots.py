"""Run plots (PNG): incidents by type, residents' security and trust, tenancy, costs, the map.

One consistent style; a colour-blind-safe palette (Okabe-Ito); lever windows marked with
dashed vertical lines where a lever starts or ends. Matplotlib's Agg backend: no display needed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from tranqsim.estate import status_colours  # noqa: E402
from tranqsim.incidents import TYPE_NAMES  # noqa: E402

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000", "#999999", "#882255", "#44AA99"]


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("year")
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _levers(ax, windows) -> None:
    for w in windows:
        for day in (w["start"], w["end"]):
            if day:  # day 0 is the start of the run, not an event
                ax.axvline(day / 365, color="#555555", ls="--", lw=0.8)
                ax.text(day / 365, ax.get_ylim()[1], f" {w['lever']}", fontsize=7, rotation=90,
                        va="top", color="#555555")


def monthly(series, days):
    """Sum a daily series over 30-day months; returns (month-mid years, values)."""
    n = len(series) // 30
    v = np.asarray(series[: n * 30]).reshape(n, 30).sum(1)
    return (np.arange(n) * 30 + 15) / 365, v


def save_run_plots(result, folder: Path) -> list[Path]:
    ts = result.timeseries
    out = []
    years = ts["day"] / 365
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, t in enumerate(TYPE_NAMES):
        x, v = monthly(ts[f"n_{t}"].to_numpy(), ts["day"])
        if v.sum():
            ax.plot(x, v, color=OKABE_ITO[i % len(OKABE_ITO)], label=t.replace("_", " "), lw=1.4)
    _style(ax, "Incidents per month, by type", "incidents / month")
    ax.legend(fontsize=7, ncol=2, frameon=False)
    _levers(ax, result.lever_windows)
    out.append(_save(fig, folder / "incidents_by_type.png"))

    fig, ax = plt.subplots(figsize=(9, 4.5))
    for col, lab, c in (("insecurity_share", "feel insecure", OKABE_ITO[5]),
                        ("victimised_12m_share", "victimised (12 months)", OKABE_ITO[0]),
                        ("trust_landlord_mean", "trust in landlord", OKABE_ITO[4]),
                        ("trust_police_mean", "trust in police", OKABE_ITO[2]),
                        ("satisfaction_mean", "satisfaction", OKABE_ITO[6]),
                        ("vacancy_rate", "vacancy", OKABE_ITO[8])):
        ax.plot(years, ts[col], label=lab, color=c, lw=1.4)
    ax.set_ylim(0, 1)
    _style(ax, "Residents: security, victimisation, trust, vacancy", "share / mean (0-1)")
    ax.legend(fontsize=8, frameon=False, ncol=3)
    _levers(ax, result.lever_windows)
    out.append(_save(fig, folder / "residents.png"))

    fig, ax = plt.subplots(figsize=(9, 4.5))
    dw = result.summary["dwellings"]
    ax.plot(years, np.cumsum(ts["cost_eur"]) / dw, color=OKABE_ITO[4], label="landlord")
    ax.plot(years, np.cumsum(ts["public_cost_eur"]) / dw, color=OKABE_ITO[8], label="police (public)")
    _style(ax, "Cumulative cost per dwelling", "EUR / dwelling")
    ax.legend(frameon=False)
    _levers(ax, result.lever_windows)
    out.append(_save(fig, folder / "costs.png"))
    out.append(save_map(result.places, folder / "map.png"))
    return out


def save_map(places, path: Path, title: str = "Halls by status; incidents in the last 12 months") -> Path:
    w, h = int(places["x"].max()) + 1, int(places["y"].max()) + 1
    fig, ax = plt.subplots(figsize=(min(12, 2 + w * 0.25), min(9, 1.5 + h * 0.35)))
    draw_map(ax, places)
    ax.set_title(title, fontsize=11, loc="left")
    return _save(fig, path)


def draw_map(ax, places) -> None:
    """Public spaces shaded by incidents in the last 12 months; halls coloured by status."""
    w, h = int(places["x"].max()) + 1, int(places["y"].max()) + 1
    inc = np.zeros((w, h))
    inc[places["x"], places["y"]] = places["incidents_12m"]
    kinds = np.zeros((w, h), int)
    kinds[places["x"], places["y"]] = places["kind"].cat.codes
    ax.imshow(np.log1p(inc).T, origin="lower", cmap="Greys", alpha=0.6)
    ax.imshow(np.ma.masked_where(kinds.T != 2, kinds.T), origin="lower",
              cmap=ListedColormap(["#cfe3f3"]), alpha=0.8)
    ax.imshow(np.ma.masked_where(kinds.T != 3, kinds.T), origin="lower",
              cmap=ListedColormap(["#d9f0d3"]), alpha=0.8)
    halls = places[places["kind"] == "hall"]
    colours = status_colours()
    for status, grp in halls.groupby("status", observed=True):
        ax.scatter(grp["x"], grp["y"], marker="s", s=60, color=colours[str(status)],
                   edgecolor="black", linewidth=0.4, label=f"hall: {status}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xticks([])
    ax.set_yticks([])


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
