"""How a transition's width changes with system size (or with composed steps k).

Each size s gets its own fitted transition; the widths follow a power law w ~ s^b, and the
exponent b is the slope of log w against log s. A collective transition sharpens with size
(b < 0; b = -1/nu at a critical point); a step that comes from composing k independent sub-skills
need not. The interval on b comes from refitting the slope to widths drawn from each size's
bootstrap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergesim.analysis.transitions import Transition, transition
from emergesim.errors import EmergesimError


@dataclass(frozen=True)
class Sharpening:
    """The exponent b of width ~ size^b, its interval, and the transition at each size."""

    exponent: float
    exponent_ci: tuple[float, float]
    transitions: dict[float, Transition]

    @property
    def sharpens(self) -> bool:
        """The width shrinks with size beyond doubt: the whole interval on b is below 0."""
        return self.exponent_ci[1] < 0


def sharpening(
    table: pd.DataFrame,
    x: str,
    y: str,
    by: str,
    *,
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> Sharpening:
    """Fit the transition of ``y`` against ``x`` separately for each value of ``by``."""
    if by not in table.columns:
        raise EmergesimError(f"no column '{by}' in the runs")
    sizes = sorted(table[by].unique())
    if len(sizes) < 2:
        raise EmergesimError(f"sharpening needs at least two values of '{by}', got {sizes}")
    fits = {
        float(s): transition(table[table[by] == s], x, y, n_boot=n_boot, seed=seed) for s in sizes
    }
    log_s = np.log(list(fits))
    slope = float(np.polyfit(log_s, np.log([t.width for t in fits.values()]), 1)[0])
    rng = np.random.default_rng(seed)
    draws = [
        np.polyfit(log_s, np.log([rng.choice(t.boot_widths) for t in fits.values()]), 1)[0]
        for _ in range(n_boot)
    ]
    tails = (100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2)
    low, high = np.percentile(draws, tails)
    return Sharpening(slope, (float(low), float(high)), fits)
