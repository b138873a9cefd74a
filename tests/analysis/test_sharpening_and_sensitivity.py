import dataclasses

import numpy as np
import pandas as pd
import pytest

from emergesim import EmergesimError
from emergesim.analysis import indicator, logistic, metric_sensitivity, sharpening
from emergesim.analysis.sharpening import fit_by_size
from emergesim.analysis.transitions import RISE_10_90, transition


def steps_by_size(exponent, sizes=(100, 400, 1600), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        scale = 0.3 * (size / 100) ** exponent / RISE_10_90
        for x in np.linspace(0, 1, 41):
            for _ in range(4):
                y = logistic(x, 0, 1, 0.5, scale) + rng.normal(0, 0.02)
                rows.append({"x": x, "y": y, "L": size})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("exponent", [-0.5, 0.0])
def test_the_width_exponent_is_recovered(exponent):
    result = sharpening(steps_by_size(exponent), "x", "y", "L", n_boot=100)
    assert result.exponent == pytest.approx(exponent, abs=0.05)
    assert result.exponent_ci[0] <= exponent <= result.exponent_ci[1]
    assert result.sharpens == (exponent < 0)
    assert sorted(result.transitions) == [100, 400, 1600]


def composed(k, seed=0):
    """Schaeffer's mirage: per-step success p(x) rises smoothly; exact match over k steps is p^k."""
    rng = np.random.default_rng(seed)
    rows = []
    for x in np.linspace(0, 6, 41):
        p = np.exp(-3 * np.exp(-x))  # smooth in x
        for _ in range(4):
            q = np.clip(p + rng.normal(0, 0.005), 0, 1)
            rows.append({"x": x, "exact": q**k, "partial": q})
    return pd.DataFrame(rows)


def test_composition_is_a_metric_effect():
    """Exact match at its midpoint needs p = 0.5^(1/k): 97 % of the per-step rise is done."""
    result = metric_sensitivity(composed(k=20), "x", "exact", "partial", n_boot=50)
    assert result.discontinuous.detected and result.continuous.detected
    assert result.progress_at_jump > 0.9
    assert not result.survives


def test_a_collective_step_survives_a_continuous_metric():
    table = steps_by_size(-0.5, sizes=(1600,))
    table["jammed"] = indicator(table["y"], 0.5)
    result = metric_sensitivity(table, "x", "jammed", "y", n_boot=50)
    assert result.progress_at_jump == pytest.approx(0.5, abs=0.05)  # both rise together
    assert result.continuous.detected and result.survives
    assert indicator([0.2, 0.5, 0.7], 0.5).tolist() == [0.0, 0.0, 1.0]


def test_sizes_that_are_not_positive_numbers_are_refused_with_their_values():
    table = steps_by_size(0.0, sizes=(0, 100))
    with pytest.raises(EmergesimError, match=r"the sizes in 'L' must be positive .*got 0$"):
        sharpening(table, "x", "y", "L")
    with pytest.raises(EmergesimError, match="column 'kind' is not numeric"):
        sharpening(table.assign(kind="small"), "x", "y", "kind")
    with pytest.raises(EmergesimError, match=r"at least two values of 'L', got 100$"):
        sharpening(table[table["L"] == 100], "x", "y", "L")


def test_a_non_numeric_order_parameter_or_x_equal_to_y_is_refused():
    table = steps_by_size(0.0, sizes=(100, 400)).assign(label="on")
    with pytest.raises(EmergesimError, match=r"column 'label' is not numeric.*columns: x, y, L$"):
        sharpening(table, "x", "label", "L")
    with pytest.raises(EmergesimError, match="x and y are both 'y'"):
        sharpening(table, "y", "y", "L")


def test_an_interval_that_cannot_tell_is_read_as_such():
    result = sharpening(steps_by_size(-0.5), "x", "y", "L", n_boot=50)
    assert result.reading == "sharpens"
    flat = sharpening(steps_by_size(0.0), "x", "y", "L", n_boot=50)
    assert flat.reading == "does not sharpen" and not flat.sharpens
    wide = dataclasses.replace(flat, exponent_ci=(-0.8, 0.3))
    assert wide.reading == "cannot tell" and not wide.sharpens


def test_widths_shrinking_as_one_over_l_give_an_exponent_interval_holding_minus_one():
    result = sharpening(steps_by_size(-1.0, sizes=(100, 200, 400)), "x", "y", "L", n_boot=100)
    assert result.exponent_ci[0] <= -1 <= result.exponent_ci[1] < 0
    assert result.exponent == pytest.approx(-1, abs=0.05)


def test_every_size_is_measured_in_one_form_so_that_widths_compare():
    """Three sizes make a knee rising as a square root, one a logistic step: the step's size is
    fitted again as the common knee (a step's width and a knee's rounding are not one measure)."""
    xs = np.linspace(0, 1, 41)
    rng = np.random.default_rng(0)
    curves = {size: 0.8 * np.maximum(0, xs - 0.3) ** 0.5 for size in (1, 2, 3)}
    curves[4] = logistic(xs, 0, 0.6, 0.5, 0.05)
    table = pd.concat(
        pd.DataFrame({"x": xs, "L": size, "y": y + rng.normal(0, 0.005, xs.size)})
        for size, y in curves.items()
        for _ in range(3)
    )
    alone = transition(table[table["L"] == 4], "x", "y")
    assert alone.kind == "step"
    fits = fit_by_size(table, "x", "y", "L", n_boot=50, confidence=0.95, seed=0)
    assert {(t.shape, t.flat, t.power) for t in fits.values()} == {("knee", "below", 0.5)}
