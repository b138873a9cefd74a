"""Finite-size scaling recovers the x_inf, nu and gamma/nu that synthetic data were built with."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from synthetic import critical

from emergesim.analysis import cumulant_crossing, draw_collapse, logistic, scaling
from emergesim.analysis.transitions import RISE_10_90


@pytest.fixture(scope="module")
def ising_like():
    """x_c(L) = 0.5 + 0.5 / L, width ~ 1/L (nu = 1), chi_max ~ L^1.75, at L = 8 ... 64."""
    return scaling(critical(), "x", "unit", "L", n_boot=100)


def test_the_width_exponent_and_nu_are_recovered_within_their_intervals(ising_like):
    b = ising_like.width_exponent
    assert b.ci[0] <= -1 <= b.ci[1] and b.value == pytest.approx(-1, abs=0.05)
    assert ising_like.nu_from == "width exponent"
    assert ising_like.nu.ci[0] <= 1 <= ising_like.nu.ci[1]
    assert ising_like.sizes == (8.0, 16.0, 32.0, 64.0)


def test_the_location_is_extrapolated_to_infinite_size(ising_like):
    x_inf, a = ising_like.x_inf, ising_like.amplitude
    assert x_inf.ci[0] <= 0.5 <= x_inf.ci[1] and x_inf.value == pytest.approx(0.5, abs=0.003)
    assert a.ci[0] <= 0.5 <= a.ci[1]
    # the largest size alone is off by a / L = 0.008, more than the interval's whole width
    assert abs(ising_like.transitions[64.0].location - 0.5) > x_inf.ci[1] - x_inf.ci[0]


def test_the_curves_collapse_onto_one_in_the_scaled_control(ising_like):
    assert ising_like.collapse_quality < 0.01
    collapse = ising_like.collapse
    assert set(collapse.columns) == {"L", "x", "unit", "scaled"}
    middle = collapse[np.isclose(collapse["unit"], 0.5, atol=0.1)]
    assert middle["scaled"].abs().max() < 1.5  # every size crosses y = 1/2 at the same scaled x
    # unscaled they do not: at x = 0.55 the smallest size is below 1/2, the largest near 1
    at = collapse[np.isclose(collapse["x"], 0.55, atol=0.005)].set_index("L")["unit"]
    assert at[8] < 0.5 and at[64] > 0.9
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    draw_collapse(ax, ising_like)
    assert len(ax.lines) == 4 and "L^(1/" in ax.get_xlabel()


def test_the_susceptibility_peak_grows_as_l_to_gamma_over_nu(ising_like):
    chi = ising_like.chi_exponent
    assert chi.ci[0] <= 1.75 <= chi.ci[1] and chi.ci[0] > 0
    assert list(ising_like.chi_peaks) == [8.0, 16.0, 32.0, 64.0]


def test_nu_is_fitted_from_the_shift_when_the_width_does_not_change():
    """x_c(L) = 0.4 + 0.3 L^(-1/2) at a fixed width: nu = 2 comes from the locations alone."""
    rng = np.random.default_rng(0)
    xs = np.linspace(0, 1, 41)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "x": xs,
                    "L": size,
                    "y": logistic(xs, 0, 1, 0.4 + 0.3 / size**0.5, 0.1 / RISE_10_90)
                    + rng.normal(0, 0.01, xs.size),
                }
            )
            for size in (4, 16, 64, 256)
            for _ in range(4)
        ]
    )
    result = scaling(table, "x", "y", "L", n_boot=100)
    assert result.nu_from == "location shift"
    assert result.nu.ci[0] <= 2 <= result.nu.ci[1]
    assert result.x_inf.ci[0] <= 0.4 <= result.x_inf.ci[1]
    assert result.width_exponent.ci[0] < 0 < result.width_exponent.ci[1]


def test_two_sizes_give_exponents_but_no_extrapolation():
    result = scaling(critical(sizes=(8, 16)), "x", "unit", "L", n_boot=50)
    assert result.width_exponent.ci[1] < 0
    assert result.x_inf is None and result.nu is None and result.collapse is None
    assert result.notes["nu"] == "extrapolating needs transitions at 3 sizes, found 2"
    assert result.binder is None and "m2" in result.notes["binder"]


def binder_runs(centre, scale, sizes=(8, 16, 32), seed=0):
    """Runs whose window means of m^2 and m^4 give U = (2/3) / (1 + exp((x - centre(L)) /
    scale(L))): ordered (2/3) below the centre, disordered (0) above."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, 41)
    frames = []
    for size in sizes:
        u = logistic(xs, 2 / 3, 0, centre(size), scale(size))
        for _ in range(5):
            m2 = 1 + rng.normal(0, 0.02, xs.size)
            m4 = 3 * (1 - u) + rng.normal(0, 0.02, xs.size)
            frames.append(pd.DataFrame({"x": xs, "L": size, "m2": m2, "m4": m4}))
    return pd.concat(frames, ignore_index=True)


def test_binder_curves_of_successive_sizes_cross_at_the_critical_point():
    crossing = cumulant_crossing(binder_runs(lambda s: 0.6, lambda s: 0.5 / s), "x", "L")
    assert crossing.location == pytest.approx(0.6, abs=0.005)
    assert crossing.location_ci[0] <= 0.6 <= crossing.location_ci[1]
    assert crossing.pairs.keys() == {(8.0, 16.0), (16.0, 32.0)}
    assert crossing.pairs[(8.0, 16.0)] == pytest.approx(0.6, abs=0.015)
    assert crossing.crossed > 0.9  # of the bootstrap draws
    u = crossing.table.set_index(["x", "L"])["binder"]
    assert u[(0.0, 32)] == pytest.approx(2 / 3, abs=0.02) and u[(1.0, 32)] == pytest.approx(
        0, abs=0.02
    )


def test_curves_that_only_meet_on_their_plateaus_do_not_cross():
    """Parallel curves, moved apart: equal (to noise) on both plateaus, never crossing."""
    runs = binder_runs(lambda s: 0.3 + s / 100, lambda s: 0.05)
    crossing = cumulant_crossing(runs, "x", "L")
    assert crossing.location is None and crossing.location_ci is None
    assert (
        crossing.reason == "the Binder curves of L = 16 and 32 do not cross inside the swept range"
    )
    fss = scaling(runs.assign(y=runs["m2"]), "x", "y", "L", n_boot=20)
    assert fss.binder == cumulant_crossing(runs, "x", "L", n_boot=20)


def test_steps_sharper_than_the_sampling_at_four_sizes_leave_nu_unmeasured():
    """Every width below the grid spacing: neither the width exponent nor the shift in widths
    is measured, so nu is None with the reason (the full comparison's traffic rows hit this)."""
    xs = np.linspace(0, 1, 21)
    table = pd.concat(
        [
            pd.DataFrame({"x": xs, "L": size, "y": (xs > 0.3 + 0.2 / size).astype(float)})
            for size in (4, 16, 64, 256)
            for _ in range(3)
        ]
    )
    result = scaling(table, "x", "y", "L", n_boot=50)
    assert len(result.sizes) == 4
    assert result.width_exponent is None and result.nu is None
    assert "shift is not measured" in result.notes["nu"]
