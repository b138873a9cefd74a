"""Nagel-Schreckenberg traffic: a Mesa model with a numba kernel and a pure-Python twin."""

from emergesim.models.traffic.model import Car, TrafficModel

__all__ = ["Car", "TrafficModel"]
