"""The Mesa grid through its public API: property layers as arrays, cells by coordinates."""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

import tranqsim
from tranqsim.space import cells_at, create_layer, layer_array


def test_a_layer_is_an_array_the_grid_keeps_on_this_mesa():
    grid = OrthogonalMooreGrid((4, 3), torus=False, random=__import__("random").Random(1))
    a = create_layer(grid, "disorder", 0.5, float)
    assert isinstance(a, np.ndarray) and a.shape == (4, 3) and (a == 0.5).all()
    a[2, 1] = 7.0  # writing the array is writing the layer
    assert layer_array(grid, "disorder")[2, 1] == 7.0
    cells = cells_at(grid, [2, 0], [1, 2])
    assert [c.coordinate for c in cells] == [(2, 1), (0, 2)]


class _Mesa4Grid:
    """What Mesa 4's grid does: create_property_layer returns the array, grid.<name> is it."""

    def create_property_layer(self, name, default_value=0.0, dtype=float):
        arr = np.full((4, 3), default_value, dtype=dtype)
        setattr(self, name, arr)
        return arr


def test_a_layer_is_the_same_array_on_mesa_4():
    grid = _Mesa4Grid()
    a = create_layer(grid, "fear", 0.0, float)
    a[0, 0] = 1.0
    assert layer_array(grid, "fear") is a and grid.fear[0, 0] == 1.0


def test_the_model_and_its_grid_share_the_per_place_arrays():
    m = tranqsim.build_model(tranqsim.load_scenario(context="calm_neighbourhood", years=0.1))
    m.run(5)
    for name in ("disorder", "attractiveness", "surveillance", "guardianship", "fear", "status"):
        flat = layer_array(m.grid, name).reshape(-1)
        assert np.shares_memory(flat, getattr(m, name)), name
    lay = m.layout
    assert [c.coordinate for c in cells_at(m.grid, lay.x[:5], lay.y[:5])] == \
        [(int(x), int(y)) for x, y in zip(lay.x[:5], lay.y[:5])]
