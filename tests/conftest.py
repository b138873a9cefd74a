"""Shared fixtures: a tiny model that keeps the contract, for testing the framework alone."""

import numpy as np
import pytest

from emergesim.card import ModelCard
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet


class WalkModel(EmergenceModel):
    """Random walkers on a line: a minimal model for framework tests."""

    card = ModelCard(
        name="walk",
        summary="Random walkers on a line.",
        params=ParamSet(
            Param("walkers", 4, "number of walkers", int, 1, 1000),
            Param("stop_at", 0, "stop by itself after this many steps (0: never)", int, 0, 10**6),
            Param("rule", "unit", "step rule", str, choices=("unit", "gauss")),
        ),
        control="walkers",
        order="spread",
        observables={"spread": "mean absolute position", "tick": "steps taken"},
        default_steps=7,
    )

    def __init__(self, *, seed=None, backend="numba", **params):
        super().__init__(seed=seed, backend=backend, **params)
        self.x = np.zeros(self.walkers)

    def step(self):
        draws = self.rng.random(self.walkers)
        self.x += np.where(draws < 0.5, -1.0, 1.0)
        if self.stop_at and self.steps >= self.stop_at:
            self.running = False

    def observe(self):
        return {"spread": float(np.abs(self.x).mean()), "tick": float(self.steps)}

    def frame(self):
        return self.x.copy()

    def render(self, fig, frames, steps):
        ax = fig.add_subplot()
        ax.plot(np.array(frames))


@pytest.fixture
def walk_model():
    return WalkModel
