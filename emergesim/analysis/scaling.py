"""Finite-size scaling: what transitions at several sizes L say about the infinite system.

Near a critical point every size sees one curve of the scaled control (x - x_c) L^(1/nu)
(Fisher & Barber 1972), so that

    width(L) ~ L^b, b = -1/nu        x_c(L) = x_inf + a L^(-1/nu)        chi_max(L) ~ L^(gamma/nu)

Only sizes whose transition is detected enter a fit (a line has no width to scale). Measured:

- the width exponent b (``size_trend``), the shift of the location per e-fold of L, and that
  shift in mean widths (how composition moves a step without sharpening it); b and the shift
  in widths are None when a width is narrower than the sampling can measure (not ``resolved``);
- with three or more sizes, 1/nu = -b when the width sharpens (b's interval lies below 0 and
  reaches below -TOLERANCE: ``bootstrap.trend``), "width exponent"; else, with four or more
  sizes whose location moves (the shift's interval excludes 0), the 1/nu in [0.05, 5] that best
  fits x_c(L) = x_inf + a L^(-1/nu), when the best lies inside that range, "location shift";
  given 1/nu, x_inf and a by least squares on L^(-1/nu);
- the data collapse: the replicate means of y against (x - x_inf) L^(1/nu), and its quality
  Q = mean of (y_i(u) - y_j(u))^2 over pairs of sizes i != j and the points u of i inside j's
  scaled range (y_j interpolated), divided by the variance of all the means: 0 when the curves
  coincide, about 2 when they are unrelated;
- gamma/nu, the slope of ln chi_max against ln L over every size (chi = N var(y), N the column
  ``n``, by default the size itself);
- the Binder crossing, when the runs carry the window means of m^2 and m^4; where the Binder
  curves collapse (quality below ``COLLAPSED``), 1/nu and x_inf come from that collapse
  ("Binder cumulant collapse", emergesim.analysis.fluctuations), and the collapse drawn is U's:
  U, unlike the order parameter, carries no power of L in front, so its width scales as
  L^(-1/nu) (the 2D Ising magnetization's width exponent is near -0.7 at L = 8-32, where its
  Binder collapse gives nu = 1 within its interval).

Every interval is a bootstrap: one draw of every size's fit at a time (the same draw for its
location and width), runs resampled within each (x, size) for chi. A quantity the data cannot
give is None, and ``notes`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emergesim.analysis.bootstrap import (
    CONFIDENCE,
    N_BOOT,
    Estimate,
    interval,
    resample,
    slope,
    trend,
)
from emergesim.analysis.fluctuations import (
    BinderCrossing,
    collapse_quality,
    cumulant_crossing,
    fluctuations,
    susceptibility,
)
from emergesim.analysis.sharpening import fit_by_size, size_draws, size_trend
from emergesim.analysis.transitions import Transition, numeric_column

INVERSE_NU = np.geomspace(0.05, 5.0, 241)  # the 1/nu tried when it is fitted from the shift
COLLAPSED = 0.05  # Binder curves collapse when Q is below this (0: coincide; ~2: unrelated)
BINDER = "binder"  # the collapse column of U


@dataclass(frozen=True)
class Scaling:
    """Finite-size scaling of one order parameter; see the module for each formula."""

    x: str
    y: str
    by: str
    transitions: dict[float, Transition]  # every size
    sizes: tuple[float, ...]  # the sizes with a detected transition: the fits below use these
    width_exponent: Estimate | None  # b of width ~ L^b
    shift: Estimate | None  # d location / d ln L
    relative_shift: Estimate | None  # the shift in mean widths per e-fold of L
    nu: Estimate | None
    nu_from: str | None  # "Binder cumulant collapse", "width exponent" or "location shift"
    x_inf: Estimate | None  # the location extrapolated to infinite size
    amplitude: Estimate | None  # a of x_c(L) = x_inf + a L^(-1/nu)
    collapse_quality: float | None
    chi_peaks: dict[float, float]  # chi_max at each size
    chi_exponent: Estimate | None  # gamma/nu of chi_max ~ L^(gamma/nu)
    binder: BinderCrossing | None
    notes: dict[str, str]  # why a measure above is None
    collapse: pd.DataFrame | None = field(default=None, compare=False)  # x, by, y, scaled
    collapse_of: str = ""  # the column collapsed: y, or BINDER (U)


def scaling(
    table: pd.DataFrame,
    x: str,
    y: str,
    by: str,
    *,
    n: str | float | None = None,
    m2: str = "m2",
    m4: str = "m4",
    n_boot: int = N_BOOT,
    confidence: float = CONFIDENCE,
    seed: int = 0,
    fits: dict[float, Transition] | None = None,
) -> Scaling:
    """Finite-size scaling of ``y`` against ``x`` over the sizes in column ``by``. ``fits``:
    the transitions at each size when already fitted (``sharpening.fit_by_size``)."""
    if fits is None:
        fits = fit_by_size(table, x, y, by, n_boot=n_boot, confidence=confidence, seed=seed)
    found = {s: t for s, t in fits.items() if t.detected}
    notes: dict[str, str] = {}
    trends = dict.fromkeys(("width", "location", "relative shift"))
    nu = nu_from = x_inf = amplitude = quality = collapse = None
    if len(found) < 2:
        detected = f"a transition is detected at {len(found)} of the {len(fits)} sizes"
        notes["width_exponent"] = f"{detected}; 2 are needed"
        notes["nu"] = f"{detected}; extrapolating needs 3"
    else:
        draws = size_draws(found, n_boot, seed)
        trends = {what: size_trend(found, what, draws, confidence) for what in trends}
        sharp = [f"{s:g}" for s, t in found.items() if not t.resolved]
        if sharp:  # neither the width exponent nor the shift in widths is then measured
            trends["width"] = trends["relative shift"] = None
            notes["width_exponent"] = (
                f"the width at {by} = {', '.join(sharp)} is below the sampling of {x} (fewer "
                "than 2 sampled values inside its 10-90 % region): sample more finely"
            )
        inverse, nu_from, notes["nu"] = _inverse_nu(
            found, draws, trends["width"], trends["relative shift"]
        )
        if inverse is not None:
            nu = Estimate(float(1 / inverse[0]), interval(1 / inverse[1], confidence))
            x_inf, amplitude = _extrapolate(found, draws[0], inverse, confidence)
            collapse, quality = _collapse(table, x, y, by, found, x_inf.value, inverse[0])
    chi_peaks, chi_exponent, notes["chi_exponent"] = _chi(
        table, x, y, by, by if n is None else n, n_boot, confidence, seed
    )
    binder, collapse_of = None, y
    if {m2, m4} <= set(table.columns):
        binder = cumulant_crossing(
            table, x, by, m2=m2, m4=m4, n_boot=n_boot, confidence=confidence, seed=seed
        )
        if binder.collapse_quality is not None and binder.collapse_quality < COLLAPSED:
            theta = binder.inverse_nu
            nu = Estimate(1 / theta.value, (1 / theta.ci[1], 1 / theta.ci[0]))
            nu_from, notes["nu"], amplitude = "Binder cumulant collapse", "", None
            x_inf = binder.collapse_centre
            collapse, quality = _binder_collapse(binder, x, by, theta.value)
            collapse_of = BINDER
    else:
        notes["binder"] = f"no columns '{m2}' and '{m4}' (window means of m^2 and m^4)"
    return Scaling(
        x=x,
        y=y,
        by=by,
        transitions=fits,
        sizes=tuple(found),
        width_exponent=trends["width"],
        shift=trends["location"],
        relative_shift=trends["relative shift"],
        nu=nu,
        nu_from=nu_from,
        x_inf=x_inf,
        amplitude=amplitude,
        collapse_quality=quality,
        chi_peaks=chi_peaks,
        chi_exponent=chi_exponent,
        binder=binder,
        notes={k: v for k, v in notes.items() if v},
        collapse=collapse,
        collapse_of=collapse_of,
    )


def draw_collapse(ax, result: Scaling) -> None:
    """The data collapse on a matplotlib Axes: one curve per size against (x - x_inf) L^(1/nu)."""
    if result.collapse is None:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            result.notes.get("nu", "no collapse"),
            ha="center",
            wrap=True,
            transform=ax.transAxes,
            fontsize=8,
        )
        return
    y = result.collapse_of
    for size, rows in result.collapse.groupby(result.by):
        ax.plot(rows["scaled"], rows[y], "o-", ms=3, lw=1, label=f"{result.by} = {size:g}")
    ax.set_xlabel(f"({result.x} - {result.x_inf.value:.4g}) {result.by}^(1/{result.nu.value:.3g})")
    ax.set_ylabel(f"Binder cumulant of {result.y}" if y == BINDER else y)
    fitted = " of the two largest sizes" if y == BINDER else ""
    ax.set_title(
        f"collapse quality{fitted} {result.collapse_quality:.3g} (0 = perfect)", fontsize=9
    )
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def _inverse_nu(
    found: dict[float, Transition], draws, width: Estimate | None, shift: Estimate | None
):
    """1/nu (point, bootstrap draws), where it comes from, or why there is none."""
    if len(found) < 3:
        return None, None, f"extrapolating needs transitions at 3 sizes, found {len(found)}"
    if width is not None and trend(width.ci, -1) == "yes":
        boot = -slope(np.log(list(found)), np.log(draws[1]))
        return (-width.value, np.where(boot > 0, boot, np.nan)), "width exponent", ""
    if len(found) < 4:
        return (
            None,
            None,
            f"no sharpening beyond doubt gives 1/nu, and fitting it to the shift needs 4 sizes "
            f"(found {len(found)})",
        )
    if shift is None:  # a width below the sampling: the shift in widths is not measured
        return None, None, "no sharpening beyond doubt gives 1/nu, and the shift is not measured"
    if trend(shift.ci, 0) != "yes":
        return None, None, "no sharpening beyond doubt gives 1/nu, and the location does not move"
    sizes = np.array(list(found))
    places = np.vstack([[t.location for t in found.values()], draws[0]])
    r = sizes ** -INVERSE_NU[:, None]  # (1/nu tried, sizes)
    rc, pc = r - r.mean(axis=1, keepdims=True), places - places.mean(axis=1, keepdims=True)
    rss = (pc**2).sum(axis=1)[:, None] - (pc @ rc.T) ** 2 / (rc**2).sum(axis=1)
    best = INVERSE_NU[rss.argmin(axis=1)]
    if best[0] in INVERSE_NU[[0, -1]]:
        ends = f"[{INVERSE_NU[0]:g}, {INVERSE_NU[-1]:g}]"
        return None, None, f"the width does not shrink beyond doubt and no 1/nu in {ends} fits"
    return (float(best[0]), best[1:]), "location shift", ""


def _extrapolate(found: dict[float, Transition], places, inverse, confidence):
    """x_inf and a of x_c(L) = x_inf + a L^(-1/nu) by least squares, for the point and each
    draw (its own 1/nu and one location per size)."""
    sizes = np.array(list(found))
    theta = np.concatenate([[inverse[0]], inverse[1]])[:, None]
    xs = np.vstack([[t.location for t in found.values()], places])
    r = sizes**-theta
    rc = r - r.mean(axis=1, keepdims=True)
    var = (rc**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = ((xs - xs.mean(axis=1, keepdims=True)) * rc).sum(axis=1) / var
    x_inf = xs.mean(axis=1) - a * r.mean(axis=1)
    return (
        Estimate(float(x_inf[0]), interval(x_inf[1:], confidence)),
        Estimate(float(a[0]), interval(a[1:], confidence)),
    )


def _collapse(table, x, y, by, found, x_inf: float, inverse_nu: float):
    """The replicate means against the scaled control, and the collapse quality Q."""
    rows = table[table[by].isin(list(found))]
    means = rows.groupby([by, x], as_index=False)[y].mean()
    means["scaled"] = (means[x] - x_inf) * means[by].astype(float) ** inverse_nu
    curves = means.pivot(index=by, columns=x, values=y)  # NaN where a size lacks an x
    grid, sizes = (np.asarray(axis, dtype=float) for axis in (curves.columns, curves.index))
    q = collapse_quality(
        grid, sizes, curves.to_numpy(dtype=float), np.array([x_inf]), np.array([inverse_nu])
    )[0, 0]
    return means, float(q) if np.isfinite(q) else None


def _binder_collapse(binder: BinderCrossing, x: str, by: str, inverse_nu: float):
    """U of every size against (x - x_c) L^(1/nu), and the quality of the fitted collapse (of the
    two largest sizes: the smaller ones show their corrections to scaling)."""
    curves = binder.table.rename(columns={"binder": BINDER})
    scaled = (curves[x] - binder.collapse_centre.value) * curves[by].astype(float) ** inverse_nu
    return curves.assign(scaled=scaled).sort_values([by, x]), binder.collapse_quality


def _chi(table, x, y, by, n, n_boot, confidence, seed):
    """chi_max at each size, gamma/nu with its interval (runs resampled within each x), or why
    there is none."""
    if isinstance(n, str):
        numeric_column(table, n)
    rng = np.random.default_rng(seed)
    peaks, boot, note = {}, [], ""
    for size, rows in table.dropna(subset=[y]).groupby(by):
        number = rows[n].iloc[0] if isinstance(n, str) else n
        peaks[float(size)] = fluctuations(rows, x, y, number).peak_chi
        labels = np.unique(rows[x].to_numpy(), return_inverse=True)[1]
        if np.bincount(labels).min() < 2:
            note = f"chi needs 2 runs at every {x}; {by} = {size:g} has 1 at some"
            continue
        values, picks = rows[y].to_numpy(dtype=float), resample(labels, n_boot, rng)
        chi = [
            susceptibility(values[picks[:, labels == k]], number, axis=1)
            for k in range(labels.max() + 1)
        ]
        boot.append(np.max(chi, axis=0))
    if not note and min(peaks.values()) <= 0:
        note = "chi_max is 0 at some size: y does not fluctuate there"
    if note:
        return peaks, None, note
    log_sizes = np.log(list(peaks))
    with np.errstate(divide="ignore", invalid="ignore"):  # a draw may repeat one run per x
        draws = slope(log_sizes, np.log(np.column_stack(boot)))
    value = float(slope(log_sizes, np.log(list(peaks.values()))))
    return peaks, Estimate(value, interval(draws, confidence)), ""
