"""Numba kernel of one batch of attempts (twin: ``twin.py``; rules: ``theory``).

Attempt a draws one task for every language model: a walk that starts at skill ``starts[a]`` and
turns to neighbour ``moves[a, j]`` at each later step. Model m gets step j right if
``draws[a, j] < p[m, skill]``. A multiple-choice task (``n_choices`` > 0) that fails its chain is
still answered right if the distractor does not pull (``draws[a, n] >= p_distractor[m]``) and the
guess among the options hits (``draws[a, n + 1] < 1 / n_choices``). Each model's sums of the four
metrics and of their squares grow in the order of the attempts, which fixes the result exactly.
"""

import numba
import numpy as np


@numba.njit(cache=True)
def attempt_tasks(
    starts, moves, draws, neighbors, p, log_p, p_distractor, n_choices, totals, squares
):
    """Add one batch of attempts to ``totals`` and ``squares`` (models x metrics)."""
    n_steps = moves.shape[1] + 1
    path = np.empty(n_steps, dtype=np.int64)
    for a in range(starts.size):
        skill = starts[a]
        path[0] = skill
        for j in range(n_steps - 1):
            skill = neighbors[skill, moves[a, j]]
            path[j + 1] = skill
        for m in range(p.shape[0]):
            right = 0
            log_likelihood = 0.0
            for j in range(n_steps):
                if draws[a, j] < p[m, path[j]]:
                    right += 1
                log_likelihood += log_p[m, path[j]]
            solved = right == n_steps
            if not solved and n_choices > 0:
                solved = draws[a, n_steps] >= p_distractor[m] and (
                    draws[a, n_steps + 1] < 1.0 / n_choices
                )
            scores = (
                1.0 if solved else 0.0,
                right / n_steps,
                float(n_steps - right),
                log_likelihood,
            )
            for k in range(4):
                totals[m, k] += scores[k]
                squares[m, k] += scores[k] * scores[k]
