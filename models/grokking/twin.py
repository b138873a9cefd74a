"""The training step with its sums written in numpy, as a numpy user would: the embedding
gradient with the unbuffered ``np.add.at``, the products as one outer product a row of the
right-hand side (the kernel's order of additions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emergesim.models.grokking.network import Arithmetic

if TYPE_CHECKING:
    from emergesim.models.grokking.model import GrokkingModel


def step(model: GrokkingModel) -> tuple[float, float]:
    """One training step with the twin's sums (the rest of the step is shared with the kernel:
    ``GrokkingModel._train_step``); returns the loss and accuracy of the weights it started
    from."""
    return model._train_step(ARITHMETIC)


def scatter_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """out[rows[i]] += values[i] for every i, in order."""
    np.add.at(out, rows, values)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, each entry summed over the inner index in order."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for k in range(a.shape[1]):
        out += a[:, k, None] * b[k]
    return out


ARITHMETIC = Arithmetic(scatter_rows, matmul)
