import numpy as np
import pytest

from emergesim import Param, ParameterError, ParamSet
from emergesim.params import MAX_SEED, check_count, check_seed


def test_numbers_are_parsed_and_bounds_enforced():
    p = Param("density", 0.2, "cars per cell", float, 0.0, 1.0)
    assert p.coerce("0.35") == 0.35
    assert p.coerce(1) == 1.0
    for bad in ("abc", 1.5, -0.1, "nan", True, None):
        with pytest.raises(ParameterError, match=r"'density' must be a number in \[0, 1\]"):
            p.coerce(bad)


def test_integers_accept_whole_numbers_only():
    p = Param("length", 100, "cells", int, 2, 1e9)
    assert p.coerce("1e6") == 1_000_000
    assert isinstance(p.coerce(5.0), int)
    with pytest.raises(ParameterError, match=r"an integer in \[2, 1e\+09\], got 2.5"):
        p.coerce(2.5)
    with pytest.raises(ParameterError):
        p.coerce(1)


def test_open_lower_bound_and_choices_and_bools():
    positive = Param("n_params", 1e9, "parameters", float, 0.0, low_open=True)
    assert positive.allowed() == "a number > 0"
    with pytest.raises(ParameterError, match="a number > 0, got 0"):
        positive.coerce(0)
    fraction = Param("fraction", 0.5, "a share", float, 0, 1, low_open=True, high_open=True)
    assert fraction.allowed() == "a number in (0, 1)"
    for bad in (0, 1):
        with pytest.raises(ParameterError, match=r"'fraction' must be a number in \(0, 1\)"):
            fraction.coerce(bad)
    rule = Param("rule", "boids", "update rule", str, choices=("boids", "vicsek"))
    assert rule.coerce("vicsek") == "vicsek"
    with pytest.raises(ParameterError, match="one of 'boids', 'vicsek', got 'swarm'"):
        rule.coerce("swarm")
    flag = Param("flag", False, "a switch", bool)
    assert flag.coerce("true") is True and flag.coerce("0") is False
    with pytest.raises(ParameterError):
        flag.coerce("maybe")


def test_paramset_fills_defaults_and_refuses_unknown_names():
    ps = ParamSet(Param("a", 1, "a", int, 0, 10), Param("b", 0.5, "b", float, 0, 1))
    assert ps.validate({"b": "0.25"}) == {"a": 1, "b": 0.25}
    with pytest.raises(ParameterError, match="unknown parameter 'c' for toy; allowed: a, b"):
        ps.validate({"c": 1}, model="toy")
    ps.check_names(["b", "a"], model="toy")
    with pytest.raises(ParameterError, match="unknown parameter 'd' for toy; allowed: a, b"):
        ps.check_names(["a", "d", "e"], model="toy")


def test_counts_are_integers_from_a_minimum():
    assert check_count("reps", 3, minimum=1) == 3
    assert type(check_count("reps", np.int64(3), minimum=1)) is int
    assert check_count("burn_in", 0, minimum=0) == 0
    for bad in (0, 2.0, "3", True, None):
        with pytest.raises(ParameterError, match=f"reps must be an integer >= 1, got {bad!r}"):
            check_count("reps", bad, minimum=1)


def test_seeds_fit_an_int64_column_and_none_draws_a_fresh_one():
    assert MAX_SEED == 2**63
    assert check_seed(0) == 0 and check_seed(MAX_SEED - 1) == MAX_SEED - 1
    assert type(check_seed(np.uint64(7))) is int
    fresh = {check_seed(None) for _ in range(4)}
    assert len(fresh) == 4 and all(0 <= s < MAX_SEED for s in fresh)
    for bad in (-1, MAX_SEED, 1.0, "1", True):
        with pytest.raises(ParameterError, match=r"seed must be an integer in \[0, 2\*\*63\)"):
            check_seed(bad)


def test_a_default_outside_its_own_bounds_is_refused_at_declaration():
    with pytest.raises(ParameterError):
        ParamSet(Param("a", 11, "a", int, 0, 10))
