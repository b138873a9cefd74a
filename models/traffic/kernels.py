"""Numba kernels of the Nagel-Schreckenberg update (twin: ``twin.py``).

Cars are stored in ring order, so car i's leader is car i + 1 (the last car's is car 0). New
positions go to a second array so that every car reads its leader's old position: the update is
parallel in the model's sense, and the loop over cars can run on any number of threads with the
same result. Car i's random number is ``uniform(key, i)`` (emergesim.streams).

Jam fronts: a jam's downstream front reaches a car standing right behind its leader when the
leader pulls away (``released_at`` records that tick), and passes on when the car itself starts,
one cell upstream. Each start after a release is one move of the front, taking
``t - released_at`` ticks; the front speed is -(moves) / (ticks).
"""

import numba

from emergesim.parallel import serial_and_parallel
from emergesim.streams import uniform

BEHIND = -2  # released_at code: standing right behind the leader (gap 0)
FREE = -1  # released_at code: not waiting at a jam front
PARALLEL_FROM = 20_000  # cars; below this, starting threads costs more than it saves


@numba.njit(cache=True, inline="always")
def advance_car(i, positions, new_positions, speeds, key, p_slow, vmax, length, t, released_at):
    """Update car i at tick t; return its jam-front (move, ticks): (1, wait) or (0, 0)."""
    n = positions.size
    lead = positions[i + 1] if i + 1 < n else positions[0]
    x = positions[i]
    gap = lead - x - 1
    if gap < 0:
        gap += length
    v = min(speeds[i] + 1, vmax, gap)  # accelerate, brake
    if v > 0 and uniform(key, i) < p_slow:  # randomise
        v -= 1
    mark = released_at[i]
    if gap == 0:
        mark = BEHIND
    elif mark == BEHIND:
        mark = t - 1  # the leader moved off during the previous tick
    move, wait = 0, 0
    if v > 0 and mark >= 0:
        move, wait = 1, t - mark
        mark = FREE
    released_at[i] = mark
    x += v  # move
    if x >= length:
        x -= length
    new_positions[i] = x
    speeds[i] = v
    return move, wait


def nasch_step(positions, new_positions, speeds, key, p_slow, vmax, length, t, released_at):
    """One tick for every car; return the jam-front (moves, ticks). ``nasch_step`` runs it on
    one thread, ``nasch_step_parallel`` shares the cars among threads (integer sums: the same
    result in any order)."""
    moves = ticks = 0
    for i in numba.prange(positions.size):
        move, wait = advance_car(
            i, positions, new_positions, speeds, key, p_slow, vmax, length, t, released_at
        )
        moves += move
        ticks += wait
    return moves, ticks


nasch_step, nasch_step_parallel = serial_and_parallel(nasch_step)
