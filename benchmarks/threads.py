"""Two threads against one, quiet and beside a busy process, with the thread policy (auto).

Run: python benchmarks/threads.py [--quick] [--busy N]

For traffic at 10^5 and 10^7 cars, the snowflake sweep at radius 400 (the whole domain, 480,000
cells) and flocking at 10^5 birds, three ways of calling the kernel are timed: ``one`` (the
serial variant), ``two`` (the parallel variant on two threads) and ``auto`` (the model's own
call, emergesim.parallel.threaded: the thread count picked from the work size, the CPU affinity
and the cores the load average leaves free). The three alternate within every repeat, so load
from other processes falls on all alike; each figure is the median of repeats. This runs twice:
as the machine is, then beside N processes spinning a CPU loop (default 1). The policy reads the
one-minute load average, so it sees a new competitor only after some tens of seconds: the busy
round starts after ``--settle`` seconds (default 40). Goal: auto never more than 1.2x slower than
one thread.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
from flocking import CONFIGS, build_ours
from timing import load

from emergesim import parallel
from emergesim.models.flocking import kernels as flocking
from emergesim.models.snowflake import SnowflakeModel
from emergesim.models.snowflake import kernels as snowflake
from emergesim.models.traffic import TrafficModel
from emergesim.models.traffic import kernels as traffic

SPIN = "while True: pass"


def traffic_case(length: int) -> tuple[str, Callable, int]:
    """A traffic state and a call of kernel(*args) one step on it (buffers swapped)."""
    model = TrafficModel(seed=1, length=length, density=0.2, collect=False)
    for _ in range(10):
        model.step()
    buffers = [model.positions, model._next_positions]
    fixed = model.p_slow, model.vmax, model.length, 11

    def step(kernel: Callable) -> None:
        kernel(buffers[0], buffers[1], model.speeds, 977, *fixed, model.released_at)
        buffers[0], buffers[1] = buffers[1], buffers[0]

    return f"traffic {model.positions.size:,} cars", step, model.positions.size


def snowflake_case(radius: int) -> tuple[str, Callable, int]:
    model = SnowflakeModel(radius=radius, collect=False, alpha=1.0, beta=0.4, gamma=0.0001)
    for _ in range(200):
        model.step()
    water, free, receptive = model.water.data, model._free, model.receptive.data
    after, free_after = np.empty_like(water), np.empty_like(free)
    constants = model.alpha / 12, model.gamma, model.centre, radius - 1

    def step(kernel: Callable) -> None:
        kernel(water, free, after, free_after, receptive, *constants, model._frozen_in_row)

    return f"snowflake radius {radius}", step, 3 * radius * (radius - 1) + 1


def flocking_case(birds: int) -> tuple[str, Callable, int]:
    known, side, vision = CONFIGS["Flocking-large"]  # its density, with more birds
    model = build_ours(birds, side * np.sqrt(birds / known), vision, seed=1)
    for _ in range(20):
        model.step()
    spare_state, spare_tags = np.empty_like(model.state), np.empty_like(model.tags)

    def step(kernel: Callable) -> None:  # the same state each time: flocks gather over time
        kernel(model.state, model.tags, np.empty(0), spare_state, spare_tags, model.constants)

    return f"flocking {birds:,} birds", step, birds


KERNELS = {  # case prefix: (serial, parallel, auto)
    "traffic": (traffic.nasch_step, traffic.nasch_step_parallel, traffic.nasch_step_auto),
    "snowflake": (snowflake.sweep, snowflake.sweep_parallel, snowflake.sweep_auto),
    "flocking": (flocking.flock_step, flocking.flock_step_parallel, flocking.flock_step_auto),
}


def on_threads(kernel: Callable, threads: int) -> Callable:
    def call(*args):
        numba.set_num_threads(threads)
        try:
            return kernel(*args)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)

    return call


def time_case(name: str, step: Callable, work: int, repeats: int, budget: float) -> float:
    serial, par, auto = KERNELS[name.split()[0]]
    ways = {"one": serial, "two": on_threads(par, 2), "auto": auto}
    for kernel in ways.values():  # compile, warm caches
        step(kernel)
    start = time.perf_counter()
    step(serial)
    steps = max(1, int(budget / max(time.perf_counter() - start, 1e-6)))
    samples: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(repeats):
        for way, kernel in ways.items():
            time.sleep(0.02)  # OpenMP workers spin a while after a parallel call: let them rest
            start = time.perf_counter()
            for _ in range(steps):
                step(kernel)
            samples[way].append((time.perf_counter() - start) / steps)
    one, two, auto_s = (statistics.median(samples[way]) for way in ways)
    chosen = parallel.threads_for(work, parallel_from(name))  # 1: auto runs the serial kernel
    print(
        f"{name:>24} {one * 1e3:9.3f} {two * 1e3:9.3f} {auto_s * 1e3:9.3f} {two / one:8.2f}x "
        f"{auto_s / one:8.2f}x {chosen:>5}  {load()}",
        flush=True,
    )
    return auto_s / one


def parallel_from(name: str) -> int:
    return {"traffic": traffic, "snowflake": snowflake, "flocking": flocking}[
        name.split()[0]
    ].PARALLEL_FROM


def run_round(title: str, cases, repeats: int, budget: float) -> float:
    print(f"\n{title}")
    columns = ("case", "one ms", "two ms", "auto ms", "two/one", "auto/one", "auto")
    print("{:>24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>5}  load".format(*columns))
    return max(time_case(*case, repeats, budget) for case in cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs")
    parser.add_argument("--busy", type=int, default=1, help="spinning processes beside")
    parser.add_argument("--settle", type=float, default=40.0, help="seconds before busy round")
    args = parser.parse_args()
    repeats, budget = (3, 0.05) if args.quick else (7, 0.2)
    print(__doc__.splitlines()[0])
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(
        f"cores: {os.cpu_count()}, affinity {len(os.sched_getaffinity(0))}, numba "
        f"{numba.__version__} (threads {numba.config.NUMBA_NUM_THREADS}, layer "
        f"{numba.config.THREADING_LAYER}), "
        f"load {load()}"
    )
    cases = [
        traffic_case(500_000),
        traffic_case(50_000_000),
        snowflake_case(400),
        flocking_case(100_000),
    ]
    worst = run_round("as the machine is", cases, repeats, budget)
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.busy)]
    try:
        time.sleep(args.settle)
        parallel.forget_load()
        title = f"beside {args.busy} busy process(es), after {args.settle:.0f} s"
        worst = max(worst, run_round(title, cases, repeats, budget))
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    verdict = "met" if worst <= 1.2 else "NOT met"
    print(
        f"\ngoal: auto never more than 1.2x slower than one thread: worst {worst:.2f}x, {verdict}"
    )


if __name__ == "__main__":
    main()
