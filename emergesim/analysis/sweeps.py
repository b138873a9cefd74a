"""Every measure of one sweep at once: what ``emergesim analyze`` prints and draws."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emergesim.analysis.bootstrap import CONFIDENCE, N_BOOT
from emergesim.analysis.fluctuations import Fluctuations, binder_crossing, fluctuations
from emergesim.analysis.scaling import Scaling, scaling
from emergesim.analysis.sharpening import Sharpening, fit_by_size
from emergesim.analysis.transitions import Transition, transition
from emergesim.errors import EmergesimError


@dataclass(frozen=True)
class Analysis:
    """Fits keyed by the value of ``by`` (``None``: all runs, when ``by`` is not given)."""

    runs: pd.DataFrame  # the finished runs measured
    x: str
    y: str
    by: str | None
    transitions: dict[float | None, Transition]
    fluctuations: dict[float | None, Fluctuations]
    sharpening: Sharpening | None  # with two or more values of ``by``, all positive (sizes)
    binder_crossing: float | None  # likewise: where the extreme sizes' Binder curves cross
    scaling: Scaling | None = None  # finite-size scaling, with three or more values of ``by``


def analyze(
    runs: pd.DataFrame | str | Path,
    x: str,
    y: str,
    *,
    by: str | None = None,
    size: str | float | None = None,
    seed: int = 0,
) -> Analysis:
    """Transition and fluctuations of ``y`` against ``x`` for each value of ``by``, how the
    width scales with ``by``, and the finite-size scaling when ``by`` takes three or more values
    (with the Binder crossing when the runs carry m2 and m4). ``runs`` is a tidy table or a sweep
    folder (``emergesim.load``); failed runs are left out. chi = N var(y), N from the column
    ``size`` (default 1)."""
    if not isinstance(runs, pd.DataFrame):
        from emergesim.sweeps.store import load  # here: the sweep engine imports the measures

        runs = load(runs)
    table = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    if by is None:
        parts = {None: table}
    elif by in table.columns:
        parts = {float(value): table[table[by] == value] for value in sorted(table[by].unique())}
    else:
        raise EmergesimError(f"no column '{by}' in the runs; columns: {', '.join(table.columns)}")
    sizes = len(parts) > 1 and min(parts) > 0  # a size has a logarithm; a p_slow of 0 has not
    if sizes:
        fits = fit_by_size(table, x, y, by, n_boot=N_BOOT, confidence=CONFIDENCE, seed=seed)
        sharp = Sharpening.of(fits, seed=seed)
    else:  # one fit per group, nothing scaled
        fits, sharp = {g: transition(t, x, y, seed=seed) for g, t in parts.items()}, None
    finite_size = (
        scaling(table, x, y, by, n=size or 1.0, seed=seed, fits=fits)
        if sizes and len(parts) > 2
        else None
    )
    return Analysis(
        runs=table,
        x=x,
        y=y,
        by=by,
        transitions=fits,
        fluctuations={g: fluctuations(t, x, y, size or 1.0) for g, t in parts.items()},
        sharpening=sharp,
        binder_crossing=binder_crossing(table, x, y, by) if sharp else None,
        scaling=finite_size,
    )
