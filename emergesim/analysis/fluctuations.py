"""Fluctuations of an order parameter phi: susceptibility and Binder cumulant.

    chi = N (<phi^2> - <phi>^2)          U = 1 - <phi^4> / (3 <phi^2>^2)

Averages run over replicates at one control value (a sweep) or over the measured window of one
run (its time series). Near a continuous transition chi peaks and the Binder curves of different
sizes cross (Binder 1981): U = 0 for Gaussian fluctuations around phi = 0 (disorder) and 2/3 for
a sharp nonzero phi (order). When each run records the window means of m^2 and m^4, U at one
(x, size) is 1 - <m4> / (3 <m2>^2) with the averages over its runs.

U is dimensionless, so near a critical point it is one function of (x - x_c) L^(1/nu) at every
size, with no power of L in front (the order parameter itself carries L^(-beta/nu)). Its data
collapse therefore measures nu: the 1/nu and x_c that make the curves of the two largest sizes
coincide best (the collapse quality of emergesim.analysis.scaling, smallest) are taken from a
grid, x_c within two sampling steps of their crossing. Like the crossing, it leaves the smaller
sizes out: their corrections to scaling bias 1/nu (the 2D Ising model's quick sweep at
L = 8, 16, 32 puts 1/nu above 1 beyond its interval; its two largest sizes hold 1).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emergesim.analysis.bootstrap import CONFIDENCE, N_BOOT, Estimate, interval, resample
from emergesim.analysis.transitions import numeric_column
from emergesim.errors import EmergesimError


def susceptibility(phi: np.ndarray, n: float, axis: int | None = None) -> float | np.ndarray:
    """N times the variance of phi (population variance), over ``axis``."""
    variance = np.asarray(phi, dtype=float).var(axis=axis)
    return float(n * variance) if axis is None else n * variance


def cumulant(m2: float | np.ndarray, m4: float | np.ndarray) -> float | np.ndarray:
    """Binder's cumulant from the moments <m^2> and <m^4>: 1 - <m^4> / (3 <m^2>^2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - np.asarray(m4, dtype=float) / (3 * np.asarray(m2, dtype=float) ** 2)


def binder(phi: np.ndarray) -> float:
    """Binder's fourth-order cumulant of phi."""
    phi = np.asarray(phi, dtype=float)
    second = np.mean(phi**2)
    return float(cumulant(second, np.mean(phi**4))) if second > 0 else float("nan")


@dataclass(frozen=True)
class Fluctuations:
    """chi and G at each control value, and where chi peaks."""

    table: pd.DataFrame  # columns: x, chi, binder, runs
    peak: float
    peak_chi: float


def fluctuations(table: pd.DataFrame, x: str, y: str, size: str | float) -> Fluctuations:
    """chi and G of ``y`` over the replicates at each value of ``x``; N is the column ``size``
    (e.g. the number of agents) or a number."""
    missing = [c for c in (x, y, size) if isinstance(c, str) and c not in table.columns]
    if missing:
        raise EmergesimError(f"no column '{missing[0]}' in the runs")
    rows = []
    for value, group in table.groupby(x):
        n = group[size].iloc[0] if isinstance(size, str) else size
        phi = group[y].dropna().to_numpy()
        rows.append(
            {x: value, "chi": susceptibility(phi, n), "binder": binder(phi), "runs": phi.size}
        )
    out = pd.DataFrame(rows)
    k = int(out["chi"].idxmax())
    return Fluctuations(out, peak=float(out.loc[k, x]), peak_chi=float(out.loc[k, "chi"]))


def binder_crossing(table: pd.DataFrame, x: str, y: str, by: str, *, seed: int = 0) -> float:
    """The x where the Binder curves of ``y`` over the replicates of the two extreme sizes
    (column ``by``) cross: ``cumulant_crossing`` with m2 = y^2 and m4 = y^4 per run; NaN if they
    do not cross."""
    sizes = sorted(table[by].unique())
    if len(sizes) < 2:
        raise EmergesimError(f"a Binder crossing needs at least two values of '{by}'")
    ends = table[table[by].isin([sizes[0], sizes[-1]])]
    moments = ends.assign(**{"m^2": ends[y] ** 2, "m^4": ends[y] ** 4})
    crossing = cumulant_crossing(moments, x, by, m2="m^2", m4="m^4", seed=seed).location
    return float("nan") if crossing is None else crossing


@dataclass(frozen=True)
class BinderCrossing:
    """Where the cumulant curves U(x) of successive sizes cross: near x_c for all of them at a
    critical point (the corrections shrink with size, so the two largest sizes give
    ``location``)."""

    location: float | None  # the crossing of the two largest sizes; None: they do not cross
    location_ci: tuple[float, float] | None  # bootstrap over the runs at each (x, size)
    pairs: dict[tuple[float, float], float | None]  # the crossing of each pair of successive sizes
    crossed: float  # the fraction of bootstrap draws in which the two largest sizes cross
    reason: str
    table: pd.DataFrame = field(compare=False)  # x, size, binder (U), runs
    inverse_nu: Estimate | None = None  # 1/nu of U's data collapse (None: no crossing)
    collapse_centre: Estimate | None = None  # the x_c of that collapse
    collapse_quality: float | None = None


def cumulant_crossing(
    table: pd.DataFrame,
    x: str,
    by: str,
    *,
    m2: str = "m2",
    m4: str = "m4",
    n_boot: int = N_BOOT,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> BinderCrossing:
    """U = 1 - <m4> / (3 <m2>^2) at each (x, size) from the runs' window means ``m2`` and ``m4``,
    and where the curves of successive sizes cross (``_crossing``); the interval resamples the
    runs within each (x, size)."""
    for name in (x, by, m2, m4):
        numeric_column(table, name)
    data = table[[x, by, m2, m4]].dropna()
    sizes = sorted(data[by].unique())
    if len(sizes) < 2:
        got = ", ".join(f"{s:g}" for s in sizes) or "none"
        raise EmergesimError(f"a Binder crossing needs at least two values of '{by}', got {got}")
    keys, labels = np.unique(data[[x, by]].to_numpy(dtype=float), axis=0, return_inverse=True)
    picks = resample(labels, n_boot, np.random.default_rng(seed))
    moments = data[[m2, m4]].to_numpy(dtype=float)
    counts = np.bincount(labels)
    point = cumulant(*(np.bincount(labels, moments[:, j]) / counts for j in (0, 1)))
    draws = np.column_stack(
        [cumulant(*moments[picks[:, labels == k]].mean(axis=1).T) for k in range(len(keys))]
    )
    grid = np.unique(keys[:, 0])
    cube = np.full((n_boot + 1, len(sizes), grid.size), np.nan)  # draw, size, x; 0 is the point
    cube[:, np.searchsorted(sizes, keys[:, 1]), np.searchsorted(grid, keys[:, 0])] = np.vstack(
        [point, draws]
    )
    gaps = cube[:, 1:] - cube[:, :-1]  # each size's curve minus the one before
    with warnings.catch_warnings():  # an x that one of two sizes lacks has no spread
        warnings.simplefilter("ignore", RuntimeWarning)
        noise = np.nanstd(gaps[1:], axis=0)
    pairs = {
        (float(sizes[k]), float(sizes[k + 1])): _crossing(grid, gaps[0, k], noise[k])
        for k in range(len(sizes) - 1)
    }
    boot = np.array([_crossing(grid, d, noise[-1]) for d in gaps[1:, -1]], dtype=float)
    out = pd.DataFrame({x: keys[:, 0], by: keys[:, 1], "binder": point, "runs": counts})
    a, b = sizes[-2], sizes[-1]
    crossed = float(np.mean(np.isfinite(boot)))
    location = pairs[(float(a), float(b))]
    if location is None:
        reason = f"the Binder curves of {by} = {a:g} and {b:g} do not cross inside the swept range"
        return BinderCrossing(None, None, pairs, crossed, reason, out)
    reason = (
        f"the Binder curves of {by} = {a:g} and {b:g} cross at {x} = {location:.4g} "
        f"(in {crossed:.0%} of the bootstrap draws)"
    )
    centres = location + np.median(np.diff(grid)) * np.linspace(-2, 2, 17)
    largest = np.array(sizes[-2:], dtype=float)
    found = [_best_collapse(grid, largest, curves[-2:], centres) for curves in cube]
    theta, centre, quality = np.array(found).T
    return BinderCrossing(
        location,
        interval(boot, confidence),
        pairs,
        crossed,
        reason,
        out,
        Estimate(float(theta[0]), interval(theta[1:], confidence)),
        Estimate(float(centre[0]), interval(centre[1:], confidence)),
        float(quality[0]),
    )


INVERSE_NU = np.geomspace(0.2, 5.0, 193)  # the 1/nu tried by the collapse of U


def _best_collapse(grid, sizes, curves, centres) -> tuple[float, float, float]:
    """(1/nu, x_c, Q) of the best collapse of ``curves`` over ``INVERSE_NU`` and ``centres``."""
    quality = collapse_quality(grid, sizes, curves, centres, INVERSE_NU)
    c, t = np.unravel_index(np.argmin(quality), quality.shape)
    return INVERSE_NU[t], centres[c], quality[c, t]


def collapse_quality(grid, sizes, curves, centres, inverse_nus) -> np.ndarray:
    """Q of the data collapse of ``curves`` (sizes x grid of x; NaN where a size lacks an x) for
    every x_c in ``centres`` and 1/nu in ``inverse_nus``, (centres, inverse_nus). Curve i at x
    sits at scaled u = (x - x_c) L_i^(1/nu), where curve j is at x' = x_c + (x - x_c)
    (L_i / L_j)^(1/nu): Q is the mean square of y_i(x) - y_j(x') over pairs i != j and the x'
    inside j's samples (linear interpolation), over the variance of all y: 0 when the curves
    coincide, about 2 when they are unrelated; inf when no pair overlaps."""
    finite = np.isfinite(curves)
    variance = np.nanvar(curves)
    squares = np.zeros((centres.size, inverse_nus.size))
    counts = np.zeros_like(squares)
    offset = grid - centres[:, None, None]  # (centres, 1, x)
    for i, j in itertools.permutations(range(sizes.size), 2):
        xs, ys = grid[finite[j]], curves[j, finite[j]]
        if xs.size < 2:
            continue
        moved = centres[:, None, None] + offset * (sizes[i] / sizes[j]) ** inverse_nus[:, None]
        inside = (moved >= xs[0]) & (moved <= xs[-1]) & finite[i]
        gaps = np.where(inside, np.nan_to_num(curves[i]) - np.interp(moved, xs, ys), 0.0)
        squares += (gaps**2).sum(axis=2)
        counts += inside.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, squares / counts, np.inf) / variance


def _crossing(grid: np.ndarray, diff: np.ndarray, noise: np.ndarray) -> float | None:
    """Where ``diff`` (one curve minus the other, sampled at ``grid``) changes sign beyond doubt;
    None if it does not. With z = diff / noise (``noise``: its bootstrap standard deviation), a
    sample has a sign where |z| > 2, and a run of samples of one sign is real when its combined
    z (sum z / sqrt(k), Stouffer) exceeds 4: curves that merely meet on a plateau, where their
    difference is noise, do not cross. Between a real run and the next of the other sign, the
    crossing interpolates linearly across the one sign change of diff there (the root of the
    least-squares line through diff if noise makes several); of several such pairs of runs, the
    one whose weaker run is strongest (then whose stronger run is)."""
    diff, noise = np.asarray(diff, dtype=float), np.asarray(noise, dtype=float)
    keep = np.isfinite(diff) & np.isfinite(noise)
    grid, diff, noise = grid[keep], diff[keep], noise[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(diff == 0, 0.0, np.abs(diff) / noise)
    signs = np.where(z > 2, np.sign(diff), 0)
    marked = np.flatnonzero(signs)
    runs = [r for r in np.split(marked, np.flatnonzero(np.diff(signs[marked]) != 0) + 1) if r.size]
    strength = {r[0]: z[r].sum() / np.sqrt(r.size) for r in runs}
    flips = [
        (sorted((strength[left[0]], strength[right[0]])), left[-1], right[0])
        for left, right in itertools.pairwise(r for r in runs if strength[r[0]] > 4)
        if signs[left[0]] != signs[right[0]]
    ]
    if not flips:
        return None
    _, i, j = max(flips)
    between = i + np.flatnonzero(np.sign(diff[i:j]) * np.sign(diff[i + 1 : j + 1]) < 0)
    if between.size == 1:  # one sign change: interpolate linearly across it
        k = between[0]
        return float(grid[k] - diff[k] * (grid[k + 1] - grid[k]) / (diff[k + 1] - diff[k]))
    rise, offset = np.polyfit(grid[i : j + 1], diff[i : j + 1], 1)
    return float(np.clip(-offset / rise, grid[i], grid[j]))
