"""The flocking rules written bird by bird, as a Mesa user would.

Every bird first decides its new direction from the old state of the flock, looking at every
other bird (brute force, O(N^2)), then all birds fly: the synchronous update of Vicsek et al.
(1995). Sums over neighbours are kept in the kernels' fixed point (``to_fixed``) and finished by
the kernels' own per-bird arithmetic, so the twin consumes the same noise and follows the
kernel's trajectory bit for bit; it is the readable statement of the rules and the benchmark's
peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emergesim.models.flocking.kernels import (
    boid_direction,
    nearest_image,
    to_fixed,
    turn,
    vicsek_direction,
)

if TYPE_CHECKING:
    from emergesim.models.flocking.model import Bird, FlockingModel


def step(model: FlockingModel, turns: np.ndarray) -> None:
    """One tick: ``turns`` holds each bird's noise angle, or nothing when the noise is zero."""
    decide = vicsek if model.rule == "vicsek" else boids
    plans = [decide(bird, neighbours(bird)) for bird in model.birds]
    for bird, direction in zip(model.birds, plans, strict=True):
        if turns.size:
            direction = turn(*direction, turns[bird.index])
        bird.fly(direction)


def neighbours(bird: Bird) -> list[Bird]:
    """The other birds within vision (distance <= vision, periodic box), by brute force."""
    model = bird.model
    found = []
    for other in model.birds:
        dx, dy = offset(bird, other)
        if dx * dx + dy * dy <= model.constants[0]["vision2"] and other is not bird:
            found.append(other)
    return found


def offset(bird: Bird, other: Bird) -> tuple[float, float]:
    """Shortest displacement from ``bird`` to ``other`` across the periodic box."""
    (x, y), (ox, oy) = bird.position, other.position
    return nearest_image(ox - x, bird.model.width), nearest_image(oy - y, bird.model.height)


def boids(bird: Bird, flockmates: list[Bird]) -> tuple[float, float]:
    """Reynolds' three rules as Mesa's boid_flockers writes them (kernels.boid_direction)."""
    rule = bird.model.constants[0]
    cohesion, crowding, heading = np.zeros((3, 2), dtype=np.int64)  # views: += adds in place
    for other in flockmates:
        dx, dy = offset(bird, other)
        fixed = to_fixed(dx, rule["offset_scale"]), to_fixed(dy, rule["offset_scale"])
        cohesion += fixed  # steer towards the neighbours' centre,
        if dx * dx + dy * dy < rule["separation2"]:  # away from those too close,
            crowding += fixed
        # and along their directions
        heading += [to_fixed(h, rule["heading_scale"]) for h in other.direction]
    return boid_direction(*bird.direction, len(flockmates), *cohesion, *crowding, *heading, rule)


def vicsek(bird: Bird, flockmates: list[Bird]) -> tuple[float, float]:
    """The mean direction of the bird and its neighbours (Vicsek et al. 1995)."""
    rule = bird.model.constants[0]
    heading_x, heading_y = (to_fixed(h, rule["heading_scale"]) for h in bird.direction)
    for other in flockmates:
        hx, hy = other.direction
        heading_x += to_fixed(hx, rule["heading_scale"])
        heading_y += to_fixed(hy, rule["heading_scale"])
    return vicsek_direction(*bird.direction, heading_x, heading_y, rule)
