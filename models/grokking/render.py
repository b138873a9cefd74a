"""The grokking picture: accuracies against training time, and the embedding on a circle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from emergesim.models.grokking.model import GrokkingFrame, GrokkingModel


def draw(
    fig: Figure, model: GrokkingModel, frames: Sequence[GrokkingFrame], steps: Sequence[int]
) -> None:
    """Accuracies against training step (log axis) and the embedding on its top frequency."""
    curves, embedding = fig.subplots(1, 2, width_ratios=[1.6, 1])
    shown = np.maximum(np.asarray(steps), 1)
    curves.plot(shown, [f.train for f in frames], color="tab:blue", label="train")
    curves.plot(shown, [f.test for f in frames], color="tab:red", label="test")
    for at, label in [(model.memorised_at, "memorised"), (model.generalised_at, "generalised")]:
        if not np.isnan(at) and at <= steps[-1]:
            curves.axvline(max(at, 1), color="0.5", ls="--", lw=1)
            curves.annotate(
                label,
                (max(at, 1), 0.5),
                rotation=90,
                va="center",
                ha="right",
                fontsize=8,
                color="0.3",
            )
    curves.set_xscale("log")
    curves.set_xlim(1, max(shown[-1], 10))
    curves.set_ylim(-0.02, 1.02)
    curves.set_xlabel("optimiser step")
    curves.set_ylabel("accuracy")
    curves.legend(loc="upper left")
    curves.grid(alpha=0.3)
    curves.set_title("memorisation, plateau, then generalisation")
    last = frames[-1]
    points = last.points
    around = (last.k * np.arange(model.p)) % model.p  # the order on the circle
    embedding.scatter(points[:, 0], points[:, 1], c=around, cmap="twilight", s=30)
    for a in range(0, model.p, max(1, model.p // 16)):
        embedding.annotate(str(a), points[a], fontsize=7, xytext=(3, 3), textcoords="offset points")
    embedding.set_aspect("equal", adjustable="datalim")
    embedding.set_xticks([])
    embedding.set_yticks([])
    embedding.set_title(
        f"embedding of a on its main frequency k = {last.k}\n(colour: k·a mod {model.p})",
        fontsize=10,
    )
    fig.suptitle(
        f"grokking (a + b) mod {model.p}: train fraction {model.train_fraction:g}, "
        f"weight decay {model.weight_decay:g}, width {model.width}, step {steps[-1]}"
    )
