"""The store: resume after SIGKILL, failures, the lock, changed specs, plain Parquet readers."""

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pytest
from sweep_toys import FAIL_AT, Step

from emergesim import EmergesimError
from emergesim.sweeps import load, sweep

HERE = Path(__file__).parent
SPEC = {"vary": {"x": "0:1:3"}, "reps": 2, "seed": 11}


def serial(out, **kwargs):
    return sweep(Step, **{**SPEC, **kwargs}, out=out, executor="serial", progress=False)


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``folder``: inode (a rewrite renames a new file), mtime and content."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_files(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "runs").iterdir())


def test_a_sweep_killed_part_way_resumes_to_exactly_the_uninterrupted_runs(tmp_path):
    """SIGKILL the CLI (2 worker processes) after a few runs; a rerun adds only what is missing
    and ends bit-identical to a sweep that was never interrupted."""
    args = "sweep sweep_toys:Step --vary x=0:1:10 --reps 2 -p delay=0.05 --seed 9 --workers 2"
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    child = subprocess.Popen(
        [sys.executable, "-m", "emergesim.cli", *args.split(), "--out", str(killed)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if (killed / "runs").is_dir() and len(list((killed / "runs").glob("*.parquet"))) >= 3:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    survived = {k: v for k, v in snapshot(killed / "runs").items() if k.endswith(".parquet")}
    assert 3 <= len(survived) < 20, "the kill did not land part-way"

    def rerun(out):
        return sweep(
            Step,
            vary={"x": "0:1:10"},
            reps=2,
            fixed={"delay": 0.05},
            seed=9,
            out=out,
            executor="serial",
            progress=False,
        )

    resumed, reference = rerun(killed), rerun(whole)
    assert run_files(killed) == run_files(whole) and len(run_files(whole)) == 20
    assert all(snapshot(killed / "runs")[name] == survived[name] for name in survived)
    columns = ["key", "x", "replicate", "status", "above", "noise"]
    pd.testing.assert_frame_equal(resumed[columns], reference[columns], check_exact=True)
    pd.testing.assert_frame_equal(load(killed)[columns], load(whole)[columns], check_exact=True)
    assert resumed["key"].is_unique


def test_failed_runs_are_recorded_and_retried_only_on_request(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_AT, "0.5")
    first = serial(tmp_path)
    failed = first[first["status"] == "failed"]
    assert failed["x"].tolist() == [0.5, 0.5]
    assert failed["error"].tolist() == ["ValueError: made to fail at x=0.5"] * 2
    assert failed[["above", "noise"]].isna().all().all()
    ok = first[first["status"] == "ok"]
    assert len(ok) == 4 and ok["error"].isna().all() and ok["noise"].notna().all()

    monkeypatch.delenv(FAIL_AT)
    before = snapshot(tmp_path / "runs")
    again = serial(tmp_path)  # failed runs are skipped unless retried
    assert snapshot(tmp_path / "runs") == before
    assert (again["status"] == "failed").sum() == 2

    retried = serial(tmp_path, retry_failed=True)
    after = snapshot(tmp_path / "runs")
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {f"{key}.parquet" for key in failed["key"]}
    assert (retried["status"] == "ok").all()
    assert retried.loc[retried["x"] == 0.5, "above"].tolist() == [1.0, 1.0]


def test_a_second_sweep_into_a_locked_folder_is_refused(tmp_path):
    serial(tmp_path)
    before = snapshot(tmp_path)
    with open(tmp_path / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(EmergesimError, match=r"another sweep is writing to '.*'; wait"):
            serial(tmp_path, reps=3)
    assert snapshot(tmp_path) == before
    assert len(serial(tmp_path, reps=3)) == 9  # released with the file


def test_the_same_spec_resumes_with_the_stored_seed(tmp_path):
    first = serial(tmp_path)
    before = snapshot(tmp_path)
    again = serial(tmp_path, seed=None)
    assert snapshot(tmp_path) == before
    pd.testing.assert_frame_equal(again, first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"steps": 6}, "steps: 5 stored, 6 given"),
        ({"seed": 12}, "seed: 11 stored, 12 given"),
        ({"fixed": {"size": 4}}, "fixed: {} stored, {'size': 4} given"),
        ({"vary": {"x": "0:1:4"}}, "vary.x: 0:1:3 stored, 0:1:4 given; 2 stored runs would not"),
        ({"reps": 1}, "reps: 2 stored, 1 given; 3 stored runs would not be part of the sweep"),
        ({"vary": {"x": "0:1:3", "size": [3]}}, "varied parameters: ['x'] stored, ['size', 'x']"),
    ],
)
def test_a_different_spec_is_refused_and_the_store_left_alone(tmp_path, change, message):
    serial(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(EmergesimError) as error:
        serial(tmp_path, **change)
    assert f"holds a different sweep ({message}" in str(error.value)
    assert "only add points or replicates to extend it" in str(error.value)
    assert snapshot(tmp_path) == before


def test_a_new_model_version_is_refused(tmp_path, monkeypatch):
    serial(tmp_path)
    monkeypatch.setattr(Step, "version", "2")
    with pytest.raises(EmergesimError, match="holds runs of version 1 of model 'step', the inst"):
        serial(tmp_path)


def test_adding_points_or_replicates_extends_the_sweep(tmp_path):
    serial(tmp_path)
    before = snapshot(tmp_path / "runs")
    more = serial(tmp_path, vary={"x": "0:1:5"}, reps=3)
    assert len(more) == 15 and len(run_files(tmp_path)) == 15
    assert all(snapshot(tmp_path / "runs")[name] == before[name] for name in before)
    assert 'x = "0:1:5"' in (tmp_path / "sweep.toml").read_text()
    assert len(serial(tmp_path, vary={"x": "0:1:5"}, reps=3)) == 15  # now the stored spec


def test_pandas_polars_and_duckdb_read_the_store_without_emergesim(tmp_path):
    stored = serial(tmp_path)
    (tmp_path / "runs" / ".partial.parquet.tmp").write_bytes(b"PAR1 cut short")
    expected = load(tmp_path)
    by_pandas = pd.read_parquet(tmp_path / "runs").sort_values(["x", "replicate"])
    pd.testing.assert_frame_equal(by_pandas.reset_index(drop=True), expected)
    files = str(tmp_path / "runs" / "*.parquet")
    by_polars = pl.read_parquet(files).sort("x", "replicate").to_pandas()
    pd.testing.assert_frame_equal(by_polars.astype(expected.dtypes), expected)
    by_duckdb = duckdb.sql(f"select * from '{files}' order by x, replicate").df()
    pd.testing.assert_frame_equal(by_duckdb.astype(expected.dtypes), expected)
    table = ds.dataset(tmp_path / "runs", format="parquet").to_table()
    assert table.num_rows == 6 and table.schema.field("size").type == "int64"
    assert sorted(table["key"].to_pylist()) == sorted(stored["key"])
    serial(tmp_path)  # a rerun clears what a killed sweep left half-written
    assert not (tmp_path / "runs" / ".partial.parquet.tmp").exists()


def test_every_record_has_the_same_columns_failed_or_not(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_AT, "0")
    serial(tmp_path)
    schemas = {ds.dataset(p, format="parquet").schema for p in (tmp_path / "runs").iterdir()}
    assert len(schemas) == 1
    assert schemas.pop().names == [
        "x",
        "threshold",
        "size",
        "delay",
        "replicate",
        "seed",
        "key",
        "status",
        "error",
        "elapsed",
        "above",
        "noise",
    ]


@pytest.mark.parametrize("inside", [False, True])
def test_an_unwritable_output_folder_is_refused(tmp_path, inside):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = blocker / "sweep" if inside else blocker
    message = "cannot write the output folder" if inside else "output folder '.*' is a file"
    with pytest.raises(EmergesimError, match=message):
        serial(out)


def test_load_refuses_a_folder_that_is_not_a_store(tmp_path):
    with pytest.raises(EmergesimError, match=r"is not a sweep folder: it has no sweep\.toml"):
        load(tmp_path)
