"""Sweep one system and measure its transition: location, width, sharpening, metric sensitivity,
and a verdict derived from those numbers alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emergesim.analysis import (
    MetricSensitivity,
    Sharpening,
    Transition,
    indicator,
    metric_sensitivity,
    sharpening,
)
from emergesim.compare.systems import TRAINING_TIME, Budget, System
from emergesim.runner import run
from emergesim.sweeps import sweep

INDICATOR = "ordered"  # column of the thresholded order parameter (natural systems)


@dataclass(frozen=True)
class Finding:
    system: System
    runs: pd.DataFrame  # every finished run, all sizes
    transition: Transition  # at the largest size
    sharpening: Sharpening
    sensitivity: MetricSensitivity
    label: str  # collective / composition and metric / ...
    reasons: str


def measure(
    system: System,
    *,
    quick: bool,
    out: Path,
    seed: int,
    executor: str,
    workers: int | None,
    progress: bool,
) -> Finding:
    budget = system.budget(quick)
    frames = []
    for size in budget.sizes:
        fixed = {**system.fixed, system.size: size, **system.scale_fixed(size)}
        if system.over_time:
            frames.append(training_curves(system, budget, fixed, seed=seed))
            continue
        frames.append(
            sweep(
                system.model,
                vary={system.control: budget.values},
                fixed=fixed,
                reps=budget.reps,
                steps=budget.steps,
                burn_in=budget.burn_in,
                record_every=system.record_every,
                seed=seed,
                out=out / "runs" / f"{system.key}-{system.size}-{size}",
                executor=executor,
                workers=workers,
                progress=progress,
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    runs = runs[runs["status"] == "ok"]
    if system.fit_log10:
        runs = runs.assign(**{system.x: np.log10(runs[system.control])})
    largest = runs[runs[system.size] == max(budget.sizes)]
    sharp = sharpening(runs, system.x, system.order, by=system.size, seed=seed)
    step = sharp.transitions[float(max(budget.sizes))]  # the largest size, fitted once
    if system.discontinuous is None:  # natural: is the system past the middle of its step?
        largest = largest.assign(
            **{INDICATOR: indicator(largest[system.order], (step.low + step.high) / 2)}
        )
    sensitivity = metric_sensitivity(
        largest,
        system.x,
        system.discontinuous or INDICATOR,
        system.continuous or system.order,
        seed=seed,
    )
    label, reasons = verdict(system, step, sharp, sensitivity)
    return Finding(system, runs, step, sharp, sensitivity, label, reasons)


def training_curves(
    system: System, budget: Budget, fixed: dict[str, Any], *, seed: int
) -> pd.DataFrame:
    """One run per replicate, its records as rows: the control is the step each was taken at."""
    rows = []
    for replicate in range(budget.reps):
        result = run(
            system.model,
            seed=np.random.SeedSequence(seed, spawn_key=(replicate,)),
            steps=budget.steps,
            burn_in=budget.burn_in,
            record_every=system.record_every,
            **fixed,
        )
        rows.append(
            _log_spaced(result.timeseries).assign(replicate=replicate, status="ok", **fixed)
        )
    return pd.concat(rows, ignore_index=True)


def _log_spaced(records: pd.DataFrame, points: int = 40) -> pd.DataFrame:
    """The records nearest to ``points`` times evenly spaced in log time: the step is fitted in
    log10(step), where evenly spaced records would crowd the late plateau."""
    times = records.loc[records[TRAINING_TIME] > 0, TRAINING_TIME].to_numpy()
    marks = np.log(np.geomspace(times.min(), times.max(), points))
    nearest = times[np.abs(np.log(times)[:, None] - marks).argmin(axis=0)]
    return records[records[TRAINING_TIME].isin(nearest)]


def verdict(
    system: System, step: Transition, sharp: Sharpening, sensitivity: MetricSensitivity
) -> tuple[str, str]:
    """A label and its reasons, from the numbers: collective transitions sharpen with size and
    survive a continuous metric; composed abilities do neither."""
    if not step.detected:
        return "no transition", f"no step in {system.order} within the sampled range"
    low, high = sharp.exponent_ci
    size_word = "composed steps k" if system.kind == "LLM" else f"system size ({system.size})"
    reasons = (
        f"width ~ {system.size}^b with b = {sharp.exponent:+.2f} [{low:+.2f}, {high:+.2f}]: "
        f"{'sharpens' if sharp.sharpens else 'does not sharpen'} with {size_word}; "
        f"{sensitivity.progress_at_jump:.0%} of the continuous metric's rise comes before the "
        f"discontinuous one's midpoint"
    )
    if sharp.sharpens and sensitivity.survives:
        label = "collective"
    elif not sharp.sharpens and not sensitivity.survives:
        label = "composition and metric"
    elif sharp.sharpens:
        label = "sharpens, but a continuous metric rises first"
    else:
        label = "crossover: survives a continuous metric, does not sharpen"
    return label, reasons
