"""Pictures of a growing snowflake: the crystal on true hexagons, shaded by its water content as in
Reiter's (2005) figures, with its growth and its mass-radius plot beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure

from emergesim.models.snowflake.lattice import hex_distance, nearest_cell
from emergesim.models.snowflake.measures import MORPHOLOGIES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from emergesim.models.snowflake.model import SnowflakeModel

# fresh ice at the tips is white; cells that have gathered more water are a deeper blue
ICE = LinearSegmentedColormap.from_list(
    "ice", ["#ffffff", "#d4e9f7", "#8dbde3", "#3b78b5", "#173e70"]
)
NIGHT = "#0b1626"
DETAILED_FROM = 1000  # canvas width (pixels) from which the side panels are drawn
NO_ICE = 0  # code of a cell that is not ice; ice water is coded 1..255 over the frame's range


@dataclass(frozen=True)
class Frame:
    """One state as the pictures need it: the crystal's water over the rows and columns
    ``corner`` .. ``corner + n - 1`` of the model's arrays, coded in one byte a cell (0: no ice,
    1..255: water from ``low`` to ``high``), and the observables."""

    ice_code: np.ndarray
    low: float
    high: float
    corner: int
    centre: int
    observables: dict[str, float]

    def ice_water(self) -> np.ndarray:
        """The decoded water of the ice, NaN elsewhere."""
        water = self.low + (self.ice_code - 1.0) * ((self.high - self.low) / 254)
        return np.where(self.ice_code == NO_ICE, np.nan, water)

    def values_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The ice water of the cell containing each point (x, y) of the plane; NaN off the ice."""
        i, j = nearest_cell(x, y, self.centre)
        i, j = i - self.corner, j - self.corner
        n = self.ice_code.shape[0]
        inside = (i >= 0) & (i < n) & (j >= 0) & (j < n)
        values = np.full(x.shape, np.nan)
        values[inside] = self.ice_water()[i[inside], j[inside]]
        return values

    def mass_by_distance(self) -> np.ndarray:
        """Ice cells at each hex distance from the seed."""
        i, j = np.nonzero(self.ice_code != NO_ICE)
        return np.bincount(hex_distance(i + self.corner, j + self.corner, self.centre))


def frame_of(model: SnowflakeModel) -> Frame:
    """The crystal cropped to the square around its hexagon, one byte a cell (a run keeps up to
    1000 frames; the coding resolves 1/254 of the frame's own range of ice water)."""
    corner = model.centre - model.crystal_radius
    crop = slice(corner, model.centre + model.crystal_radius + 1)
    water = model.water.data[crop, crop]
    ice = water >= 1.0
    ice_water = water[ice]
    low, high = float(ice_water.min()), float(ice_water.max())
    code = np.full(water.shape, NO_ICE, dtype=np.uint8)
    code[ice] = 1 + np.rint((ice_water - low) * (254 / max(high - low, 1e-300)))
    return Frame(code, low, high, corner, model.centre, model.observe())


def draw(fig: Figure, model: SnowflakeModel, frames: Sequence[Frame], steps: Sequence[int]) -> None:
    """The crystal now (large) and its growth; on a large canvas also two earlier stages and the
    mass-radius plot behind its fractal dimension (a small canvas, e.g. a GIF's, skips them)."""
    last = frames[-1]
    extent = model.stop_radius + 2  # the crystal's size when the run stops: growth stays in view
    pixels = 2 * int(fig.get_figheight() * fig.dpi)  # twice the screen: thin branches alias less
    norm = shading(last)
    detailed = fig.get_figwidth() * fig.dpi >= DETAILED_FROM
    if detailed:
        grid = fig.add_gridspec(2, 3, width_ratios=[2.2, 1, 1])
        main, growth = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[1, 1])
    else:
        grid = fig.add_gridspec(1, 2, width_ratios=[1.3, 1])
        main, growth = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    draw_crystal(main, last, extent, pixels, norm)
    main.set_title(_headline(last, steps[-1]), fontsize=10)
    _growth(growth, frames, steps, model)
    fig.suptitle(
        f"Reiter snowflake: alpha {model.alpha:g}, beta {model.beta:g}, gamma {model.gamma:g}, "
        f"domain radius {model.radius}"
    )
    if detailed:
        radii = np.array([f.observables["crystal_radius"] for f in frames])
        for k, share in enumerate((1 / 3, 2 / 3)):
            stage = int(np.searchsorted(radii, share * radii[-1]))
            ax = fig.add_subplot(grid[0, 1 + k])
            draw_crystal(ax, frames[stage], extent, pixels // 3, norm)
            ax.set_title(f"step {steps[stage]}", fontsize=9)
        _mass_radius(fig.add_subplot(grid[1, 2]), last)


def shading(frame: Frame) -> Normalize:
    """Colour scale of ice water: from 1 (fresh ice) to the frame's 99.5th percentile."""
    return Normalize(1.0, max(np.nanpercentile(frame.ice_water(), 99.5), 1.0 + 1e-3))


def draw_crystal(ax: Axes, frame: Frame, extent: float, pixels: int, norm: Normalize) -> None:
    """The crystal in the square [-extent, extent]^2 of the plane, sampled on pixels^2 points."""
    xs = np.linspace(-extent, extent, max(pixels, 16))
    x, y = np.meshgrid(xs, xs)
    ax.imshow(
        frame.values_at(x, y),
        cmap=ICE,
        norm=norm,
        origin="lower",
        extent=(-extent, extent, -extent, extent),
        interpolation="antialiased",
    )
    ax.set_facecolor(NIGHT)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")


def _headline(frame: Frame, step: int) -> str:
    obs = frame.observables
    code, dimension = obs["morphology"], obs["fractal_dimension"]
    words = [f"step {step}", f"{obs['ice_cells']:.0f} ice cells"]
    if not np.isnan(dimension):
        words.append(f"dimension {dimension:.2f}")
    if not np.isnan(code):
        words.append(MORPHOLOGIES[int(code)])
    return ", ".join(words)


def _growth(ax: Axes, frames: Sequence[Frame], steps: Sequence[int], model: SnowflakeModel) -> None:
    """Crystal radius and ice cells against step, on the axes of the whole run (so that an
    animation's curves grow into a fixed frame)."""
    radius = [f.observables["crystal_radius"] for f in frames]
    ice = [f.observables["ice_cells"] for f in frames]
    ax.plot(steps, radius, color="#3b78b5")
    ax.set_xlim(0, max(model.steps, 1))
    ax.set_ylim(0, 1.05 * max(model.crystal_radius, 1))
    ax.set_xlabel("step")
    ax.set_ylabel("crystal radius (cells)", color="#3b78b5")
    cells = ax.twinx()
    cells.plot(steps, ice, color="#c0504d")
    cells.set_ylim(0, 1.05 * model.ice_cells)
    cells.set_ylabel("ice cells", color="#c0504d")
    ax.set_title("growth", fontsize=9)
    ax.grid(alpha=0.3)


def _mass_radius(ax: Axes, frame: Frame) -> None:
    """M(r), the ice within hex distance r, against r + 1/2, with the fitted slope."""
    mass = np.cumsum(frame.mass_by_distance())
    r = np.arange(mass.size) + 0.5
    ax.loglog(r, mass, ".", ms=3, color="#3b78b5", label="ice within r")
    ax.loglog(r, 3 * r**2, ":", color="0.5", lw=1, label="full hexagon")
    dimension = frame.observables["fractal_dimension"]
    if not np.isnan(dimension):
        window = r[mass.size // 8 : mass.size // 2]
        anchor = mass[mass.size // 4]
        ax.loglog(
            window,
            anchor * (window / r[mass.size // 4]) ** dimension,
            color="#c0504d",
            lw=1.5,
            label=f"slope {dimension:.2f}",
        )
    ax.set_xlabel("r + 1/2 (cells)")
    ax.set_ylabel("M(r)")
    ax.set_title("mass-radius", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
