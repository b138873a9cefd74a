import math

import numpy as np
import pytest

from emergesim import ParameterError, run, scan


def test_window_counts_and_recording(walk_model):
    result = run(walk_model, steps=10, burn_in=5, record_every=3, seed=1)
    assert result.steps == 10 and result.burn_in == 5
    assert result.timeseries["step"].tolist() == [8, 11, 14]
    assert result.model.steps == 15
    ticks = result.timeseries["tick"]
    assert result.observables["tick"] == ticks.mean()
    assert result.std["tick"] == pytest.approx(np.std(ticks))


def test_model_defaults_for_steps(walk_model):
    assert run(walk_model, seed=1).steps == walk_model.default_steps


def test_a_model_that_stops_itself_ends_the_window(walk_model):
    result = run(walk_model, steps=100, burn_in=2, seed=1, stop_at=6)
    assert result.steps == 4
    assert result.timeseries["step"].tolist() == [3, 4, 5, 6]
    stopped_in_burn_in = run(walk_model, steps=100, burn_in=10, seed=1, stop_at=6)
    assert stopped_in_burn_in.steps == 0 and stopped_in_burn_in.burn_in == 6
    assert stopped_in_burn_in.timeseries["step"].tolist() == [6]  # the final state is observed


def test_same_seed_same_numbers_other_seed_other_numbers(walk_model):
    a = run(walk_model, steps=20, seed=42, walkers=50)
    b = run(walk_model, steps=20, seed=42, walkers=50)
    c = run(walk_model, steps=20, seed=43, walkers=50)
    assert a.timeseries.equals(b.timeseries)
    assert not a.timeseries.equals(c.timeseries)


def test_unseeded_runs_report_a_seed_that_reproduces_them(walk_model):
    first = run(walk_model, steps=20, walkers=50)
    again = run(walk_model, steps=20, walkers=50, seed=first.seed)
    assert first.timeseries.equals(again.timeseries)


def test_frames_cover_initial_state_and_every_step(walk_model):
    result = run(walk_model, steps=4, burn_in=2, seed=0, frames=True)
    assert len(result.frames) == 7 and result.frame_steps == list(range(7))
    assert np.all(result.frames[0] == 0)


def test_long_runs_keep_evenly_spaced_frames_and_the_final_state(walk_model):
    result = run(walk_model, steps=37, seed=0, frames=True, max_frames=8)
    assert result.frame_steps == [0, 8, 16, 24, 32, 37]
    final = run(walk_model, steps=37, seed=0).model.x
    assert np.array_equal(result.frames[-1], final)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be an integer >= 1, got 0"),
        ({"steps": 2.5}, "steps must be an integer >= 1"),
        ({"burn_in": -1}, "burn_in must be an integer >= 0"),
        ({"record_every": 0}, "record_every must be an integer >= 1"),
        ({"seed": -3}, r"seed must be an integer in \[0, 2\*\*63\), got -3"),
        ({"seed": 2**63}, r"seed must be an integer in \[0, 2\*\*63\), got 9223372036854775808"),
        ({"seed": True}, "seed must be an integer in"),
        ({"backend": "cuda"}, "unknown backend 'cuda'; allowed: numba, python"),
        ({"walkers": 0}, r"'walkers' must be an integer in \[1, 1000\]"),
        ({"colour": 1}, "unknown parameter 'colour' for model 'walk'"),
    ],
)
def test_bad_run_arguments_are_refused(walk_model, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        run(walk_model, **kwargs)


def test_to_dict_turns_nan_into_none(walk_model):
    result = run(walk_model, steps=3, seed=1)
    result.observables["spread"] = math.nan
    assert result.to_dict()["observables"]["spread"] is None


def test_scan_rows_do_not_depend_on_the_other_values(walk_model):
    wide = scan(walk_model, "walkers", [3, 5, 8], seed=9, steps=5)
    assert wide["walkers"].tolist() == [3, 5, 8]
    assert {"spread", "spread_std"} <= set(wide.columns)
    narrow = scan(walk_model, "walkers", [3, 5], seed=9, steps=5)
    assert narrow.equals(wide.iloc[:2])
    with pytest.raises(ParameterError, match="unknown parameter 'speed' for model 'walk'; allow"):
        scan(walk_model, "speed", [1, 2])


def test_window_fluctuations_of_the_order_parameter(walk_model):
    result = run(walk_model, steps=50, seed=2, walkers=8)
    spread = result.timeseries["spread"].to_numpy()
    assert result.susceptibility(n=8) == pytest.approx(8 * spread.var())
    expected = 1 - np.mean(spread**4) / (3 * np.mean(spread**2) ** 2)
    assert result.binder() == pytest.approx(expected)
    tick = result.timeseries["tick"].to_numpy()
    assert result.susceptibility("tick", n=2) == pytest.approx(2 * tick.var())
    with pytest.raises(ParameterError, match="unknown observable 'speed'; allowed: spread, tick"):
        result.binder("speed")


def test_susceptibility_counts_the_agents_by_default():
    result = run("traffic", steps=20, burn_in=0, seed=1, length=100, density=0.3)
    jammed = result.timeseries["jammed_fraction"].to_numpy()
    assert result.susceptibility() == pytest.approx(30 * jammed.var())
