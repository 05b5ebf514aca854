"""The Mesa grid through its public API only, on Mesa 3.5 and Mesa 4.

The estate's places are cells of an ``OrthogonalMooreGrid``; their per-place state lives in the
grid's property layers, which the model uses as flat numpy views (place ``i`` is cell ``(x,
y)`` with ``i = x * height + y``). Two things differ between Mesa versions and are handled
here, in one place:

- a property layer: Mesa 3.5's ``create_property_layer`` returns a ``PropertyLayer`` whose
  array is ``.data`` (and ``grid.<name>`` is that object); Mesa 4 returns the numpy array
  itself (and ``grid.<name>`` is the array);
- a cell by its coordinates: ``grid[(x, y)]`` in both (never the private ``grid._cells``).
"""

from __future__ import annotations

import numpy as np


def _array(layer) -> np.ndarray:
    """The numpy array of a property layer: Mesa 4's layer is one, Mesa 3.5's holds one."""
    return layer if isinstance(layer, np.ndarray) else layer.data


def create_layer(grid, name: str, default, dtype) -> np.ndarray:
    """A new property layer ``name`` on ``grid``, filled with ``default``: its (width, height)
    array, which the grid keeps (writing into it is writing the layer)."""
    return _array(grid.create_property_layer(name, default, dtype))


def layer_array(grid, name: str) -> np.ndarray:
    """The (width, height) array of the grid's property layer ``name``."""
    return _array(getattr(grid, name))


def cells_at(grid, xs, ys) -> list:
    """The grid's cells at coordinates ``(xs[i], ys[i])``, in that order."""
    return [grid[(int(x), int(y))] for x, y in zip(xs, ys)]
