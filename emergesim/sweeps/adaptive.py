"""Adaptive refinement: take in the whole transition, then pin where the order parameter changes
fastest along the control.

After each round, every combination of the other varied parameters (a *slice*) is looked at
twice. The transition detector (emergesim.analysis.transitions) fits a step or knee to the
slice's runs (control against the model's order parameter, when there are ``MIN_POINTS`` control
values or more). A fit that beats a constant and a line but is not detected failed only because
its 10-90 % region has fewer than ``MIN_SIDE`` sampled values beyond one or both ends: the
transition runs off the sweep, and the steepest interval would sit at the sweep's end, set by the
range and not by the model. Such a side is *extended*: ``GROWTH`` of the slice's span or at least
``MIN_SIDE`` new values, continuing its median spacing (its median ratio for a ``log:`` range),
tidied and clipped to the parameter's bounds (an open bound is approached by halving the gap
left, down to ``tol``, or to one step for an integer). A side that has reached its bound stays as
it is, and the summary says so (emergesim.sweeps.progress).

Once the transition is bracketed (or cannot be extended), the replicate means of the order
parameter are taken at each control value and the interval between neighbours with the largest
``|delta mean / delta control|`` is the steepest. Its midpoint is added (with all replicates) and
the step repeats until, in every slice, the steepest interval is no wider than ``tol``, or
cannot be split further (neighbouring integers), or ``budget`` added runs are used up; both
kinds of round spend that budget, and a round that cannot afford all slices' points adds those of
the first slices. Bisection halves the interval holding a sharp step every round, so
``log2(width / tol)`` rounds pin it. Failed runs and NaN values are left out of the means and
fits.

Every decision is a function of the stored runs, so a rerun into the same store repeats the same
rounds, finds every run stored and adds none.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emergesim.errors import EmergesimError
from emergesim.params import Param
from emergesim.sweeps.designs import tidy

ALPHA = 1e-3  # the F-tests' level: the transition detector's default
GROWTH = 0.25  # an extension adds at least this fraction of the slice's span on a short side


@dataclass(frozen=True)
class Steepest:
    """The steepest interval ``[low, high]`` of the control in one slice."""

    where: dict[str, Any]  # values of the other varied parameters
    low: float
    high: float
    midpoint: Any  # the value that splits it; None when it cannot be split

    def pinned(self, tol: float) -> bool:
        return self.high - self.low <= tol or self.midpoint is None


@dataclass(frozen=True)
class Bracket:
    """One slice's control range as the grid gave it and as extended to take in the transition,
    so that a location is known to be the transition's and not the sweep's end."""

    where: dict[str, Any]  # values of the other varied parameters
    first: tuple[float, float]  # the grid's range of the control
    last: tuple[float, float]  # the range sampled at the end
    found: bool  # a step or knee beats a constant and a line (detected or running off the range)
    runs_off: tuple[str, ...]  # sides ("below", "above") its 10-90 % region still runs off
    bounds: tuple[float, ...]  # bounds reached by those sides (one short of its bound: budget)

    @property
    def extended(self) -> bool:
        return self.last[0] < self.first[0] or self.last[1] > self.first[1]

    @property
    def bracketed(self) -> bool:
        return self.found and not self.runs_off

    @property
    def budget_spent(self) -> bool:
        """A side the transition runs off could still be extended: the budget stopped it."""
        return len(self.bounds) < len(self.runs_off)


@dataclass(frozen=True)
class Round:
    """What one round found in every slice, and the points the slices ask for next."""

    intervals: list[Steepest]
    brackets: list[Bracket]
    wanted: list[dict[str, Any]]  # extensions while a transition runs off, else midpoints

    def next_points(self, affordable: int) -> list[dict[str, Any]]:
        """The first ``affordable`` points wanted (a short budget serves the first slices)."""
        return self.wanted[:affordable]


def steepest(
    table: pd.DataFrame, control: Param, order: str, others: Sequence[str]
) -> list[Steepest]:
    """The steepest interval of every slice of ``table`` (one row per run) that has two or
    more control values with a finite mean."""
    ok = table[table["status"] == "ok"]
    found = []
    for where, rows in _slices(ok, others):
        means = rows.groupby(control.name)[order].mean().dropna().sort_index()
        if len(means) < 2:
            continue
        x, y = means.index.to_numpy(dtype=float), means.to_numpy()
        i = int(np.argmax(np.abs(np.diff(y)) / np.diff(x)))
        low, high = x[i], x[i + 1]
        middle = tidy(control, (low + high) / 2)
        found.append(Steepest(where, low, high, None if middle in (low, high) else middle))
    return found


def survey(
    table: pd.DataFrame,
    control: Param,
    order: str,
    others: Sequence[str],
    tol: float,
    *,
    first: tuple[float, float],
    log: bool = False,
) -> Round:
    """Look at every slice of ``table`` (one row per run): its steepest interval, whether its
    transition runs off the range, and the points it wants next. ``first`` is the grid's range
    of the control; ``log`` extends a log range by its ratio."""
    intervals = {tuple(s.where.values()): s for s in steepest(table, control, order, others)}
    kept, brackets, wanted = [], [], []
    for where, rows in _slices(table, others):
        interval = intervals.get(tuple(where.values()))
        if interval is None:
            continue
        sampled = np.unique(rows[control.name].to_numpy(dtype=float))
        sides, seen = _runs_off(rows[rows["status"] == "ok"], control, order)
        extension = {side: _extension(control, sampled, side, tol, log) for side in sides}
        bounds = tuple(_bound(control, side) for side in sides if not extension[side])
        last = (float(sampled[0]), float(sampled[-1]))
        brackets.append(Bracket(where, first, last, seen, sides, bounds))
        kept.append(interval)
        if any(extension.values()):
            pairs = itertools.zip_longest(*extension.values())  # nearest each end first
            wanted += [{**where, control.name: v} for pair in pairs for v in pair if v is not None]
        elif not interval.pinned(tol):
            wanted.append({**where, control.name: interval.midpoint})
    return Round(kept, brackets, wanted)


def _slices(table: pd.DataFrame, others: Sequence[str]):
    """(values of the other varied parameters, rows) of every slice, in order of appearance."""
    groups = table.groupby(list(others), sort=False) if others else [((), table)]
    for values, rows in groups:
        values = values if isinstance(values, tuple) else (values,)
        yield dict(zip(others, values, strict=True)), rows


def _runs_off(ok: pd.DataFrame, control: Param, order: str) -> tuple[tuple[str, ...], bool]:
    """The ends of the range that a step or knee beating a constant and a line runs off (the
    detector's ``runs_off``), and whether there is such a step or knee at all."""
    from emergesim.analysis.transitions import MIN_POINTS, transition

    data = ok[[control.name, order]].apply(pd.to_numeric, errors="coerce").astype(float)
    data = data[np.isfinite(data).all(axis=1)]
    if control.choices is not None or data[control.name].nunique() < MIN_POINTS:
        return (), False
    try:  # only the point fit is read: one bootstrap draw, the least the detector takes
        fit = transition(data, control.name, order, n_boot=1, alpha=ALPHA)
    except EmergesimError:
        return (), False
    return fit.runs_off, fit.detected or bool(fit.runs_off)


def _extension(control: Param, sampled: np.ndarray, side: str, tol: float, log: bool) -> list:
    """New control values beyond the ``side`` end of ``sampled`` (sorted), nearest first,
    continuing the median spacing, within the parameter's bounds: empty at the bound. A closed
    bound is taken as a value; an open one is approached by halving the gap left to it (one
    step for an integer), until that gap is no wider than ``tol``."""
    from emergesim.analysis.transitions import MIN_SIDE

    log = log and sampled[0] > 0
    u = np.log10(sampled) if log else sampled
    if u.size < 2:
        return []
    spacing = float(np.median(np.diff(u)))
    count = max(MIN_SIDE, math.ceil(GROWTH * (u[-1] - u[0]) / spacing))
    direction, end = (1, sampled[-1]) if side == "above" else (-1, sampled[0])
    bound = _bound(control, side)
    is_open = control.high_open if side == "above" else control.low_open
    values: list = []
    for i in range(1, count + 1):
        value = float(u[-1] if side == "above" else u[0]) + direction * i * spacing
        value = 10.0**value if log else value
        crosses = bound is not None and direction * (value - bound) >= 0
        if crosses and not is_open:
            value = bound
        elif crosses and control.type is int:
            value = bound - direction
        elif crosses:
            last = values[-1] if values else end
            value = (last + bound) / 2 if abs(bound - last) > tol else last
        value = tidy(control, value)
        if direction * (value - end) > 0 and value not in values and _allowed(control, value):
            values.append(value)
        if crosses:
            break
    return values


def _bound(control: Param, side: str) -> float | None:
    return control.high if side == "above" else control.low


def _allowed(control: Param, value: Any) -> bool:
    try:
        control.coerce(value)
    except EmergesimError:
        return False
    return True
