"""A small model for the sweep tests, importable by worker processes as ``sweep_toys:Step``
(pytest puts this folder on sys.path; subprocesses get it through PYTHONPATH)."""

import os
import resource
import signal
import time
from dataclasses import replace

import numpy as np

from emergesim.card import ModelCard
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet

FAIL_AT = "SWEEP_TOYS_FAIL_AT"  # environment: runs at this x raise, to test failures


class Step(EmergenceModel):
    """A sharp step of ``above`` at x = threshold, and a draw that shows the run's seed."""

    card = ModelCard(
        name="step",
        summary="A sharp step at x = threshold.",
        params=ParamSet(
            Param("x", 0.5, "control", float, 0.0, 1.0),
            Param("threshold", 0.37, "where the step sits", float, 0.0, 1.0),
            Param("size", 3, "random numbers drawn per step", int, 1, 1000),
            Param("delay", 0.0, "seconds each run sleeps when built", float, 0.0, 1.0),
        ),
        control="x",
        order="above",
        observables={"above": "1 if x >= threshold else 0", "noise": "mean of the draws"},
        default_steps=5,
    )

    def __init__(self, *, seed=None, backend="numba", **params):
        super().__init__(seed=seed, backend=backend, **params)
        if self.x == float(os.environ.get(FAIL_AT, "nan")):
            raise ValueError(f"made to fail at x={self.x}")
        time.sleep(self.delay)
        self.draws = np.zeros(self.size)

    def step(self):
        self.draws = self.rng.random(self.size)

    def observe(self):
        return {"above": float(self.x >= self.threshold), "noise": float(self.draws.mean())}

    def frame(self):
        return self.draws.copy()

    def render(self, fig, frames, steps):
        fig.add_subplot().plot(np.array(frames))


class Clash(Step):
    """A parameter named like an observable: its records could not hold both."""

    card = replace(
        Step.card,
        model="",  # filled in with this class
        params=ParamSet(
            Param("x", 0.5, "control", float, 0.0, 1.0),
            Param("noise", 0.5, "a clash with the observable 'noise'", float, 0, 1),
        ),
    )


class Crash(Step):
    """A run at x = ``at`` takes its process down as a bug in native code does: SIGSEGV."""

    card = replace(
        Step.card,
        model="",
        params=ParamSet(*Step.card.params.values(), Param("at", 0.0, "runs die here", float, 0, 1)),
    )

    def __init__(self, *, seed=None, backend="numba", **params):
        super().__init__(seed=seed, backend=backend, **params)
        if self.x == self.at:
            self.die()

    def die(self):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file left behind
        os.kill(os.getpid(), signal.SIGSEGV)


class Exit(Crash):
    """A run at x = ``at`` ends its process, as a library calling ``os._exit`` does."""

    def die(self):
        os._exit(3)


class Hang(Crash):
    """A run at x = ``at`` never ends, as a deadlock."""

    def die(self):
        while True:
            time.sleep(60)


def exit_at(moment, code):
    """End this process with ``code`` at ``moment`` (``time.time()``): workers that die together."""
    time.sleep(max(moment - time.time(), 0))
    os._exit(code)


class Logistic(EmergenceModel):
    """A smooth step without noise: ``level`` rises from 0 to 1 as a logistic in x centred on
    ``location``, 10-90 % over 2 ln 9 ``scale`` (4.4 scale)."""

    card = ModelCard(
        name="logistic",
        summary="A logistic step in x at x = location.",
        params=ParamSet(
            Param("x", 0.5, "control", float, 0.0, 1.0),
            Param("location", 0.5, "the step's midpoint", float, 0.0, 2.0),
            Param("scale", 0.02, "the logistic's scale", float, 0.001, 1.0),
        ),
        control="x",
        order="level",
        observables={"level": "1 / (1 + exp(-(x - location) / scale))"},
        default_steps=1,
    )

    def step(self):
        pass

    def observe(self):
        return {"level": float(1 / (1 + np.exp(-(self.x - self.location) / self.scale)))}

    def frame(self):
        return self.x

    def render(self, fig, frames, steps):
        fig.add_subplot().plot(np.array(frames))
