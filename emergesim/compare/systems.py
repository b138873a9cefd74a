"""The built-in sweeps of the comparison: one per system, over its control at several sizes.

Each system is swept over its control parameter at two or more "sizes": the number of agents or
cells for the natural systems, the number of composed steps k for the skills model, the modulus p
for grokking. Grokking's control is training time itself (``TRAINING_TIME``): its runs are not
swept but recorded every ``record_every`` optimiser steps, each record a point of the curve. Quick
settings finish the whole comparison in a few minutes on two cores; full ones take longer and
give tighter intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TRAINING_TIME = "step"  # a control that is the run's own clock, read from its records


@dataclass(frozen=True)
class Budget:
    values: str | None  # the control's values in sweep syntax ("start:stop:count"); None: time
    sizes: tuple[Any, ...]
    reps: int
    steps: int
    burn_in: int


@dataclass(frozen=True)
class System:
    """One row of the comparison."""

    key: str
    title: str
    kind: str  # "natural" or "LLM"
    model: str
    control: str
    order: str  # the order parameter whose step is located, measured and sharpened
    size: str  # the parameter that sets the system's size (or composition depth)
    quick: Budget
    full: Budget
    fixed: dict[str, Any] = field(default_factory=dict)
    log_control: bool = False  # True: the control is already a log10 (the LLM's scale)
    fit_log10: bool = False  # True: locate the step in log10 of the control (it spans decades)
    continuous: str | None = None  # the continuous metric; None: the order parameter itself
    discontinuous: str | None = None  # an observable; None: threshold the order parameter
    picture: dict[str, Any] = field(default_factory=dict)  # params of the picture run
    record_every: int = 10

    @property
    def over_time(self) -> bool:
        return self.control == TRAINING_TIME

    @property
    def x(self) -> str:
        """The column the step is located in."""
        return f"log10_{self.control}" if self.fit_log10 else self.control

    def budget(self, quick: bool) -> Budget:
        return self.quick if quick else self.full

    def scale_fixed(self, size: Any) -> dict[str, Any]:
        """Parameters that keep the density fixed as the size changes."""
        if self.model == "flocking":  # Vicsek density n / L^2 = 4
            side = (size / 4) ** 0.5
            return {"width": side, "height": side}
        return {}


SYSTEMS = (
    System(
        key="traffic",
        title="traffic jam",
        kind="natural",
        model="traffic",
        control="density",
        order="jammed_fraction",
        size="length",
        fixed={"vmax": 5, "p_slow": 0.1},
        quick=Budget("0.04:0.5:13", (200, 1600), reps=3, steps=300, burn_in=300),
        full=Budget("0.02:0.6:30", (250, 1000, 4000), reps=8, steps=2000, burn_in=1000),
        picture={"density": 0.2, "length": 400, "p_slow": 0.1},
    ),
    System(
        key="flocking",
        title="flock (Vicsek)",
        kind="natural",
        model="flocking",
        control="noise",
        order="polarization",
        size="n_agents",
        fixed={"rule": "vicsek", "vision": 1.0, "speed": 0.3},
        quick=Budget("0.5:5.5:11", (100, 400), reps=3, steps=300, burn_in=300),
        full=Budget("0.25:6:24", (100, 400, 1600), reps=8, steps=2000, burn_in=1000),
        picture={
            "rule": "vicsek",
            "n_agents": 400,
            "width": 10.0,
            "height": 10.0,
            "vision": 1.0,
            "speed": 0.3,
            "noise": 2.0,
        },
        record_every=5,
    ),
    System(
        key="snowflake",
        title="snowflake (plate vs dendrite)",
        kind="natural",
        model="snowflake",
        control="gamma",
        order="cover_fraction",
        size="radius",
        fixed={"beta": 0.4},
        quick=Budget("log:1e-4:0.3:15", (30, 60), reps=1, steps=1, burn_in=10**6),
        full=Budget("log:1e-4:0.3:36", (30, 60, 120, 240), reps=1, steps=1, burn_in=10**6),
        fit_log10=True,
        picture={"beta": 0.4, "gamma": 0.001, "radius": 100},
        record_every=1,
    ),
    System(
        key="skills",
        title="multi-step LLM ability",
        kind="LLM",
        model="skills",
        control="log10_params",
        order="exact_match_mc",
        continuous="partial_credit_mc",
        discontinuous="exact_match_mc",
        size="k_steps",
        fixed={"task": "multistep", "family": 0, "tasks": 200},
        quick=Budget("5:15:21", (2, 8), reps=3, steps=5, burn_in=0),
        full=Budget("4:15:45", (1, 2, 4, 8, 16), reps=8, steps=20, burn_in=0),
        log_control=True,
        picture={"task": "multistep", "k_steps": 8},
        record_every=1,
    ),
    System(
        key="grokking",
        title="grokking (training time)",
        kind="training",
        model="grokking",
        control=TRAINING_TIME,
        order="test_accuracy",
        continuous="test_loss",
        discontinuous="test_accuracy",
        size="p",
        fixed={"train_fraction": 0.5, "width": 128},
        quick=Budget(None, (23, 31), reps=3, steps=1000, burn_in=0),
        full=Budget(None, (23, 31, 41, 53), reps=8, steps=1500, burn_in=0),
        fit_log10=True,
        picture={"p": 31, "train_fraction": 0.5, "width": 128, "steps": 600, "record_every": 5},
    ),
)
