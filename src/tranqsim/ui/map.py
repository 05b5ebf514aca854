"""The estate map: halls coloured by status or by a layer, public spaces, agents, the ZSP zone
and the day's incidents.

One matplotlib figure per (model, layer) is built once (:class:`MapView`) and only its data
change at each redraw (image pixels, marker positions); it is rasterised by Agg and encoded by
Pillow at low compression. Text is costly to rasterise, so the legend is HTML (:func:`Legend`),
which also makes it switch language for free. A redraw takes about 20-30 ms here.

Everything is read from the model: the grid's
PropertyLayers (``status``, ``disorder``, ``fear``, ``surveillance``), where the staff,
groups and dealing points stand today (``place``), the active ZSP zone (``model.mods.zsp_zone``)
and the day's incidents (``model.events``).
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import Normalize, to_hex, to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

from tranqsim.actors import Caretaker, NightMediator, PoliceUnit, SecurityGuard  # noqa: E402
from tranqsim.estate import PlaceKind, status_colours  # noqa: E402
from tranqsim.space import layer_array  # noqa: E402
from tranqsim.ui import format as fmt  # noqa: E402
from tranqsim.ui.i18n import tr  # noqa: E402

LAYERS = ("status", "disorder", "fear", "surveillance")
LAYER_CMAP = {"disorder": ("YlOrBr", 1.0), "fear": ("Reds", 1.0), "surveillance": ("Blues", None)}
PUBLIC = {PlaceKind.STREET: "#f2f2f2", PlaceKind.CAR_PARK: "#cfe3f3", PlaceKind.SQUARE: "#d9f0d3"}
STATUS_RGBA = np.array([to_rgba(c) for c in status_colours().values()])
# (key, marker, colour, size, offset within the cell, symbol in the HTML legend): distinct
# shapes, colour-blind-safe hues
AGENTS = (("caretaker", "o", "#0072B2", 28, (-0.25, 0.25), "●"),
          ("mediator", "^", "#CC79A7", 34, (0.25, 0.25), "▲"),
          ("police", "s", "#000080", 30, (-0.25, -0.25), "■"),
          ("guard", "D", "#555555", 24, (0.25, -0.25), "◆"),
          ("group", "h", "#E69F00", 90, (0.0, 0.0), "⬢"),
          ("dealing", "X", "#000000", 80, (0.0, 0.0), "✖"))


# (key, marker, colour, size, symbol in the HTML legend): the estate's equipment in force today
EQUIPMENT = (("camera", "v", "#009E73", 26, "▼"),
             ("camera_live", "v", "#882255", 30, "▼"),
             ("access", "P", "#56B4E9", 22, "✚"))
EQUIP_OFFSET = {"camera": (0.3, -0.3), "camera_live": (0.3, -0.3), "access": (-0.3, 0.3)}


def equipment_places(model) -> dict[str, np.ndarray]:
    """Places with cameras (recording only / watched live) and badge entrances in force today."""
    mods = model.mods

    def where(arr):
        return np.flatnonzero(arr) if arr is not None else np.empty(0, np.int64)

    return {"camera": where(mods.cctv_passive), "camera_live": where(mods.cctv_active),
            "access": where(mods.access_control)}


def agent_places(model) -> dict[str, np.ndarray]:
    """Today's place of every mobile agent, by kind (a place id per agent)."""
    staff = model.staff
    return {"caretaker": [a.place for a in staff[Caretaker]],
            "mediator": [a.place for a in staff[NightMediator]],
            "police": [a.place for a in staff[PoliceUnit]],
            "guard": [a.place for a in staff[SecurityGuard]],
            "group": [g.place for g in model.group_list],
            "dealing": [n.place for n in model.network_list]}


def todays_incidents(model) -> np.ndarray:
    """Place ids of the incidents of the last day simulated (empty before the first step)."""
    if model.events and model.events[-1][0] == model.day - 1:
        return model.events[-1][1]
    return np.empty(0, np.int32)


def layer_values(model, layer: str) -> np.ndarray:
    """(places,) values of a property layer, read from the Mesa grid."""
    return layer_array(model.grid, layer).reshape(-1)


class MapView:
    """A persistent figure for one model and layer; ``png()`` redraws it."""

    def __init__(self, model, layer: str = "status", width_in: float = 5.6):
        self.model, self.layer = model, layer
        lay = model.layout
        self.w, self.h = lay.width, lay.height
        self.x, self.y = lay.x.astype(float), lay.y.astype(float)
        self.halls = lay.hall_places
        base = np.zeros((lay.n_places, 4))
        for kind, colour in PUBLIC.items():
            base[lay.kind == kind] = to_rgba(colour)
        self.base = base
        height_in = min(10.0, max(3.0, width_in * self.h / self.w))
        fig = self.fig = Figure(figsize=(width_in, height_in), dpi=80)
        self.canvas = FigureCanvasAgg(fig)
        ax = self.ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
        ax.set_xlim(-0.5, self.w - 0.5)
        ax.set_ylim(-0.5, self.h - 0.5)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.add_patch(Rectangle((-0.5, -0.5), self.w, self.h, fill=False, lw=0.8, ec="#999999"))
        self.image = ax.imshow(self._rgba(), origin="lower", interpolation="nearest")
        edges = []
        for b in range(lay.n_buildings):  # building outlines, one artist for all
            cells = lay.building == b
            if cells.any():
                x0, x1 = lay.x[cells].min() - 0.5, lay.x[cells].max() + 0.5
                y0, y1 = lay.y[cells].min() - 0.5, lay.y[cells].max() + 0.5
                edges.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
        ax.add_collection(LineCollection(edges, colors="#333333", linewidths=0.8))
        self.zsp = Rectangle((0, 0), 1, 1, fill=False, lw=2.0, ec="#0072B2", ls="--", visible=False)
        ax.add_patch(self.zsp)
        self.codes = self._codes_overlay(model, width_in, height_in)
        # equipment: cameras (recording / watched live), access control, lighting
        self.equipment = {k: ax.scatter([], [], marker=mk, s=sz, c=c, ec="white", lw=0.4, zorder=3.5)
                          for k, mk, c, sz, _ in EQUIPMENT}
        self.incidents = ax.scatter([], [], marker="*", s=70, c="#D55E00", ec="#F0E442", lw=0.6,
                                    zorder=5)
        self.agents = {k: ax.scatter([], [], marker=m, s=s, c=c, ec="white", lw=0.5, zorder=4)
                       for k, m, c, s, *_ in AGENTS}
        self.offset = {k: np.array(o) for k, _, _, _, o, _ in AGENTS}
        self.update()

    # ------------------------------------------------------------------ drawing
    def _codes_overlay(self, model, width_in: float, height_in: float) -> np.ndarray:
        """Hall codes (as the log names them) rasterised once on a transparent figure of the
        same geometry: text is what makes matplotlib slow, and the codes never move, so each
        redraw only blends this array over the map (a few ms instead of tens)."""
        from tranqsim.ui.log import hall_codes

        fig = Figure(figsize=(width_in, height_in), dpi=80)
        fig.patch.set_alpha(0.0)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes(self.ax.get_position().bounds)
        ax.set_xlim(self.ax.get_xlim())
        ax.set_ylim(self.ax.get_ylim())
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.patch.set_alpha(0.0)
        for code, place in zip(hall_codes(model), self.halls):
            ax.text(self.x[place], self.y[place], code, fontsize=10 * 72 / 80, ha="center",
                    va="center", color="#111111")
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba()).astype(np.float32) / 255
        return rgba

    def _rgba(self) -> np.ndarray:
        m, rgba = self.model, self.base.copy()
        if self.layer == "status":
            rgba[self.halls] = STATUS_RGBA[np.clip(m.status[self.halls], 0, 3)]
        else:
            name, vmax = LAYER_CMAP[self.layer]
            v = layer_values(m, self.layer)
            vmax = vmax or max(float(v.max()), 1e-9)
            cmap = colormaps[name]
            places = self.halls if self.layer == "fear" else np.arange(v.size)
            col = cmap(Normalize(0, vmax)(v[places]))
            if self.layer != "fear":  # keep public spaces readable: blend with their colour
                public = m.layout.kind[places] != PlaceKind.HALL
                col[public] = 0.5 * col[public] + 0.5 * self.base[places[public]]
            rgba[places] = col
        return rgba.reshape(self.w, self.h, 4).transpose(1, 0, 2)

    def _xy(self, places, offset=(0.0, 0.0)) -> np.ndarray:
        p = np.asarray(places, dtype=np.int64)
        if p.size == 0:
            return np.empty((0, 2))
        return np.column_stack([self.x[p] + offset[0], self.y[p] + offset[1]])

    def update(self) -> None:
        m = self.model
        self.image.set_data(self._rgba())
        for key, places in equipment_places(m).items():
            self.equipment[key].set_offsets(self._xy(places, EQUIP_OFFSET[key]))
        for key, places in agent_places(m).items():
            self.agents[key].set_offsets(self._xy(places, self.offset[key]))
        inc = todays_incidents(m)
        if inc.size:  # several incidents in one place: spread them a little
            uniq, counts = np.unique(inc, return_counts=True)
            self.incidents.set_offsets(self._xy(uniq))
            self.incidents.set_sizes(50 + 30 * np.minimum(counts, 5))
        else:
            self.incidents.set_offsets(np.empty((0, 2)))
        zone = m.mods.zsp_zone
        if zone is not None and zone.any():
            x, y = self.x[zone], self.y[zone]
            self.zsp.set_bounds(x.min() - 0.5, y.min() - 0.5, x.max() - x.min() + 1, y.max() - y.min() + 1)
            self.zsp.set_visible(True)
        else:
            self.zsp.set_visible(False)

    def png(self) -> bytes:
        self.update()
        self.canvas.draw()
        base = np.asarray(self.canvas.buffer_rgba())[..., :3].astype(np.float32)
        alpha = self.codes[..., 3:]
        rgb = base * (1 - alpha) + self.codes[..., :3] * 255 * alpha
        buf = io.BytesIO()
        Image.fromarray(rgb.astype(np.uint8)).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def legend_items(layer: str, lang: str) -> list[tuple[str, str, str]]:
    """(symbol, colour, label) of every legend entry."""
    items = []
    if layer == "status":
        items += [("■", c, tr(f"status_{k}", lang)) for k, c in status_colours().items()]
    else:
        name, _ = LAYER_CMAP[layer]
        items += [("■", to_hex(colormaps[name](v)), f"{tr(f'layer_{layer}', lang)} {fmt.number(v, lang, 1)}")
                  for v in (0.1, 0.5, 0.9)]
    items += [("■", PUBLIC[k], tr(n, lang)) for k, n in
              ((PlaceKind.STREET, "street"), (PlaceKind.CAR_PARK, "car_park"), (PlaceKind.SQUARE, "square"))]
    items += [(sym, c, tr(k, lang)) for k, _, c, _, _, sym in AGENTS]
    items += [(sym, c, tr(k, lang)) for k, _, c, _, sym in EQUIPMENT]
    items += [("★", "#D55E00", tr("incident_today", lang)), ("⬚", "#0072B2", tr("zsp_zone", lang))]
    return items


@solara.component
def Legend(layer: str, lang: str):
    with solara.Row(gap="10px", style={"flex-wrap": "wrap", "font-size": "15px"}):
        for sym, colour, label in legend_items(layer, lang):
            solara.HTML("span", unsafe_innerHTML=f'<span style="color:{colour};font-size:1.3em;'
                        f'text-shadow:0 0 1px #333">{sym}</span> {label}')


@solara.component
def EstateMap(model, layer: str, tick: int, version: int = 0, width_in: float = 5.6, lock=None):
    """The map as an image: rebuilt when the model or layer change, redrawn on each tick.
    ``lock`` (the session's) keeps the play thread from stepping the model mid-drawing."""
    lock = lock or threading.RLock()

    def draw():
        with lock:
            return view.png()

    view = solara.use_memo(lambda: MapView(model, layer, width_in),
                           dependencies=[id(model), version, layer, width_in])
    data = solara.use_memo(draw, dependencies=[view, tick, model.day])
    solara.Image(data, format="png", classes=["tranqsim-map"])
