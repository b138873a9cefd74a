"""Timing shared by the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

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
