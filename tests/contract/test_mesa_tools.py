"""Every model works with Mesa's own tools: ``batch_run`` reads its DataCollector, its agents'
``pos`` follow the arrays, and its Mesa space holds every agent where its ``pos`` says. A run of
emergesim's own collects nothing and builds no space.

Mesa 3.3's batch_run takes the seed as a parameter and steps while ``steps <= max_steps``
(reporting rows up to ``max_steps``); 3.5's hands each value of ``rng`` to the model's ``seed``
and steps while ``steps < max_steps``: both report the rows of steps 0 to ``max_steps``.
"""

import ast
import dataclasses
import inspect
from pathlib import Path

import numpy as np
import pytest
from mesa.batchrunner import batch_run
from mesa.space import ContinuousSpace

import emergesim
from emergesim.models.snowflake.model import LIQUID
from emergesim.registry import get_model

MODELS = emergesim.available()
SEEDS = [5, 6]  # two iterations, each on its own seed
STEPS = 3
VARIANT = {"snowflake": 1}  # the card's first variant, or one whose agents change sooner
BUILT_WITH_SPACE = {"skills"}  # its skills live on their graph from the start


def small(name: str) -> tuple[type, dict]:
    """The model and the parameters of one variant of its card."""
    cls = get_model(name)
    return cls, dict(cls.card.variants[VARIANT.get(name, 0)])


def batch(cls: type, params: dict) -> list[dict]:
    """One run per seed, a row per step, on either Mesa."""
    if "rng" in inspect.signature(batch_run).parameters:
        parameters, seeds = params, {"rng": SEEDS}
    else:
        parameters, seeds = {**params, "seed": SEEDS}, {}
    return batch_run(
        cls, parameters, max_steps=STEPS, data_collection_period=1, display_progress=False, **seeds
    )


def observed(cls: type, params: dict, seed: int) -> list[dict[str, float]]:
    """observe() at steps 0 to STEPS of a model stepped by hand, as batch_run steps it."""
    model, rows = cls(seed=seed, collect=False, **params), []
    rows.append(model.observe())
    while model.running and model.steps < STEPS:
        model.step()
        rows.append(model.observe())
    return rows


@pytest.mark.parametrize("name", MODELS)
def test_batch_run_reports_every_observable_as_observe_and_run_give_it(name):
    cls, params = small(name)
    rows = batch(cls, params)
    assert sorted(row["seed"] for row in rows) == sorted(SEEDS * (STEPS + 1))
    for seed in SEEDS:
        expected = observed(cls, params, seed)
        mine = sorted((row for row in rows if row["seed"] == seed), key=lambda row: row["Step"])
        assert [row["Step"] for row in mine] == list(range(STEPS + 1)) == list(range(len(expected)))
        for row, seen in zip(mine, expected, strict=True):
            np.testing.assert_equal({name: row[name] for name in cls.observables}, seen)
        result = emergesim.run(cls, steps=STEPS, burn_in=0, record_every=STEPS, seed=seed, **params)
        np.testing.assert_equal(result.timeseries.iloc[-1].drop("step").to_dict(), expected[-1])


@pytest.mark.parametrize("name", MODELS)
def test_a_model_built_by_hand_collects_and_one_built_by_run_does_not(name, monkeypatch):
    cls, params = small(name)
    calls = []
    observe = cls.observe
    monkeypatch.setattr(cls, "observe", lambda self: calls.append(self.steps) or observe(self))
    result = emergesim.run(cls, steps=4, burn_in=2, record_every=2, seed=1, **params)
    assert calls == [4, 6]  # its own two records, nothing more
    assert result.model.datacollector is None
    assert ("_space" in vars(result.model)) == (name in BUILT_WITH_SPACE)  # nor a space

    calls.clear()
    model = cls(seed=1, **params)
    model.step()
    model.step()
    assert calls == [0, 1, 2]  # row 0, taken by the first step, then a row per step
    table = model.datacollector.get_model_vars_dataframe()
    assert list(table.columns) == list(cls.observables) and len(table) == 3
    quiet = cls(seed=1, collect=False, **params)
    quiet.step()
    assert quiet.datacollector is None and calls == [0, 1, 2]


def _frozen(model) -> list[tuple[int, int]]:
    return sorted(map(tuple, np.argwhere(model.frozen_at != LIQUID).tolist()))


# for each model: its agents that have a place, and where its arrays say they are
PLACES = {
    "flocking": lambda m: (m.birds, list(map(tuple, m.positions.tolist()))),
    "traffic": lambda m: (m.cars, m.positions.tolist()),
    "ising": lambda m: (m.sites, list(np.ndindex(m.spins.shape))),
    "snowflake": lambda m: (sorted(m.ice, key=lambda ice: ice.pos), _frozen(m)),
    "skills": lambda m: (m.skills, list(range(m.n_skills))),
    "grokking": lambda m: (m.numbers, [None] * m.p),
}
CHANGING = {"flocking", "traffic", "snowflake"}  # birds and cars move, the crystal grows


def test_every_model_says_where_its_agents_are():
    assert set(PLACES) == set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_pos_is_read_from_the_arrays_after_every_step(name):
    cls, params = small(name)
    model = cls(seed=2, collect=False, **params)
    before = PLACES[name](model)[1]
    for _ in range(3):
        model.step()
        agents, places = PLACES[name](model)
        assert [agent.pos for agent in agents] == places
    assert (places != before) == (name in CHANGING)


def holds(space, agent) -> bool:
    """Whether ``space`` has ``agent`` where its ``pos`` says."""
    if isinstance(space, ContinuousSpace):  # its neighbour queries read the space's own copy
        return agent in space.get_neighbors(agent.pos, 0)
    return list(space[agent.pos].agents) == [agent]


@pytest.mark.parametrize("name", MODELS)
def test_the_space_holds_every_agent_at_its_pos_and_leaves_the_run_alone(name):
    cls, params = small(name)
    model, alone = (cls(seed=4, collect=False, **params) for _ in range(2))
    model.step()
    if name in ("traffic", "grokking"):
        assert model.space is None  # no Mesa space: a ring of cells, a network's weights
        return
    agents = PLACES[name](model)[0]
    assert all(holds(model.space, agent) for agent in agents)
    for _ in range(4):  # the birds move, the crystal grows: the space follows
        model.step()
    later, space = PLACES[name](model)[0], model.space
    assert set(space.agents) == set(later) and all(holds(space, agent) for agent in later)
    assert len(later) > len(agents) or name != "snowflake"  # ice cells placed on access
    for _ in range(5):
        alone.step()
    np.testing.assert_equal(model.observe(), alone.observe())
    np.testing.assert_equal(dataclasses.asdict(model.frame()), dataclasses.asdict(alone.frame()))


def test_a_bird_moved_in_mesas_space_moves_in_the_arrays():
    cls, params = small("flocking")
    model = cls(seed=1, collect=False, **params)
    bird = model.birds[3]
    model.space.move_agent(bird, (model.width + 1.5, -0.5))  # wrapped into the box
    assert model.positions[3].tolist() == [1.5, model.height - 0.5] == list(bird.pos)


def test_a_car_refuses_a_pos_it_cannot_keep():
    cls, params = small("traffic")
    car = cls(seed=1, collect=False, **params).cars[0]
    with pytest.raises(AttributeError):
        car.pos = car.pos + 1  # cars keep their order on the ring: only the kernels move them


def test_readme_batch_run_example_runs_and_reports_each_density(capsys):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## With Mesa's own tools", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    rows = ast.literal_eval(capsys.readouterr().out)
    assert [density for density, _, _ in rows] == [0.1, 0.3]
    assert all(step >= 50 and 0 <= jammed <= 1 for _, step, jammed in rows)
