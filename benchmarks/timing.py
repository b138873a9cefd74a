"""Timing shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

import os
import statistics
import time


def seconds_per_step(model, advance, steps: int, repeats: int) -> float:
    """Median over ``repeats`` of the seconds per ``advance(model)``, ``steps`` calls each."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            advance(model)
        samples.append((time.perf_counter() - start) / steps)
    return statistics.median(samples)


def median_seconds(action, repeats: int) -> float:
    """Median over ``repeats`` of the seconds one ``action()`` takes."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def load() -> str:
    """The load averages (1, 5 and 15 minutes) printed beside a figure."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())
