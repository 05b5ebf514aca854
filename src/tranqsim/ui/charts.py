"""Charts: incidents by type, insecurity, trust in landlord and police, vacancy, cost per dwelling
and halls by status, with dashed vertical lines where a lever starts or ends.

Read from the model's Recorder (``model.recorder.data``, one row per day; columns in
``tranqsim.metrics.SERIES``). One persistent figure per model set and language
(:class:`ChartsView`); each redraw only changes the lines' data and *blits*: axes, ticks, titles
and lever marks are rasterised once into a background that is reused until a y-range has to grow
(y limits move in "nice" steps), and only the lines are drawn over it. Text is what makes
matplotlib slow; this keeps a redraw of the six panels to a few tens of milliseconds. With two models (the compare
view) every panel shows A in solid lines and B dashed, and the incidents panel shows totals.
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from tranqsim.estate import STATUS_NAMES, status_colours  # noqa: E402
from tranqsim.incidents import TYPE_NAMES  # noqa: E402
from tranqsim.metrics import COL  # noqa: E402
from tranqsim.plots import OKABE_ITO  # noqa: E402
from tranqsim.ui.i18n import incident_label, lever_label, tr  # noqa: E402

WEEK = 7
MAX_POINTS = 260  # daily series are thinned to about this many points (a line costs per vertex)
FIXED = ("c_trust", "c_insecurity")  # shares: the y axis stays 0-1
PANELS = ("c_incidents", "c_insecurity", "c_trust", "c_vacancy", "c_cost", "c_status")


def per_week(values: np.ndarray, window: int = 28) -> np.ndarray:
    """Daily counts as a rate per week, averaged over the last ``window`` days (fewer at the start)."""
    c = np.cumsum(values, axis=0)
    out = c.copy()
    out[window:] -= c[:-window]
    n = np.minimum(np.arange(1, values.shape[0] + 1), window).reshape(-1, *([1] * (values.ndim - 1)))
    return out * (WEEK / n)


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``x`` (y limits grow in few, round steps)."""
    if x <= 0:
        return 1.0
    k = 10 ** np.floor(np.log10(x))
    return float(next(m * k for m in (1, 2, 2.5, 5, 10) if m * k >= x))


def lever_marks(model) -> list[tuple[int, str]]:
    """(day, lever) for every start or end of a lever after day 0."""
    marks = []
    for lv in model.levers:
        for day in (lv.config.start, lv.config.end):
            if day:
                marks.append((int(day), lv.name))
    return sorted(marks)


def series(model) -> dict[str, np.ndarray]:
    """The daily series the panels draw (views on the Recorder's array, no copy)."""
    data = model.recorder.data[: model.recorder.n]
    col = lambda name: data[:, COL[name]]  # noqa: E731
    return {"types": data[:, COL[f"n_{TYPE_NAMES[0]}"]:COL[f"n_{TYPE_NAMES[-1]}"] + 1],
            "incidents": col("incidents"), "insecurity": col("insecurity_share"),
            "trust_landlord": col("trust_landlord_mean"), "trust_police": col("trust_police_mean"),
            "vacancy": col("vacancy_rate"),
            "cost": np.cumsum(col("cost_eur")) / model.n_dwellings,
            "status": np.stack([col(f"halls_{s}") for s in STATUS_NAMES], axis=1)}


class ChartsView:
    """Six small panels for one or two models; ``png()`` redraws them."""

    def __init__(self, models: list, lang: str = "fr", width_in: float = 7.2):
        self.models, self.lang = list(models), lang
        self.compare = len(self.models) > 1
        days = max(m.days_total for m in self.models)
        fig = self.fig = Figure(figsize=(width_in, 5.6), dpi=80)
        self.canvas = FigureCanvasAgg(fig)
        axes = fig.subplots(3, 2, sharex=True)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.07, hspace=0.38, wspace=0.22)
        self.axes = dict(zip(PANELS, axes.ravel()))
        self.lines: dict[tuple, object] = {}
        styles = ["-", "--"]
        for key, ax in self.axes.items():
            name = "c_incidents_total" if key == "c_incidents" and self.compare else key
            ax.set_title(tr(name, lang), fontsize=9, loc="left")
            ax.set_xlim(0, days)
            ax.tick_params(labelsize=7, length=2)
            ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.spines[["top", "right"]].set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel(tr("x_day", lang), fontsize=7)
        for i, m in enumerate(self.models):
            ls = styles[i]
            ax = self.axes["c_incidents"]
            if self.compare:
                self.lines[(i, "incidents")], = ax.plot([], [], ls, color=OKABE_ITO[4], lw=1.2)
            else:
                for t in range(len(TYPE_NAMES)):
                    self.lines[(i, "type", t)], = ax.plot([], [], ls, color=OKABE_ITO[t], lw=1.1)
            self.lines[(i, "insecurity")], = self.axes["c_insecurity"].plot([], [], ls, color=OKABE_ITO[5], lw=1.3)
            self.lines[(i, "trust_landlord")], = self.axes["c_trust"].plot([], [], ls, color=OKABE_ITO[4], lw=1.3)
            self.lines[(i, "trust_police")], = self.axes["c_trust"].plot([], [], ls, color=OKABE_ITO[2], lw=1.3)
            self.lines[(i, "vacancy")], = self.axes["c_vacancy"].plot([], [], ls, color=OKABE_ITO[8], lw=1.3)
            self.lines[(i, "cost")], = self.axes["c_cost"].plot([], [], ls, color=OKABE_ITO[4], lw=1.3)
            for s, colour in enumerate(status_colours().values()):
                self.lines[(i, "status", s)], = self.axes["c_status"].plot([], [], ls, color=colour, lw=1.2)
            for day, _ in lever_marks(m):
                for ax in self.axes.values():
                    ax.axvline(day, color="#777777" if i == 0 else "#bbbbbb", ls=(0, (4, 3)), lw=0.8)
        for line in self.lines.values():
            line.set_animated(True)  # drawn over the cached background, not with it
        self.axes["c_trust"].set_ylim(0, 1)
        self.axes["c_insecurity"].set_ylim(0, 1)
        self.top = {k: 0.0 for k in self.axes if k not in FIXED}
        self.background = None
        self.update()

    def update(self) -> None:
        for i, m in enumerate(self.models):
            s = series(m)
            n = s["incidents"].size
            stride = max(1, -(-n // MAX_POINTS))
            days = np.arange(n)[::stride]
            if self.compare:
                self.lines[(i, "incidents")].set_data(days, per_week(s["incidents"])[::stride])
            else:
                v = per_week(s["types"])[::stride]
                for t in range(len(TYPE_NAMES)):
                    self.lines[(i, "type", t)].set_data(days, v[:, t])
            for key in ("insecurity", "trust_landlord", "trust_police", "vacancy", "cost"):
                self.lines[(i, key)].set_data(days, s[key][::stride])
            for st in range(len(STATUS_NAMES)):
                self.lines[(i, "status", st)].set_data(days, s["status"][::stride, st])
        for key, top in self.top.items():
            ax = self.axes[key]
            high = max((float(np.max(ln.get_ydata())) for ln in self.lines.values()
                        if ln.axes is ax and len(ln.get_ydata())), default=0.0)
            if top == 0.0 or high > top:
                self.top[key] = nice_ceiling(high * 1.05) if high > 0 else 0.0
                ax.set_ylim(0, self.top[key] or 1.0)
                self.background = None

    def png(self) -> bytes:
        self.update()
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        for line in self.lines.values():
            line.axes.draw_artist(line)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def chart_legend(models: list, lang: str) -> list[tuple[str, str, str]]:
    """(symbol, colour, label) entries shown under the charts (HTML: cheap to redraw)."""
    items = []
    if len(models) == 1:
        s = series(models[0])
        totals = s["types"].sum(0) if s["types"].size else np.zeros(len(TYPE_NAMES))
        items += [("━", OKABE_ITO[t], incident_label(t, lang)) for t in range(len(TYPE_NAMES))
                  if totals[t] > 0]
    else:
        items += [("━", "#333333", "A"), ("╍", "#333333", "B")]
    items += [("━", OKABE_ITO[4], tr("trust_landlord", lang)), ("━", OKABE_ITO[2], tr("trust_police", lang))]
    marks = sorted({name for m in models for _, name in lever_marks(m)})
    if marks:
        items.append(("┆", "#777777", tr("lever_marks", lang) + " (" +
                      ", ".join(lever_label(n, lang) for n in marks) + ")"))
    return items


@solara.component
def Charts(models: list, lang: str, tick: int, version: int = 0, width_in: float = 7.2, lock=None):
    lock = lock or threading.RLock()

    def draw():
        with lock:
            return view.png()

    view = solara.use_memo(lambda: ChartsView(models, lang, width_in),
                           dependencies=[tuple(id(m) for m in models), version, lang, width_in])
    data = solara.use_memo(draw, dependencies=[view, tick, models[0].day])
    solara.Image(data, format="png", classes=["tranqsim-charts"])
    with solara.Row(gap="10px", style={"flex-wrap": "wrap", "font-size": "0.8em"}):
        for sym, colour, label in chart_legend(models, lang):
            solara.HTML("span", unsafe_innerHTML=f'<span style="color:{colour};font-weight:bold">{sym}</span> {label}')
