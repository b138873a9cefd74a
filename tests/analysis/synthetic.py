"""Synthetic sweeps with known answers: finite-size scaling, independent units, smooth curves."""

import numpy as np
import pandas as pd

from emergesim.analysis import logistic
from emergesim.analysis.transitions import RISE_10_90

UNIT = np.linspace(0, 1, 61)
WIDE = np.linspace(-6, 10, 41)


def critical(
    sizes=(8, 16, 32, 64),
    *,
    x_inf=0.5,
    a=0.5,
    inverse_nu=1.0,
    width_8=0.4,
    growth=1.75,
    xs=UNIT,
    reps=4,
    noise=0.01,
    seed=0,
):
    """y = f((x - x_c(L)) L^(1/nu)), x_c(L) = x_inf + a L^(-1/nu), f a logistic whose 10-90 % width
    is ``width_8`` at L = 8; the noise between runs makes chi = L var(y) peak at x_c as
    L^growth, over the same span of x at every size (so that taking the largest of noisy
    estimates biases every size alike). The per-unit and the all-or-nothing score are both y."""
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        centre = x_inf + a * size**-inverse_nu
        scale = width_8 * (8 / size) ** inverse_nu / RISE_10_90
        sd = noise * size ** ((growth - 1) / 2) * (0.3 + np.exp(-(((xs - centre) / 0.15) ** 2)))
        for _ in range(reps):
            y = logistic(xs, 0, 1, centre, scale) + rng.normal(0, sd)
            rows.append(pd.DataFrame({"x": xs, "L": size, "unit": y, "all": y}))
    return pd.concat(rows, ignore_index=True)


def independent(sizes=(2, 4, 8, 16), *, xs=WIDE, reps=3, noise=0.01, seed=0):
    """Independent units: every unit succeeds with p(x) = 1 / (1 + exp(-x)) at every size; all N
    succeed with p^N, which moves by ln N in x (a Gumbel step of fixed width)."""
    rng = np.random.default_rng(seed)
    p = logistic(xs, 0, 1, 0, 1)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "x": xs,
                    "L": size,
                    "unit": p + rng.normal(0, noise, xs.size),
                    "all": p**size + rng.normal(0, noise, xs.size),
                }
            )
            for size in sizes
            for _ in range(reps)
        ],
        ignore_index=True,
    )


def smooth(sizes=(2, 4, 8, 16), *, xs=WIDE, reps=3, noise=0.01, seed=0):
    """The same smooth curves at every size: a per-unit logistic and an all-or-nothing one."""
    rng = np.random.default_rng(seed)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "x": xs,
                    "L": size,
                    "unit": logistic(xs, 0, 1, 0, 1.5) + rng.normal(0, noise, xs.size),
                    "all": logistic(xs, 0, 1, 3, 1) + rng.normal(0, noise, xs.size),
                }
            )
            for size in sizes
            for _ in range(reps)
        ],
        ignore_index=True,
    )
