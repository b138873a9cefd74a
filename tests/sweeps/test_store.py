"""The store: resume after SIGKILL, failures, the lock, changed specs, plain Parquet readers."""

import fcntl
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sweep_toys import FAIL_AT, Logistic, Step

from emergesim import EmergesimError
from emergesim.sweeps import load, store, sweep
from emergesim.sweeps.spec import resolve_spec
from emergesim.sweeps.tasks import execute

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
    return sorted(p.name for p in (folder / "runs").glob("*"))  # none before runs/ is made


def stored_keys(folder: Path) -> list[str]:
    """The key of every record in every file of the store, as a plain Parquet reader sees them."""
    return sorted(pd.read_parquet(folder / "runs", columns=["key"])["key"])


def stored_rows(folder: Path) -> int:
    """How many records the store's files hold now (0 while they vanish in a merge)."""
    try:
        return sum(pq.read_metadata(p).num_rows for p in (folder / "runs").glob("*.parquet"))
    except OSError:
        return 0


def test_a_finished_run_is_written_within_flush_after_seconds(tmp_path):
    """Runs wait in memory to be written together, but no longer than FLUSH_AFTER seconds."""
    spec = resolve_spec(Step, **SPEC)
    folder = store.FolderStore(tmp_path, spec, None)
    try:
        folder.write(execute(spec.tasks()[0]))
        assert stored_rows(tmp_path) == 0  # waiting
        time.sleep(store.FLUSH_AFTER + 0.5)
        assert run_files(tmp_path) == ["part-000000.parquet"] and stored_rows(tmp_path) == 1
    finally:
        folder.close()


def split_into_run_files(folder: Path, *, keep_part: bool) -> None:
    """Write each record of the store's one part as its own file, as a sweep writes a run
    (and as stores were laid out before parts); ``keep_part``: the state a sweep killed after
    compacting those files into the part, before deleting them, leaves."""
    part = folder / "runs" / "part-000000.parquet"
    table = pq.read_table(part)
    for i, key in enumerate(table["key"].to_pylist()):
        pq.write_table(table.slice(i, 1), folder / "runs" / f"{key}.parquet")
    if not keep_part:
        part.unlink()


def kill_when(command: list[str], started, wait: float = 0.0) -> int:
    """Run ``command`` (a sweep) and SIGKILL it ``wait`` seconds after ``started()`` holds;
    its exit code (-SIGKILL unless it ended first)."""
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None and not started():
        time.sleep(0.002)
    time.sleep(wait)
    child.send_signal(signal.SIGKILL)
    return child.wait()


def resume(out: Path, x: str, delay: float) -> pd.DataFrame:
    """The sweep a test kills, run to its end in this process."""
    return sweep(
        Step,
        vary={"x": x},
        reps=2,
        fixed={"delay": delay},
        seed=9,
        out=out,
        executor="serial",
        progress=False,
    )


def test_a_sweep_killed_part_way_resumes_to_exactly_the_uninterrupted_runs(tmp_path):
    """SIGKILL the CLI (2 worker processes) after a few runs; a rerun adds only what is missing
    and ends bit-identical to a sweep that was never interrupted."""
    args = "sweep sweep_toys:Step --vary x=0:1:20 --reps 2 -p delay=0.1 --seed 9 --workers 2"
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [sys.executable, "-m", "emergesim.cli", *args.split(), "--out", str(killed)]
    kill_when(command, lambda: stored_rows(killed) >= 3)
    survived = pd.read_parquet(killed / "runs")
    assert 3 <= len(survived) < 40, "the kill did not land part-way"
    resumed, reference = resume(killed, "0:1:20", 0.1), resume(whole, "0:1:20", 0.1)
    assert all(name.startswith("part-") for name in run_files(killed) + run_files(whole))
    assert stored_keys(killed) == sorted(reference["key"])  # every run once
    kept = resumed.set_index("key").loc[survived["key"]].reset_index()
    pd.testing.assert_frame_equal(kept, survived[kept.columns])  # those stored are not rerun
    columns = ["key", "x", "replicate", "status", "above", "noise"]
    pd.testing.assert_frame_equal(resumed[columns], reference[columns], check_exact=True)
    pd.testing.assert_frame_equal(load(killed)[columns], load(whole)[columns], check_exact=True)
    assert resumed["key"].is_unique


def test_sweeps_killed_while_they_compact_resume_to_exactly_the_uninterrupted_runs(tmp_path):
    """Parts of 2 runs, merged 2 at a time, so that SIGKILL lands in writes, compactions and
    merges alike: after each kill every run stored before it is still there, once; the resumed
    sweep ends with the uninterrupted one's runs, each in one file."""
    compacting = (
        "import sys; from emergesim.sweeps import store; store.COMPACT_AT = 2; "
        "store.MERGE_AT = 2; from emergesim.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    args = "sweep sweep_toys:Step --vary x=0:1:40 --reps 2 -p delay=0.005 --seed 9 --workers 1"
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [sys.executable, "-c", compacting, *args.split(), "--out", str(killed)]
    stored: set[str] = set()
    for wait in (0.0, 0.03, 0.07, 0.11):
        writing = partial(lambda before: run_files(killed) != before, run_files(killed))
        assert kill_when(command, writing, wait) == -signal.SIGKILL, "the sweep ended first"
        keys = load(killed)["key"]
        assert keys.is_unique and stored <= set(keys)
        stored = set(keys)
    assert len(stored) < 80, "the kills did not land part-way"
    resumed, reference = resume(killed, "0:1:40", 0.005), resume(whole, "0:1:40", 0.005)
    assert stored_keys(killed) == sorted(reference["key"])
    assert all(name.startswith("part-") for name in run_files(killed))
    columns = ["key", "x", "replicate", "status", "above", "noise"]
    pd.testing.assert_frame_equal(resumed[columns], reference[columns], check_exact=True)


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
    assert stored_keys(tmp_path) == sorted(first["key"])  # the failed records replaced
    pd.testing.assert_frame_equal(retried[first["status"] == "ok"], ok)  # the others kept
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
    assert len(more) == 15 and len(stored_keys(tmp_path)) == 15
    assert all(snapshot(tmp_path / "runs")[name] == before[name] for name in before)
    assert 'x = "0:1:5"' in (tmp_path / "sweep.toml").read_text()
    assert len(serial(tmp_path, vary={"x": "0:1:5"}, reps=3)) == 15  # now the stored spec


def test_pandas_polars_and_duckdb_read_the_store_without_emergesim(tmp_path):
    stored = serial(tmp_path)
    half_written = tmp_path / "runs" / f".{stored['key'][0]}.parquet.tmp"
    half_written.write_bytes(b"PAR1 cut short")
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
    assert not half_written.exists()


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


def test_compaction_keeps_every_run_once_in_a_bounded_number_of_files(tmp_path, monkeypatch):
    """Parts of 4 runs, merged 3 at a time: 82 runs never take more than 3 run files and 2
    parts in each of the 4 size tiers, and read back the same before and after compaction."""
    monkeypatch.setattr(store, "COMPACT_AT", 4)
    monkeypatch.setattr(store, "MERGE_AT", 3)
    spec = resolve_spec(Step, vary={"x": "0:1:41"}, reps=2, seed=11)
    records = [execute(task) for task in spec.tasks()]
    opened = store.FolderStore(tmp_path, spec, None)
    most = 0
    for record in records:
        opened.write(record)
        most = max(most, len(run_files(tmp_path)))
    keys = [record["key"] for record in records]
    before = opened.frame(keys)  # 82 % 4 == 2: two runs in their own files, compacted ...
    opened.close()  # ... here
    assert most <= 3 + 2 * 4 and all(name.startswith("part-") for name in run_files(tmp_path))
    assert stored_keys(tmp_path) == sorted(keys)
    expected = store.to_frame(records, store.schema(Step))
    pd.testing.assert_frame_equal(before, expected)
    by = ["x", "threshold", "size", "delay", "replicate"]
    pd.testing.assert_frame_equal(load(tmp_path), expected.sort_values(by, ignore_index=True))


def test_a_kill_between_writing_a_part_and_deleting_what_it_replaces_loses_nothing(tmp_path):
    """Left by kills in compaction: the run files a part holds, parts a merged part holds, and
    temporary files. Readers see each run once; a rerun runs nothing and tidies up."""
    first = serial(tmp_path)
    runs = tmp_path / "runs"
    split_into_run_files(tmp_path, keep_part=True)
    merged = pq.read_table(runs / "part-000000.parquet")
    pq.write_table(merged.slice(0, 4), runs / "part-000000.parquet")  # the parts merged ...
    pq.write_table(merged.slice(4), runs / "part-000001.parquet")
    pq.write_table(merged, runs / "part-000002.parquet")  # ... into this one
    (runs / ".part-000003.parquet.tmp").write_bytes(b"PAR1 cut")
    (runs / f".{first['key'][0]}.parquet.tmp").write_bytes(b"PAR1 cut")
    assert len(stored_keys(tmp_path)) == 3 * 6
    pd.testing.assert_frame_equal(load(tmp_path), first)
    again = serial(tmp_path)
    pd.testing.assert_frame_equal(again, first)  # elapsed too: nothing ran again
    assert run_files(tmp_path) == ["part-000003.parquet"]
    assert stored_keys(tmp_path) == sorted(first["key"])


def test_a_retried_run_in_its_own_file_replaces_its_failed_record_in_a_part(tmp_path, monkeypatch):
    """A retry killed before its compaction leaves the new record beside the old: readers take
    the new one, filters included, and the next sweep keeps it."""
    monkeypatch.setenv(FAIL_AT, "0.5")
    first = serial(tmp_path)
    monkeypatch.delenv(FAIL_AT)
    retried = sweep(Step, **SPEC, executor="serial", progress=False)
    table = pa.Table.from_pandas(retried, schema=store.schema(Step), preserve_index=False)
    again = retried["x"] == 0.5
    for i in retried.index[again]:
        pq.write_table(table.slice(i, 1), tmp_path / "runs" / f"{retried['key'][i]}.parquet")
    expected = pd.concat([first[~again], retried[again]]).sort_index()
    assert load(tmp_path, filters={"status": "failed"}).empty
    pd.testing.assert_frame_equal(load(tmp_path), expected)
    pd.testing.assert_frame_equal(serial(tmp_path), expected)  # none failed: none run again
    assert stored_keys(tmp_path) == sorted(first["key"])


def damaged(kind: str, content: bytes, tmp_path: Path) -> bytes:
    """What a file of the store holding ``content`` is left as: ``kind`` of damage."""
    if kind == "truncated":
        return content[: len(content) // 2]
    if kind == "empty":
        return b""
    if kind == "not Parquet":
        return b"x,noise\n0.5,0.1\n"
    other = tmp_path / "other"  # another model's runs
    sweep(Logistic, vary={"x": [0.25]}, out=other, executor="serial", progress=False)
    return (other / "runs" / "part-000000.parquet").read_bytes()


@pytest.mark.parametrize("kind", ["truncated", "empty", "not Parquet", "another model's"])
@pytest.mark.parametrize("where", ["part", "run file"])
def test_an_unreadable_file_is_set_aside_with_a_warning_and_its_runs_run_again(
    tmp_path, capsys, kind, where
):
    first = serial(tmp_path)
    if where == "run file":  # as a power cut can leave one
        split_into_run_files(tmp_path, keep_part=False)
    name = "part-000000" if where == "part" else first["key"][2]
    path = tmp_path / "runs" / f"{name}.parquet"
    content = damaged(kind, path.read_bytes(), tmp_path)
    path.write_bytes(content)
    lost = first["key"].isin([name] if where == "run file" else first["key"])
    capsys.readouterr()
    pd.testing.assert_frame_equal(load(tmp_path), first[~lost].reset_index(drop=True))
    (skipped,) = capsys.readouterr().err.splitlines()
    assert skipped.startswith(f"emergesim: warning: skipped '{path}' (")
    again = serial(tmp_path)
    (moved,) = capsys.readouterr().err.splitlines()
    aside = tmp_path / "set-aside" / path.name
    assert moved.startswith(f"emergesim: warning: moved '{path}' to '{aside}' (")
    assert moved.endswith("; its runs will be run again")
    assert aside.read_bytes() == content
    pd.testing.assert_frame_equal(again[~lost], first[~lost])
    columns = ["key", "x", "replicate", "status", "above", "noise"]
    pd.testing.assert_frame_equal(again[columns], first[columns])  # the same bits
    assert (again["elapsed"] != first["elapsed"])[lost].all()
    assert stored_keys(tmp_path) == sorted(first["key"])


def test_files_the_store_did_not_write_are_left_alone(tmp_path, capsys):
    first = serial(tmp_path, reps=1)
    runs = tmp_path / "runs"
    strays = ["notes.txt", ".mine.tmp", ".partial.parquet.tmp", "results.parquet", "part-a.parquet"]
    for name in strays:
        (runs / name).write_text("not the store's")
    before = snapshot(runs)
    capsys.readouterr()
    pd.testing.assert_frame_equal(load(tmp_path), first)
    assert len(serial(tmp_path)) == 6  # a sweep that writes and compacts
    assert capsys.readouterr().err == "" and not (tmp_path / "set-aside").exists()
    assert all(snapshot(runs)[name] == before[name] for name in strays)


def test_load_reads_the_columns_and_rows_asked_for(tmp_path):
    whole = serial(tmp_path, vary={"x": "0:1:5"})
    by_value = load(tmp_path, columns=["noise", "x"], filters={"replicate": 1})
    expected = whole.loc[whole["replicate"] == 1, ["noise", "x"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(by_value, expected)
    by_values = load(tmp_path, filters={"x": [0.25, 0.75], "status": "ok"})
    pd.testing.assert_frame_equal(
        by_values, whole[whole["x"].isin([0.25, 0.75])].reset_index(drop=True)
    )
    by_expression = load(tmp_path, columns=["key"], filters=ds.field("x") > 0.5)
    assert by_expression["key"].tolist() == whole.loc[whole["x"] > 0.5, "key"].tolist()
    with pytest.raises(EmergesimError, match=r"no column 'speed' in the runs of '.*'; columns: x,"):
        load(tmp_path, filters={"speed": 1})


def test_a_folder_naming_an_unregistered_module_loads_without_importing_it(tmp_path):
    """Opening someone else's sweep folder runs none of its code: the columns come from the
    store's files, and the module is imported only when named explicitly."""
    module = tmp_path / "lib" / "planted.py"
    module.parent.mkdir()
    module.write_text(
        "from pathlib import Path\n"
        f"Path({str(tmp_path / 'imported')!r}).touch()\n"
        "from sweep_toys import Step\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(module.parent), *sys.path])}
    sweep_it = "import emergesim; emergesim.sweep('planted:Step', vary={'x': [0.2, 0.6]}, "
    sweep_it += f"reps=2, seed=3, out={str(tmp_path / 's')!r}, executor='serial', progress=False)"
    subprocess.run([sys.executable, "-c", sweep_it], env=env, check=True)
    (tmp_path / "imported").unlink()
    load_it = (
        f"import sys, emergesim; frame = emergesim.load({str(tmp_path / 's')!r}); "
        "print(frame[['x', 'replicate', 'above']].to_json(orient='values')); "
        "print('planted' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", load_it], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert shown == ["[[0.2,0,0.0],[0.2,1,0.0],[0.6,0,1.0],[0.6,1,1.0]]", "False"]
    assert not (tmp_path / "imported").exists()
    explicit = load(tmp_path / "s", model=Step)  # the class named: its columns
    assert explicit[["x", "replicate", "above"]].values.tolist() == [
        [0.2, 0, 0.0],
        [0.2, 1, 0.0],
        [0.6, 0, 1.0],
        [0.6, 1, 1.0],
    ]
    (tmp_path / "s" / store.COLUMNS_FILE).unlink()
    with pytest.raises(EmergesimError, match=r"columns.parquet' is missing or damaged, and model"):
        load(tmp_path / "s")
