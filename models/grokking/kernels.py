"""Numba kernel of the one step of training that numpy does slowly: the embedding gradient.

The hidden layer of a one-hot input is a sum of two embedding rows, so its gradient is a
scatter-add of the per-example gradients into those rows. ``np.add.at`` (the twin) and this loop
add in the same order, so both give bit-identical weights.
"""

import numba


@numba.njit(cache=True)
def scatter_rows(out, rows, values):
    """out[rows[i]] += values[i] for every i, in order."""
    width = values.shape[1]
    for i in range(rows.size):
        r = rows[i]
        for j in range(width):
            out[r, j] += values[i, j]
