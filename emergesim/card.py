"""A model's card: what ``emergesim list`` and ``info`` show and what sweeps need to know.

A card is plain data (no Mesa, no numba), so the command line can list and describe every model
without importing one: building a Mesa model costs about a second of imports, reading its card a
few milliseconds. The model class carries its card (``card = CARD`` in the class body) and gets
each field as a class attribute: ``TrafficModel.params`` is ``TrafficModel.card.params``. A
built-in model keeps its card in ``card.py`` beside ``model.py`` and registers the card, so the
registry imports the class only when a model is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from emergesim.errors import UnknownModelError
from emergesim.params import ParamSet

if TYPE_CHECKING:
    from emergesim.model import EmergenceModel

CLOCK = "step"  # a control that is the run's own clock (training time), read from its records


@dataclass(frozen=True)
class ModelCard:
    """One model's declarations.

    ``control`` is a parameter, or ``CLOCK`` for a model whose transition happens in time;
    ``order`` is an observable; ``model`` is where the class lives.
    """

    name: str
    summary: str  # one line
    params: ParamSet
    control: str
    order: str
    observables: dict[str, str]  # name -> one-line doc
    version: str = "1"  # bump when a change alters trajectories; part of sweep run keys
    default_steps: int = 1000
    default_burn_in: int = 0
    scan_observables: tuple[str, ...] = ()  # panels of a scan figure; () -> (order,)
    model: str = ""  # "package.module:Class"; filled in from the class that carries the card

    def __post_init__(self) -> None:
        if self.control != CLOCK and self.control not in self.params:
            raise ValueError(f"model '{self.name}': control '{self.control}' is no parameter")
        for observable in (self.order, *self.scan_observables):
            if observable not in self.observables:
                raise ValueError(f"model '{self.name}': '{observable}' is no observable")

    def load(self) -> type[EmergenceModel]:
        """The model class (imports it, and with it Mesa and the kernels)."""
        module, _, attr = self.model.partition(":")
        if not attr:
            raise UnknownModelError(f"the card of model '{self.name}' names no class")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as error:
            raise UnknownModelError(
                f"model '{self.name}' cannot be loaded from '{self.model}': {error}"
            ) from None


CLASS_FIELDS = tuple(f.name for f in fields(ModelCard) if f.name != "model")  # onto the class
