"""A study: figures drawn from the models and the numbers behind them, outside any model.

A study registers a :class:`Study` in the entry point group ``emergesim.studies``, as a model
registers its card in ``emergesim.models``; ``emergesim figures NAME --out DIR`` finds it there.
The descriptor is plain data, so the framework never names a study's module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Save(Protocol):
    """Write the study's figures into the folder ``out`` (created if needed) and return their
    paths; ``quick`` is coarse and small (seconds), and ``report`` gets the numbers behind each
    figure, a line each."""

    def __call__(
        self, out: str | Path, *, quick: bool = False, report: Callable[[str], object] = ...
    ) -> list[Path]: ...


@dataclass(frozen=True)
class Study:
    """A registered study: its command-line name, one line on what it shows, how to save it."""

    name: str
    summary: str
    save: Save
