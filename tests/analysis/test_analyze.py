"""emergesim.analyze: every measure of one sweep, from a table or a stored folder."""

import pandas as pd
import pytest
from test_sharpening_and_sensitivity import steps_by_size

from emergesim import EmergesimError, analyze, load, sweep
from emergesim.analysis import binder_crossing, fluctuations, sharpening


def test_per_size_fits_are_the_sharpening_fits_and_failed_runs_are_left_out():
    table = steps_by_size(-0.5, sizes=(100, 400)).assign(status="ok")
    failed = table.head(30).assign(y=50.0, status="failed")  # would wreck every fit if kept
    result = analyze(pd.concat([table, failed]), "x", "y", by="L", size="L", seed=3)
    expected = sharpening(table, "x", "y", "L", seed=3)
    assert result.sharpening == expected
    assert result.transitions == expected.transitions
    assert sorted(result.fluctuations) == [100.0, 400.0]
    chi = fluctuations(table[table["L"] == 400], "x", "y", "L").table
    pd.testing.assert_frame_equal(result.fluctuations[400.0].table, chi)
    assert result.binder_crossing == pytest.approx(
        binder_crossing(table, "x", "y", "L"), nan_ok=True
    )
    assert len(result.runs) == len(table)


def test_without_by_one_fit_of_all_runs_and_no_sharpening():
    result = analyze(steps_by_size(0.0, sizes=(100,)), "x", "y")
    assert list(result.transitions) == [None]
    assert result.transitions[None].location == pytest.approx(0.5, abs=0.01)
    assert result.sharpening is None and result.binder_crossing is None


def test_a_folder_is_read_like_its_table(tmp_path):
    spec = dict(vary={"density": "0.05:0.6:6", "length": "60,120"}, reps=2, steps=40, burn_in=20)
    sweep("traffic", seed=1, out=tmp_path, progress=False, executor="serial", **spec)
    from_folder = analyze(tmp_path, "density", "flow", by="length", seed=2)
    from_table = analyze(load(tmp_path), "density", "flow", by="length", seed=2)
    assert from_folder.transitions == from_table.transitions


def test_an_unknown_size_column_is_named_with_the_columns_allowed():
    with pytest.raises(EmergesimError, match="no column 'L' in the runs; columns: x, y"):
        analyze(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}), "x", "y", by="L")


def test_three_sizes_add_finite_size_scaling_on_the_same_fits():
    table = steps_by_size(-0.5)
    result = analyze(table, "x", "y", by="L", size="L", seed=1)
    fss = result.scaling
    assert fss.transitions is result.transitions and fss.sizes == (100.0, 400.0, 1600.0)
    assert fss.width_exponent.value == pytest.approx(result.sharpening.exponent)
    assert fss.nu_from == "width exponent" and fss.nu.ci[0] <= 2 <= fss.nu.ci[1]
    assert fss.x_inf.ci[0] <= 0.5 <= fss.x_inf.ci[1]
    assert analyze(steps_by_size(-0.5, sizes=(100, 400)), "x", "y", by="L").scaling is None


def test_a_group_column_with_zero_is_fitted_per_group_without_size_scaling():
    """`--by p_slow` with p_slow = 0 among its values: one fit per value; a size needs a
    logarithm, so nothing is scaled (this used to end in a LinAlgError)."""
    table = steps_by_size(0.0, sizes=(100, 400)).assign(p=lambda t: (t["L"] == 400) * 0.5)
    result = analyze(table, "x", "y", by="p")
    assert sorted(result.transitions) == [0.0, 0.5]
    assert result.transitions[0.0].location == pytest.approx(0.5, abs=0.01)
    assert result.sharpening is None and result.scaling is None
