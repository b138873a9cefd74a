"""Does a transition survive a continuous metric?

The same runs are scored twice: with a discontinuous metric (LLM exact match; for a natural
system, an indicator that the order parameter exceeds a threshold) and with a continuous one
(partial credit or edit distance; the order parameter itself). Schaeffer, Miranda & Koyejo (2023)
showed that exact match over k steps, p^k, stays near zero while the per-step score p climbs
smoothly, then jumps once p is near 1: the jump was announced by the continuous metric long
before. So we measure the continuous metric's *progress* at the discontinuous metric's midpoint:
(fit(midpoint) - low) / (high - low), the fraction of its fitted step (or of a knee's rise across
the sweep) already done. For composed skills it is 0.5^(1/k) or more (0.87 at k = 5,
0.97 at k = 20); at a collective transition both metrics rise together. A transition
*survives* when the continuous metric shows a detected step and at most ``max_progress`` of it
is done when the discontinuous metric jumps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergesim.analysis.bootstrap import N_BOOT
from emergesim.analysis.transitions import Transition, transition


@dataclass(frozen=True)
class MetricSensitivity:
    discontinuous: Transition
    continuous: Transition
    progress_at_jump: float  # fraction of the continuous rise done at the discontinuous midpoint
    width_ratio: float  # continuous width / discontinuous width
    survives: bool


def indicator(values: pd.Series | np.ndarray, threshold: float) -> np.ndarray:
    """1.0 where the value exceeds ``threshold``, else 0.0: a discontinuous score."""
    return (np.asarray(values, dtype=float) > threshold).astype(float)


def metric_sensitivity(
    table: pd.DataFrame,
    x: str,
    discontinuous: str,
    continuous: str,
    *,
    max_progress: float = 0.75,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> MetricSensitivity:
    """Fit the step of both metrics against ``x`` and compare where they rise."""
    sharp = transition(table, x, discontinuous, n_boot=n_boot, seed=seed)
    smooth = transition(table, x, continuous, n_boot=n_boot, seed=seed)
    # how far the continuous fit has gone from its start (low) to its end (high), either way
    progress = float((smooth.curve(sharp.location) - smooth.low) / (smooth.high - smooth.low))
    return MetricSensitivity(
        discontinuous=sharp,
        continuous=smooth,
        progress_at_jump=progress,
        width_ratio=smooth.width / sharp.width,
        survives=bool(smooth.detected and progress <= max_progress),
    )
