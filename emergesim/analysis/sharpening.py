"""How a transition's width changes with system size (or with composed steps k).

Each size L gets its own transition (``transition``); the widths follow a power law w ~ L^b, and
the exponent b is the least-squares slope of ln w against ln L. A collective transition sharpens
with size (b < 0; b = -1/nu at a critical point); a step that comes from composing k independent
sub-skills need not. The interval on b refits the slope to one bootstrap draw of every size's
width at a time (the sizes' bootstraps are independent), so it carries each fit's uncertainty.
Sizes must be positive: their logarithm is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergesim.analysis.bootstrap import (
    CONFIDENCE,
    N_BOOT,
    TOLERANCE,
    Estimate,
    interval,
    slope,
    trend,
)
from emergesim.analysis.transitions import Form, Transition, numeric_column, transition
from emergesim.errors import EmergesimError


@dataclass(frozen=True)
class Sharpening:
    """The exponent b of width ~ size^b over every size, its interval, and each size's fit."""

    exponent: float
    exponent_ci: tuple[float, float]
    transitions: dict[float, Transition]

    @property
    def sharpens(self) -> bool:
        """The width shrinks with size beyond doubt: the whole interval on b is below 0."""
        return self.exponent_ci[1] < 0

    @property
    def reading(self) -> str:
        """b's interval read as "sharpens", "does not sharpen" (it lies above -TOLERANCE) or
        "cannot tell" (``bootstrap.trend``; also when a size has no detected transition, or one
        sharper than its sampling): never "does not sharpen" for an undecided one."""
        measured = all(t.detected and t.resolved for t in self.transitions.values())
        words = {"yes": "sharpens", "no": "does not sharpen", "undecided": "cannot tell"}
        return words[trend(self.exponent_ci, -1, TOLERANCE) if measured else "undecided"]

    @classmethod
    def of(
        cls,
        fits: dict[float, Transition],
        *,
        n_boot: int = N_BOOT,
        confidence: float = CONFIDENCE,
        seed: int = 0,
    ) -> Sharpening:
        """The width exponent of transitions already fitted at each size."""
        width = size_trend(fits, "width", size_draws(fits, n_boot, seed), confidence)
        return cls(width.value, width.ci, fits)


def sharpening(
    table: pd.DataFrame,
    x: str,
    y: str,
    by: str,
    *,
    n_boot: int = N_BOOT,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Sharpening:
    """Fit the transition of ``y`` against ``x`` separately for each value of ``by``."""
    fits = fit_by_size(table, x, y, by, n_boot=n_boot, confidence=confidence, seed=seed)
    return Sharpening.of(fits, n_boot=n_boot, confidence=confidence, seed=seed)


def fit_by_size(
    table: pd.DataFrame, x: str, y: str, by: str, *, n_boot: int, confidence: float, seed: int
) -> dict[float, Transition]:
    """One transition per value of ``by`` (at least two, all positive), keyed by that value, all
    of one form so that their widths compare: a size whose detected step or knee differs from
    the most common detected form (ties: the largest size's) is fitted again in that form."""
    column = numeric_column(table, by)
    sizes = sorted(column.dropna().unique())
    if len(sizes) < 2:
        got = ", ".join(f"{s:g}" for s in sizes) or "none"
        raise EmergesimError(f"sharpening needs at least two values of '{by}', got {got}")
    bad = [f"{s:g}" for s in sizes if s <= 0]
    if bad:
        raise EmergesimError(
            f"the sizes in '{by}' must be positive (their logarithm is fitted); "
            f"got {', '.join(bad)}"
        )

    def fit(size, form=None):
        rows = table[column == size]
        return transition(rows, x, y, n_boot=n_boot, confidence=confidence, seed=seed, form=form)

    fits = {float(s): fit(s) for s in sizes}
    forms = [_form(t) for t in fits.values() if t.detected]
    if not forms:
        return fits
    common = max(reversed(forms), key=forms.count)  # the most common; ties: the largest size's
    return {
        s: t if not t.detected or _form(t) == common else fit(s, common) for s, t in fits.items()
    }


def _form(fit: Transition) -> Form:
    return Form(fit.shape, fit.flat, fit.power or 1.0)


def size_draws(fits: dict[float, Transition], n_boot: int, seed: int) -> tuple[np.ndarray, ...]:
    """(locations, widths), each (n_boot, sizes): row k takes one bootstrap draw of every size,
    the same draw for its location and its width."""
    rng = np.random.default_rng(seed)
    picks = [rng.integers(0, t.boot_widths.size, size=n_boot) for t in fits.values()]
    pairs = list(zip(fits.values(), picks, strict=True))
    return (
        np.column_stack([t.boot_locations[k] for t, k in pairs]),
        np.column_stack([t.boot_widths[k] for t, k in pairs]),
    )


def size_trend(
    fits: dict[float, Transition], what: str, draws: tuple[np.ndarray, ...], confidence: float
) -> Estimate:
    """The slope against ln(size) of one measure of the fits, with its bootstrap interval from
    ``draws`` (``size_draws``): "width" -> d ln(width) / d ln L, the width exponent b; "location"
    -> d location / d ln L, the shift per e-fold of size; "relative shift" -> that shift over the
    mean width, in widths per e-fold."""
    log_sizes = np.log(list(fits))
    places, widths = draws
    point_places = np.array([t.location for t in fits.values()])
    point_widths = np.array([t.width for t in fits.values()])
    if what == "width":
        value, boot = slope(log_sizes, np.log(point_widths)), slope(log_sizes, np.log(widths))
    elif what == "location":
        value, boot = slope(log_sizes, point_places), slope(log_sizes, places)
    else:
        value = slope(log_sizes, point_places) / point_widths.mean()
        boot = slope(log_sizes, places) / widths.mean(axis=1)
    return Estimate(float(value), interval(boot, confidence))
