"""The 2D Ising model: a Mesa model with numba kernels, a pure-Python twin and Onsager's exact
results."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "IsingModel": ".model",
        "Spin": ".model",
    },
)
__all__ = ["IsingModel", "Spin"]
