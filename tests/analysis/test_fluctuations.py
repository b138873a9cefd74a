import numpy as np
import pandas as pd
import pytest

from emergesim.analysis import binder, binder_crossing, fluctuations, susceptibility


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
