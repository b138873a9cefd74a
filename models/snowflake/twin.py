"""Reiter's step written cell by cell on a Mesa HexGrid, as a Mesa user would.

The water and receptive fields are the model's PropertyLayers, attached to the grid so that a
cell reads ``cell.water`` and ``cell.receptive``. Every cell inside the edge first computes its
new water from the old field; then all cells take their new values, and the cells that froze make
their neighbourhoods receptive. It sweeps the whole domain where the kernel sweeps only the
disturbed hexagon, adds the same numbers in the same order, and so follows the kernel's trajectory
bit for bit: the readable statement of the rules, and the benchmark's peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import HexGrid

from emergesim.models.snowflake.lattice import hex_distance, to_axial

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from emergesim.models.snowflake.model import SnowflakeModel

FACING = ((0, 1), (1, 0), (1, -1))  # axial steps to one of each pair of opposite neighbours


def step(model: SnowflakeModel) -> np.ndarray:
    """One synchronous step; returns the cells that froze ((n, 2) array of (i, j), in row
    order). The HexGrid is built on the first step and kept on the model."""
    if model._cell_by_cell is None:
        model._cell_by_cell = CellByCell(model)
    return model._cell_by_cell.step()


def opposite_pairs(cell: Cell, centre: int) -> list[tuple[Cell, Cell]]:
    """The six neighbours as three pairs facing each other across the cell."""
    q, r = to_axial(*cell.coordinate, centre)
    by_step = {}
    for neighbour in cell.neighborhood:
        nq, nr = to_axial(*neighbour.coordinate, centre)
        by_step[nq - q, nr - r] = neighbour
    return [(by_step[dq, dr], by_step[-dq, -dr]) for dq, dr in FACING]


def free_water(cell: Cell) -> float:
    """u: the water of a non-receptive cell, free to diffuse (receptive cells hold theirs)."""
    return 0.0 if cell.receptive else float(cell.water)


def new_water(cell: Cell, pairs: list[tuple[Cell, Cell]], k: float, gamma: float) -> float:
    """s' = u' + v': u' = u + (alpha/12) * sum of (u_neighbour - u); v' = s + gamma if receptive.

    The six differences are added as three opposite pairs, smallest pair first, so the sum does
    not depend on how the neighbourhood is oriented (see ``kernels``)."""
    u = free_water(cell)
    low, mid, high = sorted((free_water(a) - u) + (free_water(b) - u) for a, b in pairs)
    net = (low + mid) + high
    if cell.receptive:
        return k * net + (float(cell.water) + gamma)
    return u + k * net


class CellByCell:
    """The model's fields on a Mesa HexGrid, stepped cell by cell."""

    def __init__(self, model: SnowflakeModel) -> None:
        self.model = model
        self.grid = HexGrid(model.water.dimensions, random=model.random)
        self.grid.add_property_layer(model.water)
        self.grid.add_property_layer(model.receptive)
        inside = (
            cell
            for cell in self.grid.all_cells
            if hex_distance(*cell.coordinate, model.centre) < model.radius
        )
        # the cells that evolve (the edge ring is held at beta), with their neighbours paired
        self.pairs = {cell: opposite_pairs(cell, model.centre) for cell in inside}

    def step(self) -> np.ndarray:
        """One synchronous step; returns the cells that froze ((n, 2) array of (i, j), in row
        order)."""
        k, gamma = self.model.alpha / 12, self.model.gamma
        updates = {cell: new_water(cell, pairs, k, gamma) for cell, pairs in self.pairs.items()}
        frozen = []
        for cell, water in updates.items():
            if water >= 1.0 and cell.water < 1.0:
                frozen.append(cell)
            cell.water = water
        for cell in frozen:
            cell.receptive = True
            for neighbour in cell.neighborhood:
                neighbour.receptive = True
        coordinates = [cell.coordinate for cell in frozen]
        return np.array(coordinates, dtype=np.int64).reshape(-1, 2)
