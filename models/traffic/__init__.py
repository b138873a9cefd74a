"""Nagel-Schreckenberg traffic: a Mesa model with a numba kernel and a pure-Python twin."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "Car": ".model",
        "TrafficModel": ".model",
    },
)
__all__ = ["Car", "TrafficModel"]
