"""Numba kernels of the Ising updates (twin: ``twin.py``).

Spins are int8 in an L x L array; site n = i L + j draws ``uniform(key, n)`` (emergesim.streams).

A checkerboard sweep updates the black sites (i + j even) with one key, then the white ones with
another, each row in order of j. For even L every neighbour of a site has the other colour, so
the sites of one colour are independent and their rows may be shared among threads with the same
result. For odd L the periodic seam joins sites of one colour (the lattice is not bipartite).
The serial kernel still updates one spin at a time, in site order, and each update keeps the
Boltzmann distribution whatever the neighbours are, so the sweep is exact for any L; but the
order then matters, and the model never gives an odd lattice to the parallel kernel.

A Swendsen-Wang sweep reads the counters 0 .. 2 L^2 - 1 for the bonds (bond 2n joins site n to
its right neighbour, 2n + 1 to the one below) and 2 L^2 + n for the cluster whose smallest site
is n. Which bonds open, hence the clusters and their flips, does not depend on the order in
which a cluster is grown, so the twin, growing them its own way, gets the same sweep.
"""

import numba

from emergesim.parallel import serial_and_parallel
from emergesim.streams import uniform

PARALLEL_FROM = 128  # L; below this, starting threads costs more than it saves


@numba.njit(cache=True, inline="always")
def update_site(spins, i, j, key, flip):
    """Flip spin (i, j) with probability ``flip[(s + 1) // 2, (neighbour sum + 4) // 2]``."""
    size = spins.shape[0]
    down = i + 1 if i + 1 < size else 0
    right = j + 1 if j + 1 < size else 0
    s = spins[i, j]
    around = spins[i - 1, j] + spins[down, j] + spins[i, j - 1] + spins[i, right]  # -1 wraps
    if uniform(key, i * size + j) < flip[(s + 1) // 2, (around + 4) // 2]:
        spins[i, j] = -s


def checkerboard_sweep(spins, keys, flip):
    """One sweep: the black sites with ``keys[0]``, then the white with ``keys[1]``.
    ``checkerboard_sweep`` runs on one thread, ``checkerboard_sweep_parallel`` shares the rows of
    each colour among threads (even L only)."""
    size = spins.shape[0]
    for colour in range(2):
        for i in numba.prange(size):
            for j in range((i + colour) % 2, size, 2):
                update_site(spins, i, j, keys[colour], flip)


checkerboard_sweep, checkerboard_sweep_parallel = serial_and_parallel(checkerboard_sweep)


@numba.njit(cache=True)
def swendsen_wang_sweep(spins, key, p_add, sign, queue, seen):
    """Open bonds, find the clusters they join, flip each cluster with probability 1/2.

    Bond b opens, if its two spins have product ``sign`` (that of J), when ``uniform(key, b)``
    < ``p_add`` = 1 - exp(-2 |J| / T). Clusters are grown from their smallest site n, in site
    order, and flip when ``uniform(key, 2 L^2 + n)`` < 1/2. ``queue`` (L^2 ints) and ``seen``
    (L^2 booleans) are scratch space.
    """
    size = spins.shape[0]
    n_sites = size * size
    flat = spins.reshape(n_sites)
    seen[:] = False
    for first in range(n_sites):
        if seen[first]:
            continue
        seen[first] = True
        queue[0] = first
        grown, count = 0, 1
        while grown < count:
            n = queue[grown]
            grown += 1
            i, j = n // size, n % size
            up = n - size if i > 0 else n + n_sites - size
            down = n + size if i < size - 1 else j
            left = n - 1 if j > 0 else n + size - 1
            right = n + 1 if j < size - 1 else n - j
            want = sign * flat[n]
            for m, bond in ((right, 2 * n), (down, 2 * n + 1), (left, 2 * left), (up, 2 * up + 1)):
                if not seen[m] and flat[m] == want and uniform(key, bond) < p_add:
                    seen[m] = True
                    queue[count] = m
                    count += 1
        if uniform(key, 2 * n_sites + first) < 0.5:
            for k in range(count):
                flat[queue[k]] = -flat[queue[k]]
