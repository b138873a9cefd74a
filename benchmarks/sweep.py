"""Sweep speed: overhead per run, speedup on two workers, Dask against processes, Mesa batch_run,
and a store of 10^5 runs.

Run: python benchmarks/sweep.py [--quick] [--store-only] [--store-runs N]

1. Tiny traffic runs (20 cells, 5 steps): the sweep's cost per run beyond ``emergesim.run`` in a
   loop, in memory and with the store (finished runs written together as Parquet parts), in this
   process; and Mesa's ``batch_run`` of the same runs on one process and on two.
2. Runs of about 0.2 s (10,000 cells, 2,000 cars, single-threaded kernel): the serial sweep
   against two worker processes: the first sweep of a session (workers started for it), a later
   sweep (workers kept from the first), and the runs alone on workers already started; and a
   first sweep four times as long (not with --quick).
3. The same runs on a Dask LocalCluster of two processes against the process pool.
4. The same runs through Mesa's ``batch_run`` (two processes; the model's own DataCollector
   records the observables every step) against the sweep on two processes observing every step
   too.
5. 10^5 tiny runs (10^4 with --quick, N with --store-runs) stored by one sweep on two
   processes: the store's files and size, ``emergesim.load`` of all of it and of two columns of
   the ok runs, each in a fresh process (seconds, and its peak RSS: the interpreter with pandas
   and pyarrow, then the load's own growth), and a rerun of the same sweep into the same folder,
   which has nothing to do, split into its steps as ``emergesim.sweep`` takes them.

Times are medians of repeats taken one after the other in this process; against batch_run, the
sweep and batch_run take turns, and the ratio is the median of the turns' ratios with their
quartiles. Part 2 also prints the speedup that two busy processes get on the machine at that
moment, the ceiling for the sweep's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
from timing import median_seconds

import emergesim
from emergesim.models.traffic import TrafficModel
from emergesim.sweeps import sweep
from emergesim.sweeps.executors import Dask, Processes, shutdown_pools
from emergesim.sweeps.spec import resolve_spec
from emergesim.sweeps.store import FolderStore, read_stored

TINY = {"fixed": {"length": 20}, "steps": 5, "burn_in": 0, "seed": 1}
MEDIUM_RUN = {"steps": 6000, "burn_in": 500, "record_every": 10}  # about 0.2 s
MEDIUM = {"fixed": {"length": 10_000}, **MEDIUM_RUN, "seed": 1}
WORKERS = 2
STORE_REPS = 1000  # part 5 sweeps runs // STORE_REPS densities, STORE_REPS replicates each
# a fresh process's peak RSS in kB (Linux): ru_maxrss would count this process's, carried to
# the child across exec
LOAD = """
import json, sys, time
import emergesim
peak = lambda: next(int(l.split()[1]) for l in open("/proc/self/status") if l[:6] == "VmHWM:")
emergesim.load  # imports pandas and pyarrow: the interpreter's part of the peak
before = peak()
start = time.perf_counter()
emergesim.load(sys.argv[1], **json.loads(sys.argv[2]))
print(time.perf_counter() - start, before, peak())
"""


def paired(ours, theirs, turns: int) -> tuple[float, float, str]:
    """``ours`` and ``theirs`` timed in turns (ours, theirs, ours, ...), so that a change in the
    machine's load falls on both: the median seconds of each, and the ratio theirs / ours as
    the median of the turns' ratios with their quartiles."""
    mine, peer = [], []
    for _ in range(turns):
        mine.append(median_seconds(ours, 1))
        peer.append(median_seconds(theirs, 1))
    ratios = [p / m for p, m in zip(peer, mine, strict=True)]
    low, middle, high = statistics.quantiles(ratios, n=4)
    shown = f"{middle:.2f} (quartiles of {turns} turns {low:.2f}-{high:.2f})"
    return statistics.median(mine), statistics.median(peer), shown


def densities(n: int) -> list[float]:
    return [round(0.05 + 0.5 * i / max(n - 1, 1), 6) for i in range(n)]


def whole_sweep(executor: str, vary: dict, spec: dict, *, store: bool = False, cold: bool = False):
    """A sweep into a fresh store (or none) as a timed action; ``cold``: the process pool is
    started for it, as in the first sweep of a session."""

    def action() -> None:
        if cold:
            shutdown_pools()
        out = tempfile.mkdtemp(prefix="sweep-bench-") if store else None
        sweep(
            "traffic",
            vary=vary,
            **spec,
            executor=executor,
            workers=WORKERS,
            out=out,
            progress=False,
        )

    return action


def steady(pool, tasks, repeats: int) -> float:
    """The runs of ``tasks`` on workers already started, with the numba cache loaded."""
    with pool:
        list(pool.map(tasks[:WORKERS]))
        return median_seconds(lambda: list(pool.map(tasks)), repeats)


def ceiling() -> float:
    """The speedup two processes can get here now: one CPU-bound Python loop against two at
    once (on a machine shared with other work it falls well below 2)."""
    loop = [sys.executable, "-c", "sum(range(30_000_000))"]

    def together(count: int) -> None:
        for child in [subprocess.Popen(loop) for _ in range(count)]:
            child.wait()

    return 2 * median_seconds(lambda: together(1), 3) / median_seconds(lambda: together(2), 3)


def overhead(runs: int, repeats: int) -> None:
    vary = {"density": densities(runs)}
    tasks = resolve_spec("traffic", vary=vary, **TINY).tasks()
    emergesim.run("traffic", steps=1, length=20)  # numba cache loaded

    def direct() -> None:
        for task in tasks:
            emergesim.run(
                TrafficModel, steps=task.steps, burn_in=task.burn_in, seed=1, **task.params
            )

    base = median_seconds(direct, repeats)
    print(
        f"1. tiny runs ({runs} runs, 20 cells, 5 steps); emergesim.run in a loop: "
        f"{base / runs * 1e3:.2f} ms/run"
    )
    print(f"{'sweep':>38} {'ms/run':>8} {'overhead ms/run':>16}")
    rows = [
        ("serial, in memory", median_seconds(whole_sweep("serial", vary, TINY), repeats)),
        ("serial, store", median_seconds(whole_sweep("serial", vary, TINY, store=True), repeats)),
        (
            f"{WORKERS} processes, store, pool kept",
            median_seconds(whole_sweep("process", vary, TINY, store=True), repeats),
        ),
        (
            f"{WORKERS} processes, no store, started pool",
            steady(Processes(WORKERS), tasks, repeats) * WORKERS,
        ),
    ]
    for label, seconds in rows:
        print(f"{label:>38} {seconds / runs * 1e3:8.2f} {(seconds - base) / runs * 1e3:16.2f}")
    print("(the last row is worker-seconds: wall time x 2 workers)")
    sweeps = [("serial, in memory", "serial", False, 4 * repeats + 1)]
    sweeps += [(rows[2][0], "process", True, repeats)]
    for processes, (label, executor, store, turns) in zip([1, WORKERS], sweeps, strict=True):
        ours, theirs, ratio = paired(
            whole_sweep(executor, vary, TINY, store=store),
            mesa_batch_run(vary, TINY, processes),
            turns,
        )
        print(
            f"Mesa batch_run, {processes} process{'es' if processes > 1 else ''}, every step "
            f"observed: {theirs / runs * 1e3:.2f} ms/run; sweep ({label}) "
            f"{ours / runs * 1e3:.2f} ms/run; batch_run / sweep = {ratio}"
        )


def scaling(runs: int, repeats: int) -> None:
    vary = {"density": densities(runs)}
    tasks = resolve_spec("traffic", vary=vary, **MEDIUM).tasks()
    numba.set_num_threads(1)  # as in a worker (2,000 cars run single-threaded anyway)
    one = median_seconds(
        lambda: emergesim.run("traffic", seed=1, density=0.3, **MEDIUM["fixed"], **MEDIUM_RUN), 3
    )
    serial = median_seconds(whole_sweep("serial", vary, MEDIUM), repeats)
    first = median_seconds(whole_sweep("process", vary, MEDIUM, cold=True), repeats)
    later = median_seconds(whole_sweep("process", vary, MEDIUM), repeats)
    started = steady(Processes(WORKERS), tasks, repeats)
    shutdown_pools()  # Dask alone on the machine, as the pool was
    dask_started = steady(Dask(WORKERS, None), tasks, repeats)
    dask = median_seconds(whole_sweep("dask", vary, MEDIUM), repeats)
    steps = MEDIUM_RUN["burn_in"] + MEDIUM_RUN["steps"]
    print(
        f"\n2-3. {runs} runs of {one:.2f} s (2,000 cars, {steps} steps, observed every "
        f"{MEDIUM_RUN['record_every']}th); cores: {os.cpu_count()}"
    )
    print(f"speedup ceiling of {WORKERS} processes on this machine now: {ceiling():.2f}x")
    print(f"{'':>44} {'seconds':>8} {'speedup':>8}")
    for label, seconds in [
        ("serial sweep", serial),
        (f"{WORKERS} processes: first sweep (workers start)", first),
        (f"{WORKERS} processes: later sweep (workers kept)", later),
        (f"{WORKERS} processes: the runs on started workers", started),
        (f"dask, {WORKERS} processes: whole sweep", dask),
        (f"dask, {WORKERS} processes: started workers", dask_started),
    ]:
        print(f"{label:>44} {seconds:8.2f} {serial / seconds:7.2f}x")
    print(
        f"worker start: {first - later:.2f} s; dask / processes on started workers: "
        f"{dask_started / started:.2f}"
    )


def long_first_sweep(runs: int, repeats: int) -> None:
    """The workers' start, about 1.5 s, is paid once: a longer first sweep hides it."""
    vary = {"density": densities(runs)}
    serial = median_seconds(whole_sweep("serial", vary, MEDIUM), repeats)
    first = median_seconds(whole_sweep("process", vary, MEDIUM, cold=True), repeats)
    print(
        f"first sweep of {runs} runs: serial {serial:.2f} s, {WORKERS} processes "
        f"{first:.2f} s: {serial / first:.2f}x"
    )


def mesa_batch_run(vary: dict, spec: dict, processes: int):
    """Mesa's batch_run of the runs a sweep of ``vary`` and ``spec`` makes, as a timed action:
    the model's DataCollector records the observables every step, as the sweep does with
    ``record_every`` 1."""
    from mesa.batchrunner import batch_run  # sets the "spawn" start method when imported

    parameters = {**vary, **spec["fixed"]}
    steps = spec.get("burn_in", 0) + spec["steps"] - 1  # it steps while steps <= max_steps
    return lambda: batch_run(
        TrafficModel,
        parameters,
        number_processes=processes,
        max_steps=steps,
        display_progress=False,
    )


def batch(runs: int, repeats: int) -> None:
    """Both observe every step: batch_run's DataCollector needs a row per step."""
    vary, every_step = {"density": densities(runs)}, {**MEDIUM, "record_every": 1}
    ours, theirs, ratio = paired(
        whole_sweep("process", vary, every_step, cold=True),
        mesa_batch_run(vary, every_step, WORKERS),
        repeats,
    )
    print(
        f"\n4. the same {runs} runs observed every step, {WORKERS} processes, pool start "
        f"included: Mesa batch_run {theirs:.2f} s, emergesim sweep {ours:.2f} s: "
        f"batch_run / sweep = {ratio}"
    )


def store_at_scale(runs: int, repeats: int) -> None:
    spec = {**TINY, "vary": {"density": f"0.05:0.55:{runs // STORE_REPS}"}, "reps": STORE_REPS}
    with tempfile.TemporaryDirectory(prefix="sweep-store-") as folder:
        out = Path(folder)
        start = time.perf_counter()
        sweep("traffic", **spec, executor="process", workers=WORKERS, out=out, progress=False)
        seconds = time.perf_counter() - start
        files = list((out / "runs").iterdir())
        size = sum(path.stat().st_size for path in files) / 1e6
        print(
            f"\n5. {runs:,} tiny runs stored by a sweep on {WORKERS} processes in {seconds:.0f} s "
            f"({seconds / runs * 1e3:.2f} ms/run): {len(files)} files, {size:.1f} MB"
        )
        subset = {"columns": ["density", "flow"], "filters": {"status": "ok"}}
        for label, arguments in [("all of it", {}), (json.dumps(subset), subset)]:
            seconds, before, peak = fresh_load(out, arguments, repeats)
            print(
                f"load {label}: {seconds:.2f} s, peak RSS {peak:.0f} MB "
                f"({before:.0f} MB before the load)"
            )
        rerun = median_seconds(
            lambda: sweep("traffic", **spec, executor="serial", out=out, progress=False), repeats
        )
        steps = [rerun_steps(out, spec) for _ in range(repeats)]
        split = {name: statistics.median(s[name] for s in steps) for name in steps[0]}
        print(
            f"rerun with nothing to do: {rerun:.2f} s; "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split.items())
        )


def fresh_load(out: Path, arguments: dict, repeats: int) -> tuple[float, float, float]:
    """``emergesim.load(out, **arguments)`` in fresh processes: median seconds, and the largest
    peak RSS (MB) before and after the load."""
    samples = []
    for _ in range(repeats):
        command = [sys.executable, "-c", LOAD, str(out), json.dumps(arguments)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        samples.append([float(word) for word in done.stdout.split()])
    seconds, before, peak = zip(*samples, strict=True)
    return statistics.median(seconds), max(before) / 1024, max(peak) / 1024


def rerun_steps(out: Path, spec: dict) -> dict[str, float]:
    """The steps of a rerun with nothing to do, as emergesim.sweep takes them: resolve the spec
    (which makes every run's key), open the store (every stored run's key and status), and read
    the records the sweep returns."""
    start = time.perf_counter()
    stored = read_stored(out)
    tasks = (resolved := resolve_spec("traffic", **spec)).tasks()
    opened = time.perf_counter()
    store = FolderStore(out, resolved, stored)
    statuses = store.statuses()
    assert all(task.key in statuses for task in tasks)
    read = time.perf_counter()
    store.frame(task.key for task in tasks)
    store.close()
    end = time.perf_counter()
    return {"resolve the spec": opened - start, "open the store": read - opened, "read": end - read}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and repeats")
    parser.add_argument("--store-only", action="store_true", help="part 5 alone")
    parser.add_argument("--store-runs", type=int, help="part 5's runs (10^5; 10^4 with --quick)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    stored = args.store_runs or (10_000 if args.quick else 100_000)
    if args.store_only:
        store_at_scale(stored, repeats)
        return
    runs = 16 if args.quick else 40
    overhead(100 if args.quick else 400, repeats)
    scaling(runs, repeats)
    if not args.quick:
        long_first_sweep(4 * runs, 3)
    batch(runs, repeats)
    store_at_scale(stored, repeats)


if __name__ == "__main__":
    main()
