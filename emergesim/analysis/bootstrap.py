"""What every measure shares: a value with its bootstrap interval, resampling within groups, a
least-squares slope over many bootstrap draws at once, and how an interval is read.

Intervals are percentile intervals: the (1 - confidence)/2 and (1 + confidence)/2 quantiles of
the bootstrap draws (Efron & Tibshirani 1993, ch. 13). An interval is read three ways, never two:
it shows a change, it rules a change out (it lies within ``tolerance`` of no change), or it
cannot tell. An interval that cannot tell is never read as "no change".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.1  # a change smaller than this (an exponent, or widths per e-fold) is no change
N_BOOT, CONFIDENCE = 200, 0.95  # every measure's defaults: bootstrap draws, interval coverage


@dataclass(frozen=True)
class Estimate:
    """A measured number and its bootstrap interval (low, high)."""

    value: float
    ci: tuple[float, float]

    def text(self, spec: str = ".4g") -> str:
        """The estimate as "value [low, high]", each number in ``spec`` (``estimate_text``)."""
        return estimate_text(self.value, self.ci, spec)


def estimate_text(value: float | None, ci: tuple[float, float], spec: str = ".4g") -> str:
    """A measured number and its interval as every report prints them, "value [low, high]" with
    all three in ``spec``; "not measured" for None (a measure that could not be made)."""
    if value is None:
        return "not measured"
    return f"{value:{spec}} [{ci[0]:{spec}}, {ci[1]:{spec}}]"


def interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of the finite draws (a draw with no answer is NaN and is left out)."""
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    tails = (100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2)
    low, high = np.percentile(draws, tails)
    return float(low), float(high)


def resample(labels: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of ``n_boot`` bootstrap samples, shape (n_boot, rows): each row is replaced by a
    row drawn with replacement from the rows of the same label (the replicates of one point)."""
    labels = np.asarray(labels)
    picks = np.empty((n_boot, labels.size), dtype=np.intp)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        picks[:, rows] = rows[rng.integers(0, rows.size, size=(n_boot, rows.size))]
    return picks


def slope(u: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``values`` against ``u`` along the last axis,
    sum (u - mean u)(v - mean v) / sum (u - mean u)^2, for every leading index at once."""
    du = np.asarray(u, dtype=float) - np.mean(u)
    values = np.asarray(values, dtype=float)
    return (values - values.mean(axis=-1, keepdims=True)) @ du / (du @ du)


def trend(ci: tuple[float, float], direction: int, tolerance: float = TOLERANCE) -> str:
    """Read an interval on a rate of change: "yes" (it changes in ``direction``: +1 up, -1 down,
    0 either way), "no" (it lies within ``tolerance`` of no change in that direction), or
    "undecided". For direction +1: "no" if high < tolerance, else "yes" if low > 0; for -1 the
    same on (-high, -low); for 0: "no" if -tolerance < low and high < tolerance, else "yes" if the
    interval excludes 0."""
    low, high = ci
    if not (np.isfinite(low) and np.isfinite(high)):
        return "undecided"
    if direction < 0:
        low, high = -high, -low
    if direction != 0:
        return "no" if high < tolerance else "yes" if low > 0 else "undecided"
    if -tolerance < low and high < tolerance:
        return "no"
    return "yes" if low > 0 or high < 0 else "undecided"
