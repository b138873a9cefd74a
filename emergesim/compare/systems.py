"""The comparison's rows: every registered model's declared comparisons, ground truth first.

A model declares its rows in its card (``ModelCard.comparisons``), so a plug-in model joins the
report without a line here: this module knows no model by name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from emergesim.card import CLOCK, KINDS, Budget, Comparison, ModelCard
from emergesim.registry import available, card


@dataclass(frozen=True)
class System:
    """One row: a comparison and the card of the model it runs."""

    card: ModelCard
    comparison: Comparison

    @property
    def key(self) -> str:
        return self.comparison.key

    @property
    def model(self) -> str:
        return self.card.name

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


def systems() -> tuple[System, ...]:
    """Every registered model's comparisons, ordered by kind (ground truth first)."""
    found = [System(card(name), c) for name in available() for c in card(name).comparisons]
    return tuple(sorted(found, key=lambda s: KINDS.index(s.comparison.kind)))
