"""The estate: a grid of buildings, their halls (*cages d'escalier*) and public spaces.

Every grid cell is a *place* where incidents can happen: a hall (one cell of a building,
serving ``dwellings_per_hall`` dwellings), a street or forecourt cell, a car-park cell or a
square cell. Place ``i`` is cell ``(x, y)`` with ``i = x * height + y``, so the flattened
PropertyLayer data of the Mesa grid *is* the per-place array: vectorised numpy on places
updates the layers the UI draws, with no copy.

Layout: buildings are bars of ``halls_per_building`` halls placed on lots; lots sit on a lattice
separated by one-cell streets; some lots are car parks or squares instead of buildings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tranqsim.vocabulary import HallStatus, PlaceKind, names

KIND_NAMES = names(PlaceKind)
STATUS_NAMES = names(HallStatus)


@dataclass
class Layout:
    width: int
    height: int
    kind: np.ndarray  # (places,) PlaceKind
    building: np.ndarray  # (places,) building id, -1 for public places
    x: np.ndarray
    y: np.ndarray
    hall_places: np.ndarray  # place ids of halls, in building order
    dwellings_per_hall: np.ndarray  # (halls,)
    neighbours: sp.csr_matrix  # (places, places) Moore radius 1, row-normalised
    buffer2: sp.csr_matrix  # (places, places) Chebyshev radius 2, binary, no self

    @property
    def n_places(self) -> int:
        return self.kind.size

    @property
    def n_buildings(self) -> int:
        return int(self.building.max()) + 1


def build_layout(dwellings: int, dwellings_per_hall: int, halls_per_building: int,
                 car_parks: int, squares: int, rng: np.random.Generator,
                 buildings: list | None = None) -> Layout:
    """Place buildings, car parks and squares on a lattice of lots; the rest is street.

    With ``buildings`` (a register's explicit buildings, see :func:`layout_from_buildings`)
    those are placed instead of bars of ``halls_per_building`` halls."""
    if buildings:
        return layout_from_buildings(buildings, car_parks, squares, rng)
    n_halls = math.ceil(dwellings / dwellings_per_hall)
    n_buildings = math.ceil(n_halls / halls_per_building)
    n_lots = n_buildings + car_parks + squares
    # lots are (halls_per_building) x 1 cells; the pitch adds a street column and row
    pitch_x, pitch_y = halls_per_building + 1, 2
    cols = max(1, round(math.sqrt(n_lots * pitch_y / pitch_x)))
    rows = math.ceil(n_lots / cols)
    width, height = cols * pitch_x + 1, rows * pitch_y + 1
    lot_kind = np.array([PlaceKind.HALL] * n_buildings + [PlaceKind.CAR_PARK] * car_parks
                        + [PlaceKind.SQUARE] * squares + [PlaceKind.STREET] * (rows * cols - n_lots))
    rng.shuffle(lot_kind)

    kind = np.full((width, height), PlaceKind.STREET, dtype=np.int8)
    building = np.full((width, height), -1, dtype=np.int32)
    hall_cells: list[tuple[int, int]] = []
    b = 0
    halls_left = n_halls
    for lot, lk in enumerate(lot_kind):
        cx, cy = (lot % cols) * pitch_x + 1, (lot // cols) * pitch_y + 1
        if lk == PlaceKind.HALL:
            k = min(halls_per_building, halls_left - (n_buildings - b - 1))
            k = max(1, k)
            for j in range(k):
                kind[cx + j, cy] = PlaceKind.HALL
                building[cx + j, cy] = b
                hall_cells.append((cx + j, cy))
            halls_left -= k
            b += 1
        elif lk in (PlaceKind.CAR_PARK, PlaceKind.SQUARE):
            kind[cx:cx + halls_per_building, cy] = lk
    kind_f, building_f = kind.ravel(), building.ravel()
    xs, ys = np.divmod(np.arange(width * height), height)
    hall_places = np.array([hx * height + hy for hx, hy in hall_cells], dtype=np.int64)
    per_hall = np.full(n_halls, dwellings // n_halls)
    per_hall[: dwellings - per_hall.sum()] += 1
    return Layout(width, height, kind_f.copy(), building_f.copy(), xs, ys, hall_places, per_hall,
                  _moore(width, height, 1, normalise=True), _moore(width, height, 2, normalise=False))


_PITCH_Y = 2  # lattice rows of cells: a bar of halls and a street


def _building_lattice(n_lots: int, pitch_x: int) -> tuple[int, int, int, int]:
    cols = max(1, round(math.sqrt(n_lots * _PITCH_Y / pitch_x)))
    rows = math.ceil(n_lots / cols)
    return cols, rows, cols * pitch_x + 1, rows * _PITCH_Y + 1


def buildings_grid_shape(halls: list[int], car_parks: int, squares: int) -> tuple[int, int, int]:
    """(halls, width, height) of :func:`layout_from_buildings`'s grid, without drawing it."""
    pitch_x = max(halls) + 1
    _, _, width, height = _building_lattice(len(halls) + car_parks + squares, pitch_x)
    return sum(halls), width, height


def layout_from_buildings(buildings: list, car_parks: int, squares: int,
                          rng: np.random.Generator) -> Layout:
    """The layout of a register's buildings: each one a bar of its own number of halls, its
    dwellings shared evenly between them; building ``i`` of the list is building id ``i``.

    Lots sit on the same lattice as :func:`build_layout`'s (pitch: the largest building plus
    a street). Buildings with positions keep their relative order: they are cut into lattice
    rows by their north coordinate (north first) and ordered by their east coordinate within
    a row, so neighbours in the register's plan are neighbours on the grid; distances are not
    kept. Buildings without a position, car parks and squares take the other lots at random.
    """
    halls = [int(b.halls) for b in buildings]
    n_b = len(buildings)
    pitch_x = max(halls) + 1
    n_lots = n_b + car_parks + squares
    cols, rows, width, height = _building_lattice(n_lots, pitch_x)
    lot_kind = np.array([PlaceKind.HALL] * n_b + [PlaceKind.CAR_PARK] * car_parks
                        + [PlaceKind.SQUARE] * squares + [PlaceKind.STREET] * (rows * cols - n_lots))
    rng.shuffle(lot_kind)
    building_lots = np.flatnonzero(lot_kind == PlaceKind.HALL)  # row-major: north-west first
    placed = [i for i, b in enumerate(buildings) if b.x is not None and b.y is not None]
    others = [i for i in range(n_b) if i not in set(placed)]
    # positioned buildings: north to south in bands of one lattice row's share, west to east
    by_north = sorted(placed, key=lambda i: (-buildings[i].y, buildings[i].x))
    per_row = max(1, math.ceil(len(by_north) / rows))
    order = []
    for r in range(0, len(by_north), per_row):
        order += sorted(by_north[r:r + per_row], key=lambda i: buildings[i].x)
    order += [int(i) for i in rng.permutation(others)] if others else []
    lot_of = {b: int(building_lots[k]) for k, b in enumerate(order)}

    kind = np.full((width, height), PlaceKind.STREET, dtype=np.int8)
    building = np.full((width, height), -1, dtype=np.int32)
    for lot, lk in enumerate(lot_kind):
        cx, cy = (lot % cols) * pitch_x + 1, (lot // cols) * _PITCH_Y + 1
        if lk in (PlaceKind.CAR_PARK, PlaceKind.SQUARE):
            kind[cx:cx + pitch_x - 1, cy] = lk
    hall_cells: list[tuple[int, int]] = []
    per_hall: list[int] = []
    for b in range(n_b):  # halls in building order, as build_layout lists them
        lot = lot_of[b]
        cx, cy = (lot % cols) * pitch_x + 1, (lot // cols) * _PITCH_Y + 1
        k, d = halls[b], int(buildings[b].dwellings)
        for j in range(k):
            kind[cx + j, cy] = PlaceKind.HALL
            building[cx + j, cy] = b
            hall_cells.append((cx + j, cy))
        share = np.full(k, d // k)
        share[: d - share.sum()] += 1
        per_hall += share.tolist()
    xs, ys = np.divmod(np.arange(width * height), height)
    hall_places = np.array([hx * height + hy for hx, hy in hall_cells], dtype=np.int64)
    return Layout(width, height, kind.ravel().copy(), building.ravel().copy(), xs, ys, hall_places,
                  np.array(per_hall, dtype=np.int64),
                  _moore(width, height, 1, normalise=True), _moore(width, height, 2, normalise=False))


def grid_shape(dwellings: int, dwellings_per_hall: int, halls_per_building: int,
               car_parks: int, squares: int) -> tuple[int, int, int]:
    """(halls, width, height) of the layout :func:`build_layout` draws, without drawing it.

    The same arithmetic as ``build_layout`` (checked by the tests), so that a context's memory
    can be estimated from its file before anything is allocated (``config.estimate_memory``)."""
    n_halls = math.ceil(dwellings / dwellings_per_hall)
    n_buildings = math.ceil(n_halls / halls_per_building)
    n_lots = n_buildings + car_parks + squares
    pitch_x, pitch_y = halls_per_building + 1, 2
    cols = max(1, round(math.sqrt(n_lots * pitch_y / pitch_x)))
    rows = math.ceil(n_lots / cols)
    return n_halls, cols * pitch_x + 1, rows * pitch_y + 1


def nearest_halls(layout: Layout) -> np.ndarray:
    """For every place, the index of its nearest hall (Manhattan distance; ties go to the
    lowest hall index, as ``argmin`` over a places x halls distance matrix would give).

    A k-d tree answers the query in O(places log halls) time and O(places + halls) memory;
    the dense matrix it replaces needed places x halls integers (about 6e9 bytes for 50,000
    dwellings two to a hall). Ties are broken exactly by a third coordinate: halls sit at
    ``(x*s, y*s, index)`` and places at ``(x*s, y*s, 0)`` with ``s = halls + 1``, so the L1
    distance is ``d*s + index``: a unique integer per hall (exact in float64 below 2**53), whose
    minimum is the nearest hall with the lowest index."""
    from scipy.spatial import cKDTree

    halls = layout.hall_places
    s = float(halls.size + 1)
    hx, hy = layout.x[halls] * s, layout.y[halls] * s
    tree = cKDTree(np.column_stack([hx, hy, np.arange(halls.size, dtype=float)]))
    places = np.column_stack([layout.x * s, layout.y * s, np.zeros(layout.x.size)])
    _, idx = tree.query(places, k=1, p=1)
    return idx.astype(np.int64)


def _moore(width: int, height: int, radius: int, normalise: bool) -> sp.csr_matrix:
    rows, cols = [], []
    idx = np.arange(width * height).reshape(width, height)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            if dx == 0 and dy == 0:
                continue
            # cells (x, y) whose neighbour (x + dx, y + dy) is inside the grid
            src = idx[max(0, -dx):width - max(0, dx), max(0, -dy):height - max(0, dy)]
            dst = idx[max(0, dx):width - max(0, -dx), max(0, dy):height - max(0, -dy)]
            rows.append(src.ravel())
            cols.append(dst.ravel())
    r, c = np.concatenate(rows), np.concatenate(cols)
    m = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(width * height,) * 2)
    if normalise:
        deg = np.asarray(m.sum(axis=1)).ravel()
        m = sp.diags(1.0 / deg) @ m
    return m.tocsr()


def status_colours() -> dict[str, str]:
    return {"green": "#2e9e44", "yellow": "#f2c500", "orange": "#f07f09", "red": "#d62728"}
