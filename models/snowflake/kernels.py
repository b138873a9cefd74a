"""Numba kernels of Reiter's step (twin: ``twin.py``; lattice conventions: ``lattice.py``).

One synchronous step (Reiter, Chaos Solitons Fractals 23:1111, 2005): ``u`` is the water free to
diffuse (``s`` on non-receptive cells, 0 on receptive ones), ``v = s - u`` the water held by
receptive cells. Then ``v' = v + gamma`` on receptive cells, ``u' = u + (alpha/2)(mean of u over
the six neighbours - u)``, written here as ``u + (alpha/12) * sum(u_neighbour - u)``, and
``s' = u' + v'``. The kernels
keep ``u`` in its own array (``free``) beside ``s`` (``water``), so a cell reads its neighbours'
``u`` without asking whether they are receptive.

Two choices keep the arithmetic exact where the mathematics is:
- differences ``u_neighbour - u`` vanish exactly in a uniform field, so the far field stays
  bit-for-bit at beta and need not be computed: the sweep covers only the hexagon of radius
  ``rho`` that the disturbance has reached;
- the six differences are added as three pairs of opposite neighbours, smallest pair first, so
  the sum has the same bits however the neighbourhood is turned or mirrored: the step keeps the
  lattice's twelve symmetries exactly, not just up to rounding.

Only receptive cells can freeze: with alpha <= 2 a non-receptive cell's u' is a mean, with
weights >= 0, of values that are all <= beta (< 1), so the sweep looks for new ice among
receptive cells alone.

New values go to second arrays, so each cell reads only the old field; rows can then be shared
among threads with the same result on any number of them.
"""

import numba
import numpy as np

from emergesim.models.snowflake.lattice import (
    hex_distance,
    row_half_width,
    to_axial,
    to_offset,
    turn,
)
from emergesim.parallel import serial_and_parallel, threaded

PARALLEL_FROM = 64  # active radius (~12,500 cells) from which rows are shared among threads


@numba.njit(cache=True, inline="always")
def sum_of_three(a, b, c):
    """``a + b + c`` added in ascending order: the same bits for any order of the arguments."""
    lo, hi = min(a, b), max(a, b)
    mid, hi = min(hi, c), max(hi, c)
    lo, mid = min(lo, mid), max(lo, mid)
    return (lo + mid) + hi


@numba.njit(cache=True, inline="always")
def net_flow(free, i, j, a):
    """sum(u_neighbour - u) of cell (i, j), whose side neighbours are in rows a and a + 1."""
    u = free[i, j]
    return sum_of_three(
        (free[i - 1, j] - u) + (free[i + 1, j] - u),
        (free[a, j - 1] - u) + (free[a + 1, j + 1] - u),
        (free[a + 1, j - 1] - u) + (free[a, j + 1] - u),
    )


@numba.njit(cache=True, inline="always")
def sweep_row(
    water, free, next_water, next_free, receptive, k, gamma, centre, rho, i, frozen_in_row
):
    """Row i of the sweep (``k = alpha / 12``). Even and odd columns go in turn, so that each
    inner loop reads fixed neighbour rows (no parity test per cell: ~1.3x faster)."""
    half = row_half_width(i - centre, rho, centre)
    frozen = 0
    for first in (centre - half, centre - half + 1):
        a = i - (first & 1)
        for j in range(first, centre + half + 1, 2):
            inflow = k * net_flow(free, i, j, a)
            if receptive[i, j]:
                old = water[i, j]
                new = inflow + (old + gamma)  # u' + v', with u = 0
                next_free[i, j] = 0.0
                frozen += new >= 1.0 and old < 1.0
            else:
                new = free[i, j] + inflow
                next_free[i, j] = new
            next_water[i, j] = new
    frozen_in_row[i] = frozen


def sweep(water, free, next_water, next_free, receptive, k, gamma, centre, rho, frozen_in_row):
    """Write s' (and u') of every cell within hex distance rho of the centre into the next
    arrays, and count per row the cells that froze. ``sweep`` runs on one thread,
    ``sweep_parallel`` shares the rows among threads."""
    for i in numba.prange(centre - rho, centre + rho + 1):
        sweep_row(
            water, free, next_water, next_free, receptive, k, gamma, centre, rho, i, frozen_in_row
        )


sweep, sweep_parallel = serial_and_parallel(sweep)
sweep_auto = threaded(sweep, sweep_parallel, PARALLEL_FROM, lambda *args: args[8])  # by rho


@numba.njit(cache=True)
def mark_receptive(receptive, free, i, j):
    """Cell (i, j) froze: it and its six neighbours become receptive and hold their water."""
    a = i - (j & 1)
    for ni, nj in (
        (i - 1, j),
        (i, j),
        (i + 1, j),
        (a, j - 1),
        (a + 1, j - 1),
        (a, j + 1),
        (a + 1, j + 1),
    ):
        receptive[ni, nj] = True
        free[ni, nj] = 0.0


@numba.njit(cache=True)
def freeze(water, next_water, next_free, receptive, centre, rho, frozen_in_row):
    """The cells that froze in the last sweep, as an (n, 2) array of (i, j) in row order;
    marks them and their neighbours receptive."""
    rows = frozen_in_row[centre - rho : centre + rho + 1]
    cells = np.empty((rows.sum(), 2), dtype=np.int64)
    n = 0
    for i in range(centre - rho, centre + rho + 1):
        if frozen_in_row[i] == 0:
            continue
        half = row_half_width(i - centre, rho, centre)
        for j in range(centre - half, centre + half + 1):
            if next_water[i, j] >= 1.0 and water[i, j] < 1.0:
                cells[n, 0] = i
                cells[n, 1] = j
                n += 1
    for c in range(n):
        mark_receptive(receptive, next_free, cells[c, 0], cells[c, 1])
    return cells


@numba.njit(cache=True)
def book_ice(cells, frozen_at, mass_by_distance, step, centre):
    """Record that ``cells`` ((n, 2) array of (i, j)) froze at ``step``: their freezing time and
    their count by hex distance. Returns their largest distance and the number of pairs (x, x
    turned by 60 degrees), both ice, that they complete: x new, or x older ice turning onto a
    new cell."""
    for c in range(len(cells)):
        frozen_at[cells[c, 0], cells[c, 1]] = step
    farthest = completed = 0
    for c in range(len(cells)):
        i, j = cells[c, 0], cells[c, 1]
        distance = hex_distance(i, j, centre)
        mass_by_distance[distance] += 1
        farthest = max(farthest, distance)
        q, r = to_axial(i, j, centre)
        completed += frozen_at[to_offset(*turn(q, r, 1), centre)] <= step
        completed += frozen_at[to_offset(*turn(q, r, -1), centre)] < step
    return farthest, completed


@numba.njit(cache=True)
def ring_disturbed(water, receptive, beta, centre, rho):
    """Whether any cell at hex distance exactly rho differs from the far field (s = beta, not
    receptive): the ring is the two ends of each row's span, or the whole top and bottom rows."""
    for di in range(-rho, rho + 1):
        i = centre + di
        outer = row_half_width(di, rho, centre)
        inner = row_half_width(di, rho - 1, centre) if abs(di) < rho else -1
        for j in range(centre - outer, centre - inner):  # left end (or the whole row)
            if water[i, j] != beta or receptive[i, j]:
                return True
        for j in range(centre + inner + 1, centre + outer + 1):  # right end
            if water[i, j] != beta or receptive[i, j]:
                return True
    return False
