"""Numba kernels of the sums of a training step, in a fixed order (network.Arithmetic).

The embedding gradient is a scatter-add of the per-example gradients into two embedding rows
each; the products add over the inner index in order, from 0.0, without fused multiply-adds
(numba's default), as the twin's numpy loops do: both give bit-identical weights, on any number
of threads.
"""

import numba
import numpy as np

from emergesim.models.grokking.network import Arithmetic


@numba.njit(cache=True)
def scatter_rows(out, rows, values):
    """out[rows[i]] += values[i] for every i, in order."""
    width = values.shape[1]
    for i in range(rows.size):
        r = rows[i]
        for j in range(width):
            out[r, j] += values[i, j]


@numba.njit(cache=True)
def matmul(a, b):
    """a @ b, each entry summed over the inner index in order (rows of b added in turn)."""
    n, inner = a.shape
    out = np.zeros((n, b.shape[1]))
    for i in range(n):
        for k in range(inner):
            x = a[i, k]
            for j in range(b.shape[1]):
                out[i, j] += x * b[k, j]
    return out


ARITHMETIC = Arithmetic(scatter_rows, matmul)
