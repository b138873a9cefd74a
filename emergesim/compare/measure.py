"""Sweep one system at every size and measure it the same way as every other system.

Both of the system's scores, per unit and all or nothing, get their finite-size scaling
(emergesim.analysis.scaling), and the verdict reads the two (emergesim.analysis.verdict). The
location reported is, in order of preference, the Binder crossing (for a collective transition,
where the model provides m^2 and m^4: it locates a critical point and nothing else), the
location extrapolated to infinite size, or the per-unit transition at the largest size; the
report says which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from emergesim.analysis import MetricSensitivity, Scaling, Verdict, metric_sensitivity, scaling
from emergesim.analysis import verdict as judge
from emergesim.analysis.bootstrap import CONFIDENCE, N_BOOT, Estimate
from emergesim.analysis.transitions import transition
from emergesim.card import Budget
from emergesim.compare.cache import Cache, code, module_code, table_digest, versions
from emergesim.compare.systems import ONE_SIZE, System
from emergesim.runner import run
from emergesim.sweeps import sweep

UNITS = "units"  # column: how many units a run has, the N of chi = N var(per-unit score)
RECORDS_PER_CURVE = 40  # records of a training run kept, evenly spaced in log time


@dataclass(frozen=True)
class Finding:
    """What was measured of one system; the verdict and the location are read from it."""

    system: System
    runs: pd.DataFrame  # every finished run, all sizes
    per_unit: Scaling
    all_or_nothing: Scaling
    sensitivity: MetricSensitivity | None  # per-unit against all-or-nothing, largest size
    key: str = ""  # the key of its fits in the report's cache ("" when not cached)

    @cached_property
    def verdict(self) -> Verdict:
        return judge(self.per_unit, self.all_or_nothing)

    @cached_property
    def location(self) -> Location:
        return locate(self.per_unit, critical=self.verdict.word == "collective")


def measure(
    system: System,
    *,
    quick: bool,
    out: Path,
    seed: int,
    cache: Cache | None = None,
    **sweep_options,
) -> Finding:
    """The system's finding; ``sweep_options`` (executor, workers, progress) go to each sweep.
    ``cache``: where training curves and fits are kept (emergesim.compare.cache); None: none."""
    c = system.comparison
    cache = cache or Cache(out, enabled=False)
    if system.observed is not None:
        return _measure_observed(system, seed, cache)
    budget = system.budget(quick)
    frames = []
    for point in budget.points(c.size):
        fixed = {**c.fixed, **point}
        if system.over_time:
            frames.append(_cached_curves(cache, system, budget, fixed, seed))
            continue
        folder = "-".join([c.key, *(f"{k}-{v}" for k, v in point.items())])
        frames.append(
            sweep(
                system.model,
                vary={system.control: budget.values},
                fixed=fixed,
                reps=budget.reps,
                steps=budget.steps,
                burn_in=budget.burn_in,
                record_every=c.record_every,
                seed=seed,
                out=out / "runs" / folder,
                **sweep_options,
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    runs = runs[runs["status"] == "ok"].assign(**{UNITS: lambda t: t[c.size] ** c.dimension})
    if c.fit_log10:
        runs = runs.assign(**{system.x: np.log10(runs[system.control])})

    def fit():
        per_unit = scaling(runs, system.x, c.per_unit, c.size, n=UNITS, seed=seed)
        all_or_nothing = scaling(runs, system.x, c.all_or_nothing, c.size, n=UNITS, seed=seed)
        return _fits(system, runs, per_unit, all_or_nothing, seed)

    return _finding(cache, system, runs, seed, fit)


def _measure_observed(system: System, seed: int, cache: Cache) -> Finding:
    """An observed table is one size: each score's transition is fitted once, and the verdict
    reads what one size can tell."""
    c, x = system.comparison, system.x
    runs = system.observed.load().dropna(subset=[x])
    runs = runs.assign(**{ONE_SIZE: 1, UNITS: 1, "status": "ok"})

    def fit():
        found = []
        for y in (c.per_unit, c.all_or_nothing):
            table = runs.dropna(subset=[y])
            fits = {1: transition(table, x, y, seed=seed)}
            found.append(scaling(table, x, y, system.size, n=UNITS, seed=seed, fits=fits))
        return _fits(system, runs, *found, seed)

    return _finding(cache, system, runs, seed, fit)


def _fits(system, runs, per_unit: Scaling, all_or_nothing: Scaling, seed: int) -> tuple:
    return per_unit, all_or_nothing, _sensitivity(runs, system, per_unit, all_or_nothing, seed)


def _finding(cache: Cache, system: System, runs: pd.DataFrame, seed: int, fit) -> Finding:
    """The finding of ``runs``, its fits (``fit()``: both scalings and the metric test) read
    from the cache when this exact table was fitted the same way before."""
    key = cache.key(
        "fits",
        table=table_digest(runs),  # the budget's runs, every column
        comparison=replace(system.comparison, quick=None, full=None, picture={}, note=""),
        model=system.model,
        size=system.size,
        x=system.x,
        seed=seed,
        n_boot=N_BOOT,
        confidence=CONFIDENCE,
        code=[code("emergesim.analysis"), module_code(__name__)],
        versions=versions("numpy", "scipy", "pandas"),
    )
    per_unit, all_or_nothing, sensitivity = cache.get("fits", key, fit)
    key = key if cache.enabled else ""
    return Finding(system, runs, per_unit, all_or_nothing, sensitivity, key)


def _cached_curves(
    cache: Cache, system: System, budget: Budget, fixed: dict[str, Any], seed: int
) -> pd.DataFrame:
    """``training_curves``, kept like stored sweep runs: by model, version and run settings."""
    key = cache.key(
        "curves",
        model=system.model,
        version=system.card.version,
        params=fixed,
        reps=budget.reps,
        steps=budget.steps,
        burn_in=budget.burn_in,
        record_every=system.comparison.record_every,
        records=RECORDS_PER_CURVE,
        seed=seed,
        versions=versions(),
    )
    return cache.get("curves", key, lambda: training_curves(system, budget, fixed, seed=seed))


class Location(NamedTuple):
    """Where a transition sits (None: not located), and which measure gave it."""

    estimate: Estimate | None
    source: str


def locate(per_unit: Scaling, *, critical: bool) -> Location:
    """The best location the per-unit score gives."""
    binder = per_unit.binder
    if critical and binder is not None and binder.location is not None:
        return Location(Estimate(binder.location, binder.location_ci), "Binder cumulant crossing")
    if per_unit.x_inf is not None:
        return Location(per_unit.x_inf, "extrapolated to infinite size")
    detected = [(s, t) for s, t in per_unit.transitions.items() if t.detected]
    if not detected:
        return Location(None, "no transition detected")
    size, fit = detected[-1]
    where = "" if per_unit.by == ONE_SIZE else f" at {per_unit.by} = {size:g}"
    return Location(Estimate(fit.location, fit.location_ci), f"{fit.kind}{where}")


def _sensitivity(
    runs: pd.DataFrame, system: System, per_unit: Scaling, all_or_nothing: Scaling, seed: int
) -> MetricSensitivity | None:
    """How much of the per-unit rise comes before the all-or-nothing jump, at the largest size
    where both have a transition (Schaeffer et al. 2023's test)."""
    c = system.comparison
    both = [s for s in per_unit.sizes if s in all_or_nothing.sizes]
    if not both or c.per_unit == c.all_or_nothing:  # one metric: nothing to compare it with
        return None
    largest = runs[runs[system.size] == both[-1]]
    return metric_sensitivity(largest, system.x, c.all_or_nothing, c.per_unit, seed=seed)


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
            record_every=system.comparison.record_every,
            **fixed,
        )
        rows.append(
            _log_spaced(result.timeseries, system.control).assign(
                replicate=replicate, status="ok", **fixed
            )
        )
    return pd.concat(rows, ignore_index=True)


def _log_spaced(records: pd.DataFrame, clock: str) -> pd.DataFrame:
    """The records nearest to times evenly spaced in log time: the step is fitted in log10 of
    the clock, where evenly spaced records would crowd the late plateau."""
    times = records.loc[records[clock] > 0, clock].to_numpy()
    marks = np.log(np.geomspace(times.min(), times.max(), RECORDS_PER_CURVE))
    nearest = times[np.abs(np.log(times)[:, None] - marks).argmin(axis=0)]
    return records[records[clock].isin(nearest)]
