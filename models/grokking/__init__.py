"""Grokking modular addition: a training run as an emergence model."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "GrokkingModel": ".model",
        "Number": ".model",
    },
)
__all__ = ["GrokkingModel", "Number"]
