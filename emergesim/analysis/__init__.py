"""Emergence measures on tidy tables of runs (one row per run: params, replicate, observables)."""

from emergesim.analysis.fluctuations import (
    Fluctuations,
    binder,
    binder_crossing,
    fluctuations,
    susceptibility,
)
from emergesim.analysis.sensitivity import MetricSensitivity, indicator, metric_sensitivity
from emergesim.analysis.sharpening import Sharpening, sharpening
from emergesim.analysis.sweeps import Analysis, analyze
from emergesim.analysis.transitions import Transition, logistic, transition

__all__ = [
    "Analysis",
    "Fluctuations",
    "MetricSensitivity",
    "Sharpening",
    "Transition",
    "analyze",
    "binder",
    "binder_crossing",
    "fluctuations",
    "indicator",
    "logistic",
    "metric_sensitivity",
    "sharpening",
    "susceptibility",
    "transition",
]
