"""The traffic picture: a space-time diagram of the first cells, and the ring at the last step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from emergesim.models.traffic.model import FRAME_CELLS

if TYPE_CHECKING:
    from emergesim.models.traffic.model import TrafficFrame, TrafficModel


def draw(
    fig: Figure, model: TrafficModel, frames: Sequence[TrafficFrame], steps: Sequence[int]
) -> None:
    """Time runs down the diagram; jams are red stripes drifting left."""
    cmap = ListedColormap(["white", *_speed_colours(model.vmax)])
    norm = BoundaryNorm(np.arange(-1.5, model.vmax + 1), cmap.N)
    grid = fig.add_gridspec(1, 2, width_ratios=[2.2, 1], wspace=0.15)
    ax = fig.add_subplot(grid[0])
    extent = (-0.5, frames[0].cells.size - 0.5, steps[-1] + 0.5, steps[0] - 0.5)
    image = ax.imshow(
        np.array([frame.cells for frame in frames]),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="nearest",
        extent=extent,
    )
    ax.set_xlabel("cell")
    ax.set_ylabel("time step")
    shown = f" (first {FRAME_CELLS} cells)" if model.length > FRAME_CELLS else ""
    ax.set_title(f"space-time diagram{shown}")
    bar = fig.colorbar(image, ax=ax, ticks=range(model.vmax + 1), fraction=0.04, pad=0.02)
    bar.set_label("speed (cells/step)")
    ring = fig.add_subplot(grid[1])
    last = frames[-1].cells
    cells = np.flatnonzero(last >= 0)
    angle = 2 * np.pi * cells / last.size
    ring.plot(
        np.cos(np.linspace(0, 2 * np.pi, 200)),
        np.sin(np.linspace(0, 2 * np.pi, 200)),
        color="0.85",
        lw=8,
        zorder=0,
    )
    ring.scatter(
        np.cos(angle),
        np.sin(angle),
        c=last[cells],
        cmap=cmap,
        norm=norm,
        s=14,
        edgecolors="none",
    )
    ring.set_aspect("equal")
    ring.set_axis_off()
    ring.set_title(f"the ring at step {steps[-1]}")
    fig.suptitle(
        f"Nagel-Schreckenberg traffic: density {model.density:g}, vmax {model.vmax}, "
        f"p_slow {model.p_slow:g}, {model.length} cells"
    )


def _speed_colours(vmax: int) -> list:
    """Red (standing) through yellow to green (at the limit)."""
    return [colormaps["RdYlGn"](0.05 + 0.9 * v / max(vmax, 1)) for v in range(vmax + 1)]
