"""Reiter snowflake speed: the numba kernel against a numpy version and the Python twin.

Run: python benchmarks/snowflake.py [--quick]

The problem is the issue's: a radius-200 dendrite (beta 0.4, gamma 0.0001, alpha 1). Peers step
the same state, taken mid-growth when the disturbance already fills the domain, so each step
updates every cell inside the edge ring (hexagon_cells(199) = 119,401): the kernel on one thread
and on all cores, and a straightforward numpy step over the whole array (a numpy user's version:
shifted arrays for the neighbours, the receptive mask rebuilt by dilation each step). The twin
steps cell by cell on a Mesa HexGrid, so it runs on a radius-30 domain. Times are medians of
repeats taken one after the other in this process. Last, the kernel grows the whole crystal from
its seed, sweeping only the disturbed hexagon (the far field still exactly at beta is skipped),
on one thread and on all cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numba
import numpy as np

from emergesim.models.snowflake import SnowflakeModel
from emergesim.models.snowflake.lattice import hex_distance, hexagon_cells

PARAMS = dict(alpha=1.0, beta=0.4, gamma=0.0001)
RADIUS, TWIN_RADIUS = 200, 30
WARM_STEPS = 2000  # by then the disturbance fills the domain; the crystal radius is ~90


class NumpyReiter:
    """Reiter's step on whole arrays, as a numpy user would write it (same state as a model)."""

    def __init__(self, model: SnowflakeModel) -> None:
        self.alpha, self.gamma, self.beta = model.alpha, model.gamma, model.beta
        self.water = model.water.data.copy()
        self.receptive = model.receptive.data.copy()
        self.held = hex_distance(*np.indices(self.water.shape), model.centre) >= model.radius
        self.odd_column = (np.arange(self.water.shape[1]) % 2 == 1)[np.newaxis, :]

    def neighbour_sum(self, field: np.ndarray) -> np.ndarray:
        """Sum over the six neighbours (Mesa HexGrid offsets; the array's rim gets zeros)."""
        up, down = np.zeros_like(field), np.zeros_like(field)
        up[1:], down[:-1] = field[:-1], field[1:]  # the cells above and below
        sides = np.zeros_like(field)
        sides[:, 1:-1] = field[:, :-2] + field[:, 2:]
        # and one row up in the (even) side columns of an odd column, one down in the odd ones
        diagonal = np.where(self.odd_column, down, up)
        sides[:, 1:-1] += diagonal[:, :-2] + diagonal[:, 2:]
        return up + down + sides

    def step(self) -> None:
        u = np.where(self.receptive, 0.0, self.water)
        u_new = u + self.alpha / 2 * (self.neighbour_sum(u) / 6 - u)
        v_new = np.where(self.receptive, self.water + self.gamma, 0.0)
        self.water = np.where(self.held, self.beta, u_new + v_new)
        ice = self.water >= 1.0
        self.receptive = ice | (self.neighbour_sum(ice.astype(np.float64)) > 0)


def seconds_per_step(advance: Callable[[], None], steps: int, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            advance()
        samples.append((time.perf_counter() - start) / steps)
    return statistics.median(samples)


def mid_growth(radius: int) -> SnowflakeModel:
    model = SnowflakeModel(radius=radius, collect=False, **PARAMS)
    for _ in range(WARM_STEPS if radius == RADIUS else 200):
        model.step()
    return model


def check_numpy_peer() -> None:
    """The numpy step follows the kernel to rounding (it sums the neighbours in another order)."""
    model = mid_growth(RADIUS)
    peer = NumpyReiter(model)
    for _ in range(50):
        model.step()
        peer.step()
    assert model.active_radius == RADIUS - 1, "the front has not reached the edge yet"
    gap = np.abs(model.water.data - peer.water).max()
    assert gap < 1e-9, f"numpy peer disagrees with the kernel by {gap}"
    assert np.array_equal(model.water.data >= 1, peer.water >= 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    steps, repeats = (40, 3) if args.quick else (200, 7)
    cores = numba.get_num_threads()
    check_numpy_peer()
    print(f"cores: {os.cpu_count()}; alpha 1, beta 0.4, gamma 0.0001")
    header = ("radius", "peer", "s/step", "cell-updates/s", "kernel/1 is", f"kernel/{cores} is")
    print("{:>6} {:>9} {:>10} {:>15} {:>12} {:>12}".format(*header))
    model = mid_growth(RADIUS)
    rows = []
    for threads in (1, cores):
        numba.set_num_threads(threads)
        rows.append((RADIUS, f"kernel/{threads}", seconds_per_step(model.step, steps, repeats)))
    peer = NumpyReiter(model)
    rows.append((RADIUS, "numpy", seconds_per_step(peer.step, max(steps // 10, 5), repeats)))
    twin = SnowflakeModel(radius=TWIN_RADIUS, backend="python", collect=False, **PARAMS)
    rows.append((TWIN_RADIUS, "twin", seconds_per_step(twin.step, 3, 3)))
    one, many = (hexagon_cells(RADIUS - 1) / seconds for _, _, seconds in rows[:2])
    for radius, name, seconds in rows:
        rate = hexagon_cells(radius - 1) / seconds
        ratios = (
            ("", "")
            if name.startswith("kernel")
            else (f"{one / rate:11.0f}x", f"{many / rate:11.0f}x")
        )
        print(f"{radius:>6} {name:>9} {seconds:10.3e} {rate:15.3e} {ratios[0]:>12} {ratios[1]:>12}")
    for threads in (1, cores):
        numba.set_num_threads(threads)
        grow_whole_crystal(threads)


def grow_whole_crystal(threads: int) -> None:
    """From the seed to 0.9 of the radius; observables not recorded."""
    model = SnowflakeModel(radius=RADIUS, collect=False, **PARAMS)
    swept = 0
    start = time.perf_counter()
    while model.running:
        model.step()
        swept += hexagon_cells(model.active_radius)
    seconds = time.perf_counter() - start
    full = hexagon_cells(RADIUS - 1) * model.steps
    print(
        f"whole dendrite, kernel/{threads}: {model.steps} steps in {seconds:.2f} s; "
        f"{swept:.3e} cells swept ({swept / full:.0%} of the domain's): {swept / seconds:.3e} "
        f"swept/s, {full / seconds:.3e} domain cell-updates/s; {model.ice_cells} ice cells, "
        f"{model.morphology}"
    )


if __name__ == "__main__":
    main()
