"""The training step with the embedding gradient written with numpy's unbuffered ``np.add.at``,
as a numpy user would."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from emergesim.models.grokking.model import GrokkingModel


def step(model: GrokkingModel) -> tuple[float, float]:
    """One training step, its embedding gradient added by ``scatter_rows`` (the rest of the step
    is shared with the kernel: ``GrokkingModel._train_step``); returns the loss and accuracy of
    the weights it started from."""
    return model._train_step(scatter_rows)


def scatter_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """out[rows[i]] += values[i] for every i, in order."""
    np.add.at(out, rows, values)
