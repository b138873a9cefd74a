"""The agents that view rows of a model's arrays (RowAgent) are made when first asked for.

Until then a model holds only its arrays: building it, stepping it, observing it, running it and
drawing its frames make none. The first access to ``model.agents`` (or ``agents_by_type``,
``agent_types``, a new agent, the space...) makes them all at once, the same agents, in the same
order and with the same unique_ids as if they had been made in ``__init__``; from then on they
are plain Mesa, and Mesa's AgentSet reads and writes the arrays through them. Making them changes
nothing of the trajectory. Agents are counted with the garbage collector, which sees them on
Mesa 3.3 and 3.5 alike.
"""

import dataclasses
import gc
import math

import mesa
import numpy as np
import pytest

import emergesim
from emergesim.model import RowAgent
from emergesim.registry import get_model

MODELS = emergesim.available()
# each model with agents on rows: the attribute listing them, in row order
ROWS = {
    "flocking": "birds",
    "traffic": "cars",
    "ising": "sites",
    "grokking": "numbers",
    "skills": "language_models",
}
STEPS = 4
IN_SPACE = {"flocking", "ising"}  # their row agents live in Mesa's space (skills': its skills)


def build(name: str, seed: int = 3):
    cls = get_model(name)
    return cls(seed=seed, collect=False, **cls.card.variants[0])


def row_agents_of(model) -> list[RowAgent]:
    """Every RowAgent object of ``model`` alive in this process."""
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, RowAgent) and o.model is model]


def state(model) -> tuple[dict, dict]:
    return model.observe(), dataclasses.asdict(model.frame())


def test_every_model_with_row_agents_is_listed():
    with_rows = {name for name in MODELS if build(name).row_agents}
    assert with_rows == set(ROWS)


@pytest.mark.parametrize("name", MODELS)
def test_building_stepping_observing_and_running_make_no_row_agent(name):
    model = build(name)
    counted = model.count_agents()
    for _ in range(STEPS):
        model.step()
    state(model)
    assert row_agents_of(model) == []
    assert model.count_agents() == counted == len(model.agents)  # now made
    result = emergesim.run(name, seed=1, steps=3, burn_in=1, frames=True)
    assert row_agents_of(result.model) == []
    result.susceptibility()  # counts the agents without making them
    assert row_agents_of(result.model) == []


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_first_access_makes_the_agents_of_every_row_in_order(name):
    model = build(name)
    before = len(model._all_agents)  # Mesa's own set: agents not on rows (skills' skill graph)
    agents = list(model.agents)
    rows = getattr(model, ROWS[name])
    n = len(rows)
    assert n > 0 and len(agents) == before + n == model.count_agents()
    assert agents[before:] == rows and [agent.index for agent in rows] == list(range(n))
    assert [agent.unique_id for agent in agents] == list(range(1, len(agents) + 1))
    assert len(row_agents_of(model)) == n
    assert type(rows[0]) in model.agent_types
    assert list(model.agents_by_type[type(rows[0])]) == rows
    assert model.agents is model.agents and getattr(model, ROWS[name]) is rows  # made once


@pytest.mark.parametrize("name", sorted(ROWS))
@pytest.mark.parametrize("access", ["agents_by_type", "agent_types", ROWS])
def test_any_view_of_the_agents_makes_them_all(name, access):
    model = build(name)
    getattr(model, ROWS[name] if access is ROWS else access)
    assert len(row_agents_of(model)) == len(model.row_agents) > 0


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_space_of_the_rows_makes_them(name):
    model = build(name)
    model.step()
    model.space  # noqa: B018
    assert bool(row_agents_of(model)) == (name in IN_SPACE)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_new_agent_comes_after_the_rows_with_the_next_id(name):
    model = build(name)
    newcomer = mesa.Agent(model)
    rows, agents = getattr(model, ROWS[name]), list(model.agents)
    assert agents[-1] is newcomer and agents[-1 - len(rows) : -1] == rows
    # the ids they would have had if made in __init__, and the next one for the newcomer
    assert [agent.unique_id for agent in agents] == list(range(1, len(agents) + 1))


@pytest.mark.parametrize("name", sorted(ROWS))
def test_removing_all_agents_removes_those_not_made_yet(name):
    model = build(name)
    model.remove_all_agents()
    assert len(model.agents) == 0 == model.count_agents()


@pytest.mark.parametrize("name", sorted(ROWS))
@pytest.mark.parametrize("backend", ["numba", "python"])
def test_making_the_agents_changes_nothing_of_the_trajectory(name, backend):
    cls = get_model(name)
    params = cls.card.variants[0]
    first, midway, never = (cls(seed=8, backend=backend, collect=False, **params) for _ in range(3))
    first.agents  # noqa: B018
    for step in range(STEPS):
        if step == STEPS // 2:
            midway.agents  # noqa: B018
        for model in (first, midway, never):
            model.step()
        np.testing.assert_equal(state(first), state(never))
        np.testing.assert_equal(state(midway), state(never))
    if backend == "numba":  # the twin works agent by agent: it makes them
        assert row_agents_of(never) == []


def flocking_after_steps():
    model = get_model("flocking")(seed=5, n_agents=60, width=12, height=9, vision=2, noise=0.4)
    for _ in range(STEPS):
        model.step()
    return model


def test_birds_through_mesas_agentset_read_the_arrays():
    model = flocking_after_steps()
    agents, positions, directions = model.agents, model.positions, model.directions
    assert len(agents) == model.n_agents
    assert agents.get("pos") == list(map(tuple, positions.tolist()))
    assert agents.get("direction") == list(map(tuple, directions.tolist()))
    east = agents.select(lambda bird: bird.direction[0] > 0)
    assert sorted(bird.index for bird in east) == np.flatnonzero(directions[:, 0] > 0).tolist()
    assert agents.agg("index", max) == model.n_agents - 1
    halves = agents.groupby(lambda bird: bird.pos[0] < model.width / 2).count()
    assert halves.get(True, 0) == int((positions[:, 0] < model.width / 2).sum())
    seen = []
    agents.shuffle_do(lambda bird: seen.append(bird.index))
    assert sorted(seen) == list(range(model.n_agents)) and seen != sorted(seen)


def test_birds_moved_through_mesas_agentset_move_in_the_arrays():
    model = flocking_after_steps()
    start = model.positions
    model.agents.do("fly", (0.0, 1.0))  # every bird heads north and moves ``speed``
    expected = np.column_stack([start[:, 0], (start[:, 1] + model.speed) % model.height])
    np.testing.assert_allclose(model.positions, expected)
    assert (model.directions == [0.0, 1.0]).all()
    north = model.agents.select(lambda bird: math.isclose(bird.heading, math.pi / 2))
    assert len(north) == model.n_agents


def test_cars_through_mesas_agentset_read_the_arrays():
    model = get_model("traffic")(seed=2, length=200, density=0.3, p_slow=0.3)
    for _ in range(STEPS):
        model.step()
    cars = model.agents
    assert len(cars) == model.positions.size == 60
    assert cars.get(["pos", "speed"]) == np.column_stack([model.positions, model.speeds]).tolist()
    assert cars.agg("speed", sum) == int(model.speeds.sum())
    moving = cars.select(lambda car: car.speed > 0)
    assert [car.index for car in moving] == np.flatnonzero(model.speeds > 0).tolist()
    by_speed = cars.groupby("speed").count()
    values, counts = np.unique(model.speeds, return_counts=True)
    assert by_speed == dict(zip(values.tolist(), counts.tolist(), strict=True))
    model.step()  # the agents follow the arrays
    assert cars.get("pos") == model.positions.tolist()
    assert cars.get("speed") == model.speeds.tolist()


def test_spins_flipped_through_mesas_agentset_flip_in_the_array():
    model = get_model("ising")(seed=1, size=6)
    model.step()
    before = model.spins.copy()
    model.agents.select(lambda spin: spin.colour == 0).do("flip")
    black = (np.add.outer(np.arange(6), np.arange(6)) % 2) == 0
    np.testing.assert_equal(model.spins, np.where(black, -before, before))
    assert model.agents.get("spin") == model.spins.ravel().tolist()


def test_row_agents_are_given_once():
    model = build("traffic")
    with pytest.raises(RuntimeError, match="already"):
        model.add_row_agents(type(model.cars[0]), 3)
