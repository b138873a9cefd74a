"""The Nagel-Schreckenberg rules written car by car, as a Mesa user would.

Every car first decides its new speed from the old state of the road, then all cars move: the
parallel update of Nagel & Schreckenberg (1992). It uses the same random numbers as the kernel
and follows the same trajectory; it is the readable statement of the rules and the benchmark's
peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emergesim.models.traffic.kernels import BEHIND, FREE
from emergesim.streams import uniform_py

if TYPE_CHECKING:
    from emergesim.models.traffic.model import Car, TrafficModel


def step(model: TrafficModel, key: int) -> tuple[int, int]:
    """One tick; returns the jam-front (moves, ticks) defined in ``kernels.nasch_step``."""
    cars = model.cars
    plans = [decide(car, cars[(k + 1) % len(cars)], key) for k, car in enumerate(cars)]
    moves = ticks = 0
    for car, (speed, released_at) in zip(cars, plans, strict=True):
        if speed > 0 and released_at >= 0:  # the jam front passes on, one cell upstream
            moves += 1
            ticks += model.steps - released_at
            released_at = FREE
        car.drive(speed, released_at)
    return moves, ticks


def decide(car: Car, leader: Car, key: int) -> tuple[int, int]:
    """New speed of ``car`` and its updated jam-front mark, both from the old state."""
    model = car.model
    gap = (leader.position - car.position - 1) % model.length
    speed = min(car.speed + 1, model.vmax, gap)  # accelerate, brake
    if speed > 0 and uniform_py(key, car.index) < model.p_slow:  # randomise
        speed -= 1
    released_at = car.released_at
    if gap == 0:
        released_at = BEHIND
    elif released_at == BEHIND:
        released_at = model.steps - 1  # the leader moved off during the previous tick
    return speed, released_at
