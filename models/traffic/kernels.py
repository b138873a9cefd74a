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

from emergesim.parallel import serial_and_parallel, threaded
from emergesim.streams import uniform

BEHIND = -2  # released_at code: standing right behind the leader (gap 0)
FREE = -1  # released_at code: not waiting at a jam front
PARALLEL_FROM = 20_000  # cars; below this, starting threads costs more than it saves


@numba.njit(cache=True, inline="always")
def advance_car(x, lead, speed, mark, draw, p_slow, vmax, length, t):
    """A car at ``x`` with speed ``speed``, jam-front mark ``mark`` and random number ``draw``,
    whose leader is at ``lead``, at tick t: its new (x, speed, mark, move, wait), (move, wait)
    being its jam-front (1, ticks waited) or (0, 0).

    Scalars in, scalars out: inlined into the kernel's loop, a helper that took the arrays would
    leave reference counting calls in the loop while LLVM vectorises it (they are pruned only
    afterwards), so the loop would stay scalar and branchy: 2-8x slower on one thread.
    """
    gap = lead - x - 1
    if gap < 0:
        gap += length
    v = min(speed + 1, vmax, gap)  # accelerate, brake
    if v > 0 and draw < p_slow:  # randomise
        v -= 1
    if gap == 0:
        mark = BEHIND
    elif mark == BEHIND:
        mark = t - 1  # the leader moved off during the previous tick
    move, wait = 0, 0
    if v > 0 and mark >= 0:
        move, wait = 1, t - mark
        mark = FREE
    x += v  # move
    if x >= length:
        x -= length
    return x, v, mark, move, wait


def nasch_step(positions, new_positions, speeds, key, p_slow, vmax, length, t, released_at):
    """One tick for every car; return the jam-front (moves, ticks). ``nasch_step`` runs it on
    one thread, ``nasch_step_parallel`` shares the cars among threads (integer sums: the same
    result in any order).

    Both compile to the same vectorised loop (AVX2/AVX-512 where the CPU has them): every car
    draws its number, used or not, so the body has no branch to mispredict. A car-update reads
    positions, speeds and released_at and writes new_positions, speeds and released_at: 48
    bytes of int64, so at scale the step runs at memory speed (benchmarks/ceilings.py).
    """
    n = positions.size
    moves = ticks = 0
    for i in numba.prange(n):
        lead = positions[i + 1] if i + 1 < n else positions[0]
        x, v, mark, move, wait = advance_car(
            positions[i], lead, speeds[i], released_at[i], uniform(key, i), p_slow, vmax, length, t
        )
        new_positions[i] = x
        speeds[i] = v
        released_at[i] = mark
        moves += move
        ticks += wait
    return moves, ticks


nasch_step, nasch_step_parallel = serial_and_parallel(nasch_step)
nasch_step_auto = threaded(
    nasch_step, nasch_step_parallel, PARALLEL_FROM, lambda positions, *_: positions.size
)


@numba.njit(cache=True)
def census(positions, speeds, length):
    """(sum of the speeds, stopped cars, jam heads) in one pass: what ``observe`` reports, a
    tenth of the numpy version's time (which took most of a run recorded at every step). A jam's
    head is a stopped car not standing right behind another stopped car."""
    n = positions.size
    total = stopped = heads = 0
    for i in range(n):
        total += speeds[i]
        if speeds[i] == 0:
            stopped += 1
            ahead = i + 1 if i + 1 < n else 0
            gap = positions[ahead] - positions[i] - 1
            if gap < 0:
                gap += length
            if speeds[ahead] != 0 or gap != 0:
                heads += 1
    return total, stopped, heads
