"""The points design: a table of explicit points (DataFrame, CSV, Parquet) swept row by row."""

import tomllib

import pandas as pd
import pytest
from sweep_toys import Step
from test_store import snapshot

from emergesim import EmergesimError
from emergesim.cli import main
from emergesim.sweeps import sweep
from emergesim.sweeps.spec import read_toml, resolve_spec

TABLE = pd.DataFrame({"x": [0.9, 0.1, 0.5], "threshold": [0.4, 0.2, 0.3]})


def serial(out=None, **kwargs):
    given = {"points": TABLE, "reps": 2, "seed": 4, **kwargs}
    return sweep(Step, **given, out=out, executor="serial", progress=False)


def test_rows_are_the_points_in_their_order_not_crossed_into_a_grid():
    spec = resolve_spec(Step, points=TABLE, seed=1)
    assert spec.design == "points"
    assert spec.points == [
        {"x": 0.9, "threshold": 0.4},
        {"x": 0.1, "threshold": 0.2},
        {"x": 0.5, "threshold": 0.3},
    ]  # 3 rows of 2 parameters: 3 points, not 9
    # the other parameters keep their defaults
    assert [(t.params["x"], t.params["size"]) for t in spec.tasks()] == [
        (0.9, 3),
        (0.1, 3),
        (0.5, 3),
    ]


def test_a_dataframe_a_csv_and_a_parquet_file_make_the_same_runs(tmp_path):
    TABLE.to_csv(tmp_path / "points.csv", index=False)
    TABLE.to_parquet(tmp_path / "points.parquet")
    keys = [
        [t.key for t in resolve_spec(Step, points=source, reps=2, seed=1).tasks()]
        for source in (TABLE, tmp_path / "points.csv", str(tmp_path / "points.parquet"))
    ]
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) == 6
    frame = serial(tmp_path / "runs", points=tmp_path / "points.csv")
    assert frame[["x", "threshold"]].drop_duplicates().values.tolist() == TABLE.values.tolist()


def test_floats_are_tidied_and_repeated_rows_are_one_point():
    table = pd.DataFrame({"x": [0.1 + 0.2, 0.3, 0.5], "size": ["4", 4.0, 5]})
    spec = resolve_spec(Step, points=table, seed=1)
    assert spec.points == [{"x": 0.3, "size": 4}, {"x": 0.3, "size": 4}, {"x": 0.5, "size": 5}]
    assert len(spec.tasks()) == 2  # the repeated row is run once


def test_the_store_holds_the_table_itself_and_a_rerun_is_a_no_op(tmp_path):
    serial(tmp_path)
    stored = tomllib.loads((tmp_path / "sweep.toml").read_text())
    assert stored["design"] == "points"
    assert stored["points"] == {"x": [0.9, 0.1, 0.5], "threshold": [0.4, 0.2, 0.3]}
    table, _ = read_toml(tmp_path / "sweep.toml")
    assert resolve_spec(**table).points == resolve_spec(Step, points=TABLE, seed=4).points
    before = snapshot(tmp_path)
    serial(tmp_path)
    assert snapshot(tmp_path) == before
    assert main(["-q", "sweep", str(tmp_path / "sweep.toml"), "--workers", "1"]) == 0
    assert snapshot(tmp_path) == before


def test_more_rows_extend_a_stored_table_and_fewer_are_refused(tmp_path, capsys):
    serial(tmp_path)
    more = pd.concat([TABLE, pd.DataFrame({"x": [0.7], "threshold": [0.1]})])
    assert len(serial(tmp_path, points=more)) == 8
    before = snapshot(tmp_path)
    with pytest.raises(EmergesimError) as refused:
        serial(tmp_path, points=TABLE.iloc[1:])
    assert "points: 2 stored points are not in the given table, the first x=0.9" in str(
        refused.value
    )
    assert "4 stored runs would not be part of the sweep" in str(refused.value)
    with pytest.raises(EmergesimError, match="design: points stored, grid given"):
        sweep(Step, vary={"x": "0:1:3"}, out=tmp_path, executor="serial", progress=False)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (
            {"points": TABLE.assign(speed=1)},
            "points: unknown column 'speed' for model 'step'; allowed: x, threshold, size, delay",
        ),
        (
            {"points": TABLE.assign(x=[0.5, 1.5, 0.2])},
            "points row 2: parameter 'x' must be a number in [0, 1], got 1.5",
        ),
        (
            {"points": TABLE.assign(size=[1, 2.5, 3])},
            "points row 2: parameter 'size' must be an integer in [1, 1000], got 2.5",
        ),
        ({"points": TABLE, "vary": {"size": "1,2"}}, "points and vary cannot be combined"),
        ({"points": TABLE, "design": "sobol"}, "points is a design of its own"),
        ({"points": TABLE, "fixed": {"x": 0.2}}, "'x' is both fixed and a column of points"),
        ({"points": TABLE.iloc[:0]}, "points: the table has no rows"),
        ({"design": "points"}, "design points needs points"),
        (
            {"points": TABLE, "reps": 4, "max_runs": 10},
            "the sweep would make 12 runs, more than max_runs",
        ),
        ({"points": "table.txt"}, "points file 'table.txt' must end in .csv or .parquet"),
    ],
)
def test_a_bad_table_is_refused_in_one_line(given, says):
    with pytest.raises(EmergesimError) as refused:
        resolve_spec(Step, seed=1, **given)
    message = str(refused.value)
    assert message.startswith(says) and "\n" not in message


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.csv", None, "cannot read points file"),
        ("broken.parquet", b"PAR1 not really", "is not a readable table"),
        ("empty.csv", b"", "is not a readable table"),
        ("text.csv", b"x,threshold\n0.5,abc\n", "points row 1: parameter 'threshold' must be"),
    ],
)
def test_an_unreadable_or_malformed_file_exits_2_with_one_line(
    tmp_path, capsys, name, content, says
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    args = ["sweep", "sweep_toys:Step", "--points", str(path), "--out", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and err.startswith("emergesim: error: ")
    assert not (tmp_path / "out").exists()


def test_a_spec_file_names_its_table_relative_to_itself(tmp_path, capsys):
    (tmp_path / "design").mkdir()
    TABLE.to_csv(tmp_path / "design" / "points.csv", index=False)
    spec = tmp_path / "design" / "spec.toml"
    spec.write_text(
        'model = "sweep_toys:Step"\npoints = "points.csv"\nreps = 2\nseed = 4\nout = "runs"\n'
        "workers = 1\n"
    )
    assert main(["-q", "sweep", str(spec)]) == 0
    stored = tomllib.loads((tmp_path / "design" / "runs" / "sweep.toml").read_text())
    assert stored["points"]["x"] == [0.9, 0.1, 0.5]
    spec.write_text('model = "sweep_toys:Step"\npoints = 3\n')
    assert main(["sweep", str(spec)]) == 2
    assert "'points' in" in capsys.readouterr().err
