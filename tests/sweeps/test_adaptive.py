"""Adaptive refinement extends the range until the transition is bracketed, then bisects the
interval where the order parameter changes fastest."""

import numpy as np
import pandas as pd
from sweep_toys import Logistic, Step
from test_store import snapshot

from emergesim.sweeps import adaptive as refine
from emergesim.sweeps import sweep


def adaptive(**kwargs):
    return sweep(
        Step,
        vary={"x": "0:1:5"},
        reps=2,
        seed=1,
        adaptive=True,
        executor="serial",
        progress=False,
        **kwargs,
    )


def test_a_sharp_step_is_pinned_by_bisection():
    """Step at 0.37, grid 0, 0.25, ..., 1: the steepest interval [0.25, 0.5] halves each round
    toward 0.37 until it is no wider than tol = 0.01 (0.25 / 2**5 = 0.0078): five midpoints."""
    table = adaptive(tol=0.01, budget=100)
    added = table["x"].iloc[10::2].tolist()
    assert added == [0.375, 0.3125, 0.34375, 0.359375, 0.3671875]
    assert len(table) == 20 and table["key"].is_unique


def test_the_budget_caps_the_runs_added():
    table = adaptive(tol=0.01, budget=5)  # two points of two replicates fit, not three
    assert table["x"].iloc[10:].tolist() == [0.375, 0.375, 0.3125, 0.3125]


def test_every_slice_is_refined_on_its_own():
    table = sweep(
        Step,
        vary={"x": "0:1:5", "threshold": [0.37, 0.8]},
        seed=1,
        adaptive=True,
        tol=0.1,
        budget=100,
        executor="serial",
        progress=False,
    )
    added = table.iloc[10:]
    assert added.loc[added["threshold"] == 0.37, "x"].tolist() == [0.375, 0.3125]
    assert added.loc[added["threshold"] == 0.8, "x"].tolist() == [0.875, 0.8125]


def test_a_pinned_transition_adds_nothing():
    assert len(adaptive(tol=0.25, budget=100)) == 10


def logistic(vary, location, budget=200, **kwargs):
    """The noiseless logistic toy, scale 0.02: its 10-90 % region is location +- 0.044."""
    return sweep(
        Logistic,
        vary={"x": vary},
        fixed={"location": location, "scale": 0.02},
        reps=2,
        seed=1,
        adaptive=True,
        tol=0.01,
        budget=budget,
        executor="serial",
        **{"progress": False, **kwargs},
    )


def last_round(table, first):
    return refine.survey(table, Logistic.params["x"], "level", [], 0.01, first=first)


def test_a_step_beyond_the_range_gets_the_range_extended_then_pinned(capsys):
    """Step at 0.63 (10-90 % from 0.586 to 0.674), grid 0, 0.1, ..., 0.5: each round adds at
    least two spacings (0.6, 0.7, then 0.8, 0.9) until two values lie beyond 0.674, then bisects
    [0.6, 0.7] down to tol = 0.01 around 0.63."""
    table = logistic("0:0.5:6", 0.63, progress=True)
    added = table["x"].iloc[12::2].tolist()
    assert added == [0.6, 0.7, 0.8, 0.9, 0.65, 0.625, 0.6375, 0.63125]
    assert np.count_nonzero(np.unique(table["x"]) > 0.63 + 0.044) == 3
    (interval,) = refine.steepest(table, Logistic.params["x"], "level", [])
    assert (interval.low, interval.high) == (0.625, 0.63125)
    assert (
        interval.high - interval.low <= 0.01
        and abs((interval.low + interval.high) / 2 - 0.63) < 0.01
    )
    (bracket,) = last_round(table, (0.0, 0.5)).brackets
    assert bracket.extended and bracket.bracketed and bracket.last == (0.0, 0.9)
    err = capsys.readouterr().err
    assert "extended x to 0..0.9 to bracket the transition" in err
    assert "level changes fastest between x 0.625 and 0.63125" in err
    assert "not bracketed" not in err


def test_extension_stops_at_the_bound_and_says_so(capsys):
    """Step at 0.95 in x <= 1 (10-90 % up to 0.994): the range grows 0.7, 0.8, then 0.9, 1.0 and
    stops at the bound; bisection then pins the steepest interval below it."""
    table = logistic("0:0.6:7", 0.95, progress=True)
    assert table["x"].iloc[14::2].tolist() == [0.7, 0.8, 0.9, 1.0, 0.95, 0.925, 0.9375, 0.94375]
    assert table["x"].between(0.0, 1.0).all()
    (bracket,) = last_round(table, (0.0, 0.6)).brackets
    assert bracket.runs_off == ("above",) and bracket.bounds == (1.0,)
    assert not bracket.bracketed and not bracket.budget_spent
    err = capsys.readouterr().err
    assert "extended x to 0..1 to bracket the transition" in err
    assert "the transition is not bracketed: x reached its bound 1" in err
    assert "level changes fastest between x 0.94375 and 0.95" in err


def test_a_budget_spent_extending_is_reported(capsys):
    table = logistic("0:0.5:6", 0.63, budget=5, progress=True)  # room for 0.6 and 0.7 only
    assert table["x"].iloc[12:].tolist() == [0.6, 0.6, 0.7, 0.7]
    (bracket,) = last_round(table, (0.0, 0.5)).brackets
    assert bracket.runs_off == ("above",) and bracket.bounds == () and bracket.budget_spent
    assert "the transition is not bracketed: budget spent" in capsys.readouterr().err


def test_a_bracketed_step_is_only_bisected():
    """Step at 0.5 (10-90 % from 0.456 to 0.544), grid 0.1, ..., 0.9: four values beyond each
    end, so the points added are midpoints inside [0.5, 0.6] and the range stays."""
    table = logistic("0.1:0.9:9", 0.5)
    assert table["x"].iloc[18::2].tolist() == [0.55, 0.525, 0.5125, 0.50625]
    (bracket,) = last_round(table, (0.1, 0.9)).brackets
    assert bracket.bracketed and not bracket.extended


def test_a_rerun_into_the_same_folder_adds_no_run(tmp_path):
    first = logistic("0:0.5:6", 0.63, out=tmp_path)
    assert len(first) == 28
    before = snapshot(tmp_path / "runs")
    again = logistic("0:0.5:6", 0.63, out=tmp_path)
    assert snapshot(tmp_path / "runs") == before
    pd.testing.assert_frame_equal(again, first)
