"""Nagel-Schreckenberg traffic on a ring road (J. Phys. I France 2:2221, 1992).

Cars on a ring of ``length`` cells, integer speeds 0..vmax. Each tick, all cars in parallel:
accelerate ``v = min(v + 1, vmax)``; brake to the empty cells ahead ``v = min(v, gap)``; with
probability ``p_slow`` slow down ``v = max(v - 1, 0)``; move ``x += v``. Above a critical density
stop-and-go waves form with no bottleneck and travel upstream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.traffic import twin
from emergesim.models.traffic.card import CARD
from emergesim.models.traffic.kernels import FREE, PARALLEL_FROM, nasch_step, nasch_step_parallel
from emergesim.streams import draw_key

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FRAME_CELLS = 1000  # pictures show at most the first 1000 cells of the ring


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

    def __init__(self, *, seed=None, backend="numba", **params: Any) -> None:
        super().__init__(seed=seed, backend=backend, **params)
        n_cars = round(self.density * self.length)
        self.positions = np.sort(self.rng.choice(self.length, size=n_cars, replace=False))
        self._next_positions = np.empty_like(self.positions)  # the kernel's double buffer
        self._kernel = nasch_step_parallel if n_cars >= PARALLEL_FROM else nasch_step
        self.speeds = np.zeros(n_cars, dtype=np.int64)
        self.released_at = np.full(n_cars, FREE, dtype=np.int64)
        self.cars = [Car(self, i) for i in range(n_cars)]
        self._front = [0, 0]  # jam-front (moves, ticks) since open_interval()

    def step(self) -> None:
        key = draw_key(self.rng)  # car i slows if uniform(key, i) < p_slow: see emergesim.streams
        if self.backend == "numba":
            moves, ticks = self._kernel(
                self.positions, self._next_positions, self.speeds, key, self.p_slow,
                self.vmax, self.length, self.steps, self.released_at,
            )  # fmt: skip
            self.positions, self._next_positions = self._next_positions, self.positions
        else:
            moves, ticks = twin.step(self, key)
        self._front[0] += moves
        self._front[1] += ticks

    def open_interval(self) -> None:
        self._front = [0, 0]

    def observe(self) -> dict[str, float]:
        """Observables now; ``jam_speed`` covers the ticks since ``open_interval()``."""
        n = self.positions.size
        moves, ticks = self._front
        if n == 0:
            return dict.fromkeys(self.observables, float("nan")) | {"flow": 0.0, "n_jams": 0.0}
        stopped = self.speeds == 0
        gaps = (np.roll(self.positions, -1) - self.positions - 1) % self.length
        # a jam's head: a stopped car not standing right behind another stopped car
        heads = stopped & ~(np.roll(stopped, -1) & (gaps == 0))
        n_jams = int(heads.sum()) or int(bool(stopped.all()))  # a full ring is one jam
        return {
            "flow": float(self.speeds.sum()) / self.length,
            "mean_speed": float(self.speeds.mean()),
            "jammed_fraction": float(stopped.mean()),
            "all_jammed": float(stopped.all()),  # jammed_fraction's all-or-nothing counterpart
            "n_jams": float(n_jams),
            "jam_speed": -moves / ticks if ticks else float("nan"),
        }

    def frame(self) -> np.ndarray:
        """The first FRAME_CELLS cells: -1 where empty, else the speed of the car there."""
        cells = np.full(min(self.length, FRAME_CELLS), -1, dtype=np.int16)
        shown = self.positions < cells.size
        cells[self.positions[shown]] = self.speeds[shown]
        return cells

    def render(self, fig: Figure, frames: Sequence[np.ndarray], steps: Sequence[int]) -> None:
        """Space-time diagram (time runs down; jams are red stripes drifting left), and the ring."""
        from matplotlib.colors import BoundaryNorm, ListedColormap

        cmap = ListedColormap(["white", *_speed_colours(self.vmax)])
        norm = BoundaryNorm(np.arange(-1.5, self.vmax + 1), cmap.N)
        grid = fig.add_gridspec(1, 2, width_ratios=[2.2, 1], wspace=0.15)
        ax = fig.add_subplot(grid[0])
        extent = (-0.5, frames[0].size - 0.5, steps[-1] + 0.5, steps[0] - 0.5)
        image = ax.imshow(np.array(frames), cmap=cmap, norm=norm, aspect="auto",
                          interpolation="nearest", extent=extent)  # fmt: skip
        ax.set_xlabel("cell")
        ax.set_ylabel("time step")
        shown = f" (first {FRAME_CELLS} cells)" if self.length > FRAME_CELLS else ""
        ax.set_title(f"space-time diagram{shown}")
        bar = fig.colorbar(image, ax=ax, ticks=range(self.vmax + 1), fraction=0.04, pad=0.02)
        bar.set_label("speed (cells/step)")
        ring = fig.add_subplot(grid[1])
        last = frames[-1]
        cells = np.flatnonzero(last >= 0)
        angle = 2 * np.pi * cells / last.size
        ring.plot(np.cos(np.linspace(0, 2 * np.pi, 200)), np.sin(np.linspace(0, 2 * np.pi, 200)),
                  color="0.85", lw=8, zorder=0)  # fmt: skip
        ring.scatter(np.cos(angle), np.sin(angle), c=last[cells], cmap=cmap, norm=norm, s=14,
                     edgecolors="none")  # fmt: skip
        ring.set_aspect("equal")
        ring.set_axis_off()
        ring.set_title(f"the ring at step {steps[-1]}")
        fig.suptitle(
            f"Nagel-Schreckenberg traffic: density {self.density:g}, vmax {self.vmax}, "
            f"p_slow {self.p_slow:g}, {self.length} cells"
        )

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


def _speed_colours(vmax: int) -> list:
    """Red (standing) through yellow to green (at the limit)."""
    from matplotlib import colormaps

    return [colormaps["RdYlGn"](0.05 + 0.9 * v / max(vmax, 1)) for v in range(vmax + 1)]
