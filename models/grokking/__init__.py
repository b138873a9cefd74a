"""Grokking modular addition: a training run as an emergence model."""

from emergesim.models.grokking.model import GrokkingModel, Number

__all__ = ["GrokkingModel", "Number"]
