"""Serial, process pool and Dask LocalCluster give the same bits; a run that crashes its worker
or hangs fails alone."""

import functools
import io
import logging
import math
import multiprocessing
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

from emergesim import EmergesimError, get_model, run
from emergesim.sweeps import executors, load, run_seed, sweep
from emergesim.sweeps.executors import make_executor, shutdown_pools

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


@pytest.mark.parametrize("steps", [5, 40])  # records summed in order, and pairwise by numpy
def test_a_row_is_what_run_gives_with_the_rows_seed(steps):
    """A worker measures without a RunResult: its means are emergesim.run's, bit for bit, so
    ``run(model, seed=run_seed(row.seed, row.key), ...)`` repeats a stored run (run_seed's
    docstring)."""
    spec = {**SPEC, "steps": steps, "record_every": 2}
    table = sweep("traffic", **spec, executor="serial", progress=False)
    observables = list(get_model("traffic").observables)
    for row in table.itertuples(index=False):
        result = run(
            "traffic",
            seed=run_seed(row.seed, row.key),
            steps=steps,
            burn_in=spec["burn_in"],
            record_every=2,
            length=120,
            density=row.density,
            p_slow=row.p_slow,
        )
        expected = [result.observables[name] for name in observables]
        assert pd.Series([getattr(row, n) for n in observables]).equals(pd.Series(expected))


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
    arguments = [(2, 10), (3, 2), (7, 0), (5, 3)]
    with make_executor(kind, workers=2) as executor:
        assert list(executor.starmap(pow, arguments)) == [1024, 9, 1, 125]
        with pytest.raises(ZeroDivisionError):  # the function's own error, as it is
            list(executor.starmap(pow, [(0, -1)]))


# toy -> the x where its runs die, the timeout, the error recorded; the segfault is at the first
# point, where the warm-up runs too
DYING = {
    "Crash": (0.0, None, "the worker process died during this run (exit code -11, SIGSEGV)"),
    "Exit": (0.6, None, "the worker process died during this run (exit code 3)"),
    "Hang": (0.6, 3, "timed out after 3 s"),
}


@pytest.mark.parametrize("toy", DYING)
def test_a_run_that_takes_its_worker_down_or_hangs_fails_alone(tmp_path, toy):
    at, timeout, error = DYING[toy]
    model, spec = f"sweep_toys:{toy}", {"fixed": {"at": at}, "seed": 2}
    args = {**spec, "executor": "process", "workers": 2, "timeout": timeout, "progress": False}
    frame = sweep(model, vary={"x": "0:1:6"}, **args, out=tmp_path)
    failed = frame[frame["status"] == "failed"]
    assert failed["x"].tolist() == [at] and failed["error"].tolist() == [error]
    assert failed["noise"].isna().all()
    ok = frame[frame["status"] == "ok"].reset_index(drop=True)
    assert len(ok) == 5
    serial = sweep(model, vary={"x": list(ok["x"])}, **spec, executor="serial", progress=False)
    pd.testing.assert_frame_equal(ok.drop(columns="elapsed"), serial.drop(columns="elapsed"))
    rerun = sweep(model, vary={"x": "0:1:6"}, **args, out=tmp_path)
    pd.testing.assert_frame_equal(rerun, frame)  # the same elapsed times: nothing ran again
    retried = sweep(model, vary={"x": "0:1:6"}, **args, out=tmp_path, retry_failed=True)
    assert retried["error"].tolist() == frame["error"].tolist()
    assert not retried["elapsed"].equals(frame["elapsed"])  # the failed run ran again


def test_workers_that_die_together_lose_their_own_calls_only():
    from sweep_toys import exit_at

    pool = executors._shared_pool(2)  # started by the tests above
    calls = [(time.time() + 1, 3), (time.time() + 1, 4)]
    lost = sorted((index, str(error)) for index, _, error in pool.run(exit_at, calls))
    died = "the worker process died during this run (exit code {})"
    assert lost == [(0, died.format(3)), (1, died.format(4))]


def test_a_study_call_that_ends_its_worker_is_named():
    with make_executor("process", workers=2) as executor:
        died = r"^_exit\(3,\): the worker process died during this run \(exit code 3\)$"
        with pytest.raises(EmergesimError, match=died):
            list(executor.starmap(os._exit, [(3,)]))


def test_a_run_whose_dask_worker_dies_fails_alone():
    spec = {"fixed": {"at": 0.2}, "seed": 2, "progress": False}
    frame = sweep("sweep_toys:Crash", vary={"x": "0:1:6"}, **spec, executor="dask", workers=2)
    assert frame["status"].tolist() == ["ok", "failed", "ok", "ok", "ok", "ok"]
    died = "the Dask worker died during this run, 4 times (KilledWorker)"  # 3 retries by default
    assert frame["error"][1] == died
    ok = frame[frame["status"] == "ok"].reset_index(drop=True)
    serial = sweep("sweep_toys:Crash", vary={"x": list(ok["x"])}, **spec, executor="serial")
    pd.testing.assert_frame_equal(ok.drop(columns="elapsed"), serial.drop(columns="elapsed"))


def test_a_dask_batch_that_kills_its_workers_is_split_so_that_its_bad_run_fails_alone(
    monkeypatch,
):
    """Runs go to Dask in batches (here all six in one): a batch that Dask gives up on runs
    again one run a task."""
    import dask

    monkeypatch.setattr(executors, "_batch_size", lambda recent, left, slots: left)
    spec = {"fixed": {"at": 0.2}, "seed": 2, "progress": False}
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # one death, not four
        frame = sweep("sweep_toys:Crash", vary={"x": "0:1:6"}, **spec, executor="dask", workers=2)
    assert frame["status"].tolist() == ["ok", "failed", "ok", "ok", "ok", "ok"]
    assert frame["error"][1] == "the Dask worker died during this run (KilledWorker)"


def test_a_dask_batch_takes_about_a_quarter_second_of_runs_and_leaves_work_for_every_slot():
    assert executors._batch_size([], 10_000, 4) == 1  # no run has come back yet
    assert executors._batch_size([0.001, 0.002, 0.5], 10_000, 4) == 125  # by the median
    assert executors._batch_size([0.001] * 5, 300, 4) == 75  # an even share of the rest
    assert executors._batch_size([2.0, 3.0], 10_000, 4) == 1  # long runs: one a task
    assert executors._batch_size([0.0], 10, 4) == 3


def test_distributeds_error_on_an_early_ctrl_c_is_not_shown_and_other_errors_are():
    """distributed's sync() cancels, on Ctrl-C, a future it may not have made yet: its event
    loop then logs a NameError through tornado (seen once in CI on 3.13). That record is
    dropped while a Dask executor is connected; any other error is shown."""

    def sync():
        def cancel():
            return future  # noqa: F821 (unassigned, as in distributed)

        return cancel

    def logged(callback) -> logging.LogRecord:
        try:
            callback()
        except NameError as error:
            exc_info = (NameError, error, error.__traceback__)
        return logging.LogRecord(
            "tornado.application",
            logging.ERROR,
            __file__,
            1,
            "Exception in callback %r",
            (functools.partial(callback),),
            exc_info,
        )

    def other():
        return missing  # noqa: F821

    assert not executors._interrupted_early(logged(sync()))
    assert executors._interrupted_early(logged(other))


def test_a_dask_scheduler_without_workers_is_reported_while_the_sweep_waits(monkeypatch):
    from dask.distributed import LocalCluster

    class Stderr(io.StringIO):
        def write(self, text: str) -> int:
            if "has no workers" in text:
                cluster.scale(1)  # a worker comes once the user is told
            return super().write(text)

    monkeypatch.setattr(executors, "NO_WORKERS_GRACE", 0.5)
    monkeypatch.setattr(sys, "stderr", said := Stderr())
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        frame = sweep("traffic", **SPEC, executor="dask", scheduler=address, progress=False)
    assert (frame["status"] == "ok").all()
    assert said.getvalue().splitlines() == [
        f"emergesim: warning: the Dask scheduler at {address} has no workers; start some "
        f"(dask worker {address}); waiting for them"
    ]


@pytest.mark.parametrize("timeout", [0, -1, "5", True, math.nan, math.inf])
def test_a_timeout_is_a_number_of_seconds_above_zero(timeout):
    with pytest.raises(EmergesimError, match=r"^timeout must be a number of seconds > 0, got"):
        make_executor("process", timeout=timeout)


def test_only_local_processes_can_stop_a_run():
    """The others say so where the summary says where the runs ran."""
    assert (
        make_executor("process", 2, timeout=5).describe() == "on 2 processes (timeout: 5 s a run)"
    )
    assert make_executor("serial", timeout=5).describe() == (
        "in this process (no timeout: a run in this process cannot be stopped)"
    )
    assert make_executor("dask", 2, timeout=0.5).describe() == (
        "on a local Dask cluster of 2 processes (no timeout: a Dask task cannot be stopped)"
    )
