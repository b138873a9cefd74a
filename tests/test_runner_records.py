"""A run keeps at most ``max_records`` rows, evenly spaced: beyond it every other row is dropped
and the stride doubles, so a run of any length records in bounded memory; a run under the limit
records exactly what an unbounded one does."""

import numpy as np
import pytest

from emergesim import ParameterError, run
from emergesim.cli import main
from emergesim.runner import RecordKeeper

TRAFFIC = dict(length=200, density=0.3, burn_in=5, seed=4)


def test_at_most_max_records_rows_evenly_spaced():
    result = run("traffic", steps=100, max_records=8, **TRAFFIC)
    steps = result.timeseries["step"].to_numpy() - 5  # measured steps
    assert 2 <= len(steps) <= 8
    gaps = np.diff(steps)
    assert (gaps == gaps[0]).all() and steps[0] == gaps[0]  # every stride, from the window's start
    assert steps.tolist() == [16, 32, 48, 64, 80, 96]
    assert result.steps == 100


def test_kept_rows_are_the_unbounded_runs_rows_at_those_steps():
    """The trajectory does not change; the state observables of a kept row are those of the
    same step of an unbounded run (an interval observable covers the steps since the record
    before, which differ)."""
    full = run("traffic", steps=100, **TRAFFIC).timeseries.set_index("step")
    thinned = run("traffic", steps=100, max_records=8, **TRAFFIC).timeseries.set_index("step")
    state = ["flow", "mean_speed", "jammed_fraction", "n_jams"]
    assert thinned[state].equals(full.loc[thinned.index, state])


@pytest.mark.parametrize("record_every", [1, 3])
def test_under_the_limit_equals_the_unbounded_run(record_every):
    unbounded = run("traffic", steps=60, record_every=record_every, **TRAFFIC)
    rows = len(unbounded.timeseries)
    for limit in (rows, rows + 1, 100_000):
        bounded = run("traffic", steps=60, record_every=record_every, max_records=limit, **TRAFFIC)
        assert bounded.timeseries.equals(unbounded.timeseries)
        assert bounded.timeseries.dtypes.equals(unbounded.timeseries.dtypes)
        assert bounded.observables == unbounded.observables
        assert bounded.std == unbounded.std


def test_a_long_run_keeps_a_bounded_number_of_rows():
    keeper = RecordKeeper(limit=10, stride=1)
    for done in range(1, 100_001):
        if done % keeper.stride == 0:
            keeper.add(done, {"x": float(done)})
    assert len(keeper.rows) <= 10 and keeper.stride == 2**14
    steps = [row[0] for row in keeper.rows]
    assert steps == [keeper.stride * (i + 1) for i in range(len(steps))]
    assert list(keeper.table().columns) == ["step", "x"]


def test_max_records_is_checked():
    with pytest.raises(ParameterError, match="max_records must be an integer >= 1"):
        run("traffic", steps=3, max_records=0, **TRAFFIC)


def test_cli_takes_max_records(capsys):
    args = ["run", "traffic", "-p", "length=200", "--steps", "40", "--burn-in", "0"]
    assert main([*args, "--seed", "1", "--max-records", "4", "--json"]) == 0
    assert '"steps": 40' in capsys.readouterr().out


@pytest.mark.parametrize("rows", [1, 2, 5, 7, 8, 9, 16, 130, 300])
def test_summary_is_pandas_mean_and_std_bit_for_bit(rows):
    """Fewer than 8 rows are summed in plain Python, more with numpy: both give pandas' bits,
    whatever the magnitudes, NaN (skipped; all NaN gives NaN) and signed zeros; ``means()``
    (what a sweep records) gives the same means."""
    rng = np.random.default_rng(rows)
    for _ in range(200):
        keeper = RecordKeeper(limit=1000, stride=1)
        for step in range(rows):
            values = rng.uniform(-1, 1, 4) * 10.0 ** rng.integers(-20, 20, 4)
            kind = rng.random(4)
            values[kind < 0.2] = np.nan
            values[(kind >= 0.2) & (kind < 0.25)] = -0.0
            values[(kind >= 0.25) & (kind < 0.3)] = 0.0
            keeper.add(step, dict(zip("abcd", values.tolist(), strict=True)))
        table = keeper.table().drop(columns="step")
        means, stds = keeper.summary()
        expected_means, expected_stds = table.mean().to_dict(), table.std(ddof=0).to_dict()
        checked = [(means, expected_means), (keeper.means(), expected_means), (stds, expected_stds)]
        for got, expected in checked:
            assert np.array(list(got.values())).tobytes() == (
                np.array(list(expected.values())).tobytes()
            )
