"""Whether an order parameter makes a transition inside the swept range, where, and how wide.

The order parameter y against the control x (one row per run; replicates share x) is fitted by
least squares with four models:

    constant   y = a                                           1 parameter
    line       y = a + s x                                     2
    step       y = a + b / (1 + exp(-(x - c) / w))             4  (plateaus a and a + b)
    knee       y = a + s (w ln(1 + exp(+-(x - c) / w)))^q      5  (a power law rounded over w)

The knee is y = a + s max(0, x - c)^q, flat and then rising (an onset, like traffic's jammed
fraction), or its mirror y = a + s max(0, c - x)^q, falling and then flat (a magnetization
falling to zero as (T_c - T)^beta), rounded over a scale w. Its power q is 1 (a straight
hinge, 4 parameters) unless another of ``POWERS`` (below 1 a rise that bends over, above 1 one
that steepens) beats it by a nested F-test at ``alpha``; then q is a fifth parameter. Both report a
``width`` 2 ln 9 w (the 10-90 % rise of the step, or of the rounding of the knee) and a
``location``: the step's midpoint c, or the knee's onset. A straight knee's onset is c, where
its asymptotes meet, with the rounding spread evenly about it. A power knee's rounded curve
already stands at (w ln 2)^q above its flat part at c, so its onset is where the rounding
starts, c -+ ln 9 w on the flat side (c when the rounding is narrower than the sampling): a
rounded onset, such as traffic's jams at p_slow > 0, begins before its power law would. Noise
can trade a lower power for more rounding: every bootstrap draw chooses its own q by the same
rule, so the intervals carry that uncertainty too.

A step or a knee is *detected* when it beats both the constant and the line by nested F-tests,

    F = ((RSS_simple - RSS_rich) / (p_rich - p_simple)) / (RSS_rich / (n - p_rich)),   p < alpha,

and its 10-90 % region lies inside the sampled range with at least ``MIN_SIDE`` sampled values
of x beyond each end (both plateaus, or the flat part and the slope, are seen). When both qualify
the smaller residual variance RSS / (n - parameters) wins; when neither does, the numbers
describe the one that failed least (inside the tests but outside the range, before failing a
test). So a line is no transition, nor is noise, and a rise that leaves the sweep is not
reported at its end: a rise from a flat start is a knee at its onset.

Not detected is *conclusive* only when the data rule a transition out: the null that explains
them (the line if the step or knee beat the constant, else the constant) fits them exactly, or
the best step or knee departs from it, in root mean square over the sampled x and at the upper
end of its bootstrap interval, by at most half the scatter between single runs (a step of that
scatter's size, centred in the range, departs by half of it). A weak step in few noisy runs, or
a step cut off by the end of the sweep, is neither detected nor ruled out. A width is
``resolved`` when at least ``MIN_SIDE`` sampled x lie inside its 10-90 % region; a sharper step
is only known to be narrower than the sampling. ``steepest`` is a model-free location: the
middle of the sampled interval where the replicate means change fastest.

Fitting is variable projection: for fixed (c, w) each model is linear in (a, b), solved in closed
form, so a grid over (c, ln w) refined around its best point gives the least squares without
starting values or failed fits. The bootstrap resamples replicates within each x (whole rows when
some x has a single run); a draw is a weight per row, and every draw is solved at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy  # its submodules load on first use: workers that never fit do not pay for them

from emergesim.analysis.bootstrap import CONFIDENCE, N_BOOT, interval, resample
from emergesim.errors import EmergesimError

RISE_10_90 = 2 * np.log(9)
MIN_SIDE = 2  # sampled x values needed beyond each end of a step's or knee's 10-90 % region
MIN_POINTS = 5  # distinct x values needed to fit four parameters and test them
POWERS = (0.5, 0.75, 1.0, 1.5, 2.0)  # a knee's power q
ENDS = ("below", "above")  # the ends of the sampled range of x


class Form(NamedTuple):
    shape: str  # "step" or "knee"
    flat: str | None = None  # a knee's flat side of x: "below" or "above" its onset
    power: float = 1.0  # a knee's q

    @property
    def parameters(self) -> int:
        return 4 if self.shape == "step" or self.power == 1 else 5


STEP = Form("step")
# the grid, in units of the sampled range from its start; each zoom refines it threefold
_CENTRES = np.linspace(-0.5, 1.5, 61)
_SCALES = np.geomspace(1e-3, 3.0, 21)
_ZOOM = np.linspace(-1, 1, 7)
_ZOOMS = 3
_LOG_SCALES = np.log(_SCALES[[0, -1]])
_EXACT = 1e-12  # a residual sum of squares below this fraction of the total is a perfect fit


@dataclass(frozen=True)
class Transition:
    """The step or knee of y against x. Intervals are bootstrap percentiles (95 % by default).

    The numbers describe ``shape`` ("step" or "knee") even when it is not detected: the form that
    fits best, so that the ``reason`` can say what is wrong with it."""

    location: float  # the step's midpoint or the knee's onset
    location_ci: tuple[float, float]
    width: float  # 10-90 % rise of the step, or of the knee's slope
    width_ci: tuple[float, float]
    steepest: float  # x of the steepest slope of the replicate-mean curve
    steepest_ci: tuple[float, float]
    low: float  # before the transition: the step's first plateau, or the knee fit at the start
    high: float  # after it: the step's second plateau, or the knee fit at the end of the range
    p_value: float  # the larger of the F-tests of ``shape`` against a constant and a line
    detected: bool
    kind: str | None  # "step" or "knee" when detected, else None
    reason: str  # why it is (or is not) a transition, with the numbers
    conclusive: bool  # detected, or the data rule out any transition larger than their scatter
    runs_off: tuple[str, ...]  # ends of the sweep (ENDS) the 10-90 % region runs off: extend them
    resolved: bool  # 2 or more sampled x inside the 10-90 % region: the width is measured
    shape: str  # the fitted form the numbers describe: "step" or "knee"
    flat: str | None  # a knee's flat side: "below" or "above" its onset; None for a step
    power: float | None  # a knee's q; None for a step
    coef: tuple[float, float, float, float]  # (a, b, c, w): y = a + b h((x - c) / w)
    boot_widths: np.ndarray = field(repr=False, compare=False)
    boot_locations: np.ndarray = field(repr=False, compare=False)

    def curve(self, x: np.ndarray) -> np.ndarray:
        """The fitted step or knee at ``x``."""
        a, b, c, w = self.coef
        form = Form(self.shape, self.flat, self.power or 1.0)
        return a + b * _basis(form, np.asarray(x, dtype=float), c, w)


def logistic(x, low, high, location, scale):
    return low + (high - low) / (1 + np.exp(-(x - location) / scale))


def transition(
    table: pd.DataFrame,
    x: str,
    y: str,
    *,
    n_boot: int = N_BOOT,
    confidence: float = CONFIDENCE,
    alpha: float = 1e-3,
    seed: int = 0,
    form: Form | None = None,
) -> Transition:
    """Detect, locate and measure the step or knee of ``y`` against ``x`` (one row per run).
    ``form``: fit only that step or knee (its flat side and power), as when several sizes must
    be measured alike (``sharpening.fit_by_size``)."""
    if n_boot < 1:
        raise EmergesimError(f"n_boot must be a positive number of draws, got {n_boot}")
    data = _Data.of(table, x, y)
    point = data.sums(np.ones((1, data.v.size)))
    line = float(_lsq(data.grid[:, None], point)[0][0, 0])
    nulls = {"constant": float(data.v @ data.v), "line": line}
    n = data.v.size
    if form is None:
        fits = {STEP: _fit(STEP, data.grid, point)}
        for flat in ("below", "above"):
            knee = _fit_knee(flat, data.grid, point, n, alpha)
            fits[Form("knee", flat, float(knee.power[0]))] = knee
        knee = min(list(fits)[1:], key=lambda f: fits[f].rss[0])
        candidates = [_judge(f, fits[f], nulls, data, alpha) for f in (STEP, knee)]
    else:
        candidates = [_judge(form, _fit(form, data.grid, point), nulls, data, alpha)]
    best = min(candidates, key=lambda c: (_RANK[c.problem], c.fit.rss[0] / (n - c.form.parameters)))
    draws = data.sums(data.weights(n_boot, np.random.default_rng(seed)))
    if best.form.shape == "step" or form is not None:
        boot = _fit(best.form, data.grid, draws)
    else:
        boot = _fit_knee(best.form.flat, data.grid, draws, n, alpha)
    reason, conclusive = _explain(best, nulls, data, draws, boot, confidence)
    a, b, c, w = data.coef(best.form, best.fit)
    shape, flat, power = best.form
    ends = data.curves(best.form, best.fit, np.array([0.0, 1.0]))[0]
    grid = data.to_x(data.grid)
    locations = data.to_x(_location(best.form, boot, data.grid))
    with np.errstate(invalid="ignore"):  # a pairs bootstrap may draw no run at some x
        steepest = [_steepest(grid, sums / counts) for counts, sums, _ in (point, draws)]
    return Transition(
        location=float(data.to_x(_location(best.form, best.fit, data.grid)[0])),
        location_ci=interval(locations, confidence),
        width=float(RISE_10_90 * w),
        width_ci=interval(RISE_10_90 * data.span * boot.w, confidence),
        steepest=steepest[0][0],
        steepest_ci=interval(steepest[1], confidence),
        low=a if shape == "step" else float(ends[0]),
        high=a + b if shape == "step" else float(ends[1]),
        p_value=best.p_value,
        detected=best.problem is None,
        kind=shape if best.problem is None else None,
        reason=reason,
        conclusive=conclusive,
        runs_off=best.runs_off,
        resolved=bool(_resolved(best.fit, data.grid)[0]),
        shape=shape,
        flat=flat,
        power=None if shape == "step" else power,
        coef=(a, b, c, w),
        boot_widths=RISE_10_90 * data.span * boot.w,
        boot_locations=locations,
    )


def numeric_column(table: pd.DataFrame, name: str) -> pd.Series:
    """The column ``name``, refused with the columns allowed when missing or not numeric."""
    if name not in table.columns:
        raise EmergesimError(
            f"no column '{name}' in the runs; columns: {', '.join(map(str, table.columns))}"
        )
    column = table[name]
    if not _is_number(column):
        numeric = ", ".join(str(c) for c in table.columns if _is_number(table[c])) or "none"
        raise EmergesimError(
            f"column '{name}' is not numeric ({column.dtype}); numeric columns: {numeric}"
        )
    return column


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


class _Sums(NamedTuple):
    """Per draw (first axis): the weight and weighted sum of v at each distinct x, and the
    weighted sum of v^2. The basis depends on x alone, so these are all a fit needs."""

    counts: np.ndarray  # (B, G)
    sums: np.ndarray  # (B, G)
    squares: np.ndarray  # (B,)


class _Fit(NamedTuple):
    """Least squares v = a + b h((u - c) / w) on the unit square, one entry per draw."""

    rss: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    w: np.ndarray
    power: np.ndarray | float = 1.0  # a knee's q, per draw when each draw chose its own


class _Candidate(NamedTuple):
    form: Form
    fit: _Fit
    p_value: float
    problem: str | None  # None (a transition), "range", "line" or "constant"
    message: str
    runs_off: tuple[str, ...] = ()  # with "range": the ends ("below", "above") it runs off


_RANK = {None: 0, "range": 1, "line": 2, "constant": 3}  # which candidate the result describes


@dataclass(frozen=True)
class _Data:
    """The runs on the unit square, u = (x - start) / span and v = (y - centre) / spread, so that
    every fit is equally well conditioned."""

    x: str
    v: np.ndarray
    groups: np.ndarray  # index of each run's x in ``grid``
    grid: np.ndarray  # the distinct values of u
    start: float
    span: float
    centre: float
    spread: float

    @classmethod
    def of(cls, table: pd.DataFrame, x: str, y: str) -> _Data:
        if x == y:
            raise EmergesimError(
                f"x and y are both '{x}': the order parameter must be another numeric column"
            )
        numeric_column(table, x), numeric_column(table, y)
        data = table[[x, y]].dropna()
        if data[x].nunique() < MIN_POINTS:
            raise EmergesimError(f"a transition needs at least {MIN_POINTS} distinct values of {x}")
        xs, ys = data[x].to_numpy(dtype=float), data[y].to_numpy(dtype=float)
        start, span, centre, spread = xs.min(), np.ptp(xs), ys.mean(), ys.std()
        spread = spread if spread > 1e-12 * max(1.0, abs(centre)) else 1.0  # y is constant
        grid, groups = np.unique((xs - start) / span, return_inverse=True)
        return cls(x, (ys - centre) / spread, groups, grid, start, span, centre, spread)

    def to_x(self, u):
        return self.start + self.span * np.asarray(u)

    def weights(self, n_boot: int, rng: np.random.Generator) -> np.ndarray:
        """Bootstrap draws as weights per run, (n_boot, runs): runs resampled within each x when
        every x has replicates, else whole rows (a pairs bootstrap)."""
        replicated = np.bincount(self.groups).min() >= 2
        labels = self.groups if replicated else np.zeros_like(self.groups)
        weights = np.zeros((n_boot, self.v.size))
        np.add.at(weights, (np.arange(n_boot)[:, None], resample(labels, n_boot, rng)), 1.0)
        return weights

    def sums(self, weights: np.ndarray) -> _Sums:
        member = np.eye(self.grid.size)[self.groups]
        return _Sums(weights @ member, (weights * self.v) @ member, weights @ self.v**2)

    def coef(self, form, fit: _Fit) -> tuple[float, float, float, float]:
        """(a, b, c, w) of the point fit in the units of x and y."""
        a, b = self.centre + self.spread * fit.a[0], self.spread * fit.b[0]
        b = b / self.span**form.power if form.shape == "knee" else b  # h in units of x^q
        return float(a), float(b), float(self.to_x(fit.c[0])), float(self.span * fit.w[0])

    def curves(self, form, fit: _Fit, u: np.ndarray) -> np.ndarray:
        """The fitted curves at ``u``, one row per draw, in units of y."""
        form = form._replace(power=np.reshape(fit.power, (-1, 1)))  # one q per draw
        h = _basis(form, u, fit.c[:, None], fit.w[:, None])
        return self.centre + self.spread * (fit.a[:, None] + fit.b[:, None] * h)


def _resolved(fit: _Fit, grid: np.ndarray) -> np.ndarray:
    """Per draw: at least ``MIN_SIDE`` sampled x inside the 10-90 % region, so w is measured."""
    half = RISE_10_90 * fit.w[:, None] / 2
    return np.count_nonzero(np.abs(grid - fit.c[:, None]) < half, axis=1) >= MIN_SIDE


def _location(form: Form, fit: _Fit, grid: np.ndarray) -> np.ndarray:
    """Per draw, the step's midpoint c, or the knee's onset (see the module): c for a straight
    knee, else where its rounding starts when that is resolved."""
    if form.shape == "step":
        return fit.c
    side = -1 if form.flat == "below" else 1
    starts = (fit.power != 1) & _resolved(fit, grid)
    return np.where(starts, fit.c + side * RISE_10_90 * fit.w / 2, fit.c)


def _basis(form: Form, u, c, w):
    """h of the step (a logistic from 0 to 1) or of the knee (the power q of a hinge of slope
    +-1 rounded as w softplus(z), softplus(z) = max(z, 0) + ln(1 + exp(-|z|)))."""
    z = (u - c) / w
    if form.shape == "step":
        return 0.5 * (1 + np.tanh(z / 2))
    z = z if form.flat == "below" else -z
    return (w * (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))) ** form.power


def _lsq(h: np.ndarray, sums: _Sums):
    """Weighted least squares of v = a + b h in closed form, for every draw and every candidate
    basis (a column of ``h`` at the distinct x: (G, K) shared, or (B, G, K) one set per draw):

        b = cov(h, v) / var(h),   a = mean(v) - b mean(h),   RSS = SS(v) - b cov(h, v).

    Returns RSS, a and b, each (B, K)."""

    def total(weights, values):
        return weights @ values if values.ndim == 2 else (weights[:, None, :] @ values)[:, 0]

    counts, sv, svv = sums.counts, sums.sums, sums.squares[:, None]
    s0, sv1 = counts.sum(axis=1, keepdims=True), sv.sum(axis=1, keepdims=True)
    s1, s2, s1v = total(counts, h), total(counts, h * h), total(sv, h)
    var, cov = s2 - s1**2 / s0, s1v - s1 * sv1 / s0
    flat = var <= _EXACT * s0  # h is constant over the sampled points: the constant model
    b = np.where(flat, 0.0, cov / np.where(flat, 1.0, var))
    return np.maximum(svv - sv1**2 / s0 - b * cov, 0.0), (sv1 - b * s1) / s0, b


def _fit(form, grid: np.ndarray, sums: _Sums) -> _Fit:
    """The least-squares (c, w) on the coarse grid, then ``_ZOOMS`` times on a grid three times
    finer around each draw's best point, then at the vertex of the parabola through the best
    point and its neighbours along each axis, where that is better still."""
    cs, ws = (g.ravel() for g in np.meshgrid(_CENTRES, _SCALES, indexing="ij"))
    best = _lsq(_basis(form, grid[:, None], cs, ws), sums)[0].argmin(axis=1)
    c, lw = cs[best], np.log(ws[best])
    dc, dlw = _CENTRES[1] - _CENTRES[0], np.log(_SCALES[1] / _SCALES[0])
    draws = np.arange(c.size)
    for _ in range(_ZOOMS):
        tc = np.clip(c[:, None, None] + dc * _ZOOM[:, None], _CENTRES[0], _CENTRES[-1])
        tw = np.clip(lw[:, None, None] + dlw * _ZOOM, *_LOG_SCALES)
        tc, tw = (t.reshape(draws.size, -1) for t in np.broadcast_arrays(tc, tw))
        h = _basis(form, grid[None, :, None], tc[:, None, :], np.exp(tw)[:, None, :])
        rss = _lsq(h, sums)[0]
        best = rss.argmin(axis=1)
        c, lw, dc, dlw = tc[draws, best], tw[draws, best], dc / 3, dlw / 3
    rss = rss.reshape(draws.size, _ZOOM.size, _ZOOM.size)
    i, j = np.divmod(best, _ZOOM.size)
    tc = np.column_stack([c, np.clip(c + dc * _vertex(rss[draws, :, j], i), *_CENTRES[[0, -1]])])
    tw = np.column_stack([lw, np.clip(lw + dlw * _vertex(rss[draws, i, :], j), *_LOG_SCALES)])
    h = _basis(form, grid[None, :, None], tc[:, None, :], np.exp(tw)[:, None, :])
    rss, a, b = _lsq(h, sums)
    k = rss.argmin(axis=1)
    return _Fit(
        rss[draws, k], a[draws, k], b[draws, k], tc[draws, k], np.exp(tw[draws, k]), form.power
    )


def _fit_knee(flat: str, grid: np.ndarray, sums: _Sums, n: int, alpha: float) -> _Fit:
    """Per draw, the straight knee, or the power knee with the least RSS where it beats the
    straight one by the nested F-test at ``alpha`` (the critical F of 1 and n - 5 degrees)."""
    fits = [_fit(Form("knee", flat, q), grid, sums) for q in POWERS]
    rss, draws = np.array([f.rss for f in fits]), np.arange(fits[0].rss.size)
    straight, best = POWERS.index(1.0), rss.argmin(axis=0)
    critical = scipy.stats.f.isf(alpha, 1, n - 5) if n > 5 else np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (rss[straight] - rss[best, draws]) / (rss[best, draws] / (n - 5))
    k = np.where(f > critical, best, straight)
    stacked = (
        np.array([getattr(fit, name) for fit in fits]) for name in ("rss", "a", "b", "c", "w")
    )
    return _Fit(*(column[k, draws] for column in stacked), np.array(POWERS)[k])


def _vertex(rss: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per draw, the offset in grid steps of the minimum of the parabola through rss at the
    best point k and its two neighbours: (f- - f+) / (2 (f- - 2 f0 + f+)), within one step; 0
    at an edge of the grid or where the parabola does not open upwards."""
    draws, inner = np.arange(k.size), (k > 0) & (k < rss.shape[1] - 1)
    f_minus, f_0, f_plus = (rss[draws, np.clip(k + d, 0, rss.shape[1] - 1)] for d in (-1, 0, 1))
    curvature = f_minus - 2 * f_0 + f_plus
    ok = inner & (curvature > 0)
    step = np.where(ok, (f_minus - f_plus) / (2 * np.where(ok, curvature, 1.0)), 0.0)
    return np.clip(step, -1.0, 1.0)


def _f_test(rss_simple: float, rss_rich: float, p_simple: int, p_rich: int, n: int) -> float:
    """p-value of the nested F-test of the richer model against the simpler one."""
    if n <= p_rich or rss_simple <= _EXACT * n:  # nothing left to explain
        return 1.0
    if rss_rich <= 0:
        return 0.0
    f = ((rss_simple - rss_rich) / (p_rich - p_simple)) / (rss_rich / (n - p_rich))
    return float(scipy.stats.f.sf(f, p_rich - p_simple, n - p_rich))


def _judge(form: Form, fit: _Fit, nulls: dict[str, float], data: _Data, alpha) -> _Candidate:
    """Does this step or knee beat the constant and the line, inside the sampled range?"""
    n, rss, shape = data.v.size, float(fit.rss[0]), form.shape
    p_constant = _f_test(nulls["constant"], rss, 1, form.parameters, n)
    p_line = _f_test(nulls["line"], rss, 2, form.parameters, n)
    p_value = max(p_constant, p_line)
    if p_constant >= alpha:
        message = f"no better than a constant (noise): p = {p_constant:.2g} for the best {shape}"
        return _Candidate(form, fit, p_value, "constant", f"{message}, alpha = {alpha:g}")
    if p_line >= alpha:
        message = f"a straight line explains it as well: p = {p_line:.2g} for the best {shape}"
        return _Candidate(form, fit, p_value, "line", f"{message}, alpha = {alpha:g}")
    c, w = float(fit.c[0]), float(fit.w[0])
    lo, hi = c - RISE_10_90 * w / 2, c + RISE_10_90 * w / 2
    short_below = np.count_nonzero(data.grid < lo) < MIN_SIDE
    short_above = np.count_nonzero(data.grid > hi) < MIN_SIDE
    region = (
        f"its 10-90 % region spans {data.x} = {data.to_x(lo):.4g} to {data.to_x(hi):.4g}, "
        f"the sweep {data.to_x(0):.4g} to {data.to_x(1):.4g}, and {MIN_SIDE} sampled values "
        "are needed beyond each end"
    )
    runs_off = tuple(
        end for end, short in zip(ENDS, (short_below, short_above), strict=True) if short
    )
    if short_below and short_above:
        part = "step" if shape == "step" else "knee's rounding"
        message = f"the {part} is wider than the swept range: {region}"
        return _Candidate(form, fit, p_value, "range", message, runs_off)
    if short_below or short_above:
        if shape == "step":
            side = "upper" if short_above == (fit.b[0] > 0) else "lower"
            message = f"the step's {side} plateau lies beyond the swept range: {region}"
        else:
            message = f"the knee's onset lies at the edge of the swept range: {region}"
        return _Candidate(form, fit, p_value, "range", message, runs_off)
    at = float(data.to_x(_location(form, fit, data.grid)[0]))
    name = f"knee (power {form.power:g})" if shape == "knee" else shape
    message = (
        f"a {name} at {data.x} = {at:.4g} beats a straight line (p = {p_line:.2g}) "
        f"and a constant (p = {p_constant:.2g})"
    )
    return _Candidate(form, fit, p_value, None, message)


def _explain(
    best: _Candidate, nulls: dict[str, float], data: _Data, draws: _Sums, boot: _Fit, confidence
) -> tuple[str, bool]:
    """The reason, and whether a negative is conclusive: the null that explains the data fits
    them exactly, or the best step or knee departs from it, in root mean square over the sampled
    x, by no more than the scatter between runs at the upper end of its bootstrap interval."""
    if best.problem in (None, "range"):
        return best.message, best.problem is None
    null, n, shape = best.problem, data.v.size, best.form.shape
    if nulls[null] <= _EXACT * n:
        return f"{best.message}; the {null} fits exactly", True
    if null == "constant":
        fitted = draws.sums.sum(axis=1, keepdims=True) / draws.counts.sum(axis=1, keepdims=True)
    else:
        _, a, b = _lsq(data.grid[:, None], draws)
        fitted = a + b * data.grid
    fitted = data.centre + data.spread * fitted
    departure = np.sqrt(np.mean((data.curves(best.form, boot, data.grid) - fitted) ** 2, axis=1))
    bound = interval(departure, confidence)[1]
    if data.grid.size < n:  # replicates: the pure error, within each x
        residual = (
            data.v - (np.bincount(data.groups, data.v) / np.bincount(data.groups))[data.groups]
        )
        scatter = data.spread * np.sqrt(residual @ residual / (n - data.grid.size))
    else:
        scatter = data.spread * np.sqrt(nulls[null] / (n - (1 if null == "constant" else 2)))
    if bound <= scatter / 2:
        return (
            f"{best.message}; any {shape} departs from the {null} by less than the scatter "
            f"between runs (rms {bound:.3g} against {scatter:.3g})",
            True,
        )
    return (
        f"{best.message}; not ruled out: a {shape} departing from the {null} by up to "
        f"{bound:.3g} (rms), more than the scatter between runs ({scatter:.3g})",
        False,
    )


def _steepest(grid: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Per draw (row of ``means``), the midpoint of the sampled interval where the mean curve
    changes fastest; NaN where fewer than two x were drawn."""
    out = np.full(means.shape[0], np.nan)
    for k, row in enumerate(means):
        keep = np.isfinite(row)
        if keep.sum() >= 2:
            g, m = grid[keep], row[keep]
            i = int(np.argmax(np.abs(np.diff(m) / np.diff(g))))
            out[k] = (g[i] + g[i + 1]) / 2
    return out
