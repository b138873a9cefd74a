"""Nagel-Schreckenberg speed: the numba kernel against its Python twin and a numpy version.

Run: python benchmarks/traffic.py [--quick]

All three consume the same uniform draws (included in the timing) and the numpy version is
checked to follow the kernel's trajectory, so the ratios compare equal work. Times are the median
of repeats, taken one after the other in this process on one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from emergesim.models.traffic import TrafficModel


def numpy_step(model: TrafficModel) -> None:
    """A straightforward vectorised NaSch step on the model's arrays (the usual numpy idiom)."""
    pos, speed, length = model.positions, model.speeds, model.length
    draws = model.rng.random(pos.size)
    gap = (np.roll(pos, -1) - pos - 1) % length
    speed = np.minimum(np.minimum(speed + 1, model.vmax), gap)
    speed = np.where((speed > 0) & (draws < model.p_slow), speed - 1, speed)
    model.positions = (pos + speed) % length
    model.speeds = speed


def timed(model: TrafficModel, advance, steps: int, repeats: int) -> float:
    """Median seconds per step."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            advance(model)
        samples.append((time.perf_counter() - start) / steps)
    return statistics.median(samples)


def check_same_trajectory(length: int) -> None:
    kernel = TrafficModel(seed=1, length=length, density=0.2)
    vectorised = TrafficModel(seed=1, length=length, density=0.2)
    for _ in range(50):
        kernel.step()
        numpy_step(vectorised)
    assert np.array_equal(kernel.positions, vectorised.positions), "numpy peer diverged"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    check_same_trajectory(10_000)
    TrafficModel(seed=0, length=100).step()  # compile (or load the cached kernel)
    print(f"cores: {os.cpu_count()}, kernel single-threaded, density 0.2, vmax 5, p_slow 0.25")
    header = ("L", "cars", "peer", "s/step", "car-updates/s", "kernel is")
    print("{:>9} {:>8} {:>8} {:>10} {:>14} {:>10}".format(*header))
    for length, steps, twin_steps in [(1_000_000, 50, 1), (1_000, 20_000, 200)]:
        if args.quick:
            steps //= 5
        model = TrafficModel(seed=1, length=length, density=0.2)
        cars = model.positions.size
        kernel = timed(model, TrafficModel.step, steps, repeats)
        rows = [("kernel", kernel)]
        rows.append(("numpy", timed(model, numpy_step, steps, repeats)))
        twin = TrafficModel(seed=1, length=length, density=0.2, backend="python")
        rows.append(("twin", timed(twin, TrafficModel.step, twin_steps, min(repeats, 3))))
        for peer, seconds in rows:
            ratio = "" if peer == "kernel" else f"{seconds / kernel:9.0f}x"
            rate = cars / seconds
            print(f"{length:>9} {cars:>8} {peer:>8} {seconds:10.3e} {rate:14.3e} {ratio:>10}")


if __name__ == "__main__":
    main()
