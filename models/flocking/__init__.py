"""Flocking: boids (Reynolds 1987, as Mesa's example) and Vicsek (1995) in one Mesa model."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "Bird": ".model",
        "FlockingModel": ".model",
    },
)
__all__ = ["Bird", "FlockingModel"]
