"""The model contract checks itself: observe() is pure, intervals are opened explicitly, and a
parameter cannot take the name of the model's own state."""

import pickle

import numpy as np
import pytest
from mesa.discrete_space import PropertyLayer

import emergesim
from emergesim import ParameterError
from emergesim.card import ModelCard
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet
from emergesim.registry import get_model

SMALL = {
    "flocking": dict(n_agents=30, width=20.0, height=20.0, vision=4.0, noise=0.5),
    "grokking": dict(p=7, train_fraction=0.5, width=8),
    "ising": dict(size=8, temperature=2.3),
    "skills": dict(n_skills=30, tasks=20, family=2),
    "snowflake": dict(radius=20, gamma=0.01),
    "traffic": dict(length=60, density=0.4),
}
EXACTLY = dict(rel=0, abs=0, nan_ok=True)


def test_every_registered_model_is_checked():
    assert set(SMALL) == set(emergesim.available())


def snapshot(model: EmergenceModel) -> dict:
    """Copies of the model's public arrays (a PropertyLayer's too), its generators' states and
    its picture frame (pickled): what an observation must leave alone."""
    state = {
        "rng": model.rng.bit_generator.state,
        "random": model.random.getstate(),
        "frame": pickle.dumps(model.frame()),
    }
    for name, value in vars(model).items():
        value = value.data if isinstance(value, PropertyLayer) else value
        if isinstance(value, np.ndarray) and not name.startswith("_"):
            state[name] = value.copy()
    return state


def assert_same(state: dict, other: dict) -> None:
    assert state.keys() == other.keys()
    for name, value in state.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other[name], err_msg=name)
        else:
            assert value == other[name], name


@pytest.mark.parametrize("name", sorted(SMALL))
def test_observing_changes_nothing(name):
    model = get_model(name)(seed=3, **SMALL[name])
    for _ in range(4):
        model.step()
    before = snapshot(model)
    first = model.observe()
    assert model.observe() == pytest.approx(first, **EXACTLY)
    assert_same(snapshot(model), before)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_model_observed_at_every_step_ends_as_one_never_observed(name):
    watched, alone = (get_model(name)(seed=3, **SMALL[name]) for _ in range(2))
    for _ in range(6):
        watched.step()
        watched.observe()
        alone.step()
    assert watched.observe() == pytest.approx(alone.observe(), **EXACTLY)
    assert_same(snapshot(watched), snapshot(alone))


class Ticks(EmergenceModel):
    """An interval observable: the steps since the interval opened."""

    card = ModelCard(
        name="ticks",
        summary="Counts steps.",
        params=ParamSet(Param("x", 0.5, "control", float, 0.0, 1.0)),
        control="x",
        order="ticks",
        observables={"ticks": "steps since open_interval()"},
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.ticks = 0

    def step(self):
        self.ticks += 1

    def open_interval(self):
        self.ticks = 0

    def observe(self):
        return {"ticks": float(self.ticks)}


@pytest.mark.parametrize(
    ("steps", "record_every", "ticks"),
    [(10, 1, [1.0] * 10), (10, 3, [3.0] * 3), (2, 3, [2.0])],  # (2, 3): one record at the end
)
def test_each_record_covers_the_steps_since_the_previous_one(steps, record_every, ticks):
    result = emergesim.run(Ticks, steps=steps, burn_in=5, record_every=record_every, seed=0)
    assert result.timeseries["ticks"].tolist() == ticks


def model_with_parameter(name: str) -> type[EmergenceModel]:
    card = ModelCard(
        name="toy",
        summary="A parameter named like the model's own state.",
        params=ParamSet(Param("x", 0.5, "control", float, 0.0, 1.0), Param(name, 1, "clash", int)),
        control="x",
        order="y",
        observables={"y": "nothing"},
    )
    return type("Toy", (EmergenceModel,), {"card": card})


@pytest.mark.parametrize(
    "name",
    ["steps", "running", "seed", "backend", "rng", "random", "agents", "time", "parameters",
     "card", "name", "params", "observe", "open_interval", "step", "run_model"],
)  # fmt: skip
def test_a_parameter_may_not_overwrite_the_models_state(name):
    with pytest.raises(
        ParameterError, match=rf"model 'toy' cannot have a parameter named '{name}'"
    ):
        model_with_parameter(name)


def test_the_refusal_says_why():
    with pytest.raises(ParameterError, match=r"each parameter becomes an attribute .* \(Mesa's\)"):
        model_with_parameter("steps")
    with pytest.raises(ParameterError, match=r"'observe' is already one \(emergesim.model.Emerg"):
        model_with_parameter("observe")


def test_no_builtin_model_trips_the_refusal():
    for name in emergesim.available():
        assert issubclass(get_model(name), EmergenceModel)
