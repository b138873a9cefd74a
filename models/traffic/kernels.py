"""Numba kernel of the Nagel-Schreckenberg update (twin: ``twin.py``)."""

import numba

BEHIND = -2  # released_at code: standing right behind the leader (gap 0)
FREE = -1  # released_at code: not waiting at a jam front


@numba.njit(cache=True)
def nasch_step(positions, speeds, draws, p_slow, vmax, length, t, released_at):
    """Advance every car one tick in place; return this tick's jam-front (moves, ticks).

    Cars are stored in ring order, so car i's leader is car i + 1 (the last car's is car 0). One
    pass updates car i from its leader's old position: car i + 1 is still unmoved when i is
    visited, and car 0's old position is saved before the loop. ``t`` is the number of this tick.

    Jam fronts: a jam's downstream front reaches a car standing right behind its leader when the
    leader pulls away (``released_at`` records that tick), and passes on when the car itself
    starts, one cell upstream. Each start after a release is one move of the front taking
    ``t - released_at`` ticks; the front speed is -(moves) / (ticks).
    """
    n = positions.size
    moves = 0
    ticks = 0
    if n == 0:
        return moves, ticks
    first_pos = positions[0]
    for i in range(n):
        lead = positions[i + 1] if i + 1 < n else first_pos
        x = positions[i]
        gap = lead - x - 1
        if gap < 0:
            gap += length
        v = min(speeds[i] + 1, vmax)  # accelerate
        v = min(v, gap)  # brake
        if v > 0 and draws[i] < p_slow:  # randomise
            v -= 1
        if gap == 0:
            released_at[i] = BEHIND
        elif released_at[i] == BEHIND:
            released_at[i] = t - 1  # the leader moved off during the previous tick
        if v > 0 and released_at[i] >= 0:
            moves += 1
            ticks += t - released_at[i]
            released_at[i] = FREE
        x += v  # move
        if x >= length:
            x -= length
        positions[i] = x
        speeds[i] = v
    return moves, ticks
