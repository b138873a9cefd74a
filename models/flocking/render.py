"""Pictures of a flocking run: the box with birds as arrows coloured by heading, and order
against time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from emergesim.models.flocking.model import FlockFrame, FlockingModel

HEADINGS = colormaps["hsv"]  # cyclic: a heading and its colour wrap around together
SKY = "#0d1321"
TRAIL = 6  # earlier frames drawn as fading dots behind each bird
ORDERS = {  # the frame's measures of order drawn against time: colour, label
    "polarization": ("#1f4e9c", "polarization $v_a$ (alignment)"),
    "largest_flock_fraction": ("#d1495b", "largest flock / N (cohesion)"),
}


def draw(
    fig: Figure, model: FlockingModel, frames: Sequence[FlockFrame], steps: Sequence[int]
) -> None:
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 0.13, 1.1], height_ratios=[1, 3])
    _draw_box(fig.add_subplot(grid[:, 0]), model, frames, steps)
    _heading_wheel(fig.add_subplot(grid[0, 1], projection="polar"))
    _draw_order(fig.add_subplot(grid[:, 2]), frames, steps, model.steps)
    if model.rule == "vicsek":
        knobs = f"eta {model.noise:.3g}, r {model.vision:g}, v {model.speed:g}"
    else:
        knobs = (
            f"vision {model.vision:g}, separation {model.separation:g}, cohere "
            f"{model.cohere:g}, separate {model.separate:g}, match {model.match:g}"
            + (f", noise {model.noise:.3g}" if model.noise else "")
        )
    name = "Vicsek model" if model.rule == "vicsek" else "Boids"
    fig.suptitle(f"{name}: {model.n_agents} birds in {model.width:g} x {model.height:g}, {knobs}")


def _draw_box(ax, model: FlockingModel, frames: Sequence[FlockFrame], steps: Sequence[int]) -> None:
    last = frames[-1]
    for age, earlier in enumerate(frames[-TRAIL - 1 : -1][::-1], start=1):
        ax.scatter(
            *earlier.positions.T,
            s=5,
            c=_colours(earlier.directions),
            alpha=0.7 * (1 - age / (TRAIL + 1)),
            linewidths=0,
        )
    length = min(
        0.6 * np.sqrt(model.width * model.height / model.n_agents),
        max(model.width, model.height) / 30,
    )
    ax.quiver(
        *last.positions.T,
        *(last.directions.T * length),
        color=_colours(last.directions),
        angles="xy",
        scale_units="xy",
        scale=1,
        pivot="middle",
        width=0.006,
        headwidth=3.5,
        headlength=4,
        headaxislength=3.5,
    )
    ax.set_xlim(0, model.width)
    ax.set_ylim(0, model.height)
    ax.set_aspect("equal")
    ax.set_facecolor(SKY)
    ax.set_xticks([])
    ax.set_yticks([])
    shown = f", first {len(last.positions)} shown" if len(last.positions) < model.n_agents else ""
    ax.set_title(f"step {steps[-1]}{shown}", fontsize=10)


def _draw_order(ax, frames: Sequence[FlockFrame], steps: Sequence[int], last_step: int) -> None:
    """Order against time; the axis spans the whole run, so an animation's frames line up."""
    for name, (colour, label) in ORDERS.items():
        ax.plot(steps, [getattr(f, name) for f in frames], color=colour, lw=1.6, label=label)
    ax.set_xlim(0, max(last_step, 1))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("step")
    ax.set_ylabel("order")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(
        f"polarization {frames[-1].polarization:.2f}, "
        f"largest flock {frames[-1].largest_flock_fraction:.0%}",
        fontsize=10,
    )


def _colours(directions: np.ndarray) -> np.ndarray:
    angles = np.arctan2(directions[:, 1], directions[:, 0])
    return HEADINGS((angles + np.pi) / (2 * np.pi))


def _heading_wheel(ax) -> None:
    """A ring of colours, the legend of headings (east at the right, counter-clockwise)."""
    theta = np.linspace(-np.pi, np.pi, 129)
    ax.pcolormesh(
        theta,
        [0.55, 1.0],
        ((theta[:-1] + theta[1:]) / 2 + np.pi)[None, :] / (2 * np.pi),
        cmap=HEADINGS,
        vmin=0,
        vmax=1,
        shading="flat",
    )
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    ax.set_title("heading", fontsize=8)
