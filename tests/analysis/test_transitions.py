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
    assert fit.kind == "step"
    # a step sharper than the sampling puts its midpoint on a sample: allow for rounding there
    assert fit.location_ci[0] - 1e-12 <= location <= fit.location_ci[1] + 1e-12
    assert fit.width_ci[0] <= width <= fit.width_ci[1]
    assert fit.location == pytest.approx(location, abs=0.03)
    assert fit.low == pytest.approx(0.1, abs=0.05) and fit.high == pytest.approx(0.9, abs=0.05)
    assert abs(fit.steepest - location) <= 0.05 + 1e-9  # the grid step is 0.05
    assert fit.resolved == (width > 0.1)  # 2 samples inside the 10-90 % rise, 0.05 apart


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


def rows(xs, ys, reps=3, noise=0.01, seed=0):
    """``reps`` runs at each x of the curve ``ys``, with Gaussian noise between runs."""
    rng = np.random.default_rng(seed)
    xs, ys = np.repeat(xs, reps), np.repeat(ys, reps)
    return pd.DataFrame({"x": xs, "y": ys + rng.normal(0, noise, xs.size)})


@pytest.mark.parametrize("seed", range(3))
def test_a_straight_line_is_no_transition_and_says_so(seed):
    xs = np.linspace(0, 1, 21)
    fit = transition(rows(xs, 0.5 * xs, reps=5, noise=0.03, seed=seed), "x", "y", n_boot=50)
    assert not fit.detected and fit.kind is None
    assert fit.reason.startswith("a straight line explains it as well")
    assert fit.conclusive  # rules out a step larger than the scatter between runs
    exact = transition(pd.DataFrame({"x": xs, "y": 0.5 * xs}), "x", "y", n_boot=20)
    assert exact.kind is None and exact.conclusive and "the line fits exactly" in exact.reason


def test_noise_is_no_transition_and_too_few_noisy_runs_cannot_rule_one_out():
    xs = np.linspace(0, 1, 21)
    noise = transition(rows(xs, 0.5 + 0 * xs, reps=5, noise=0.1), "x", "y", n_boot=50)
    assert noise.kind is None and noise.conclusive
    assert noise.reason.startswith("no better than a constant (noise)")
    few = np.linspace(0, 1, 8)
    hidden = rows(few, logistic(few, 0, 1, 0.5, 0.05), reps=2, noise=0.4, seed=1)
    fit = transition(hidden, "x", "y", n_boot=100)
    assert fit.kind is None and not fit.conclusive and "not ruled out" in fit.reason


def test_a_knee_is_located_at_its_onset():
    """Traffic's jammed fraction: zero up to the critical density, then a rise that keeps going
    to the end of the sweep. A logistic would put its midpoint at the sweep's end; a knee is
    reported at the onset, 0.15."""
    xs = np.linspace(0.04, 0.26, 23)
    hinge = 2 * np.maximum(0, xs - 0.15)
    hinges = [transition(rows(xs, hinge, seed=seed), "x", "y") for seed in range(5)]
    assert all(h.detected and h.kind == "knee" and h.flat == "below" for h in hinges)
    assert all(h.location == pytest.approx(0.15, abs=0.005) for h in hinges)
    assert sum(h.location_ci[0] <= 0.15 <= h.location_ci[1] for h in hinges) >= 4  # 95 % intervals
    saturating = 0.8 * (1 - np.exp(-np.maximum(0, xs - 0.15) / 0.1))
    fit = transition(rows(xs, saturating), "x", "y", n_boot=100)
    assert fit.kind == "knee" and fit.location == pytest.approx(0.15, abs=0.02)
    assert fit.low == pytest.approx(0, abs=0.01) and fit.high == pytest.approx(0.53, abs=0.05)
    assert fit.curve(xs[[0, -1]]) == pytest.approx([fit.low, fit.high])  # at the sweep's ends


def test_a_rise_that_bends_over_is_a_power_knee_at_its_onset():
    """Traffic's jammed fraction rises steeply after the onset and then ever more slowly: the
    power q = 1/2 beats the straight hinge by the F-test and the onset stays at 0.15. A straight
    hinge keeps q = 1."""
    xs = np.linspace(0.04, 0.5, 47)
    for seed in range(3):
        fit = transition(rows(xs, 0.8 * np.maximum(0, xs - 0.15) ** 0.5, seed=seed), "x", "y")
        assert fit.kind == "knee" and fit.power == 0.5
        assert fit.location == pytest.approx(0.15, abs=0.005)
    xs = np.linspace(0.04, 0.26, 23)
    hinges = [
        transition(rows(xs, 2 * np.maximum(0, xs - 0.15), seed=s), "x", "y") for s in range(5)
    ]
    assert [h.power for h in hinges] == [1.0] * 5


def test_a_slope_that_ends_in_a_flat_part_is_a_knee_too():
    """A magnetization falling linearly to zero at 0.3 and staying there."""
    xs = np.linspace(0, 0.5, 26)
    fit = transition(rows(xs, 3 * np.maximum(0, 0.3 - xs)), "x", "y", n_boot=100)
    assert fit.kind == "knee" and fit.flat == "above"
    assert fit.location_ci[0] <= 0.3 <= fit.location_ci[1]
    assert fit.low == pytest.approx(0.9, abs=0.02) and fit.high == pytest.approx(0, abs=0.01)


def test_a_step_cut_off_by_the_end_of_the_sweep_is_not_a_step():
    """Its midpoint would sit past the sweep's end: neither a step nor a knee is detected, and
    the negative is not conclusive (the sweep is too short to tell)."""
    xs = np.linspace(0.04, 0.26, 23)
    fit = transition(rows(xs, logistic(xs, 0, 0.8, 0.3, 0.03)), "x", "y", n_boot=50)
    assert not fit.detected and fit.kind is None and not fit.conclusive
    assert "lies at the edge of the swept range" in fit.reason
    wide = transition(synthetic(1.0, 0.2), "x", "y", n_boot=50)
    assert wide.kind is None and "beyond each end" in wide.reason
    late = transition(synthetic(0.9, 0.3), "x", "y", n_boot=50)  # 90 % point at 1.05
    assert late.kind == "knee" and late.location == pytest.approx(0.77, abs=0.02)


def test_non_numeric_and_repeated_columns_are_refused_with_the_columns_allowed():
    table = synthetic(0.5, 0.1).assign(label="a")
    allowed = r"column 'label' is not numeric \(\w+\); numeric columns: x, y, rep$"
    with pytest.raises(EmergesimError, match=allowed):
        transition(table, "x", "label")
    with pytest.raises(EmergesimError, match="x and y are both 'x'"):
        transition(table, "x", "x")
