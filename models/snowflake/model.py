"""Reiter's hexagonal snowflake automaton (C. A. Reiter, Chaos, Solitons & Fractals 23:1111, 2005).

Each cell of a hexagonal lattice holds water s >= 0; s >= 1 is ice, and a cell is receptive if it
is ice or touches ice. Every step, synchronously: receptive cells keep their water and gain
gamma; the water of the other cells diffuses, u' = u + (alpha/2)(mean of the neighbours' u - u),
receptive cells counting as 0 (they absorb what flows in). One frozen seed in a field at beta
grows plates, broad stars or dendrites depending on (beta, gamma).

The domain is the hexagon of hex distance ``radius`` about the seed, its outer ring held at beta.
It has the lattice's twelve symmetries, which the step keeps exactly (see ``kernels``), so the
crystal has them too. The run stops by itself when the crystal reaches ``stop_at * radius``,
after ``max_steps``, or after one step if no vapour can move or be added (gamma = 0 and
alpha beta = 0): then the field never changes. ``emergesim.run`` treats the growth as burn-in
and reports the grown crystal (``burn_in=0`` records the growth step by step instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.discrete_space import FixedAgent, HexGrid, PropertyLayer

from emergesim.model import EmergenceModel
from emergesim.models.snowflake import kernels, twin
from emergesim.models.snowflake.card import CARD
from emergesim.models.snowflake.lattice import hex_distance, hexagon_cells
from emergesim.models.snowflake.measures import (
    MORPHOLOGIES,
    mass_radius_dimension,
    morphology_code,
)

if TYPE_CHECKING:
    from emergesim.models.snowflake import render

LIQUID = np.iinfo(np.int32).max  # frozen_at of a cell that has not frozen


class IceCell(FixedAgent):
    """A frozen cell of the crystal: a view onto its cell of the model's arrays; in its cell of
    ``model.space`` once that is built."""

    def __init__(self, model: SnowflakeModel, coordinate: tuple[int, int]) -> None:
        super().__init__(model)
        self.pos = coordinate  # (i, j) in mesa.discrete_space.HexGrid coordinates

    @property
    def water(self) -> float:
        return float(self.model.water.data[self.pos])

    @property
    def frozen_at(self) -> int:
        """The step at which the cell froze (0: the seed)."""
        return int(self.model.frozen_at[self.pos])

    @property
    def distance(self) -> int:
        """Hex distance from the seed."""
        return int(hex_distance(*self.pos, self.model.centre))


class SnowflakeModel(EmergenceModel):
    """Reiter's hexagonal automaton: six-fold crystals grow from one local rule."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run: ~40 B a cell of the (2 radius + 3)^2 lattice (the water and its
        double buffer, u and its double buffer, receptive, frozen_at), and ~380 B an ice cell
        (its IceCell agent, Mesa's bookkeeping) for a full plate out to the stop radius, the
        most a crystal can freeze. Measured (peak RSS growth, run to the stop): radius 300,
        94 MB at gamma 0.01 (a plate), 74 MB at gamma 0.001."""
        radius = values["radius"]
        stop = int(np.ceil(values["stop_at"] * radius))
        return 40 * (2 * radius + 3) ** 2 + 380 * hexagon_cells(stop)

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        super().__init__(seed=seed, backend=backend, **kwargs)
        size = 2 * self.radius + 3  # a spare cell around the hexagon: neighbours stay inside
        self.centre = self.radius + 1
        self.water = PropertyLayer("water", (size, size), self.beta)
        self.receptive = PropertyLayer("receptive", (size, size), False, dtype=bool)
        self.frozen_at = np.full((size, size), LIQUID, dtype=np.int32)
        self._next_water = PropertyLayer("water", (size, size), self.beta)  # double buffer
        self._free = np.full((size, size), self.beta)  # u: s on non-receptive cells, else 0
        self._next_free = self._free.copy()
        self._frozen_in_row = np.zeros(size, dtype=np.int64)
        # no vapour to move (alpha beta = 0) and none added: the first step is a fixed point
        self._static = self.gamma == 0 and self.alpha * self.beta == 0
        self.stop_radius = int(np.ceil(self.stop_at * self.radius))
        self.ice_cells = 0
        self.ice: list[IceCell] = []  # the crystal's cells as agents, in the order they froze
        self.crystal_radius = 0
        self._mass_by_distance = np.zeros(self.radius + 1, dtype=np.int64)
        self._turned_ice = 0  # ice cells whose 60-degree turn is ice
        self.water.data[self.centre, self.centre] = 1.0  # the seed
        kernels.mark_receptive(self.receptive.data, self._free, self.centre, self.centre)
        self.reach = 1  # beyond the seed's receptive neighbours every cell is at beta
        self.active_radius = 0  # radius of the hexagon the kernel swept in the last step
        self._freeze(np.array([[self.centre, self.centre]]))
        self._cell_by_cell: twin.CellByCell | None = None  # the twin's HexGrid, built by twin.step

    def step(self) -> None:
        frozen = self.advance()  # the step draws no random numbers
        self._freeze(frozen)
        if self._static or self.steps >= self.max_steps:
            self.running = False

    def kernel_step(self) -> np.ndarray:
        """The kernel's step over the hexagon the disturbance has reached (``reach``) plus one
        ring: beyond it every cell is at beta with neighbours at beta, and stays so exactly.
        Returns the cells that froze, as ``twin.step`` does."""
        rho = self.active_radius = min(self.reach + 1, self.radius - 1)
        water, after, receptive = self.water.data, self._next_water.data, self.receptive.data
        sweep = kernels.sweep_auto if rho >= kernels.PARALLEL_FROM else kernels.sweep
        sweep(
            water,
            self._free,
            after,
            self._next_free,
            receptive,
            self.alpha / 12,
            self.gamma,
            self.centre,
            rho,
            self._frozen_in_row,
        )
        frozen = kernels.freeze(
            water, after, self._next_free, receptive, self.centre, rho, self._frozen_in_row
        )
        self.water, self._next_water = self._next_water, self.water
        self._free, self._next_free = self._next_free, self._free
        if kernels.ring_disturbed(after, receptive, self.beta, self.centre, rho):
            self.reach = rho
        return frozen

    def _freeze(self, cells: np.ndarray) -> None:
        """Book the cells ((n, 2) array of (i, j)) that froze in this step: their freezing
        time, agents and the running tallies the observables read."""
        if len(cells):
            farthest, completed = kernels.book_ice(
                cells, self.frozen_at, self._mass_by_distance, self.steps, self.centre
            )
            self.ice_cells += len(cells)
            self._turned_ice += int(completed)
            self.crystal_radius = max(self.crystal_radius, int(farthest))
            self.reach = max(self.reach, self.crystal_radius + 1)
            self.ice += [IceCell(self, tuple(coordinate)) for coordinate in cells.tolist()]
        if self.crystal_radius >= self.stop_radius:
            self.running = False

    def make_space(self) -> HexGrid:
        """The lattice as Mesa's HexGrid (coordinates as the model's arrays), each ice cell in
        its cell (``sync_space``)."""
        return HexGrid(self.water.dimensions, capacity=1, random=self.random)

    def sync_space(self, space: HexGrid) -> None:
        """Put the cells frozen since the last access in their cells: the newest first, back to
        the first already in place."""
        for ice in reversed(self.ice):
            if ice.cell is not None:
                break
            ice.cell = space[ice.pos]

    @property
    def morphology(self) -> str:
        """'plate', 'sectored' or 'dendrite' (see measures.morphology_code); '' below radius 16."""
        code = self.observe()["morphology"]
        return "" if np.isnan(code) else MORPHOLOGIES[int(code)]

    def observe(self) -> dict[str, float]:
        """Observables from running tallies and a count of receptive cells: cheap every step."""
        radius = self.crystal_radius
        receptive, cells = self._receptive_cells(), hexagon_cells(radius + 1)
        cover = receptive / cells  # the per-unit score: the cells' mean of "receptive"
        dimension = mass_radius_dimension(self._mass_by_distance, radius)
        return {
            "ice_cells": float(self.ice_cells),
            "crystal_radius": float(radius),
            "fill_fraction": self.ice_cells / hexagon_cells(radius),
            "cover_fraction": cover,
            "full_plate": float(receptive == cells),  # its all-or-nothing counterpart
            "fractal_dimension": dimension,
            "symmetry": self._turned_ice / self.ice_cells,
            "morphology": morphology_code(cover, dimension),
        }

    def _receptive_cells(self) -> int:
        rows = slice(self.centre - self.reach, self.centre + self.reach + 1)
        return int(np.count_nonzero(self.receptive.data[rows, rows]))

    def frame(self) -> render.Frame:
        from emergesim.models.snowflake import render

        return render.frame_of(self)
