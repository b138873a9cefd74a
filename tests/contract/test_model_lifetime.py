"""A model nobody holds is freed: Mesa 3.3 kept every model that numbered an agent alive for the
life of the process (its class-level ``Agent._ids``, mesa#3179), so a sweep's process grew with
every run. emergesim.mesa_ids holds those counts weakly; Mesa 3.5 counts in the model."""

import gc
import weakref

import mesa

import emergesim
from emergesim.models.traffic import TrafficModel


def freed(make) -> bool:
    ref = weakref.ref(make())
    gc.collect()
    return ref() is None


def test_a_run_model_is_freed():
    assert freed(lambda: emergesim.run("traffic", length=50, steps=3, burn_in=0, seed=1).model)


def test_a_model_whose_agents_were_made_is_freed():
    def make():
        model = TrafficModel(length=50, density=0.2, seed=1)
        assert len(model.agents) == 10
        return model

    assert freed(make)


def test_a_plain_mesa_model_with_agents_is_freed():
    def make():
        model = mesa.Model(rng=1)
        mesa.Agent(model)
        return model

    assert freed(make)


def test_no_model_of_a_serial_sweep_outlives_it():
    emergesim.sweep(
        "traffic",
        vary={"density": [0.1, 0.2, 0.3]},
        fixed={"length": 40},
        steps=3,
        burn_in=0,
        reps=2,
        seed=1,
        executor="serial",
        progress=False,
    )
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, TrafficModel)]


def test_each_model_still_numbers_its_agents_from_one():
    first, second = (TrafficModel(length=20, density=0.25, seed=s) for s in (1, 2))
    for model in (second, first):
        assert [a.unique_id for a in model.agents] == [1, 2, 3, 4, 5]
    extra = mesa.Agent(first)
    assert extra.unique_id == 6
