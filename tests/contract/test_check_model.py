"""check_model passes a model that keeps the contract and names the clause a broken one breaks."""

from dataclasses import dataclass

import mesa
import numpy as np
import pytest

from emergesim import ParameterError
from emergesim.card import ModelCard
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet
from emergesim.testing import check_model


@dataclass(frozen=True)
class WalkFrame:
    x: np.ndarray


def walk_twin(model, moves):
    """The walk, walker by walker."""
    for i, move in enumerate(moves):
        model.x[i] += move


class Walkers(EmergenceModel):
    """Independent random walkers on a line: a model that keeps the contract."""

    card = ModelCard(
        name="walkers",
        summary="Random walkers.",
        params=ParamSet(
            Param("walkers", 5, "how many", int, 1, 100),
            Param("bias", 0.5, "chance of a step right", float, 0.0, 1.0),
        ),
        control="bias",
        order="mean",
        observables={"mean": "mean position", "spread": "standard deviation"},
        variants=(dict(walkers=3), dict(walkers=7, bias=0.8)),
    )
    twin = staticmethod(walk_twin)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.x = np.zeros(self.walkers, dtype=np.int64)

    def step(self):
        self.advance(np.where(self.rng.random(self.walkers) < self.bias, 1, -1))

    def kernel_step(self, moves):
        self.x += moves

    def observe(self):
        return {"mean": float(self.x.mean()), "spread": float(self.x.std())}

    def frame(self):
        return WalkFrame(self.x.copy())

    def render(self, fig, frames, steps):
        fig.add_subplot().plot(steps, [f.x.mean() for f in frames])


def broken(**members) -> type[EmergenceModel]:
    return type("Broken", (Walkers,), {"card": Walkers.card, **members})


def test_a_model_that_keeps_the_contract_passes():
    check_model(Walkers)


def limp(model, moves):
    walk_twin(model, moves)
    model.x[0] += model.steps == 5  # one extra step at the fifth tick


def peeking(self):
    self.rng.random()  # draws: the trajectory moves on when observed
    return Walkers.observe(self)


class OwnCollector(Walkers):
    """A collector of its own, as a Mesa user adds one: it hides the observables' collector."""

    card = Walkers.card

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.datacollector = mesa.DataCollector({"first": lambda model: float(model.x[0])})


class Ignoring(Walkers):
    card = Walkers.card

    def __init__(self, **kwargs):
        try:
            super().__init__(**kwargs)
        except ParameterError:
            super().__init__(seed=kwargs.get("seed"))


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (broken(twin=staticmethod(limp)), r"kernel and twin, step 5, mean"),
        (broken(observe=peeking), r"observe\(\) changed the state, .*rng"),
        (broken(observe=lambda self: {"mean": 0.0}), r"observe\(\) gives \['mean'\]"),
        (broken(observe=lambda self: {"mean": 0, "spread": 0.0}), r"a non-float observable"),
        (broken(frame=lambda self: self.x.copy()), r"frozen dataclass, got ndarray"),
        (broken(render=lambda self, fig, frames, steps: None), r"render\(\) drew nothing"),
        (OwnCollector, r"the datacollector's rows, mean"),
        (Ignoring, r"model 'walkers' accepted walkers='text'"),
    ],
)
def test_each_broken_clause_is_named(model, message):
    with pytest.raises(AssertionError, match=message):
        check_model(model)


def test_a_model_with_no_variants_is_refused():
    bare = type("Bare", (Walkers,), {"card": ModelCard(**{**vars(Walkers.card), "variants": ()})})
    with pytest.raises(AssertionError, match=r"declares no variants"):
        check_model(bare)
