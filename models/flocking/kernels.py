"""Numba kernels of the flocking step and of flock labelling (twin: ``twin.py``).

Neighbours come from a cell list: the box is cut into cells at least ``vision`` wide, agents
are counting-sorted by cell and copied in that order, so an agent's neighbours are among the
agents of its own cell and the eight around it, read from contiguous memory (three ranges, one
per row of cells): a step costs O(N) at fixed density.

Every agent's new direction and position are computed from the old arrays and written to second
ones (a double buffer): the synchronous update of Vicsek et al. (1995), which lets rows of cells
run on any number of threads with the same result. The new rows are written in cell order, with
``tags`` saying which agent each row holds: storage stays sorted by place, so the next sort
hardly moves anything and a million agents are read and written nearly in sequence instead of
at random (molecular dynamics codes sort atoms for the same reason, e.g. LAMMPS's
``atom_modify sort``).

Sums over neighbours are kept in 64-bit fixed point (``to_fixed``): integer addition does not
depend on order, so the cell list and the twin's brute-force search, which meet the neighbours
in different orders, get the same sums to the last bit, and the per-agent arithmetic below is
called by the twin too: both backends follow bit-identical trajectories. (AMBER's GPU engine
accumulates forces in fixed point for the same reason: Le Grand, Goetz & Walker, Comput. Phys.
Commun. 184:374, 2013.) This file holds all of it because numba's cache only notices edits to
the file of the function it compiled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numba
import numpy as np

from emergesim.parallel import serial_and_parallel, threaded

PARALLEL_FROM = 20_000  # agents; below this, waking threads costs more than it saves
CELLS_PER_AGENT = 4  # at most this many cells per agent: memory and binning stay O(N)

CONSTANTS = np.dtype(
    [
        ("vicsek", np.bool_),  # False: boids
        ("width", np.float64),
        ("height", np.float64),
        ("nx", np.int64),  # cells along x and y (grid_shape)
        ("ny", np.int64),
        ("vision2", np.float64),  # neighbours: squared distance <= vision2
        ("speed", np.float64),
        ("separation2", np.float64),  # boids: neighbours closer than this push away
        ("cohere", np.float64),
        ("separate", np.float64),
        ("match", np.float64),
        ("heading_scale", np.float64),  # fixed-point units per unit of direction
        ("offset_scale", np.float64),  # fixed-point units per unit of length
    ],
    align=True,
)


def pack_constants(params: Mapping[str, Any]) -> np.ndarray:
    """A model's constants as the kernels take them, from its parameters: a one-element
    structured array, which numba receives faster than a tuple or a dozen scalars."""
    width, height, vision, n = (params[name] for name in ("width", "height", "vision", "n_agents"))
    nx, ny = grid_shape(width, height, vision, n)
    reach = max(min(2 * width / nx, width / 2), min(2 * height / ny, height / 2))
    return np.array(
        [
            (
                params["rule"] == "vicsek",
                width,
                height,
                nx,
                ny,
                vision**2,
                params["speed"],
                params["separation"] ** 2,
                params["cohere"],
                params["separate"],
                params["match"],
                *fixed_scales(n, reach),
            )
        ],
        dtype=CONSTANTS,
    )


def grid_shape(width: float, height: float, radius: float, n_agents: int) -> tuple[int, int]:
    """Cells along x and y for finding neighbours within ``radius``.

    Cells are wider than the radius by a margin (1e-9 of it plus 1e-12 of the box, far above
    rounding errors of coordinates in the box) so that two agents at most ``radius`` apart are
    always binned into the same or adjacent cells. Fewer, larger cells are always correct: when
    there would be more than CELLS_PER_AGENT per agent, cells are merged.
    """
    side = radius * (1 + 1e-9) + 1e-12 * max(width, height)
    nx, ny = max(1, int(width // side)), max(1, int(height // side))
    excess = math.sqrt(nx * ny / (CELLS_PER_AGENT * n_agents))
    if excess > 1:
        nx, ny = max(1, int(nx / excess)), max(1, int(ny / excess))
    return nx, ny


def fixed_scales(n_agents: int, reach: float) -> tuple[float, float]:
    """Units per unit of direction and per unit of length of the fixed-point sums.

    A sum holds at most n_agents terms of size at most 1 (directions) or ``reach`` (offsets:
    any candidate the kernels convert lies within two cells, or half the box, of the agent);
    2^(62 - bits of n_agents) units per 1 keeps it below 2^62, clear of int64 overflow, and
    resolves 2^-62 N (1e-17 for 100 agents, 1e-12 for 10^7) of 1 or of ``reach``.
    """
    heading_scale = 2.0 ** (62 - int(n_agents).bit_length())
    return heading_scale, heading_scale / reach


@numba.njit(cache=True)
def nearest_image(delta, length):
    """The shortest displacement along a periodic axis of this length (minimum image)."""
    if delta > 0.5 * length:
        return delta - length
    if delta < -0.5 * length:
        return delta + length
    return delta


@numba.njit(cache=True)
def wrap(coordinate, length):
    """The coordinate moved into [0, length).

    One add or subtract does for a move shorter than the box. ``%`` takes the rest: a longer
    move, and -1e-17 + length, which rounds to ``length`` itself, 0 on the torus. (Applied
    first, ``%`` would return -1e-17 % length = length.)
    """
    if coordinate < 0.0:
        coordinate += length
    elif coordinate >= length:
        coordinate -= length
    if 0.0 <= coordinate < length:
        return coordinate
    return coordinate % length


@numba.njit(cache=True)
def to_fixed(value, scale):
    """``value`` in fixed-point units (int64, truncated): sums of these are order-free."""
    return np.int64(value * scale)


@numba.njit(cache=True)
def unit(vx, vy, hx, hy):
    """(vx, vy) normalised, or the old direction (hx, hy) if it cancelled to exactly zero."""
    norm = math.sqrt(vx * vx + vy * vy)
    if norm == 0.0:
        return hx, hy
    return vx / norm, vy / norm


@numba.njit(cache=True)
def vicsek_direction(hx, hy, heading_x, heading_y, k):
    """Vicsek's new direction: Arg of the summed directions of the agents within r, itself
    included (Vicsek et al. 1995); ``heading`` is that fixed-point sum, ``k`` the constants."""
    return unit(heading_x / k.heading_scale, heading_y / k.heading_scale, hx, hy)


@numba.njit(cache=True)
def boid_direction(
    hx, hy, count, cohesion_x, cohesion_y, crowding_x, crowding_y, heading_x, heading_y, k
):
    """Mesa's boid_flockers steering (mesa.examples.basic.boid_flockers): the new direction.

    The fixed-point sums: ``cohesion`` of the offsets to the ``count`` neighbours within vision,
    ``crowding`` of those to neighbours closer than the separation, ``heading`` of the
    neighbours' directions. As in Mesa the direction gains (cohere cohesion - separate crowding
    + match heading) / count and is normalised; a boid without neighbours keeps its direction.
    """
    if count == 0:
        return hx, hy
    offsets, headings = k.offset_scale, k.heading_scale
    steer_x = (
        k.cohere * (cohesion_x / offsets)
        - k.separate * (crowding_x / offsets)
        + k.match * (heading_x / headings)
    )
    steer_y = (
        k.cohere * (cohesion_y / offsets)
        - k.separate * (crowding_y / offsets)
        + k.match * (heading_y / headings)
    )
    return unit(hx + steer_x / count, hy + steer_y / count, hx, hy)


@numba.njit(cache=True)
def turn(hx, hy, angle):
    """The direction rotated by ``angle`` radians: the noise xi of Vicsek et al."""
    c, s = math.cos(angle), math.sin(angle)
    return hx * c - hy * s, hx * s + hy * c


@numba.njit(cache=True)
def bin_agents(state, k):
    """Counting sort of the agents into the k.nx-by-k.ny grid of cells, row after row.

    Returns (start, order): the agents of cell c (= row * nx + column) are
    order[start[c]:start[c + 1]], in ascending index. The column is monotone in x (the row in
    y), which with ``grid_shape``'s margin keeps agents within the radius in adjacent cells.
    """
    n, nx, ny = state.shape[0], k.nx, k.ny
    per_x, per_y = nx / k.width, ny / k.height
    cell = np.empty(n, np.int64)
    start = np.zeros(nx * ny + 1, np.int64)
    for i in range(n):
        column = min(int(state[i, 0] * per_x), nx - 1)
        row = min(int(state[i, 1] * per_y), ny - 1)
        cell[i] = row * nx + column
        start[cell[i] + 1] += 1
    for c in range(nx * ny):
        start[c + 1] += start[c]
    order = np.empty(n, np.int64)
    filled = start[:-1].copy()
    for i in range(n):
        order[filled[cell[i]]] = i
        filled[cell[i]] += 1
    return start, order


@numba.njit(cache=True)
def in_cell_order(state, order, heading_scale):
    """Positions and fixed-point directions (``to_fixed``) of the agents in cell order: the
    neighbour loops then read contiguous memory, and convert each direction once."""
    xy = np.empty((order.size, 2))
    uv = np.empty((order.size, 2), np.int64)
    for p in range(order.size):
        i = order[p]
        xy[p, 0], xy[p, 1] = state[i, 0], state[i, 1]
        uv[p, 0] = to_fixed(state[i, 2], heading_scale)
        uv[p, 1] = to_fixed(state[i, 3], heading_scale)
    return xy, uv


@numba.njit(cache=True)
def block_ranges(c, nx, ny, start, ranges):
    """Write the (first, end) ranges of cell-ordered agents in the 3-by-3 block of cells
    around cell c (periodic) into ``ranges``; return how many (at most 6).

    Cells are numbered row by row, so the three cells of a block row hold one range of agents,
    split in two where the block crosses the seam of the box. A grid under 3 cells a side has
    fewer block rows, each a whole row: every cell once.
    """
    row, column = c // nx, c % nx
    count = 0
    for a in range(min(ny, 3)):
        base = (row + a - 1) % ny * nx
        if nx <= 3:
            ranges[count, 0], ranges[count, 1] = start[base], start[base + nx]
        elif column == 0:
            ranges[count, 0], ranges[count, 1] = start[base], start[base + 2]
            count += 1
            ranges[count, 0], ranges[count, 1] = start[base + nx - 1], start[base + nx]
        elif column == nx - 1:
            ranges[count, 0], ranges[count, 1] = start[base], start[base + 1]
            count += 1
            ranges[count, 0], ranges[count, 1] = start[base + nx - 2], start[base + nx]
        else:
            ranges[count, 0], ranges[count, 1] = start[base + column - 1], start[base + column + 2]
        count += 1
    return count


@numba.njit(cache=True)
def advance_rows(
    first, last, state, tags, turns, new_state, new_tags, start, order, xy, uv, constants
):
    """New (x, y, hx, hy) of the agents in rows first..last-1 of the grid of cells, into the
    cell-order rows of ``new_state`` (and their tags into ``new_tags``).

    ``turns``: each agent's noise angle, by tag, or nothing when the noise is zero; ``start``,
    ``order``: from bin_agents; ``xy``, ``uv``: from in_cell_order.
    """
    k = constants[0]
    ranges = np.empty((6, 2), np.int64)
    for c in range(first * k.nx, last * k.nx):
        if start[c] == start[c + 1]:
            continue
        spans = block_ranges(c, k.nx, k.ny, start, ranges)
        for p in range(start[c], start[c + 1]):
            x, y = xy[p, 0], xy[p, 1]
            count = cohesion_x = cohesion_y = crowding_x = crowding_y = heading_x = heading_y = 0
            if k.vicsek:  # the agent itself is in the sum
                heading_x, heading_y = uv[p, 0], uv[p, 1]
            for r in range(spans):
                for q in range(ranges[r, 0], ranges[r, 1]):
                    dx = nearest_image(xy[q, 0] - x, k.width)
                    dy = nearest_image(xy[q, 1] - y, k.height)
                    d2 = dx * dx + dy * dy
                    # masks, not branches: whether a candidate is a neighbour is unpredictable
                    inside = (d2 <= k.vision2) & (q != p)
                    count += inside
                    heading_x += uv[q, 0] * inside
                    heading_y += uv[q, 1] * inside
                    if not k.vicsek:  # every candidate's offset fits: see fixed_scales
                        fx = to_fixed(dx, k.offset_scale) * inside
                        fy = to_fixed(dy, k.offset_scale) * inside
                        cohesion_x += fx
                        cohesion_y += fy
                        close = d2 < k.separation2
                        crowding_x += fx * close
                        crowding_y += fy * close
            i = order[p]
            hx, hy = state[i, 2], state[i, 3]
            if k.vicsek:
                hx, hy = vicsek_direction(hx, hy, heading_x, heading_y, k)
            else:
                hx, hy = boid_direction(
                    hx,
                    hy,
                    count,
                    cohesion_x,
                    cohesion_y,
                    crowding_x,
                    crowding_y,
                    heading_x,
                    heading_y,
                    k,
                )
            if turns.size:
                hx, hy = turn(hx, hy, turns[tags[i]])
            new_state[p, 0] = wrap(x + k.speed * hx, k.width)
            new_state[p, 1] = wrap(y + k.speed * hy, k.height)
            new_state[p, 2], new_state[p, 3] = hx, hy
            new_tags[p] = tags[i]


def flock_step(state, tags, turns, new_state, new_tags, constants):
    """One synchronous step of every agent. ``state`` rows: x, y, hx, hy of agent ``tags`` of
    the same row. ``flock_step`` runs on one thread, ``flock_step_parallel`` shares the rows of
    cells among threads (each writes its own rows)."""
    k = constants[0]
    start, order = bin_agents(state, k)
    xy, uv = in_cell_order(state, order, k.heading_scale)
    for row in numba.prange(k.ny):
        advance_rows(
            row, row + 1, state, tags, turns, new_state, new_tags, start, order, xy, uv, constants
        )


flock_step, flock_step_parallel = serial_and_parallel(flock_step)
flock_step_auto = threaded(
    flock_step, flock_step_parallel, PARALLEL_FROM, lambda state, *_: state.shape[0]
)


@numba.njit(cache=True)
def block_neighbours(p, xy, ranges, spans, k, out):
    """Write the agents q != p (cell-order positions) within vision of agent p, among the
    ``spans`` ranges of its block (block_ranges), into ``out``; return how many."""
    count = 0
    for r in range(spans):
        for q in range(ranges[r, 0], ranges[r, 1]):
            dx = nearest_image(xy[q, 0] - xy[p, 0], k.width)
            dy = nearest_image(xy[q, 1] - xy[p, 1], k.height)
            if dx * dx + dy * dy <= k.vision2 and q != p:
                out[count] = q
                count += 1
    return count


@numba.njit(cache=True)
def neighbours_of(i, state, constants):
    """Rows of the agents within vision of the agent in row i, ascending (a cell-list query)."""
    k = constants[0]
    start, order = bin_agents(state, k)
    xy, _ = in_cell_order(state, order, k.heading_scale)
    p = np.flatnonzero(order == i)[0]
    ranges = np.empty((6, 2), np.int64)
    spans = block_ranges(np.searchsorted(start, p, "right") - 1, k.nx, k.ny, start, ranges)
    found = np.empty(order.size, np.int64)
    return np.sort(order[found[: block_neighbours(p, xy, ranges, spans, k, found)]])


@numba.njit(cache=True)
def flock_sizes(state, constants):
    """Sizes of the flocks: connected components of the graph linking agents within vision
    of each other, by union-find (union by size, path halving) over the cells."""
    k = constants[0]
    start, order = bin_agents(state, k)
    xy, _ = in_cell_order(state, order, k.heading_scale)
    n = xy.shape[0]
    parent = np.arange(n)
    size = np.ones(n, np.int64)
    ranges = np.empty((6, 2), np.int64)
    found = np.empty(n, np.int64)
    for c in range(k.nx * k.ny):
        spans = block_ranges(c, k.nx, k.ny, start, ranges)
        for p in range(start[c], start[c + 1]):
            for q in found[: block_neighbours(p, xy, ranges, spans, k, found)]:
                a, b = find(parent, p), find(parent, q)
                if a != b:
                    if size[a] < size[b]:
                        a, b = b, a
                    parent[b] = a
                    size[a] += size[b]
    roots = np.array([p for p in range(n) if parent[p] == p], dtype=np.int64)
    return size[roots]


@numba.njit(cache=True)
def find(parent, i):
    """Root of i's tree, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
