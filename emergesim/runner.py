"""Run one model: burn-in, a measured window, recorded observables -> RunResult."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from emergesim.analysis.fluctuations import binder, susceptibility
from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, seed_sequence
from emergesim.params import check_count
from emergesim.registry import get_model


@dataclass
class RunResult:
    """What one run measured.

    ``observables`` and ``std`` are the mean and standard deviation of each observable over the
    recorded steps of the measured window (NaN entries, e.g. a jam speed with no jam, are skipped);
    ``timeseries`` holds one row per recorded step; ``model`` is the final state.
    """

    model: EmergenceModel
    params: dict[str, Any]
    seed: int
    steps: int  # measured steps actually run (fewer if the model stopped itself)
    burn_in: int  # unmeasured steps actually run (fewer if the model stopped itself)
    observables: dict[str, float]
    std: dict[str, float]
    timeseries: pd.DataFrame
    frames: list[Any] = field(default_factory=list, repr=False)
    frame_steps: list[int] = field(default_factory=list, repr=False)

    def susceptibility(self, observable: str | None = None, n: float | None = None) -> float:
        """chi = N var(phi) over the recorded window; phi defaults to the model's order parameter
        and N to its number of agents."""
        phi = self._window(observable)
        return susceptibility(phi, len(self.model.agents) if n is None else n)

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
    **params: Any,
) -> RunResult:
    """Run ``burn_in`` unmeasured steps, then up to ``steps`` measured ones.

    The observables are recorded every ``record_every`` steps; an observable over an interval
    (a rate, a speed) covers the steps since the previous record, the first one the steps since
    the burn-in (see ``EmergenceModel.open_interval``).

    The window stops early if the model sets ``running = False``. ``steps`` and ``burn_in``
    default to the model's ``default_steps`` and ``default_burn_in``. With ``frames=True``
    picture frames of the whole run (burn-in included) are kept: see :class:`FrameRecorder`.
    """
    cls = get_model(model) if isinstance(model, str) else model
    steps = check_count("steps", cls.default_steps if steps is None else steps, minimum=1)
    burn_in = check_count("burn_in", cls.default_burn_in if burn_in is None else burn_in, minimum=0)
    record_every = check_count("record_every", record_every, minimum=1)
    sim = cls(seed=seed, backend=backend, collect=False, **params)  # it records for itself
    recorder = FrameRecorder(check_count("max_frames", max_frames, minimum=2))
    if frames:
        recorder.offer(sim)

    def advance() -> None:
        sim.step()
        if frames:
            recorder.offer(sim)

    rows: list[dict[str, Any]] = []

    def record() -> None:
        rows.append({"step": sim.steps, **sim.observe()})
        sim.open_interval()  # the next record covers the steps from here

    burned = 0
    while burned < burn_in and sim.running:
        advance()
        burned += 1
    sim.open_interval()  # the window opens: observables over an interval count from here
    done = 0
    while done < steps and sim.running:
        advance()
        done += 1
        if done % record_every == 0:
            record()
    if not rows:
        record()
    if frames:
        recorder.close(sim)
    table = pd.DataFrame(rows)
    measured = table.drop(columns="step")
    return RunResult(
        model=sim,
        params=dict(sim.parameters),
        seed=sim.seed,
        steps=done,
        burn_in=burned,
        observables=measured.mean().to_dict(),
        std=measured.std(ddof=0).to_dict(),
        timeseries=table,
        frames=recorder.frames,
        frame_steps=recorder.steps,
    )


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
