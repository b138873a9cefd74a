import numpy as np
import pytest

from emergesim.streams import draw_key, uniform, uniform_py


def test_outputs_are_splitmix64():
    """SplitMix64 started at 0 first returns 0xE220A8397B1DCDAF (Steele et al. 2014's generator
    as in Vigna's reference code); we keep its top 53 bits."""
    assert uniform_py(0, 0) == (0xE220A8397B1DCDAF >> 11) * 2.0**-53


def test_numba_and_python_agree_bit_for_bit():
    keys = [draw_key(np.random.default_rng(seed)) for seed in range(5)]
    assert all(0 <= key < 2**63 for key in keys)  # an int64 for numba
    for key in [*keys, 0, 2**63 - 1]:
        for i in [0, 1, 2, 1000, 2**40]:
            assert uniform(key, i) == uniform_py(key, i)


def test_numbers_are_uniform():
    """10^5 numbers in 10 bins: chi-square with 9 degrees of freedom stays below 27.9
    (p = 0.001) for a uniform source."""
    key = draw_key(np.random.default_rng(3))
    values = np.array([uniform(key, i) for i in range(100_000)])
    assert values.min() >= 0 and values.max() < 1
    counts = np.histogram(values, bins=10, range=(0, 1))[0]
    chi2 = ((counts - 10_000) ** 2 / 10_000).sum()
    assert chi2 < 27.9
    assert values.mean() == pytest.approx(0.5, abs=0.005)
