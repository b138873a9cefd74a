"""Nagel-Schreckenberg speed: the numba kernel against its Python twin and a numpy version.

Run: python benchmarks/traffic.py [--quick]

Every peer advances a TrafficModel of the same size and density one step at a time, random
numbers included: the kernel and the twin expand one key per step (emergesim.streams), the numpy
version draws an array with rng.random as a numpy user would. Times are the median of repeats,
taken one after the other in this process; the kernel is timed on one thread and on all cores.
"""

from __future__ import annotations

import argparse
import os

import numba
import numpy as np
from timing import seconds_per_step

from emergesim.models.traffic import TrafficModel

DENSITY = 0.2


def numpy_step(model: TrafficModel) -> None:
    """A straightforward vectorised NaSch step on the model's arrays (the usual numpy idiom)."""
    pos, speed, length = model.positions, model.speeds, model.length
    draws = model.rng.random(pos.size)
    gap = (np.roll(pos, -1) - pos - 1) % length
    speed = np.minimum(np.minimum(speed + 1, model.vmax), gap)
    speed = np.where((speed > 0) & (draws < model.p_slow), speed - 1, speed)
    model.positions = (pos + speed) % length
    model.speeds = speed


def check_numpy_peer() -> None:
    """The numpy peer runs the same rules: same steady flow within sampling error."""
    flows = []
    for advance in (TrafficModel.step, numpy_step):
        model = TrafficModel(seed=1, length=100_000, density=DENSITY)
        for _ in range(300):
            advance(model)
        flows.append(model.speeds.sum() / model.length)
    assert abs(flows[0] - flows[1]) < 0.01, f"numpy peer disagrees: {flows}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    cores = numba.get_num_threads()
    check_numpy_peer()
    print(f"cores: {os.cpu_count()}; density {DENSITY}, vmax 5, p_slow 0.25")
    header = ("L", "cars", "peer", "s/step", "car-updates/s", "kernel/1 is", f"kernel/{cores} is")
    print("{:>9} {:>7} {:>10} {:>10} {:>14} {:>12} {:>12}".format(*header))
    for length, steps, twin_steps in [(1_000_000, 100, 2), (1_000, 20_000, 200)]:
        steps = steps // 5 if args.quick else steps
        model = TrafficModel(seed=1, length=length, density=DENSITY)
        twin = TrafficModel(seed=1, length=length, density=DENSITY, backend="python")
        cars = model.positions.size
        rows = []
        for threads in (1, cores):
            numba.set_num_threads(threads)
            rows.append(
                (f"kernel/{threads}", seconds_per_step(model, TrafficModel.step, steps, repeats))
            )
        rows.append(("numpy", seconds_per_step(model, numpy_step, steps, repeats)))
        rows.append(("twin", seconds_per_step(twin, TrafficModel.step, twin_steps, 3)))
        one, many = rows[0][1], rows[1][1]
        for peer, seconds in rows:
            ratios = (
                ("", "")
                if peer.startswith("kernel")
                else (f"{seconds / one:11.0f}x", f"{seconds / many:11.0f}x")
            )
            print(
                f"{length:>9} {cars:>7} {peer:>10} {seconds:10.3e} {cars / seconds:14.3e} "
                f"{ratios[0]:>12} {ratios[1]:>12}"
            )


if __name__ == "__main__":
    main()
