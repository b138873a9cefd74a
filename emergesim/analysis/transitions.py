"""Where a transition sits and how wide it is, from a tidy table of runs.

The order parameter y against the control x is fitted with a logistic step

    y(x) = low + (high - low) / (1 + exp(-(x - location) / scale))

and the reported ``width`` is the 10-90 % rise, ``2 ln 9 * scale`` (about 4.39 scale). The
steepest slope of the replicate-mean curve gives a second, model-free location. Confidence
intervals come from a bootstrap over replicates (rows resampled within each x; when every x has a
single run, whole rows are resampled). A transition is *detected* when the step explains the data
better than a constant (F-test of the 4-parameter fit against the 1-parameter mean, p < alpha)
and its location lies inside the sampled range: pure noise is reported as no transition.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy  # its submodules load on first use: workers that never fit do not pay for them

from emergesim.errors import EmergesimError

RISE_10_90 = 2 * np.log(9)


@dataclass(frozen=True)
class Transition:
    """A fitted step. Intervals are (low, high) percentiles of the bootstrap (95 % by default)."""

    location: float
    location_ci: tuple[float, float]
    width: float  # 10-90 % rise of the logistic
    width_ci: tuple[float, float]
    steepest: float  # x of the steepest slope of the replicate-mean curve
    steepest_ci: tuple[float, float]
    low: float  # plateau before the step
    high: float  # plateau after the step
    p_value: float  # F-test of the step against a constant
    detected: bool
    boot_widths: np.ndarray = field(repr=False, compare=False)


def logistic(x, low, high, location, scale):
    return low + (high - low) / (1 + np.exp(-(x - location) / scale))


def transition(
    table: pd.DataFrame,
    x: str,
    y: str,
    *,
    n_boot: int = 200,
    confidence: float = 0.95,
    alpha: float = 1e-3,
    seed: int = 0,
) -> Transition:
    """Fit the step of ``y`` against ``x`` (one row per run; replicates share x)."""
    xs, ys = _columns(table, x, y)
    fit = _fit(xs, ys)
    if fit is None:
        raise EmergesimError(f"could not fit a step to {y} against {x}")
    rss_step = float(np.sum((ys - logistic(xs, *fit)) ** 2))
    rss_flat = float(np.sum((ys - ys.mean()) ** 2))
    p_value = _f_test(rss_flat, rss_step, n=len(xs), total=float(np.sum(ys**2)) + 1.0)
    rng = np.random.default_rng(seed)
    boots = [_boot_once(xs, ys, rng) for _ in range(n_boot)]
    boots = np.array([b for b in boots if b is not None])
    tails = (100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2)

    def ci(values: np.ndarray) -> tuple[float, float]:
        low, high = np.percentile(values, tails)
        return float(low), float(high)

    location = float(fit[2])
    inside = xs.min() <= location <= xs.max()
    return Transition(
        location=location,
        location_ci=ci(boots[:, 0]),
        width=float(RISE_10_90 * fit[3]),
        width_ci=ci(boots[:, 1]),
        steepest=_steepest(xs, ys),
        steepest_ci=ci(boots[:, 2]),
        low=float(fit[0]),
        high=float(fit[1]),
        p_value=p_value,
        detected=bool(p_value < alpha and inside),
        boot_widths=boots[:, 1],
    )


def _columns(table: pd.DataFrame, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    for name in (x, y):
        if name not in table.columns:
            raise EmergesimError(
                f"no column '{name}' in the runs; columns: {', '.join(map(str, table.columns))}"
            )
    data = table[[x, y]].dropna()
    if data[x].nunique() < 5:
        raise EmergesimError(f"a transition needs at least 5 distinct values of {x}")
    return data[x].to_numpy(dtype=float), data[y].to_numpy(dtype=float)


def _means(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grid, index = np.unique(xs, return_inverse=True)
    return grid, np.bincount(index, weights=ys) / np.bincount(index)


def _fit(xs: np.ndarray, ys: np.ndarray) -> np.ndarray | None:
    grid, means = _means(xs, ys)
    span = grid[-1] - grid[0]
    low, high = means[0], means[-1]
    middle = (low + high) / 2
    crossing = grid[np.argmin(np.abs(means - middle))]
    guess = [low, high, crossing, span / 10]
    pad = abs(high - low) + np.ptp(ys) + 1e-12
    bounds = (
        [ys.min() - pad, ys.min() - pad, grid[0] - span, span * 1e-4],
        [ys.max() + pad, ys.max() + pad, grid[-1] + span, span * 10],
    )
    guess = np.clip(guess, bounds[0], bounds[1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params, _ = scipy.optimize.curve_fit(
                logistic, xs, ys, p0=guess, bounds=bounds, maxfev=5000
            )
    except (RuntimeError, ValueError):
        return None
    return params


def _f_test(rss_flat: float, rss_step: float, *, n: int, total: float) -> float:
    if n <= 4 or rss_flat <= 1e-12 * total:  # a constant already fits, to rounding
        return 1.0
    if rss_step <= 0:
        return 0.0
    f = ((rss_flat - rss_step) / 3) / (rss_step / (n - 4))
    return float(scipy.stats.f.sf(f, 3, n - 4))


def _steepest(xs: np.ndarray, ys: np.ndarray) -> float:
    grid, means = _means(xs, ys)
    k = int(np.argmax(np.abs(np.diff(means) / np.diff(grid))))
    return float((grid[k] + grid[k + 1]) / 2)


def _boot_once(xs: np.ndarray, ys: np.ndarray, rng: np.random.Generator) -> tuple | None:
    grid, index = np.unique(xs, return_inverse=True)
    if np.bincount(index).min() >= 2:
        picks = np.concatenate(
            [
                rng.choice(np.flatnonzero(index == g), size=(index == g).sum())
                for g in range(grid.size)
            ]
        )
    else:
        picks = rng.integers(0, xs.size, size=xs.size)
    bx, by = xs[picks], ys[picks]
    if np.unique(bx).size < 5:
        return None
    fit = _fit(bx, by)
    if fit is None:
        return None
    return fit[2], RISE_10_90 * fit[3], _steepest(bx, by)
