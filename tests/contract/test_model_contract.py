"""The model contract checks itself: observe() is pure, intervals are opened explicitly, and a
parameter cannot take the name of the model's own state."""

import pytest

import emergesim
from emergesim import ParameterError
from emergesim.card import CLASS_FIELDS, ModelCard
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet
from emergesim.registry import get_model
from emergesim.testing import check_model


@pytest.mark.parametrize("name", emergesim.available())
def test_every_registered_model_keeps_the_contract(name):
    check_model(get_model(name))


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


STATE = ["steps", "running", "seed", "backend", "rng", "random", "agents", "time", "parameters"]
STATE.append("collect")  # not state but EmergenceModel's keyword, which the name would shadow
CLASS = ["card", "name", "params", "observe", "open_interval", "step", "run_model"]
CLASS += ["datacollector", "space"]  # what Mesa's tools read


@pytest.mark.parametrize("name", STATE)
def test_the_parameter_set_refuses_the_name_of_any_models_state(name):
    """Set on every model when it is built: ParamSet refuses it before any model exists."""
    with pytest.raises(ParameterError, match=rf"a parameter cannot be named '{name}'"):
        ParamSet(Param(name, 1, "clash", int))


@pytest.mark.parametrize("name", CLASS)
def test_a_parameter_may_not_overwrite_what_the_model_class_has(name):
    """The card's fields and every method: the model class refuses them when defined."""
    with pytest.raises(
        ParameterError, match=rf"model 'toy' cannot have a parameter named '{name}'"
    ):
        model_with_parameter(name)


def test_the_refusal_says_why():
    with pytest.raises(ParameterError, match=r"each parameter becomes an attribute .* \(Mesa's\)"):
        model_with_parameter("steps")
    with pytest.raises(ParameterError, match=r"'observe' is already one \(emergesim.model.Emerg"):
        model_with_parameter("observe")


@pytest.mark.parametrize("name", emergesim.available())
def test_a_subclass_without_a_card_of_its_own_keeps_every_card_field(name):
    cls = get_model(name)
    mine = type("Mine", (cls,), {"__module__": __name__})
    assert all(getattr(mine, field) is getattr(cls, field) for field in CLASS_FIELDS)
