import numpy as np
import pandas as pd
import pytest

from emergesim.analysis import binder, binder_crossing, fluctuations, susceptibility
from emergesim.analysis.fluctuations import cumulant_crossing


def test_susceptibility_is_n_times_the_variance():
    assert susceptibility([0.2, 0.4, 0.6, 0.8], n=100) == pytest.approx(100 * 0.05)
    assert susceptibility([0.5] * 4, n=1000) == 0


def test_binder_limits():
    """G = 0 for Gaussian phi around 0 (disorder), 2/3 for a sharp nonzero phi (order)."""
    rng = np.random.default_rng(0)
    assert binder(rng.normal(0, 1, 400_000)) == pytest.approx(0, abs=0.01)
    assert binder(np.full(10, 0.7)) == pytest.approx(2 / 3)
    assert binder(np.array([1.0, -1.0])) == pytest.approx(2 / 3)  # symmetric two-state order


def toy_order(x, size, rng, reps=400):
    """phi sharply ordered below x = 0.5 and Gaussian around 0 above, blurred by 1/sqrt(size)."""
    rows = []
    for value in x:
        ordered = 1 / (1 + np.exp((value - 0.5) * np.sqrt(size)))
        for _ in range(reps):
            phi = rng.normal(0, 1 / np.sqrt(size)) + (ordered > rng.random())
            rows.append({"x": value, "phi": phi, "N": size})
    return rows


def test_chi_peaks_at_the_transition_and_binder_curves_cross_there():
    rng = np.random.default_rng(1)
    x = np.linspace(0.2, 0.8, 13)
    table = pd.DataFrame(toy_order(x, 100, rng) + toy_order(x, 1600, rng))
    big = fluctuations(table[table["N"] == 1600], "x", "phi", "N")
    assert big.peak == pytest.approx(0.5, abs=0.05)
    assert set(big.table.columns) == {"x", "chi", "binder", "runs"}
    assert binder_crossing(table, "x", "phi", "N") == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("inverse_nu", [0.5, 0.8, 1.0])
def test_the_binder_collapse_recovers_nu_and_x_c(inverse_nu):
    """Runs whose moments give U = g((x - 0.4) L^(1/nu)) exactly (m2 = 1, m4 = 3 (1 - U)), with
    noise between runs: the collapse of the two largest sizes finds 1/nu and x_c, and its
    interval holds them (while L = 32's step spans six or more samples: a sharper one is
    interpolated too coarsely and 1/nu comes out low)."""
    rng = np.random.default_rng(3)
    xs = np.linspace(0, 1, 41)
    rows = []
    for size in (8, 16, 32):
        u = (2 / 3) / (1 + np.exp((xs - 0.4) * size**inverse_nu / 2))
        for _ in range(4):
            m4 = 3 * (1 - u) + rng.normal(0, 0.01, xs.size)
            rows.append(pd.DataFrame({"x": xs, "L": size, "m2": 1.0, "m4": m4}))
    found = cumulant_crossing(pd.concat(rows), "x", "L")
    theta, centre = found.inverse_nu, found.collapse_centre
    assert theta.value == pytest.approx(inverse_nu, rel=0.05)
    assert theta.ci[0] <= inverse_nu <= theta.ci[1]
    assert centre.value == pytest.approx(0.4, abs=0.01)
    assert found.collapse_quality < 0.01
