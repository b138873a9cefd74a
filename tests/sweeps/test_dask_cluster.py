"""A real Dask cluster on 127.0.0.1, as on a cluster's nodes: `dask scheduler` and two
`dask worker`s, each in a process group of its own (a node), run 10^4 runs while a worker is
killed and replaced, and lose none; Ctrl-C on a Dask sweep, local cluster or scheduler, is one
line and exit code 130, and the rerun finishes it with every run stored once."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from emergesim.sweeps import load, sweep

# 10^4 tiny runs (20 cells, 5 steps, about a millisecond each): the cluster's and the store's
# costs, not the runs', make the time
TINY = ["-p", "length=20", "--steps", "5", "--burn-in", "0", "--seed", "1"]
SPEC = {"fixed": {"length": 20}, "steps": 5, "burn_in": 0, "seed": 1}
DENSITIES = "density=0.05:0.55:100"
START = 60  # seconds a process may take to start, or a sweep to store its first runs
pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and signals of POSIX")


class Cluster:
    """A scheduler and its workers, each a `dask` command in a new session (killed whole)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{args[0]}-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "dask", *args, "--scheduler-file", str(self.file)],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has it
        self.processes.append(process)
        return process

    def add_worker(self) -> None:
        worker = self.start("worker", "--nworkers", "1", "--nthreads", "1", "--no-dashboard")
        self.workers.append(worker)

    def kill_worker(self) -> int:
        """SIGKILL, nanny and worker process at once (a node that goes down), a worker that
        runs a batch of runs; -> the batches the scheduler had given it."""
        from dask.distributed import Client

        with Client(scheduler_file=str(self.file), timeout=START) as client:
            deadline = time.monotonic() + START
            while not (held := {a: len(keys) for a, keys in client.processing().items() if keys}):
                # the workers wait at times for the sweep, which writes the store
                assert time.monotonic() < deadline, "no worker got a batch"
                time.sleep(0.01)
            address = next(iter(held))
            pid = client.run(os.getpid, workers=[address])[address]
        worker = next(w for w in self.workers if w.pid == os.getpgid(pid))
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        self.workers.remove(worker)
        return held[address]

    def wait_for_workers(self, count: int) -> None:
        from dask.distributed import Client

        with Client(scheduler_file=str(self.file), timeout=START) as client:
            client.wait_for_workers(count, timeout=START)

    @property
    def address(self) -> str:
        return json.loads(self.file.read_text())["address"]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    found = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        found.start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard")
        deadline = time.monotonic() + START
        while not found.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        found.add_worker()
        found.add_worker()
        found.wait_for_workers(2)
        yield found
    finally:
        found.stop()


def start_sweep(folder: Path, *args: str) -> subprocess.Popen:
    """``emergesim --quiet sweep traffic ... --json`` into ``folder``, in a new session (its own
    process group, as a terminal's foreground job: Ctrl-C goes to the whole group)."""
    command = [sys.executable, "-m", "emergesim", "--quiet", "sweep", "traffic", *TINY]
    return subprocess.Popen(
        [*command, *args, "--out", str(folder), "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stored(folder: Path) -> int:
    """At least the runs in the store's files, counted from their names (a part holds 512 or
    more): cheap enough to ask every 50 ms."""
    names = [path.name for path in (folder / "runs").glob("*.parquet")]
    return sum(512 if name.startswith("part-") else 1 for name in names)


def wait_for_runs(sweeping: subprocess.Popen, folder: Path, runs: int) -> None:
    deadline = time.monotonic() + START
    while stored(folder) < runs:
        assert sweeping.poll() is None, sweeping.communicate()
        assert time.monotonic() < deadline, f"fewer than {runs} runs stored in {START} s"
        time.sleep(0.05)


def finish(sweeping: subprocess.Popen, runs: int) -> None:
    out, err = sweeping.communicate(timeout=240)
    assert (sweeping.returncode, err) == (0, "")
    assert json.loads(out)["runs"] == runs and json.loads(out)["ok"] == runs


def every_run_once(folder: Path, runs: int) -> pd.DataFrame:
    frame = load(folder)
    assert len(frame) == runs and frame["key"].nunique() == runs
    assert (frame["status"] == "ok").all()
    return frame


def test_a_cluster_loses_no_run_when_a_worker_is_killed_and_replaced(cluster, tmp_path):
    out = tmp_path / "sweep"
    args = ["--vary", DENSITIES, "--reps", "100", "--scheduler", cluster.address]
    sweeping = start_sweep(out, *args)
    try:
        wait_for_runs(sweeping, out, 1000)  # well into the sweep, the batches at full size
        assert cluster.kill_worker() >= 1  # the batches it held are lost with it
        cluster.add_worker()
        assert sweeping.poll() is None and len(load(out, columns=["key"])) < 10_000
        finish(sweeping, 10_000)
    finally:
        sweeping.kill()
        sweeping.wait()
    frame = every_run_once(out, 10_000)
    # the same bits as runs done in this process: 200 runs, two densities' replicates
    densities = sorted(frame["density"].unique())
    chosen = [densities[7], densities[71]]
    serial = sweep(
        "traffic", vary={"density": chosen}, reps=100, **SPEC, executor="serial", progress=False
    )
    on_cluster = frame.set_index("key").loc[serial["key"]].reset_index()
    columns = [c for c in serial.columns if c != "elapsed"]
    assert len(serial) == 200
    pd.testing.assert_frame_equal(on_cluster[columns], serial[columns], check_exact=True)


@pytest.mark.parametrize("where", ["local", "scheduler"])
def test_ctrl_c_stops_a_dask_sweep_with_one_line_and_the_rerun_finishes_it(
    cluster, tmp_path, where
):
    """Ctrl-C in a terminal reaches the whole foreground process group: the sweep and its local
    cluster's workers."""
    out = tmp_path / "sweep"
    on = ["--dask", "--workers", "2"] if where == "local" else ["--scheduler", cluster.address]
    args = ["--vary", DENSITIES, "--reps", "10", *on]
    sweeping = start_sweep(out, *args)
    try:
        wait_for_runs(sweeping, out, 20)
        os.killpg(sweeping.pid, signal.SIGINT)
        _, err = sweeping.communicate(timeout=60)
    finally:
        sweeping.kill()
        sweeping.wait()
    assert sweeping.returncode == 130
    assert err.splitlines() == [
        f"emergesim: interrupted; the finished runs are stored in {out}: rerun the same command "
        "to resume"
    ]
    assert 0 < len(load(out)) < 1000
    rerun = start_sweep(out, *args)
    try:
        finish(rerun, 1000)
    finally:
        rerun.kill()
        rerun.wait()
    every_run_once(out, 1000)
