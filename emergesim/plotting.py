"""Figures and animations shared by every model: the model draws, this module saves.

Figures are made with the object-oriented matplotlib API on an Agg canvas, so no GUI backend or
display is needed; GIFs are assembled frame by frame with Pillow.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from emergesim.errors import EmergesimError
from emergesim.model import EmergenceModel
from emergesim.runner import RunResult

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
ANIMATION_SUFFIXES = (".gif",)
# a study's figure: its numbers from the study's source, how to draw them, its size in inches
StudyFigure = tuple[Callable[[Any], Any], Callable[[Figure, Any], None], tuple[float, float]]


def check_output(path: str | Path, suffixes: tuple[str, ...]) -> Path:
    """Refuse, before any work is done, a path we could not write a picture to."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise EmergesimError(
            f"cannot write '{path}': the file name must end in {', '.join(suffixes)}"
        )
    if not path.parent.is_dir():
        raise EmergesimError(f"cannot write '{path}': folder '{path.parent}' does not exist")
    return path


def figure_folder(out: str | Path) -> Path:
    """A folder for a set of figures, created if needed; a file in its place is refused."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EmergesimError(f"cannot write figures into '{out}': it is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def new_figure(width: float = 12.0, height: float = 5.5, dpi: int = 150) -> Figure:
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figures(
    folder: Path,
    figures: Mapping[str, StudyFigure],
    source: Any,
    *,
    dpi: int,
    report: Callable[[str], object],
) -> list[Path]:
    """Compute, draw and save a study's figures into ``folder`` one at a time (one figure in
    memory), and return their paths; ``report`` gets each file name and its numbers' ``headline``
    as soon as that figure is written."""
    paths = []
    for name, (compute, draw, size) in figures.items():
        numbers = compute(source)
        fig = new_figure(*size, dpi=dpi)
        draw(fig, numbers)
        fig.savefig(folder / name)
        paths.append(folder / name)
        report(f"{name}: {numbers.headline}")
    return paths


def save_figure(result: RunResult, path: str | Path) -> Path:
    """The model's picture of the whole run (needs a run made with ``frames=True``)."""
    path = check_output(path, FIGURE_SUFFIXES)
    fig = new_figure()
    result.model.render(fig, result.frames, result.frame_steps)
    fig.savefig(path)
    return path


def save_animation(
    result: RunResult, path: str | Path, *, max_frames: int = 60, fps: int = 10
) -> Path:
    """A GIF of the run growing: at most ``max_frames`` evenly spaced frames."""
    path = check_output(path, ANIMATION_SUFFIXES)
    frames, steps = result.frames, result.frame_steps
    ends = np.unique(np.linspace(1, len(frames), min(max_frames, len(frames))).astype(int))
    images = []
    for end in ends:
        fig = new_figure(9, 4.2, dpi=72)
        result.model.render(fig, frames[:end], steps[:end])
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba())
        images.append(Image.fromarray(rgba[..., :3]).quantize(colors=64, dither=Image.Dither.NONE))
    hold = [1000 // fps] * (len(images) - 1) + [2000]  # rest on the last frame
    images[0].save(path, save_all=True, append_images=images[1:], duration=hold, loop=0)
    return path


def save_scan(
    table: pd.DataFrame,
    model: type[EmergenceModel],
    param: str,
    params: Mapping[str, Any],
    path: str | Path,
) -> Path:
    """Observables against one parameter (e.g. traffic's fundamental diagram), with any exact
    curve the model knows drawn over the measured points."""
    path = check_output(path, FIGURE_SUFFIXES)
    names = model.scan_observables or (model.order,)
    fig = new_figure(5.0 * len(names), 4.2)
    x = table[param].to_numpy(dtype=float)
    fine = np.linspace(x.min(), x.max(), 400)
    for k, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), k + 1)
        ax.errorbar(
            x,
            table[name],
            yerr=table[f"{name}_std"],
            fmt="o",
            ms=4,
            capsize=2,
            label="simulation (window mean ± std)",
        )
        exact = model.exact_curve(name, param, fine, params)
        if exact is not None:
            ax.plot(fine, exact[0], "k--", lw=1.2, label=exact[1])
        ax.set_xlabel(
            f"{param} ({model.params[param].unit})" if model.params[param].unit else param
        )
        ax.set_ylabel(name)
        ax.set_title(model.observables[name], fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fixed = ", ".join(f"{k} {v}" for k, v in params.items() if k != param)
    title = textwrap.fill(f"{model.name}: scan over {param} ({fixed})", width=60 * len(names))
    fig.suptitle(title, fontsize=10)
    fig.savefig(path)
    return path


def draw_steps(ax, table: pd.DataFrame, x: str, y: str, fits: Mapping[Any, Any], by: str | None):
    """Replicate means of ``y`` against ``x`` and their fitted curves, one colour per
    value of ``by`` (``fits`` maps that value, or None, to an analysis.Transition)."""
    shades = np.linspace(0.35, 1.0, len(fits))
    for (group, fit), shade in zip(fits.items(), shades, strict=True):
        rows = table if group is None else table[table[by] == group]
        means = rows.groupby(x)[y].mean()
        colour = (0.1, 0.2 + 0.3 * shade, 0.9 * shade)
        label = y if group is None else f"{by} = {group:g}"
        ax.plot(means.index, means, "o", ms=3.5, color=colour, label=label)
        grid = np.linspace(means.index.min(), means.index.max(), 300)
        ax.plot(grid, fit.curve(grid), color=colour, lw=1)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
