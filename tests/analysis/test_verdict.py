"""One rule for every system: each of the five words from synthetic sweeps with a known answer."""

import json

import numpy as np
import pandas as pd
import pytest
from synthetic import critical, independent, smooth

from emergesim.analysis import WORDS, scaling, trend, verdict


def judge(table, n_boot=100):
    """The verdict on a table of runs with a per-unit score ``unit`` and an all-or-nothing one
    ``all`` at sizes ``L``."""
    per_unit = scaling(table, "x", "unit", "L", n_boot=n_boot)
    return verdict(per_unit, scaling(table, "x", "all", "L", n_boot=n_boot))


def test_a_critical_point_is_collective():
    """Widths ~ L^-1 and chi_max ~ L^1.75, as in the 2D Ising model."""
    result = judge(critical())
    assert result.word == "collective"
    unit = result.reasons["per_unit"]
    assert unit["sharpens"] == "yes" and unit["grows"] == "yes"
    low, high = unit["width_exponent_ci"]
    assert low <= -1 <= high < 0
    assert unit["chi_exponent_ci"][0] > 0
    json.dumps(result.reasons)  # every number behind it is plain data


def test_independent_units_are_composition():
    """p(x) is the same at every size; p^N moves by ln N in x without sharpening."""
    result = judge(independent())
    assert result.word == "composition"
    unit, whole = result.reasons["per_unit"], result.reasons["all_or_nothing"]
    assert unit["sharpens"] == "no" and unit["width_exponent_ci"][0] > -0.1
    assert whole["shifts"] == "yes"
    # a Gumbel step moves by 1 / 3.08 of its 10-90 % width per e-fold of N
    assert whole["shift_in_widths"] == pytest.approx(1 / 3.08, abs=0.03)
    assert whole["detected_sizes"] == [2.0, 4.0, 8.0, 16.0]


def test_the_same_smooth_curves_at_every_size_are_a_crossover():
    result = judge(smooth())
    assert result.word == "crossover"
    for score in ("per_unit", "all_or_nothing"):
        assert result.reasons[score]["sharpens"] == "no"
    assert result.reasons["all_or_nothing"]["shifts"] == "no"


def test_too_few_noisy_points_are_inconclusive_never_a_negative():
    """Two sizes, 17 points, two noisy runs each: the width exponent's interval holds 0 and
    reaches past -1; it can neither confirm nor exclude sharpening."""
    result = judge(critical(sizes=(8, 16), xs=np.linspace(0, 1, 17), reps=2, noise=0.1, seed=1))
    assert result.word == "inconclusive"
    unit = result.reasons["per_unit"]
    low, high = unit["width_exponent_ci"]
    assert low < -1 and high > 0 and unit["sharpens"] == "undecided"


def test_a_step_sharper_than_the_sampling_has_no_width_exponent():
    """At nine points the step at L = 16 rises between two samples: its width is not measured."""
    table = critical(sizes=(8, 16), xs=np.linspace(0, 1, 9), reps=2, noise=0.05, seed=1)
    per_unit = scaling(table, "x", "unit", "L", n_boot=100)
    assert [t.resolved for t in per_unit.transitions.values()] == [True, False]
    assert per_unit.width_exponent is None
    assert per_unit.notes["width_exponent"].startswith("the width at L = 16 is below the sampling")
    assert verdict(per_unit, per_unit).word == "inconclusive"


def test_sharpening_without_growing_fluctuations_is_inconclusive():
    result = judge(critical(growth=0.0))
    assert result.word == "inconclusive"
    assert result.reasons["per_unit"]["sharpens"] == "yes"
    low, high = result.reasons["per_unit"]["chi_exponent_ci"]
    assert low < 0 < high and result.reasons["per_unit"]["grows"] != "yes"


def test_a_line_and_noise_are_no_transition():
    rng = np.random.default_rng(0)
    xs = np.repeat(np.linspace(0, 1, 21), 4)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "x": xs,
                    "L": size,
                    "unit": 0.3 + 0.4 * xs + rng.normal(0, 0.03, xs.size),
                    "all": rng.normal(0.1, 0.03, xs.size),
                }
            )
            for size in (10, 20, 40)
        ]
    )
    result = judge(table, n_boot=50)
    assert result.word == "no transition"
    unit, whole = result.reasons["per_unit"], result.reasons["all_or_nothing"]
    assert unit["detected_sizes"] == whole["detected_sizes"] == []
    assert all(why.startswith("a straight line") for why in unit["not_detected"].values())
    assert all(
        why.startswith("no better than a constant") for why in whole["not_detected"].values()
    )
    assert set(WORDS) == {"collective", "composition", "crossover", "inconclusive", "no transition"}


def test_an_interval_is_read_as_a_change_no_change_or_undecided():
    assert trend((-1.2, -0.4), -1) == "yes"  # shrinks
    assert trend((-0.05, 0.4), -1) == "no"  # shrinks by less than the tolerance, if at all
    assert trend((-0.8, 0.3), -1) == "undecided"  # holds 0 and a critical exponent alike
    assert trend((0.2, 1.5), +1) == "yes" and trend((-0.3, 0.05), +1) == "no"
    assert trend((0.2, 0.5), 0) == "yes" and trend((-0.05, 0.08), 0) == "no"
    assert trend((-0.4, 0.3), 0) == "undecided" and trend((float("nan"),) * 2, 0) == "undecided"
