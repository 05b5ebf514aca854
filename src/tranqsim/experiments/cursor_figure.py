"""The cursor map's figure: one glance tells which strategy wins where, and how surely.

Each cell of the grid is coloured by its best strategy (the report's colours: Okabe & Ito
2008, in doctrinal order) and shaded by its probability of being best: a full colour is a
strategy best in every draw, a pale one a close call. The label gives the strategy and the
probability. The shipped contexts (calm neighbourhood, priority estate, ZSP estate) are marked
where they sit on the axes, so a strategist finds their own kind of estate. English or French.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from tranqsim.comparison import STRATEGY_ORDER  # noqa: E402
from tranqsim.report.figures import PALETTE, STYLE  # noqa: E402

WORDS = {
    "en": {"title": "Where to set the cursor: the best strategy per territory",
           "sub": "colour: best strategy ({metric}); shade and %: probability of being best over {what}",
           "landmark": "shipped contexts", "metric": "tranquillity index",
           "second": "2nd: {s}\n(regret {r} pts)",
           "budget": "\nstrategies costing the landlord at most EUR {b} per dwelling a year (and the status quo)"},
    "fr": {"title": "Où placer le curseur : la meilleure stratégie selon le territoire",
           "sub": "couleur : meilleure stratégie ({metric}) ; teinte et % : probabilité d'être la meilleure "
                  "sur {what}", "landmark": "contextes fournis", "metric": "indice de tranquillité",
           "second": "2e : {s}\n(regret {r} pts)",
           "budget": "\nstratégies coûtant au bailleur au plus {b} € par logement et par an (et le statu quo)"},
}
WHAT = {"en": ("parameter sets x seeds", "seeds only (central parameter set)"),
        "fr": ("jeux de paramètres x graines", "graines seules (jeu de paramètres central)")}


def colours(strategies) -> dict[str, str]:
    order = [s for s in STRATEGY_ORDER if s in strategies] + [s for s in strategies if s not in STRATEGY_ORDER]
    return {s: PALETTE[(STRATEGY_ORDER.index(s) if s in STRATEGY_ORDER else len(STRATEGY_ORDER) + i) % len(PALETTE)]
            for i, s in enumerate(order)}


def titles(strategies, lang: str) -> dict[str, str]:
    from tranqsim.loading import load_strategy

    out = {}
    for s in strategies:
        try:
            out[s] = getattr(load_strategy(s)[0].title, lang)
        except Exception:  # a strategy file gone since the run: its name
            out[s] = s
    return out


def _shade(colour: str, p: float) -> tuple:
    """``colour`` mixed with white: p = 1 full colour, p <= 1/3 pale (never invisible)."""
    w = 0.15 + 0.85 * float(np.clip((p - 1 / 3) / (2 / 3), 0, 1)) if np.isfinite(p) else 0.15
    return tuple(1 - w * (1 - c) for c in to_rgb(colour))


def _short(name: str, n: int = 22) -> str:
    return name if len(name) <= n else name[:n - 1].rstrip() + "."


def _position(values: list[float], v: float) -> float:
    """Where ``v`` falls on the grid's index scale (linear between the levels)."""
    return float(np.interp(v, values, np.arange(len(values))))


def draw(table, d, path: Path, lang: str, labels: tuple[str, str],
         landmarks: list[tuple[str, float, float]]) -> Path:
    """Write the map of ``table`` (cursor.analyse) to ``path``; return it. ``labels``: the two
    axes' names in ``lang``; ``landmarks``: (title, x value, y value) of the contexts to mark."""
    w = WORDS[lang]
    a, b = d.axes
    xs, ys = sorted(table[a].unique()), sorted(table[b].unique())
    names = titles(list(d.strategies), lang)
    cols = colours(list(d.strategies))
    single = int(table["n_sets"].max()) <= 1
    metric = w["metric"] if d.metric == "tranquillity_index" else d.metric
    with plt.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(1.6 * len(xs) + 3.2, 1.1 * len(ys) + 2.2))
        for r in table.itertuples(index=False):
            i, j = xs.index(getattr(r, a)), ys.index(getattr(r, b))
            face = _shade(cols.get(r.best, "#999999"), r.p_best)
            ax.add_patch(Rectangle((i - 0.5, j - 0.5), 1, 1, facecolor=face, edgecolor="white", lw=2))
            ink = "white" if sum(face) / 3 < 0.45 else "black"
            ax.text(i, j + 0.3, _short(names.get(r.best, r.best)), ha="center", va="center", fontsize=7, color=ink)
            ax.text(i, j + 0.08, f"{100 * r.p_best:.0f}{' %' if lang == 'fr' else '%'}", ha="center",
                    va="center", fontsize=9, weight="bold", color=ink)
            if isinstance(r.runner_up, str):  # the next position of the cursor, and what it loses
                ax.text(i, j - 0.25, w["second"].format(s=_short(names.get(r.runner_up, r.runner_up)),
                                                       r=f"{r.runner_up_regret:.1f}"),
                        ha="center", va="center", fontsize=5.5, color=ink)
        _landmarks(ax, xs, ys, landmarks)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(-0.5, len(ys) - 0.5)
        ax.set_xticks(range(len(xs)), [f"{v:.2f}".rstrip("0").rstrip(".") for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:.2f}".rstrip("0").rstrip(".") for v in ys])
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        what = WHAT[lang][1 if single else 0]
        sub = w["sub"].format(metric=metric, what=what)
        if getattr(d, "budget", None) is not None:
            sub += w["budget"].format(b=f"{d.budget:,.0f}".replace(",", "\u202f" if lang == "fr" else ","))
        ax.set_title(f"{w['title']}\n{sub}", fontsize=9)
        used = [s for s in cols if s in set(table["best"])]
        handles = [Patch(facecolor=cols[s], label=names.get(s, s)) for s in used]
        handles.append(plt.Line2D([], [], marker="o", ls="", mfc="none", mec="black", label=w["landmark"]))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
    return path


def _landmarks(ax, xs, ys, landmarks) -> None:
    """Hollow circles where the shipped contexts sit on the two axes."""
    for title, xv, yv in landmarks:
        x, y = _position(xs, xv), _position(ys, yv)
        # a white ring under the black one: visible on every strategy's colour, black included
        ax.plot([x], [y], marker="o", ms=11, mfc="none", mec="white", mew=3)
        ax.plot([x], [y], marker="o", ms=10, mfc="none", mec="black", mew=1.3)
        ax.annotate(title, (x, y), xytext=(0, -12), textcoords="offset points", ha="center", fontsize=6.5,
                    style="italic", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
