"""Serial, process pool and Dask LocalCluster give the same bits."""

import multiprocessing
import subprocess
import sys

import pandas as pd
import pytest

from emergesim import EmergesimError
from emergesim.sweeps import load, sweep
from emergesim.sweeps.executors import shutdown_pools

SPEC = {
    "vary": {"density": "0.1:0.7:3", "p_slow": "0.1,0.5"},
    "fixed": {"length": 120},
    "reps": 2,
    "steps": 40,
    "burn_in": 10,
    "seed": 3,
}


def test_every_executor_gives_bit_identical_results(tmp_path):
    frames = {
        executor: sweep(
            "traffic", **SPEC, executor=executor, workers=2, progress=False, out=tmp_path / executor
        )
        for executor in ("serial", "process", "dask")
    }
    serial = frames["serial"].drop(columns="elapsed")
    assert len(serial) == 12 and (serial["status"] == "ok").all()
    assert serial["flow"].nunique() > 6  # the runs differ: seeds and parameters matter
    for executor in ("process", "dask"):
        pd.testing.assert_frame_equal(
            frames[executor].drop(columns="elapsed"), serial, check_exact=True
        )
        pd.testing.assert_frame_equal(
            load(tmp_path / executor).drop(columns="elapsed"),
            load(tmp_path / "serial").drop(columns="elapsed"),
            check_exact=True,
        )


def test_without_a_store_the_rows_are_the_stored_rows(tmp_path):
    kept = sweep("traffic", **SPEC, executor="serial", progress=False)
    stored = sweep("traffic", **SPEC, executor="serial", progress=False, out=tmp_path)
    pd.testing.assert_frame_equal(kept.drop(columns="elapsed"), stored.drop(columns="elapsed"))


def test_a_worker_imports_no_drawing_or_fitting_code():
    """Spawned workers import what a run needs; matplotlib, scipy's fitting and the report would
    add most of a second to every worker's start."""
    heavy = ["matplotlib", "scipy.optimize", "scipy.stats", "emergesim.compare"]
    code = (
        "import sys, emergesim.sweeps.tasks\n"
        "from emergesim.registry import available, card\n"
        "from emergesim.sweeps.tasks import resolve\n"
        "for name in available(): resolve(card(name).model)\n"
        f"print([name for name in {heavy!r} if name in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_later_sweeps_reuse_the_worker_processes_until_shut_down():
    shutdown_pools()
    first = sweep("traffic", **SPEC, executor="process", workers=2, progress=False)
    workers = {child.pid for child in multiprocessing.active_children()}
    again = sweep("traffic", **{**SPEC, "seed": 4}, executor="process", workers=2, progress=False)
    assert {child.pid for child in multiprocessing.active_children()} == workers
    assert len(workers) == 2 and not first["flow"].equals(again["flow"])
    shutdown_pools()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_a_script_from_standard_input_is_refused_local_workers(tmp_path, monkeypatch, executor):
    monkeypatch.setattr(sys.modules["__main__"], "__file__", "<stdin>", raising=False)
    with pytest.raises(EmergesimError, match="cannot re-import the script '<stdin>'"):
        sweep("traffic", **SPEC, executor=executor, progress=False, out=tmp_path / "store")
    assert not (tmp_path / "store").exists()
    assert len(sweep("traffic", **SPEC, executor="serial", progress=False)) == 12


@pytest.mark.parametrize("kind", ["serial", "process", "dask"])
def test_starmap_yields_each_call_in_the_order_of_its_arguments(kind):
    """A study's work, not a model's runs: any importable function, on the sweeps' workers."""
    from emergesim.sweeps.executors import make_executor

    arguments = [(2, 10), (3, 2), (7, 0), (5, 3)]
    with make_executor(kind, workers=2) as executor:
        assert list(executor.starmap(pow, arguments)) == [1024, 9, 1, 125]
        with pytest.raises(ZeroDivisionError):  # the function's own error, as it is
            list(executor.starmap(pow, [(0, -1)]))
