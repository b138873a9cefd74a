"""Observed systems: measurements of real systems that the comparison scores like a sweep.

Real language models cannot be rerun at another size or with another number of composed steps,
but their published scores against training compute are a transition all the same. An
:class:`Observed` source registers in the entry point group ``emergesim.observed`` (as models
register in ``emergesim.models``) with its table and its rows (:class:`~emergesim.card.Comparison`
with ``size=""``): each row is located, tested against its continuous metric and given a verdict
by the same code as every simulated system. With one size only, nothing can sharpen or shift with
size, and the verdict says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emergesim.card import Comparison

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Observed:
    """A table of observed systems (one row each) and the comparisons declared on it.

    ``load`` returns the table: a column per control and per score, and ``group`` (the family
    each system belongs to, the colour of the report's picture). ``tables`` gives what else the
    report should show about these systems, by title (e.g. how well models predict them).
    """

    name: str
    summary: str  # one line, with the source
    load: Callable[[], pd.DataFrame]
    group: str
    comparisons: tuple[Comparison, ...]
    tables: Callable[[], Mapping[str, pd.DataFrame]] | None = None

    def __post_init__(self) -> None:
        for c in self.comparisons:
            if c.size or not c.control:
                raise ValueError(
                    f"observed '{self.name}', comparison '{c.key}': an observed row names its "
                    f"control and no size"
                )
