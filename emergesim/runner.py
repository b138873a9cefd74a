"""Run one model: burn-in, a measured window, recorded observables -> RunResult."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from emergesim.analysis.fluctuations import binder, susceptibility
from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, seed_sequence
from emergesim.params import check_count
from emergesim.registry import get_model

MAX_RECORDS = 100_000  # rows a run keeps at most, by default (see ``run``)
PAIRWISE_FROM = 8  # numpy sums fewer numbers than this one by one, more in pairwise blocks


@dataclass
class RunResult:
    """What one run measured.

    ``observables`` and ``std`` are the mean and standard deviation of each observable over the
    recorded steps of the measured window (NaN entries, e.g. a jam speed with no jam, are skipped);
    ``timeseries`` holds one row per recorded step (a table made when first asked for: a sweep
    never asks); ``model`` is the final state.
    """

    model: EmergenceModel
    params: dict[str, Any]
    seed: int
    steps: int  # measured steps actually run (fewer if the model stopped itself)
    burn_in: int  # unmeasured steps actually run (fewer if the model stopped itself)
    observables: dict[str, float]
    std: dict[str, float]
    records: RecordKeeper = field(repr=False)
    frames: list[Any] = field(default_factory=list, repr=False)
    frame_steps: list[int] = field(default_factory=list, repr=False)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        return self.records.table()

    def susceptibility(self, observable: str | None = None, n: float | None = None) -> float:
        """chi = N var(phi) over the recorded window; phi defaults to the model's order parameter
        and N to its number of agents."""
        phi = self._window(observable)
        return susceptibility(phi, self.model.count_agents() if n is None else n)

    def binder(self, observable: str | None = None) -> float:
        """Binder cumulant 1 - <phi^4> / (3 <phi^2>^2) over the recorded window."""
        return binder(self._window(observable))

    def _window(self, observable: str | None) -> np.ndarray:
        name = observable or self.model.order
        if name not in self.timeseries.columns:
            raise ParameterError(
                f"unknown observable '{name}'; allowed: {', '.join(self.model.observables)}"
            )
        return self.timeseries[name].dropna().to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; NaN becomes None."""
        return {
            "model": self.model.name,
            "params": self.params,
            "seed": self.seed,
            "steps": self.steps,
            "burn_in": self.burn_in,
            "observables": _finite_or_none(self.observables),
            "std": _finite_or_none(self.std),
        }


def run(
    model: str | type[EmergenceModel],
    *,
    steps: int | None = None,
    burn_in: int | None = None,
    record_every: int = 1,
    seed: int | np.random.SeedSequence | None = None,
    backend: str = "numba",
    frames: bool = False,
    max_frames: int = 1000,
    max_records: int = MAX_RECORDS,
    **params: Any,
) -> RunResult:
    """Run ``burn_in`` unmeasured steps, then up to ``steps`` measured ones.

    The observables are recorded every ``record_every`` steps; an observable over an interval
    (a rate, a speed) covers the steps since the previous record, the first one the steps since
    the burn-in (see ``EmergenceModel.open_interval``).

    The window stops early if the model sets ``running = False``. ``steps`` and ``burn_in``
    default to the model's ``default_steps`` and ``default_burn_in``. With ``frames=True``
    picture frames of the whole run (burn-in included) are kept: see :class:`FrameRecorder`.

    At most ``max_records`` rows are kept, so a run of any length records in bounded memory: when
    one more row would be kept, every other row is dropped (those left are the ones at even
    multiples of the stride) and the stride doubles from then on, as FrameRecorder does with
    frames. A run that records no more than ``max_records`` rows keeps every one, as if there were
    no limit. After a decimation the rows are still evenly spaced over the window and the window
    means and stds are over them: a sample of the window. An interval observable in a row covers
    the steps since the record before it was taken: the whole gap to the previous row for rows
    taken at the doubled stride, only its latter part (the stride then) for older rows.
    """
    cls = get_model(model) if isinstance(model, str) else model
    steps = check_count("steps", cls.default_steps if steps is None else steps, minimum=1)
    burn_in = check_count("burn_in", cls.default_burn_in if burn_in is None else burn_in, minimum=0)
    record_every = check_count("record_every", record_every, minimum=1)
    records = RecordKeeper(check_count("max_records", max_records, minimum=1), record_every)
    max_frames = check_count("max_frames", max_frames, minimum=2)
    sim = cls(seed=seed, backend=backend, collect=False, **params)  # it records for itself
    recorder = FrameRecorder(max_frames) if frames else None
    burned, done = measure(sim, steps, burn_in, records, recorder)
    means, stds = records.summary()
    return RunResult(
        model=sim,
        params=dict(sim.parameters),
        seed=sim.seed,
        steps=done,
        burn_in=burned,
        observables=means,
        std=stds,
        records=records,
        frames=[] if recorder is None else recorder.frames,
        frame_steps=[] if recorder is None else recorder.steps,
    )


def measure(
    sim: EmergenceModel,
    steps: int,
    burn_in: int,
    records: RecordKeeper,
    recorder: FrameRecorder | None = None,
) -> tuple[int, int]:
    """The loop of ``run`` (see it for what is recorded when): ``burn_in`` unmeasured steps,
    then up to ``steps`` measured ones, recorded into ``records``, every step offered to
    ``recorder``. Returns the burn-in and measured steps run. A sweep's worker calls it
    directly: a sweep keeps the window means alone, not a RunResult."""
    if recorder is not None:
        recorder.offer(sim)
    burned = 0
    while burned < burn_in and sim.running:
        _advance(sim, recorder)
        burned += 1
    sim.open_interval()  # the window opens: observables over an interval count from here
    done = 0
    while done < steps and sim.running:
        _advance(sim, recorder)
        done += 1
        if done % records.stride == 0:
            _record(sim, records)
    if not records.rows:
        _record(sim, records)
    if recorder is not None:
        recorder.close(sim)
    return burned, done


def _advance(sim: EmergenceModel, recorder: FrameRecorder | None) -> None:
    sim.step()
    if recorder is not None:
        recorder.offer(sim)


def _record(sim: EmergenceModel, records: RecordKeeper) -> None:
    records.add(sim.steps, sim.observe())
    sim.open_interval()  # the next record covers the steps from here


@dataclass
class RecordKeeper:
    """The recorded rows of a run, at most ``limit``, evenly spaced in its window.

    A row is recorded every ``stride`` measured steps (``record_every`` at first) and kept as a
    tuple of the step and the observables (a dict per row would take twice the memory). When
    ``limit`` is exceeded the rows at odd multiples of the stride are dropped and the stride
    doubles, so the rows left stay at multiples of the new stride.
    """

    limit: int
    stride: int
    names: tuple[str, ...] = ()  # the observables, as the first row named them
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, step: int, observed: dict[str, Any]) -> None:
        if not self.rows:
            self.names = tuple(observed)
        self.rows.append((step, *[observed.get(name, math.nan) for name in self.names]))
        if len(self.rows) > self.limit:
            self.rows = self.rows[1::2]  # row i was taken at (i + 1) strides: keep the even ones
            self.stride *= 2

    def table(self) -> pd.DataFrame:
        """The rows as a table: the step (int), then a column per observable (float)."""
        steps, values = self._arrays()
        return pd.DataFrame({"step": steps, **dict(zip(self.names, values, strict=True))})

    def summary(self) -> tuple[dict[str, float], dict[str, float]]:
        """Each observable's mean and standard deviation (ddof 0) over the rows, NaN skipped:
        bit for bit what pandas' ``mean()`` and ``std(ddof=0)`` of the table give (the same
        sums, over contiguous columns), without a table's cost, most of a small run's time."""
        if len(self.rows) < PAIRWISE_FROM:
            return self._summary_in_order()
        _, values = self._arrays()
        missing = np.isnan(values)
        filled = np.where(missing, 0.0, values)
        count = values.shape[1] - missing.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = filled.sum(axis=1) / count
            squares = (means[:, None] - filled) ** 2
            squares[missing] = 0.0
            stds = np.sqrt(squares.sum(axis=1) / count)
        return (
            dict(zip(self.names, means.tolist(), strict=True)),
            dict(zip(self.names, stds.tolist(), strict=True)),
        )

    def means(self) -> dict[str, float]:
        """``summary()``'s means alone, all a sweep records."""
        if len(self.rows) < PAIRWISE_FROM:
            return {name: _mean_in_order(self.rows, j) for j, name in enumerate(self.names, 1)}
        return self.summary()[0]

    def _summary_in_order(self) -> tuple[dict[str, float], dict[str, float]]:
        """``summary()`` of fewer than PAIRWISE_FROM rows in plain Python: numpy's pairwise
        sum adds so few numbers one after the other, so these sums are its sums, at a quarter
        of the cost of making arrays (a run of a few records spent a fifth of its time there)."""
        means, stds = {}, {}
        for j, name in enumerate(self.names, start=1):
            means[name] = mean = _mean_in_order(self.rows, j)
            squares, count = 0.0, 0
            for row in self.rows:
                x = row[j]
                if x == x:
                    squares += (mean - x) * (mean - x)
                    count += 1
            stds[name] = math.sqrt(squares / count) if count else math.nan
        return means, stds

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The steps, and the observables as an array of a contiguous row per observable."""
        steps = np.fromiter((row[0] for row in self.rows), np.int64, len(self.rows))
        values = np.array([row[1:] for row in self.rows], dtype=np.float64).reshape(
            len(self.rows), len(self.names)
        )
        return steps, np.ascontiguousarray(values.T)


def _mean_in_order(rows: list[tuple[Any, ...]], j: int) -> float:
    """The mean of item ``j`` of the rows, NaN skipped, summed one after the other."""
    total, count = 0.0, 0
    for row in rows:
        x = row[j]
        if x == x:  # NaN != NaN
            total += x
            count += 1
    return total / count if count else math.nan


@dataclass
class FrameRecorder:
    """Keeps at most ``limit`` picture frames, evenly spaced in time.

    A frame is taken every ``stride`` steps; when the list overflows, every other frame is dropped
    and the stride doubles, so a run of any length costs bounded memory. The final state is
    always kept.
    """

    limit: int
    stride: int = 1
    frames: list[Any] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)

    def offer(self, sim: EmergenceModel) -> None:
        if sim.steps % self.stride:
            return
        self.frames.append(sim.frame())
        self.steps.append(sim.steps)
        if len(self.frames) > self.limit:
            self.frames, self.steps = self.frames[::2], self.steps[::2]
            self.stride *= 2

    def close(self, sim: EmergenceModel) -> None:
        if self.steps[-1] != sim.steps:
            self.frames.append(sim.frame())
            self.steps.append(sim.steps)


def scan(
    model: str | type[EmergenceModel],
    param: str,
    values: Sequence[float],
    *,
    seed: int | None = None,
    **run_args: Any,
) -> pd.DataFrame:
    """One run per value of ``param`` (others fixed): a table of window means and stds.

    Run i is seeded by child i of the scan's SeedSequence, so a row does not depend on the others.
    """
    cls = get_model(model) if isinstance(model, str) else model
    cls.params.check_names([param], model=f"model '{cls.name}'")
    rows = []
    for value, child in zip(values, seed_sequence(seed).spawn(len(values)), strict=True):
        result = run(cls, seed=child, **{**run_args, param: value})
        rows.append(
            {
                param: result.params[param],
                **result.observables,
                **{f"{k}_std": v for k, v in result.std.items()},
            }
        )
    return pd.DataFrame(rows)


def _finite_or_none(values: dict[str, float]) -> dict[str, float | None]:
    return {k: (float(v) if math.isfinite(v) else None) for k, v in values.items()}
