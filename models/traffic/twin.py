"""The Nagel-Schreckenberg rules written car by car, as a Mesa user would.

Every car first decides its new speed from the old state of the road, then all cars move: the
parallel update of Nagel & Schreckenberg (1992). It consumes the same draws as the kernel and
follows the same trajectory; it is the readable statement of the rules and the benchmark's peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emergesim.models.traffic.kernels import BEHIND, FREE

if TYPE_CHECKING:
    import numpy as np

    from emergesim.models.traffic.model import Car, TrafficModel


def step(model: TrafficModel, draws: np.ndarray) -> tuple[int, int]:
    """One tick; returns the jam-front (moves, ticks) defined in ``kernels.nasch_step``."""
    cars = model.cars
    plans = [decide(car, cars[(k + 1) % len(cars)], draws[k]) for k, car in enumerate(cars)]
    moves = ticks = 0
    for car, (speed, released_at) in zip(cars, plans, strict=True):
        if speed > 0 and released_at >= 0:  # the jam front passes on, one cell upstream
            moves += 1
            ticks += model.steps - released_at
            released_at = FREE
        car.drive(speed, released_at)
    return moves, ticks


def decide(car: Car, leader: Car, draw: float) -> tuple[int, int]:
    """New speed of ``car`` and its updated jam-front mark, both from the old state."""
    model = car.model
    gap = (leader.position - car.position - 1) % model.length
    speed = min(car.speed + 1, model.vmax)  # accelerate
    speed = min(speed, gap)  # brake
    if speed > 0 and draw < model.p_slow:  # randomise
        speed -= 1
    released_at = car.released_at
    if gap == 0:
        released_at = BEHIND
    elif released_at == BEHIND:
        released_at = model.steps - 1  # the leader moved off during the previous tick
    return speed, released_at
