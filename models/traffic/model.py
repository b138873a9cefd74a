"""Nagel-Schreckenberg traffic on a ring road (J. Phys. I France 2:2221, 1992).

Cars on a ring of ``length`` cells, integer speeds 0..vmax. Each tick, all cars in parallel:
accelerate ``v = min(v + 1, vmax)``; brake to the empty cells ahead ``v = min(v, gap)``; with
probability ``p_slow`` slow down ``v = max(v - 1, 0)``; move ``x += v``. Above a critical density
stop-and-go waves form with no bottleneck and travel upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.traffic import twin
from emergesim.models.traffic.card import CARD
from emergesim.models.traffic.kernels import (
    FREE,
    PARALLEL_FROM,
    census,
    nasch_step,
    nasch_step_auto,
)
from emergesim.streams import draw_key

FRAME_CELLS = 1000  # pictures show at most the first 1000 cells of the ring


@dataclass(frozen=True)
class TrafficFrame:
    """What a picture needs of one step: the first FRAME_CELLS cells, -1 where empty, else the
    speed of the car there."""

    cells: np.ndarray


class Car(RowAgent):
    """A car: a view onto row ``index`` of the model's arrays."""

    @property
    def position(self) -> int:
        return int(self.model.positions[self.index])

    @property
    def speed(self) -> int:
        return int(self.model.speeds[self.index])

    @property
    def released_at(self) -> int:
        """Tick at which the jam front reached this car (-2: standing behind, -1: neither)."""
        return int(self.model.released_at[self.index])

    def drive(self, speed: int, released_at: int) -> None:
        """Take the decided speed and jam-front mark, and move."""
        model, i = self.model, self.index
        model.released_at[i] = released_at
        model.positions[i] = (self.position + speed) % model.length
        model.speeds[i] = speed


class TrafficModel(EmergenceModel):
    """Nagel-Schreckenberg traffic on a ring road: jams emerge with no bottleneck."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run: numpy's draw of the cars' places (an arange of the whole ring when
        it picks more than 1/50 of a ring of over 10^4 cells, else a hash set of ~2 slots a car),
        then four int64 arrays a car and the temporaries of ``observe()``: ~56 B a car. Measured
        (peak RSS growth, 3 steps): 46 MB for 4 10^6 cells at density 0.2, 206 MB at 0.9, 393 MB
        for 4 10^7 cells."""
        length = values["length"]
        cars = round(values["density"] * length)
        if length > 10_000 and cars > length // 50:
            draw = 8 * length + 8 * cars
        else:
            draw = 8 * cars + 8 * (1 << int(1.2 * cars).bit_length())
        return max(draw + 8 * cars, 56 * cars)

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        super().__init__(seed=seed, backend=backend, **kwargs)
        n_cars = round(self.density * self.length)
        self.positions = np.sort(self.rng.choice(self.length, size=n_cars, replace=False))
        self._next_positions = np.empty_like(self.positions)  # the kernel's double buffer
        self._kernel = nasch_step_auto if n_cars >= PARALLEL_FROM else nasch_step
        self.speeds = np.zeros(n_cars, dtype=np.int64)
        self.released_at = np.full(n_cars, FREE, dtype=np.int64)
        self.add_row_agents(Car, n_cars)  # made when first asked for
        self._front = [0, 0]  # jam-front (moves, ticks) since open_interval()

    @property
    def cars(self) -> list[Car]:
        """The cars as Mesa agents, ``cars[i]`` car i (``row_agents``)."""
        return self.row_agents

    def step(self) -> None:
        key = draw_key(self.rng)  # car i slows if uniform(key, i) < p_slow: see emergesim.streams
        moves, ticks = self.advance(key)
        self._front[0] += moves
        self._front[1] += ticks

    def kernel_step(self, key: int) -> tuple[int, int]:
        """One tick of every car; returns the jam-front (moves, ticks) as ``twin.step`` does."""
        moves, ticks = self._kernel(
            self.positions,
            self._next_positions,
            self.speeds,
            key,
            self.p_slow,
            self.vmax,
            self.length,
            self.steps,
            self.released_at,
        )
        self.positions, self._next_positions = self._next_positions, self.positions
        return moves, ticks

    def open_interval(self) -> None:
        self._front = [0, 0]

    def observe(self) -> dict[str, float]:
        """Observables now; ``jam_speed`` covers the ticks since ``open_interval()``."""
        n = self.positions.size
        moves, ticks = self._front
        if n == 0:
            return dict.fromkeys(self.observables, float("nan")) | {"flow": 0.0, "n_jams": 0.0}
        total, stopped, heads = census(self.positions, self.speeds, self.length)
        return {
            "flow": total / self.length,
            "mean_speed": total / n,
            "jammed_fraction": stopped / n,
            "all_jammed": float(stopped == n),  # jammed_fraction's all-or-nothing counterpart
            "n_jams": float(heads or stopped == n),  # a full ring is one jam
            "jam_speed": -moves / ticks if ticks else float("nan"),
        }

    def frame(self) -> TrafficFrame:
        """The first FRAME_CELLS cells: -1 where empty, else the speed of the car there."""
        cells = np.full(min(self.length, FRAME_CELLS), -1, dtype=np.int16)
        shown = self.positions < cells.size
        cells[self.positions[shown]] = self.speeds[shown]
        return TrafficFrame(cells)

    @classmethod
    def exact_curve(
        cls, observable: str, control: str, values: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, str] | None:
        """Steady-state flow: p = 0 (any vmax) and vmax = 1 (any p) are solved exactly."""
        if (observable, control) != ("flow", "density"):
            return None
        rho = np.asarray(values, dtype=float)
        if params["p_slow"] == 0:
            return np.minimum(params["vmax"] * rho, 1 - rho), "exact, p_slow = 0"
        if params["vmax"] == 1:
            q = 1 - params["p_slow"]
            flow = (1 - np.sqrt(1 - 4 * q * rho * (1 - rho))) / 2
            return flow, "exact, vmax = 1 (Schreckenberg et al. 1995)"
        return None
