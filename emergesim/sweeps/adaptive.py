"""Adaptive refinement: pin where the order parameter changes fastest along the control.

After the first pass of a grid, for every combination of the other varied parameters (a
*slice*), the replicate means of the model's order parameter are taken at each value of its
control parameter, and the interval between neighbouring values with the largest
``|delta mean / delta control|`` is the steepest. Its midpoint is added (with all replicates) and
the step repeats until, in every slice, the steepest interval is no wider than ``tol``, or cannot
be split further (neighbouring integers), or ``budget`` added runs are used up; a round that
cannot afford all slices' midpoints adds those of the first slices. Bisection halves the interval
holding a sharp step every round, so ``log2(width / tol)`` rounds pin it. Failed runs and NaN
values are left out of the means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emergesim.params import Param
from emergesim.sweeps.designs import tidy


@dataclass(frozen=True)
class Steepest:
    """The steepest interval ``[low, high]`` of the control in one slice."""

    where: dict[str, Any]  # values of the other varied parameters
    low: float
    high: float
    midpoint: Any  # the value that splits it; None when it cannot be split

    def pinned(self, tol: float) -> bool:
        return self.high - self.low <= tol or self.midpoint is None


def steepest(
    table: pd.DataFrame, control: Param, order: str, others: Sequence[str]
) -> list[Steepest]:
    """The steepest interval of every slice of ``table`` (one row per run) that has two or
    more control values with a finite mean."""
    ok = table[table["status"] == "ok"]
    found = []
    slices = ok.groupby(list(others), sort=False) if others else [((), ok)]
    for values, rows in slices:
        means = rows.groupby(control.name)[order].mean().dropna().sort_index()
        if len(means) < 2:
            continue
        x, y = means.index.to_numpy(dtype=float), means.to_numpy()
        i = int(np.argmax(np.abs(np.diff(y)) / np.diff(x)))
        low, high = x[i], x[i + 1]
        middle = tidy(control, (low + high) / 2)
        where = dict(zip(others, values if isinstance(values, tuple) else (values,), strict=True))
        found.append(Steepest(where, low, high, None if middle in (low, high) else middle))
    return found


def next_points(
    intervals: list[Steepest], control: str, tol: float, affordable: int
) -> list[dict[str, Any]]:
    """The midpoints of the intervals still wider than ``tol``, at most ``affordable``."""
    wide = [s for s in intervals if not s.pinned(tol)]
    return [{**s.where, control: s.midpoint} for s in wide[:affordable]]
