"""Mesa's own visualization tools (mesa.visualization, with the viz extra) take every model: its
parameter check passes, and its space drawing draws each agent at its ``pos``."""

import os
from importlib.util import find_spec

import numpy as np
import pytest

if find_spec("solara_assets") is None:  # mesa.visualization imports solara
    if os.environ.get("EMERGESIM_BROWSER_TESTS") == "required":
        pytest.fail("Mesa's drawing needs the viz extra", pytrace=False)
    pytest.skip("needs the viz extra (pip install 'emergesim[viz]')", allow_module_level=True)

from matplotlib.figure import Figure
from mesa.visualization.mpl_space_drawing import draw_space
from mesa.visualization.solara_viz import _check_model_params

from emergesim.registry import available, get_model

SPACES = {
    "flocking": {"n_agents": 50, "width": 5, "height": 5, "vision": 1},
    "ising": {"size": 8},
    "snowflake": {"radius": 20},
    "skills": {},
}


@pytest.mark.parametrize("name", SPACES)
def test_mesa_draws_every_agent_of_the_space_where_its_pos_says(name):
    model = get_model(name)(seed=1, collect=False, **SPACES[name])
    for _ in range(30):
        if model.running:
            model.step()
    ax = Figure().add_subplot()
    draw_space(model.space, lambda agent: {"size": 5}, ax=ax)
    drawn = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    placed = [agent for agent in model.agents if agent.pos is not None]
    assert len(drawn) >= len(placed) > 0
    if name in ("flocking", "ising"):  # points drawn where the agents are, no other points
        where = np.array([agent.pos for agent in placed], dtype=float)
        np.testing.assert_allclose(_rows_sorted(drawn), _rows_sorted(where))


def _rows_sorted(points: np.ndarray) -> np.ndarray:
    return points[np.lexsort(points.T[::-1])]


@pytest.mark.parametrize("name", available())
def test_mesas_parameter_check_accepts_every_model_with_its_parameters(name):
    cls = get_model(name)
    values = {param: spec.default for param, spec in cls.params.items()}
    assert _check_model_params(cls.__init__, values) is None  # SolaraViz's check: no ValueError
