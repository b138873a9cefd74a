"""Reiter's hexagonal snowflake automaton: a Mesa model with a numba kernel and a Python twin."""

from emergesim.models.snowflake.model import IceCell, SnowflakeModel

__all__ = ["IceCell", "SnowflakeModel"]
