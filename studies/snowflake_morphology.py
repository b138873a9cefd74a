"""The snowflake model's "Nakaya diagram": one small crystal per (beta, gamma), labelled plate,
sectored or dendrite, in one figure (``emergesim figures snowflake-morphology --out DIR``).

Nakaya mapped real snow crystals against temperature and supersaturation; here the axes are
Reiter's background vapour beta and vapour supply gamma (alpha fixed). Each crystal grows until
it reaches ``stop_at`` of the radius (or stops growing) and is drawn on its own scale. Growth is
deterministic, so the crystals are grown on the sweeps' executors (local processes, or Dask) and
the map is the same on any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from matplotlib.figure import Figure

from emergesim.models.snowflake.model import SnowflakeModel
from emergesim.models.snowflake.render import Frame, draw_crystal, frame_of, shading
from emergesim.plotting import figure_folder, new_figure
from emergesim.study import Study
from emergesim.sweeps.executors import make_executor

BETAS = (0.1, 0.3, 0.4, 0.5, 0.65, 0.8, 0.95)
GAMMAS = (0.0, 0.0001, 0.001, 0.002, 0.005, 0.01)
LABEL_COLOURS = {
    "plate": "#f2c14e",
    "sectored": "#7fd1ae",
    "dendrite": "#f28b82",
    "too small": "0.8",
}
FILE_NAME = "snowflake-map.png"


class Grid(NamedTuple):
    """The domain radius of every crystal and the (beta, gamma) pairs grown."""

    radius: int
    betas: Sequence[float]
    gammas: Sequence[float]


FULL = Grid(60, BETAS, GAMMAS)
QUICK = Grid(30, (0.1, 0.4, 0.95), (0.0, 0.001, 0.01))  # a plate, a sectored star, a dendrite


class Crystal(NamedTuple):
    """One grown crystal: its morphology ("too small" below a crystal radius of 16), the steps it
    took, and its last frame (the observables in ``frame.observables``)."""

    beta: float
    gamma: float
    label: str
    steps: int
    frame: Frame

    @property
    def line(self) -> str:
        return f"beta {self.beta:g}, gamma {self.gamma:g}: {self.label} ({self.steps} steps)"


class MorphologyMap(NamedTuple):
    """The crystals row by row, from the largest gamma down, beta across."""

    radius: int
    alpha: float
    betas: tuple[float, ...]
    gammas: tuple[float, ...]
    crystals: list[Crystal]


def grow(radius: int, alpha: float, beta: float, gamma: float) -> Crystal:
    """One crystal grown until the model stops by itself."""
    model = SnowflakeModel(radius=radius, alpha=alpha, beta=beta, gamma=gamma, collect=False)
    while model.running:
        model.step()
    return Crystal(beta, gamma, model.morphology or "too small", model.steps, frame_of(model))


def morphology_map(
    radius: int = FULL.radius,
    betas: Sequence[float] = BETAS,
    gammas: Sequence[float] = GAMMAS,
    alpha: float = 1.0,
    *,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> MorphologyMap:
    """Grow one crystal per (beta, gamma) on the sweeps' ``executor`` ("serial", "process" or
    "dask"; ``workers`` default: all cores; ``scheduler``: a Dask scheduler's address)."""
    pairs = [(beta, gamma) for gamma in reversed(gammas) for beta in betas]
    for beta, gamma in pairs:  # refuse before any work
        SnowflakeModel.params.validate(
            {"radius": radius, "alpha": alpha, "beta": beta, "gamma": gamma}
        )
    with make_executor(executor, workers, scheduler) as pool:
        crystals = list(pool.starmap(grow, [(radius, alpha, beta, gamma) for beta, gamma in pairs]))
    return MorphologyMap(radius, alpha, tuple(betas), tuple(gammas), crystals)


def draw_map(fig: Figure, data: MorphologyMap) -> None:
    """The crystals in a grid: beta across, gamma upwards."""
    axes = fig.subplots(len(data.gammas), len(data.betas), squeeze=False)
    for ax, crystal in zip(axes.flat, data.crystals, strict=True):
        frame = crystal.frame
        extent = frame.observables["crystal_radius"] + 1.5
        draw_crystal(ax, frame, extent, 160, shading(frame))
        colour = LABEL_COLOURS[crystal.label]
        ax.set_title(crystal.label, fontsize=8, backgroundcolor=colour, pad=2)
    for row, gamma in enumerate(reversed(data.gammas)):
        axes[row, 0].set_ylabel(f"gamma {gamma:g}", fontsize=9)
    for col, beta in enumerate(data.betas):
        axes[-1, col].set_xlabel(f"beta {beta:g}", fontsize=9)
    what = "Reiter's automaton: morphology over beta and gamma"
    how = f"(alpha {data.alpha:g}, domain radius {data.radius}, each crystal on its own scale)"
    fits = len(what + how) < 10 * fig.get_figwidth()  # about 10 characters an inch
    fig.suptitle(f"{what} {how}" if fits else f"{what}\n{how}")


def save(
    out: str | Path, *, quick: bool = False, report: Callable[[str], object] = print
) -> list[Path]:
    """Grow the map's crystals in local processes, draw them into ``out`` (created if needed)
    and return the path; ``report`` receives one line per crystal: its label and steps."""
    out = figure_folder(out)
    data = morphology_map(*(QUICK if quick else FULL))
    for crystal in data.crystals:
        report(crystal.line)
    fig = new_figure(1.6 * len(data.betas) + 0.8, 1.7 * len(data.gammas) + 0.8, dpi=120)
    draw_map(fig, data)
    fig.savefig(out / FILE_NAME)
    return [out / FILE_NAME]


STUDY = Study("snowflake-morphology", "the snowflake's morphology over beta and gamma", save)
