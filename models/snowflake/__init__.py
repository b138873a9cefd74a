"""Reiter's hexagonal snowflake automaton: a Mesa model with a numba kernel and a Python twin."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "IceCell": ".model",
        "SnowflakeModel": ".model",
    },
)
__all__ = ["IceCell", "SnowflakeModel"]
