"""The comparison's rows: every registered model's and observed source's declared comparisons,
ground truth first.

A model declares its rows in its card (``ModelCard.comparisons``), an observed source in its
:class:`~emergesim.observed.Observed`, so a plug-in joins the report without a line here: this
module knows no model by name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from emergesim.card import CLOCK, KINDS, Budget, Comparison, ModelCard
from emergesim.errors import EmergesimError
from emergesim.observed import Observed
from emergesim.registry import available, card, observed

ONE_SIZE = "one size"  # the size column of an observed table


@dataclass(frozen=True)
class System:
    """One row: a comparison and the card of the model it runs, or the observed source it reads."""

    card: ModelCard | None
    comparison: Comparison
    observed: Observed | None = None

    @property
    def key(self) -> str:
        return self.comparison.key

    @property
    def model(self) -> str:
        """The model's name, or the observed source's."""
        return self.card.name if self.card is not None else self.observed.name

    @property
    def size(self) -> str:
        """The column of sizes: the size parameter, or ONE_SIZE for an observed table."""
        return self.comparison.size or ONE_SIZE

    @property
    def control(self) -> str:
        return self.comparison.control or self.card.control

    @property
    def over_time(self) -> bool:
        """The control is the run's own clock: its records are the points of the curve."""
        return self.control == CLOCK

    @property
    def x(self) -> str:
        """The column the transition is located in."""
        return f"log10_{self.control}" if self.comparison.fit_log10 else self.control

    def budget(self, quick: bool) -> Budget:
        return self.comparison.budget(quick)

    def with_budget(self, budget: Budget, **changes: Any) -> System:
        """The same row on another budget (tests run every row at a tiny size)."""
        return replace(self, comparison=replace(self.comparison, quick=budget, **changes))


def systems(only: tuple[str, ...] = ()) -> tuple[System, ...]:
    """Every registered model's and observed source's comparisons, ordered by kind (ground
    truth first); ``only``: just the rows with these keys."""
    found = [System(card(name), c) for name in available() for c in card(name).comparisons]
    found += [System(None, c, source) for source in observed() for c in source.comparisons]
    unknown = [key for key in only if key not in {s.key for s in found}]
    if unknown:
        keys = ", ".join(s.key for s in found)
        raise EmergesimError(f"unknown comparison '{unknown[0]}'; available: {keys}")
    chosen = [s for s in found if not only or s.key in only]
    return tuple(sorted(chosen, key=lambda s: KINDS.index(s.comparison.kind)))
