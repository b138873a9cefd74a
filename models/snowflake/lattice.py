"""The hexagonal lattice in Mesa's HexGrid coordinates, and its geometry.

Cell ``(i, j)`` is row i, column j of a numpy array, as in ``mesa.discrete_space.HexGrid``: its
neighbours are ``(i - 1, j)`` and ``(i + 1, j)`` in its own column, and in columns ``j - 1`` and
``j + 1`` the rows ``a = i - (j odd)`` and ``a + 1``. Laid out in the plane, column j sits at
``x = j sqrt(3)/2`` and cell ``(i, j)`` at ``y = i + (j even)/2``: neighbours are one unit apart.

Geometry is easiest in axial coordinates ``(q, r)`` about the centre cell ``(c, c)``: the position
is ``(q sqrt(3)/2, r + q/2)``, the six neighbours differ by ``±(0, 1), ±(1, 0), ±(1, -1)``, the
hex distance is ``max(|q|, |r|, |q + r|)`` and a turn by 60 degrees is ``(q, r) -> (-r, q + r)``.
The cells within hex distance rho of the centre fill a hexagon with corners along the six
lattice directions; a snowflake's arms grow towards those corners.
"""

import numba
import numpy as np

SQRT3_2 = np.sqrt(3.0) / 2


def hexagon_cells(radius: int) -> int:
    """Cells within hex distance ``radius`` of a cell: 3 radius (radius + 1) + 1."""
    return 3 * radius * (radius + 1) + 1


@numba.njit(cache=True)
def to_axial(i, j, centre):
    """Axial ``(q, r)`` of cell(s) ``(i, j)`` relative to the centre cell ``(centre, centre)``."""
    q = j - centre
    r = (i - (j + 1) // 2) - (centre - (centre + 1) // 2)
    return q, r


@numba.njit(cache=True)
def to_offset(q, r, centre):
    """Cell(s) ``(i, j)`` at axial ``(q, r)`` about ``(centre, centre)``: inverse of to_axial."""
    j = q + centre
    i = r + (centre - (centre + 1) // 2) + (j + 1) // 2
    return i, j


@numba.njit(cache=True)
def hex_distance(i, j, centre):
    """Steps on the lattice from cell(s) ``(i, j)`` to the centre cell."""
    q, r = to_axial(i, j, centre)
    return np.maximum(np.maximum(np.abs(q), np.abs(r)), np.abs(q + r))


@numba.njit(cache=True)
def turn(q, r, sixths=1):
    """Axial coordinates turned by ``sixths`` times 60 degrees about the centre (negative: the
    other way)."""
    for _ in range(sixths % 6):
        q, r = -r, q + r
    return q, r


def position(i, j, centre: int):
    """Plane position ``(x, y)`` of cell(s) ``(i, j)``, the centre cell at the origin."""
    q, r = to_axial(i, j, centre)
    return q * SQRT3_2, r + q / 2


def nearest_cell(x, y, centre: int):
    """The cell whose hexagon contains each point ``(x, y)``: rounding in cube coordinates."""
    q = x / SQRT3_2
    r = y - q / 2
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return to_offset(rq.astype(np.int64), rr.astype(np.int64), centre)


@numba.njit(cache=True)
def row_half_width(di, rho, centre):
    """Row ``centre + di`` of the hexagon of radius rho spans columns ``centre ± half_width``.

    Columns of the other parity than the centre's sit half a row up (odd centre) or down (even
    centre); where that brings them closer to the centre row they reach one column further.
    """
    closer = (centre % 2 == 1 and di < 0) or (centre % 2 == 0 and di > 0)
    return min(rho, 2 * (rho - abs(di)) + closer)
