"""One-thread kernel speed against the machine's ceilings: traffic, snowflake, flocking.

Run: python benchmarks/ceilings.py [--quick]

The memory ceiling is the copy bandwidth (np.copyto of a 256 MB array: bytes read + bytes
written per second, median of repeats) divided by the bytes one update must move, counted from
the kernel's arrays. Traffic and snowflake touch every element once a step with a few integer or
float operations, so they are memory-bound and the ceiling applies to arrays beyond the caches
(below that, the working set sits in L2/L3 and the same figure is a floor on the ceiling).
Flocking is compute-bound: a bird-update inspects every bird of the 3-by-3 block of cells around
it (about 36 at Flocking-large's density), so its ceiling is the rate at which one core can run
the candidate test and fixed-point sums (measured on contiguous arrays, no cell list) divided by
the candidates per bird. Kernels are timed on one thread: the serial variants themselves, on
states that move between repeats; medians of repeats.
"""

from __future__ import annotations

import argparse
import os
import sys

import numba
import numpy as np
from flocking import CONFIGS, build_ours
from timing import load, median_seconds

from emergesim.models.flocking import kernels as flocking
from emergesim.models.snowflake import SnowflakeModel
from emergesim.models.snowflake import kernels as snowflake
from emergesim.models.snowflake.lattice import hexagon_cells
from emergesim.models.traffic import TrafficModel
from emergesim.models.traffic import kernels as traffic


def header(title: str) -> None:
    print(title)
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(
        f"cores: {os.cpu_count()}, affinity {len(os.sched_getaffinity(0))}, numba "
        f"{numba.__version__} (threads {numba.config.NUMBA_NUM_THREADS}, "
        f"{numba.config.THREADING_LAYER} layer), load {load()}"
    )


def copy_bandwidth(megabytes: int = 256, repeats: int = 9) -> float:
    """Bytes moved per second to and from memory, the better of two streams over arrays far
    beyond the caches: np.copyto (each byte read once and written once: glibc copies this large
    with non-temporal stores, which skip reading the destination first) and an in-place
    ``a += b`` (16 bytes read and 8 written per element, like the kernels' in-place updates)."""
    src = np.ones(megabytes * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    copy = 2 * src.nbytes / median_seconds(lambda: np.copyto(dst, src), repeats)
    add = 3 * src.nbytes / median_seconds(lambda: np.add(dst, src, out=dst), repeats)
    return max(copy, add)


def traffic_bytes(model: TrafficModel) -> int:
    """Per car-update: read positions, speeds, released_at; write new positions, speeds,
    released_at (nasch_step)."""
    read = model.positions.itemsize + model.speeds.itemsize + model.released_at.itemsize
    written = model._next_positions.itemsize + model.speeds.itemsize + model.released_at.itemsize
    return read + written


def traffic_rate(length: int, budget: float, repeats: int) -> tuple[int, float, float]:
    """Cars, car-updates/s of the serial kernel alone, and of TrafficModel.step on one thread."""
    model = TrafficModel(seed=1, length=length, density=0.2, collect=False)
    for _ in range(20):
        model.step()
    cars = model.positions.size
    steps = max(2, int(budget * 4e8 / cars))
    state = [model.positions, model._next_positions]
    p, vmax = model.p_slow, model.vmax

    def kernel() -> None:
        for t in range(steps):
            traffic.nasch_step(
                state[0], state[1], model.speeds, 977 * t, p, vmax, length, t, model.released_at
            )
            state[0], state[1] = state[1], state[0]

    def steps_of_model() -> None:
        for _ in range(steps):
            model.step()

    kernel()
    alone = cars * steps / median_seconds(kernel, repeats)
    numba.set_num_threads(1)  # the caller's limit: the model's auto kernel stays on one thread
    whole = cars * steps / median_seconds(steps_of_model, repeats)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return cars, alone, whole


def snowflake_rate(radius: int, budget: float, repeats: int) -> tuple[int, float]:
    """Cells and cell-updates/s of the serial sweep over the whole domain (rho = radius - 1)
    of a crystal grown for 200 steps (the far field costs the same arithmetic as the rest)."""
    model = SnowflakeModel(radius=radius, collect=False, alpha=1.0, beta=0.4, gamma=0.0001)
    for _ in range(200):
        model.step()
    rho, cells = radius - 1, hexagon_cells(radius - 1)
    steps = max(2, int(budget * 2e8 / cells))
    water, free, receptive = model.water.data, model._free, model.receptive.data
    after, free_after = np.empty_like(water), np.empty_like(free)
    frozen, k, gamma, centre = model._frozen_in_row, model.alpha / 12, model.gamma, model.centre

    def sweeps() -> None:
        for _ in range(steps):
            snowflake.sweep(
                water, free, after, free_after, receptive, k, gamma, centre, rho, frozen
            )

    sweeps()
    return cells, cells * steps / median_seconds(sweeps, repeats)


def snowflake_bytes(model_dtype=np.float64) -> int:
    """Per cell-update: read water, free (u), receptive; write next water and next free."""
    f = np.dtype(model_dtype).itemsize
    return 2 * f + np.dtype(np.bool_).itemsize + 2 * f


@numba.njit(cache=True)
def candidate_loop(xy, uv, span, width, vision2, separation2, heading_scale, offset_scale, out):
    """advance_rows' candidate test and boid sums, bird p against birds p .. p + span - 1 of
    contiguous arrays: the compute cost of a bird-update without the cell list."""
    n = xy.shape[0] - span
    for p in range(n):
        x, y = xy[p, 0], xy[p, 1]
        count = hx = hy = cx = cy = sx = sy = 0
        for q in range(p, p + span):
            dx = flocking.nearest_image(xy[q, 0] - x, width)
            dy = flocking.nearest_image(xy[q, 1] - y, width)
            d2 = dx * dx + dy * dy
            inside = (d2 <= vision2) & (q != p)
            count += inside
            hx += uv[q, 0] * inside
            hy += uv[q, 1] * inside
            fx = flocking.to_fixed(dx, offset_scale) * inside
            fy = flocking.to_fixed(dy, offset_scale) * inside
            cx += fx
            cy += fy
            close = d2 < separation2
            sx += fx * close
            sy += fy * close
        out[p] = count + hx + hy + cx + cy + sx + sy


def candidates_per_bird(model) -> float:
    """Mean number of birds in the 3-by-3 block of cells around a bird (the kernel's scan)."""
    k = model.constants[0]
    start, _ = flocking.bin_agents(model.state, k)
    counts = np.diff(start).reshape(k["ny"], k["nx"])
    block = sum(np.roll(counts, (a, b), (0, 1)) for a in (-1, 0, 1) for b in (-1, 0, 1))
    return float((counts * block).sum() / counts.sum())


def flocking_rates(birds: int, budget: float, repeats: int) -> tuple[float, float, float]:
    """Bird-updates/s of the serial kernel (Flocking-large density, boids), the compute
    ceiling, and the candidates per bird."""
    known, side, vision = CONFIGS["Flocking-large"]  # its density, with more birds
    model = build_ours(birds, side * np.sqrt(birds / known), vision, seed=1)
    for _ in range(20):
        model.step()
    steps = max(2, int(budget * 2e7 / birds))
    turns, spare_state, spare_tags = (
        np.empty(0),
        np.empty_like(model.state),
        np.empty_like(model.tags),
    )

    def kernel() -> None:  # the same state each time: flocks would gather over many steps
        for _ in range(steps):
            flocking.flock_step(
                model.state, model.tags, turns, spare_state, spare_tags, model.constants
            )

    kernel()
    rate = birds * steps / median_seconds(kernel, repeats)
    span = max(1, round(candidates_per_bird(model)))
    k = {name: model.constants[0][name] for name in model.constants.dtype.names}
    xy = np.ascontiguousarray(model.state[:, :2])
    uv = (model.state[:, 2:] * k["heading_scale"]).astype(np.int64)
    out = np.empty(birds, np.int64)
    scalars = [k[name] for name in ("width", "vision2", "separation2")]
    scales = k["heading_scale"], k["offset_scale"]

    def pairs() -> None:
        candidate_loop(xy, uv, span, *scalars, *scales, out)

    pairs()
    ceiling = (birds - span) / median_seconds(pairs, repeats)
    return rate, ceiling, span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs")
    args = parser.parse_args()
    repeats, budget = (3, 0.1) if args.quick else (7, 0.3)
    header("one-thread speed against the machine's ceilings")
    bandwidth = copy_bandwidth(repeats=repeats)
    print(f"memory bandwidth (256 MB streams, read + written): {bandwidth / 1e9:.1f} GB/s\n")

    per_car = traffic_bytes(TrafficModel(seed=1, length=100, density=0.2))
    ceiling = bandwidth / per_car
    print(f"traffic: {per_car} bytes a car-update; ceiling {ceiling:.2e} car-updates/s")
    columns = ("cars", "kernel /s", "of ceiling", "step() /s", "of ceiling")
    print("{:>10} {:>10} {:>10} {:>10} {:>10}  load".format(*columns))
    for length in (10_000, 500_000, 50_000_000):
        cars, alone, whole = traffic_rate(length, budget, repeats)
        print(
            f"{cars:>10,} {alone:10.2e} {alone / ceiling:10.0%} {whole:10.2e} "
            f"{whole / ceiling:10.0%}  {load()}"
        )
    print("goal: >= 50 % of the ceiling on one thread at every size")

    per_cell = snowflake_bytes()
    ceiling = bandwidth / per_cell
    print(f"\nsnowflake: {per_cell} bytes a cell-update; ceiling {ceiling:.2e} cell-updates/s")
    print(f"{'radius':>10} {'cells':>10} {'sweep /s':>10} {'of ceiling':>10}  load")
    for radius in (30, 200, 1000):
        cells, rate = snowflake_rate(radius, budget, repeats)
        print(f"{radius:>10} {cells:>10,} {rate:10.2e} {rate / ceiling:10.0%}  {load()}")

    print("\nflocking (boids, Flocking-large density, vision 15): compute-bound; ceiling = one")
    print("core's candidate tests per second (contiguous arrays) / candidates per bird")
    columns = ("birds", "cand/bird", "kernel /s", "ceiling /s", "of ceiling")
    print("{:>10} {:>10} {:>10} {:>10} {:>10}  load".format(*columns))
    for birds in (10_000, 100_000, 1_000_000):
        rate, ceiling, span = flocking_rates(birds, budget, repeats)
        print(
            f"{birds:>10,} {span:>10} {rate:10.2e} {ceiling:10.2e} {rate / ceiling:10.0%}  {load()}"
        )
    print(f"(memory would allow {bandwidth / 200:.1e} bird-updates/s at ~200 bytes each)")


if __name__ == "__main__":
    main()
