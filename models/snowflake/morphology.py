"""The model's "Nakaya diagram": one small crystal per (beta, gamma), labelled plate, sectored or
dendrite, in one PNG.

Run: python -m emergesim.models.snowflake.morphology --out map.png [--radius 60] [--workers N]

Nakaya mapped real snow crystals against temperature and supersaturation; here the axes are
Reiter's background vapour beta and vapour supply gamma (alpha fixed). Each crystal grows until
it reaches ``stop_at`` of the radius (or stops growing) and is drawn on its own scale.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from emergesim.errors import EmergesimError
from emergesim.models.snowflake.model import SnowflakeModel
from emergesim.models.snowflake.render import Frame, draw_crystal, frame_of, shading
from emergesim.plotting import check_output, new_figure

BETAS = (0.1, 0.3, 0.4, 0.5, 0.65, 0.8, 0.95)
GAMMAS = (0.0, 0.0001, 0.001, 0.002, 0.005, 0.01)
LABEL_COLOURS = {
    "plate": "#f2c14e",
    "sectored": "#7fd1ae",
    "dendrite": "#f28b82",
    "too small": "0.8",
}


def grow(radius: int, alpha: float, beta: float, gamma: float) -> tuple[Frame, str, int]:
    """One crystal grown until the model stops by itself: its frame, label and steps."""
    model = SnowflakeModel(radius=radius, alpha=alpha, beta=beta, gamma=gamma)
    while model.running:
        model.step()
    return frame_of(model), model.morphology, model.steps


def save_map(path: str | Path, radius: int = 60, betas: Sequence[float] = BETAS,
             gammas: Sequence[float] = GAMMAS, alpha: float = 1.0,
             workers: int | None = None) -> Path:  # fmt: skip
    """Grow one crystal per (beta, gamma), in ``workers`` processes (default: all cores), and
    save the grid: beta across, gamma upwards."""
    path = check_output(path, (".png",))
    SnowflakeModel.params.validate({"radius": radius, "alpha": alpha})  # refuse before any work
    rows = list(reversed(gammas))
    pairs = [(beta, gamma) for gamma in rows for beta in betas]
    with ProcessPoolExecutor(workers) as pool:
        grown = pool.map(partial(grow, radius, alpha), *zip(*pairs, strict=True))
        fig = new_figure(1.6 * len(betas) + 0.8, 1.7 * len(gammas) + 0.8, dpi=120)
        axes = fig.subplots(len(gammas), len(betas), squeeze=False)
        for ax, (beta, gamma), (frame, label, steps) in zip(axes.flat, pairs, grown, strict=True):
            extent = frame.observables["crystal_radius"] + 1.5
            draw_crystal(ax, frame, extent, 160, shading(frame))
            label = label or "too small"
            ax.set_title(label, fontsize=8, backgroundcolor=LABEL_COLOURS[label], pad=2)
            print(f"beta {beta:g}, gamma {gamma:g}: {label} ({steps} steps)", flush=True)
    for row, gamma in enumerate(rows):
        axes[row, 0].set_ylabel(f"gamma {gamma:g}", fontsize=9)
    for col, beta in enumerate(betas):
        axes[-1, col].set_xlabel(f"beta {beta:g}", fontsize=9)
    fig.suptitle(f"Reiter's automaton: morphology over beta and gamma (alpha {alpha:g}, "
                 f"domain radius {radius}, each crystal on its own scale)")  # fmt: skip
    fig.savefig(path)
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--radius", type=int, default=60, help="domain radius of each crystal")
    parser.add_argument("--workers", type=int, default=None, help="processes [all cores]")
    args = parser.parse_args(argv)
    try:
        save_map(args.out, radius=args.radius, workers=args.workers)
    except EmergesimError as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
