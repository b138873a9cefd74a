"""Spec and designs: value forms, grids, samplers, run keys and seeds."""

import numpy as np
import pytest
from sweep_toys import Step

from emergesim import ParameterError
from emergesim.models.traffic import TrafficModel
from emergesim.sweeps import run_seed
from emergesim.sweeps.spec import resolve_spec
from emergesim.sweeps.tasks import _run_sequence


def points(model=Step, **kwargs):
    return resolve_spec(model, seed=kwargs.pop("seed", 1), **kwargs).points


def test_grid_forms_and_order():
    spec = resolve_spec(TrafficModel, vary={"density": "0.1:0.3:3", "vmax": [1, "2"]}, seed=0)
    assert spec.points == [
        {"density": 0.1, "vmax": 1},
        {"density": 0.1, "vmax": 2},
        {"density": 0.2, "vmax": 1},
        {"density": 0.2, "vmax": 2},
        {"density": 0.3, "vmax": 1},
        {"density": 0.3, "vmax": 2},
    ]
    assert spec.vary == {"density": "0.1:0.3:3", "vmax": [1, 2]}


def test_log_ranges_integer_rounding_and_duplicates():
    assert [p["length"] for p in points(TrafficModel, vary={"length": "log:10:10000:4"})] == [
        10,
        100,
        1000,
        10000,
    ]
    assert [p["vmax"] for p in points(TrafficModel, vary={"vmax": "1:3:5"})] == [1, 2, 3]
    values = [p["density"] for p in points(TrafficModel, vary={"density": "log:1e-3:1e-1:3"})]
    assert values == [0.001, 0.01, 0.1]


def test_one_point_reached_by_two_ranges_is_one_run():
    """Generated floats keep 12 significant digits: 0.02:0.6:29 contains 0.02:0.6:15."""
    coarse = resolve_spec(TrafficModel, vary={"density": "0.02:0.6:15"}, seed=0).tasks()
    fine = resolve_spec(TrafficModel, vary={"density": "0.02:0.6:29"}, seed=0).tasks()
    assert {t.key for t in coarse} < {t.key for t in fine}


def test_latin_hypercube_puts_one_point_in_every_stratum():
    spec = resolve_spec(
        Step, vary={"x": "0.2:0.6", "threshold": "log:0.001:0.1"}, design="lhs", samples=8, seed=5
    )
    x = np.array([p["x"] for p in spec.points])
    t = np.log10([p["threshold"] for p in spec.points])
    assert sorted(np.floor((x - 0.2) / 0.4 * 8).astype(int)) == list(range(8))
    assert sorted(np.floor((t + 3) / 2 * 8).astype(int)) == list(range(8))
    assert (
        points(vary={"x": "0.2:0.6", "threshold": "log:0.001:0.1"}, design="lhs", samples=8, seed=6)
        != spec.points
    )


def test_sobol_points_are_a_prefix_so_more_samples_extend_a_sweep():
    few = points(vary={"x": "0:1", "size": "1:1000"}, design="sobol", samples=8)
    more = points(vary={"x": "0:1", "size": "1:1000"}, design="sobol", samples=16)
    assert more[:8] == few
    assert all(isinstance(p["size"], int) for p in more)


def test_keys_and_seeds_depend_on_the_run_not_on_the_sweep():
    one = resolve_spec(Step, vary={"x": [0.5]}, reps=2, seed=7).tasks()
    many = resolve_spec(Step, vary={"x": "0:1:5"}, reps=3, seed=7).tasks()
    assert {t.key for t in one} <= {t.key for t in many}
    assert len({t.key for t in many}) == 15
    seeds = {run_seed(7, t.key).generate_state(2).tobytes() for t in many}
    assert len(seeds) == 15
    other = run_seed(8, many[0].key).generate_state(2)
    assert not np.array_equal(other, run_seed(7, many[0].key).generate_state(2))


def test_a_workers_seed_is_run_seeds_stream():
    """Workers build the run's SeedSequence from its eight entropy words: the same pool as
    run_seed's spawn key, for seeds of one and two words and key words that are zero."""
    rng = np.random.default_rng(5)
    seeds = [0, 1, 2**32 - 1, 2**32, 2**63 - 1, *rng.integers(0, 2**63, 20).tolist()]
    keys = ["0" * 64, "f" * 64, "00000000" + "f" * 56, *(rng.bytes(32).hex() for _ in range(20))]
    for seed in seeds:
        for key in keys:
            assert np.array_equal(_run_sequence(seed, key).pool, run_seed(seed, key).pool)
            state = _run_sequence(seed, key).generate_state(4)
            assert np.array_equal(state, run_seed(seed, key).generate_state(4))


def test_fixed_params_enter_the_key():
    a = resolve_spec(Step, fixed={"size": 3}, seed=0).tasks()
    b = resolve_spec(Step, fixed={"size": 4}, seed=0).tasks()
    c = resolve_spec(Step, seed=0).tasks()  # size 3 is the default: the same run
    assert a[0].key != b[0].key and a[0].key == c[0].key


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vary": {"colour": "1,2"}}, "unknown parameter 'colour' for model 'step'"),
        ({"fixed": {"colour": 1}}, "unknown parameter 'colour' for model 'step'"),
        ({"vary": {"x": "0:1"}}, "vary x=0:1: expected start:stop:count"),
        ({"vary": {"x": "0:1:2:3"}}, "expected start:stop:count"),
        ({"vary": {"x": "a:1:3"}}, "start and stop must be numbers"),
        ({"vary": {"x": "0:1:2.5"}}, "the count must be an integer"),
        ({"vary": {"x": "log:0:1:3"}}, "a log range needs start and stop > 0"),
        ({"vary": {"x": "0:1:0"}}, "the count must be >= 1, got 0"),
        ({"vary": {"x": ""}}, "vary x=: no values, so the sweep would be empty"),
        ({"vary": {"x": []}}, "no values, so the sweep would be empty"),
        ({"reps": 0}, "reps must be an integer >= 1, got 0"),
        ({"vary": {"x": "0:1"}, "design": "lhs", "samples": 0}, "samples must be an integer >= 1"),
        ({"vary": {"x": "0:1"}, "design": "lhs"}, "design lhs needs samples, the number of poin"),
        ({"vary": {"x": "0:1"}, "design": "lhs", "samples": 2.5}, "samples must be an integer"),
        ({"vary": {"x": "0:1:3"}, "design": "sobol", "samples": 4}, "the count is for grids"),
        ({"vary": {"x": "0.1,0.2"}, "design": "lhs", "samples": 4}, "give a range start:stop"),
        ({"vary": {"x": "0.5:1.2:8"}}, "vary x=0.5:1.2:8: parameter 'x' must be a number in"),
        ({"vary": {"x": "0.5,2"}}, "parameter 'x' must be a number in [0, 1], got '2'"),
        ({"fixed": {"size": 0}}, "parameter 'size' must be an integer in [1, 1000], got 0"),
        ({"fixed": {"x": 0.1}, "vary": {"x": [0.2]}}, "'x' is both fixed and varied"),
        ({"design": "random"}, "unknown design 'random'; allowed: grid, lhs, sobol"),
        ({"samples": 4}, "samples is for design lhs or sobol, not grid"),
        ({"seed": -1}, "seed must be an integer in [0, 2**63), got -1"),
        ({"seed": 2**63}, "seed must be an integer in [0, 2**63), got 9223372036854775808"),
        ({"adaptive": True, "tol": 0.1, "budget": 4}, "adaptive refines the control parameter 'x'"),
        ({"adaptive": True, "vary": {"x": "0:1:3"}, "budget": 4}, "adaptive needs tol, the wid"),
        ({"adaptive": True, "vary": {"x": "0:1:3"}, "tol": 0.1}, "adaptive needs budget, the"),
        ({"vary": {"x": "0:1"}, "design": "sobol", "samples": 4, "adaptive": True}, "not design"),
        ({"tol": 0.1}, "tol and budget are for adaptive sweeps only"),
    ],
)
def test_bad_specs_are_refused_with_one_line(kwargs, message):
    with pytest.raises(ParameterError) as error:
        resolve_spec(Step, seed=kwargs.pop("seed", 1), **kwargs)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert "--" not in str(error.value)  # the library names its keywords, not the CLI's flags
