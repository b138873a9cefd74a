"""Counter-based uniform numbers: one key per step from ``model.rng``, expanded per agent.

When an update is cheaper than drawing one number per agent from numpy (NaSch traffic: about 1 ns
per car against about 1.7 ns per draw), a model draws a single 64-bit key per step from its
Generator and takes agent i's uniform number as the i-th output of SplitMix64 started at that key
(Steele, Lea & Flood, OOPSLA 2014; the generator passes BigCrush). The number depends only on
(key, i), so kernels may run in parallel, and the pure-Python twin computes the same values.
"""

from __future__ import annotations

import numba
import numpy as np

GAMMA = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1
_SCALE = 2.0**-53


def draw_key(rng: np.random.Generator) -> int:
    """A fresh 63-bit key from the model's generator (its raw output: the cheapest draw).

    63 bits keep the key a plain int64 for numba, so passing it costs no conversion.
    """
    return rng.bit_generator.random_raw() >> 1


@numba.njit(cache=True)
def uniform(key, i):
    """Agent i's number in [0, 1) for this key (numba)."""
    z = np.uint64(key) + np.uint64(i + 1) * np.uint64(GAMMA)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _SCALE


def uniform_py(key: int, i: int) -> float:
    """The same number in plain Python, for twins and readers."""
    z = (key + (i + 1) * GAMMA) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    z ^= z >> 31
    return (z >> 11) * _SCALE
