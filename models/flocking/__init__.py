"""Flocking: boids (Reynolds 1987, as Mesa's example) and Vicsek (1995) in one Mesa model."""

from emergesim.models.flocking.model import Bird, FlockingModel

__all__ = ["Bird", "FlockingModel"]
