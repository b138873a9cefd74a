"""Synthetic steps with known location and width must be recovered; noise must not be a step."""

import numpy as np
import pandas as pd
import pytest

from emergesim.analysis import logistic, transition
from emergesim.analysis.transitions import RISE_10_90
from emergesim.errors import EmergesimError


def synthetic(location, width, *, noise=0.03, reps=5, seed=0, xs=None):
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, 21) if xs is None else xs
    scale = width / RISE_10_90
    rows = [
        {"x": x, "y": logistic(x, 0.1, 0.9, location, scale) + rng.normal(0, noise), "rep": r}
        for x in xs
        for r in range(reps)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("location", "width"), [(0.4, 0.1), (0.62, 0.25), (0.3, 0.05)])
def test_location_and_width_are_recovered_within_their_intervals(location, width):
    fit = transition(synthetic(location, width), "x", "y", n_boot=150)
    assert fit.detected
    assert fit.location_ci[0] <= location <= fit.location_ci[1]
    assert fit.width_ci[0] <= width <= fit.width_ci[1]
    assert fit.location == pytest.approx(location, abs=0.03)
    assert fit.low == pytest.approx(0.1, abs=0.05) and fit.high == pytest.approx(0.9, abs=0.05)
    assert abs(fit.steepest - location) <= 0.05 + 1e-9  # the grid step is 0.05


def test_a_falling_step_is_a_step_too():
    table = synthetic(0.5, 0.1)
    table["y"] = 1 - table["y"]
    fit = transition(table, "x", "y", n_boot=50)
    assert fit.detected and fit.location == pytest.approx(0.5, abs=0.03)
    assert fit.low > fit.high


def test_single_runs_per_point_use_a_pairs_bootstrap():
    table = synthetic(0.5, 0.2, reps=1, xs=np.linspace(0, 1, 41))
    fit = transition(table, "x", "y", n_boot=100)
    assert fit.detected
    assert fit.location_ci[0] <= 0.5 <= fit.location_ci[1]


@pytest.mark.parametrize("seed", range(8))
def test_pure_noise_is_not_reported_as_a_transition(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"x": np.repeat(np.linspace(0, 1, 21), 5), "y": rng.normal(0.5, 0.1, 105)})
    assert not transition(table, "x", "y", n_boot=20).detected


def test_a_flat_exact_curve_is_not_a_transition():
    table = pd.DataFrame({"x": np.linspace(0, 1, 11), "y": 0.3})
    assert not transition(table, "x", "y", n_boot=10).detected


def test_missing_columns_and_too_few_points_are_refused():
    table = synthetic(0.5, 0.1)
    with pytest.raises(EmergesimError, match="no column 'density'"):
        transition(table, "density", "y")
    with pytest.raises(EmergesimError, match="at least 5 distinct values of x"):
        transition(table[table["x"] < 0.2], "x", "y")
