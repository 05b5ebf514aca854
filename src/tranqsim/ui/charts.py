"""Charts: incidents by family of types, insecurity, trust in landlord and police, vacancy, cost
per dwelling, halls by status, and the tranquillity function's backlog and mean delay (issue 17), with labelled dashed lines where a lever starts or ends and
where the trainer changed a lever during the run.

Made to be read from the back of a room at 1280x720: text of at least 14 px at the size the page
shows the image, two columns of panels with short titles, eleven incident types grouped in four
families with Okabe-Ito colours (colour-blind-safe), an x axis that grows with the run (a
month, a quarter, a year...) and reads in months, then years.

Read from the model's Recorder (``model.recorder.data``, one row per day; columns in
``tranqsim.metrics.SERIES``). One persistent figure per model set and language
(:class:`ChartsView`); each redraw only changes the lines' data and *blits*: axes, ticks, titles
and lever marks are rasterised once into a background that is reused until a y-range has to grow
(y limits move in "nice" steps), and only the lines are drawn over it. Text is what makes
matplotlib slow; this keeps a redraw of the eight panels to a few tens of milliseconds. With two models (the compare
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
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from tranqsim.estate import STATUS_NAMES, status_colours  # noqa: E402
from tranqsim.incidents import TYPE_NAMES  # noqa: E402
from tranqsim.metrics import COL  # noqa: E402
from tranqsim.ui import format as fmt  # noqa: E402
from tranqsim.ui.i18n import lever_short, tr  # noqa: E402

WEEK = 7
MONTH = 365 / 12
MAX_POINTS = 260  # daily series are thinned to about this many points (a line costs per vertex)
FIXED = ("c_trust", "c_insecurity")  # shares: the y axis stays 0-1
PANELS = ("c_incidents", "c_insecurity", "c_trust", "c_vacancy", "c_cost", "c_status",
          # the tranquillity function (issue 17): cases waiting, and their mean delay in days
          "c_backlog", "c_delay")
DPI = 80
PX = 72 / DPI  # points per pixel: matplotlib sizes text in points, the browser in pixels
TEXT_PX, TITLE_PX = 15, 16  # >= 14 px once the page shows the image at its natural width
WIDTH_IN, HEIGHT_IN = 7.0, 10.4  # 560 x 832 px: the charts' column at 1280 px wide (4 rows)
STRIP_ROWS = 3  # rows of lever labels in the strip above each column of panels
# Incident types in four families a room can tell apart (Okabe-Ito hues, none of them the
# trust lines' blue and purple): what residents see, hear, lose and fear.
FAMILIES = (("disorder", ("degradation", "tags", "bulky_waste"), "#E69F00"),
            ("nuisance", ("hall_occupation", "noise_dispute", "incivility"), "#56B4E9"),
            ("property", ("cellar_crime", "vehicle_crime"), "#009E73"),
            ("violence", ("drug_dealing", "staff_aggression", "urban_violence"), "#D55E00"))
FAMILY_INDEX = [[TYPE_NAMES.index(t) for t in types] for _, types, _ in FAMILIES]
TRUST_COLOURS = {"trust_landlord": "#0072B2", "trust_police": "#CC79A7"}
LINE = "#000000"  # single-series panels
CHANGE = "#882255"  # a lever changed by the trainer during the run (wine: no family uses it)
# x extents in days: the axis shows the next one beyond 110 % of the days run
_EXTENTS = [30, 61, 91, 183, 274, 365, 548, 730, 1095, 1460, 1825] + [365 * y for y in range(6, 51)]


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


def x_extent(day: int, total: int) -> int:
    """Days the x axis spans: the first round extent past 110 % of the days run, at most the
    horizon (so the first weeks are not a few pixels of a five-year axis)."""
    want = max(1.0, day * 1.1)
    return min(total, next((e for e in _EXTENTS if e >= want), total))


def x_ticks(extent: int, lang: str) -> tuple[list[float], list[str], str]:
    """(tick positions in days, their labels, the axis label): days (by weeks) for the first two
    months, as the day counter reads, then months up to two years, then years; at most seven
    ticks."""
    if extent <= 61:
        step = 7 if extent <= 31 else 14
        pos = list(range(0, extent + 1, step))
        return pos, [str(p) for p in pos], tr("x_days", lang)
    if extent <= 730:
        months = extent / MONTH
        step = next(s for s in (1, 2, 3, 6) if months / s <= 6)
        pos = [k * step * MONTH for k in range(int(months / step) + 1)]
        return pos, [str(k * step) for k in range(len(pos))], tr("x_months", lang)
    years = extent / 365
    step = next(s for s in (1, 2, 5, 10) if years / s <= 6)
    pos = [k * step * 365 for k in range(int(years / step) + 1)]
    return pos, [str(k * step) for k in range(len(pos))], tr("x_years", lang)


def lever_marks(model) -> list[tuple[int, str, str]]:
    """(day, lever, "start" or "end") for every start or end of a lever inside the run."""
    marks = []
    for lv in model.levers:
        for day, kind in ((lv.config.start, "start"), (lv.config.end, "end")):
            if day and day < model.days_total:
                marks.append((int(day), lv.name, kind))
    return sorted(marks)


def all_marks(models: list, changes: list[list] | None, lang: str) -> list[tuple[int, str, str, int]]:
    """(day, label, colour, model index) of every mark: lever windows, trainer's changes."""
    out = []
    for i, m in enumerate(models):
        grey = "#555555" if i == 0 else "#999999"
        for day, name, kind in lever_marks(m):
            out.append((day, tr(f"mark_{kind}", lang, lever=lever_short(name, lang)), grey, i))
        for day, name in (changes[i] if changes and i < len(changes) else ()):
            out.append((int(day), tr("mark_change", lang, lever=lever_short(name, lang)), CHANGE, i))
    return sorted(out, key=lambda m: m[0])


def when(day: int, lang: str) -> str:
    """A day as a trainer says it: "mois 7" / "month 7" (the month the day falls in)."""
    return tr("in_month", lang, n=int(day) * 12 // 365 + 1)


def family_counts(types: np.ndarray) -> np.ndarray:
    """(days, 11) daily counts by type -> (days, 4) by family."""
    return np.stack([types[:, idx].sum(1) for idx in FAMILY_INDEX], axis=1) if types.size else \
        np.zeros((types.shape[0], len(FAMILIES)))


def series(model) -> dict[str, np.ndarray]:
    """The daily series the panels draw (views on the Recorder's array, no copy)."""
    data = model.recorder.data[: model.recorder.n]
    col = lambda name: data[:, COL[name]]  # noqa: E731
    return {"types": data[:, COL[f"n_{TYPE_NAMES[0]}"]:COL[f"n_{TYPE_NAMES[-1]}"] + 1],
            "incidents": col("incidents"), "insecurity": col("insecurity_share"),
            "trust_landlord": col("trust_landlord_mean"), "trust_police": col("trust_police_mean"),
            "vacancy": col("vacancy_rate"),
            "cost": np.cumsum(col("cost_eur")) / model.n_dwellings,
            "status": np.stack([col(f"halls_{s}") for s in STATUS_NAMES], axis=1),
            "backlog": col("case_backlog"), "delay": col("case_delay_days")}


class ChartsView:
    """Six panels for one or two models; ``png()`` redraws them.

    ``changes`` (one list per model, owned by the session) holds ``(day, lever)`` for every
    lever the trainer changed during the run; new entries are drawn at the next redraw.
    """

    def __init__(self, models: list, lang: str = "fr", width_in: float = WIDTH_IN,
                 changes: list[list] | None = None):
        self.models, self.lang = list(models), lang
        self.compare = len(self.models) > 1
        self.changes = changes if changes is not None else [[] for _ in self.models]
        self.total = max(m.days_total for m in self.models)
        fig = self.fig = Figure(figsize=(width_in, HEIGHT_IN), dpi=DPI)
        self.canvas = FigureCanvasAgg(fig)
        # a strip above each column carries the labels of the lever lines, off the data
        grid = fig.subplots(5, 2, sharex=True, gridspec_kw={"height_ratios": [0.62, 1, 1, 1, 1]})
        fig.subplots_adjust(left=0.11, right=0.985, top=0.99, bottom=0.065, hspace=0.42, wspace=0.28)
        self.strips = list(grid[0])
        for ax in self.strips:
            ax.set_axis_off()
            ax.set_ylim(0, 1)
        axes = grid[1:]
        self.axes = dict(zip(PANELS, axes.ravel()))
        self.lines: dict[tuple, object] = {}
        styles = ["-", "--"]
        share = FuncFormatter(lambda v, _: fmt.percent(v, lang))
        plain = FuncFormatter(lambda v, _: fmt.number(v, lang, 0 if abs(v - round(v)) < 1e-9 else 1))
        for key, ax in self.axes.items():
            name = "c_incidents_total" if key == "c_incidents" and self.compare else key
            ax.set_title(tr(name, lang), fontsize=TITLE_PX * PX, loc="left", fontweight="bold")
            ax.tick_params(labelsize=TEXT_PX * PX, length=3)
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.yaxis.set_major_formatter(share if key in ("c_insecurity", "c_vacancy") else plain)
            ax.spines[["top", "right"]].set_visible(False)
        self.axes["c_trust"].yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: fmt.number(v, lang, 1)))
        for i, m in enumerate(self.models):
            ls = styles[i]
            ax = self.axes["c_incidents"]
            if self.compare:
                self.lines[(i, "incidents")], = ax.plot([], [], ls, color=LINE, lw=2)
            else:
                for f, (_, _, colour) in enumerate(FAMILIES):
                    self.lines[(i, "family", f)], = ax.plot([], [], ls, color=colour, lw=2)
            self.lines[(i, "insecurity")], = self.axes["c_insecurity"].plot([], [], ls, color=LINE, lw=2)
            for key, colour in TRUST_COLOURS.items():
                self.lines[(i, key)], = self.axes["c_trust"].plot([], [], ls, color=colour, lw=2)
            self.lines[(i, "vacancy")], = self.axes["c_vacancy"].plot([], [], ls, color=LINE, lw=2)
            self.lines[(i, "cost")], = self.axes["c_cost"].plot([], [], ls, color=LINE, lw=2)
            self.lines[(i, "backlog")], = self.axes["c_backlog"].plot([], [], ls, color=LINE, lw=2)
            self.lines[(i, "delay")], = self.axes["c_delay"].plot([], [], ls, color=LINE, lw=2)
            for s, colour in enumerate(status_colours().values()):
                self.lines[(i, "status", s)], = self.axes["c_status"].plot([], [], ls, color=colour, lw=2)
        for line in self.lines.values():
            line.set_animated(True)  # drawn over the cached background, not with it
        self.axes["c_trust"].set_ylim(0, 1)
        self.axes["c_insecurity"].set_ylim(0, 1)
        self.top = {k: 0.0 for k in self.axes if k not in FIXED}
        self.extent = 0
        self.marks_drawn: tuple = ()
        self.mark_artists: list = []
        self.background = None
        self.update()

    # ------------------------------------------------------------------ marks and axes
    def marks(self) -> list[tuple[int, str, str, int]]:
        return all_marks(self.models, self.changes, self.lang)

    def _draw_marks(self, marks) -> None:
        """Dashed lines on every panel and through the strips above them; in each strip, each
        line's label written level beside it, in rows so that labels of near days don't overlap
        (a label that finds no room is left to the list under the charts)."""
        for a in self.mark_artists:
            a.remove()
        self.mark_artists = []
        prefix = ("A : ", "B : ") if self.compare and self.lang != "en" else \
            ("A: ", "B: ") if self.compare else ("", "")
        # the trainer's own changes get their rows first, then the strategy's windows
        shown = sorted((m for m in marks if m[0] <= self.extent), key=lambda m: (m[2] != CHANGE, m[0]))
        ax_w = self.axes["c_incidents"].get_window_extent().width  # pixels
        rows: list[list[tuple[float, float]]] = [[] for _ in range(STRIP_ROWS)]  # (lo, hi) px
        for day, label, colour, i in shown:
            text = prefix[i] + label
            width = 0.55 * TEXT_PX * len(text) + 6  # DejaVu Sans averages ~0.55 em per char
            x = day / self.extent * ax_w
            # beside the line, right of it when it fits, else left of it, else shifted inside
            lo = x + 3 if x + 3 + width <= ax_w else max(0.0, x - 3 - width)
            hi = lo + width
            row = next((r for r, taken in enumerate(rows)
                        if all(hi + 4 < a or lo > b + 4 for a, b in taken)), STRIP_ROWS)
            if row < STRIP_ROWS:
                rows[row].append((lo, hi))
            at = lo / ax_w * self.extent  # data x of the label's left edge
            for ax in self.axes.values():
                self.mark_artists.append(ax.axvline(day, color=colour, ls=(0, (4, 3)), lw=1.6))
            for ax in self.strips if row < STRIP_ROWS else ():
                y = 1 - row / STRIP_ROWS
                self.mark_artists.append(ax.plot([day, day], [0, y], color=colour, ls=(0, (4, 3)),
                                                 lw=1.6, clip_on=False)[0])
                self.mark_artists.append(ax.text(
                    at, y, text, va="top", ha="left", fontsize=TEXT_PX * PX, color=colour,
                    clip_on=False))

    def _set_x(self, extent: int) -> None:
        self.extent = extent
        pos, labels, axis_label = x_ticks(extent, self.lang)
        ax = self.axes[PANELS[-1]]  # the panels share their x axis: set it once
        ax.set_xlim(0, extent)
        ax.set_xticks(pos, labels)
        for key in PANELS[-2:]:
            self.axes[key].set_xlabel(axis_label, fontsize=TEXT_PX * PX)

    def update(self) -> None:
        day = max(m.recorder.n for m in self.models)
        extent = x_extent(day, self.total)
        if extent != self.extent:
            self._set_x(extent)
            self.marks_drawn = ()  # labels outside the old extent may now show
            self.background = None
        marks = tuple(self.marks())
        if marks != self.marks_drawn:
            self._draw_marks(marks)
            self.marks_drawn = marks
            self.background = None
        for i, m in enumerate(self.models):
            s = series(m)
            n = s["incidents"].size
            stride = max(1, -(-n // MAX_POINTS))
            days = np.arange(n)[::stride]
            if self.compare:
                self.lines[(i, "incidents")].set_data(days, per_week(s["incidents"])[::stride])
            else:
                v = per_week(family_counts(s["types"]))[::stride]
                for f in range(len(FAMILIES)):
                    self.lines[(i, "family", f)].set_data(days, v[:, f])
            for key in ("insecurity", "trust_landlord", "trust_police", "vacancy", "cost", "backlog",
                        "delay"):
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


def chart_legends(models: list, lang: str, changes: list[list] | None = None
                  ) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Legends shown under the charts, one per kind of line: (heading, [(symbol, colour,
    label)]) -- incidents, trust, halls, marks (HTML: cheap to redraw, never over a line)."""
    out = []
    if len(models) == 1:
        out.append((tr("lg_incidents", lang), [("━", c, tr(f"fam_{k}", lang)) for k, _, c in FAMILIES]))
    else:
        out.append((tr("lg_runs", lang), [("━", "#000000", "A"), ("╍", "#000000", "B")]))
    out.append((tr("lg_trust", lang), [("━", c, tr(k, lang)) for k, c in TRUST_COLOURS.items()]))
    out.append((tr("lg_halls", lang), [("━", c, tr(f"status_{k}", lang)) for k, c in status_colours().items()]))
    out.append((tr("lg_marks", lang), [("┆", "#555555", tr("lg_window", lang)),
                                       ("┆", CHANGE, tr("lg_change", lang))]))
    marks = all_marks(models, changes, lang)
    if marks:  # every mark with its month: the strips above the charts may lack room
        prefix = ("A ", "B ") if len(models) > 1 else ("", "")
        out.append((tr("lg_mark_list", lang), [("┆", c, f"{prefix[i]}{label} ({when(d, lang)})")
                                               for d, label, c, i in marks]))
    return out


@solara.component
def Charts(models: list, lang: str, tick: int, version: int = 0, width_in: float = WIDTH_IN,
           lock=None, changes: list[list] | None = None):
    lock = lock or threading.RLock()

    def draw():
        with lock:
            return view.png()

    view = solara.use_memo(lambda: ChartsView(models, lang, width_in, changes),
                           dependencies=[tuple(id(m) for m in models), version, lang, width_in])
    data = solara.use_memo(draw, dependencies=[view, tick, models[0].day])
    solara.Image(data, format="png", classes=["tranqsim-charts"])
    with solara.Column(gap="2px", classes=["tranqsim-chart-legends"], style={"font-size": "15px"}):
        for heading, items in chart_legends(models, lang, changes):
            spans = " ".join(f'<span style="white-space:nowrap;margin-right:10px">'
                             f'<span style="color:{c};font-weight:bold">{sym}</span> {label}</span>'
                             for sym, c, label in items)
            solara.HTML("div", unsafe_innerHTML=f"<b>{heading}</b> {spans}",
                        classes=["tranqsim-legend-row"])
