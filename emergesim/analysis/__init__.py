"""Emergence measures on tidy tables of runs (one row per run: params, replicate, observables)."""

from emergesim.analysis.bootstrap import TOLERANCE, Estimate, estimate_text, trend
from emergesim.analysis.fluctuations import (
    BinderCrossing,
    Fluctuations,
    binder,
    binder_crossing,
    cumulant,
    cumulant_crossing,
    fluctuations,
    susceptibility,
)
from emergesim.analysis.indices import (
    Indices,
    morris_indices,
    morris_points,
    saltelli_points,
    sobol_indices,
)
from emergesim.analysis.scaling import Scaling, draw_collapse, scaling
from emergesim.analysis.sensitivity import MetricSensitivity, indicator, metric_sensitivity
from emergesim.analysis.sharpening import Sharpening, sharpening
from emergesim.analysis.sweeps import Analysis, analyze
from emergesim.analysis.transitions import Transition, logistic, transition
from emergesim.analysis.verdict import WORDS, Verdict, verdict

__all__ = [
    "TOLERANCE",
    "WORDS",
    "Analysis",
    "BinderCrossing",
    "Estimate",
    "Fluctuations",
    "Indices",
    "MetricSensitivity",
    "Scaling",
    "Sharpening",
    "Transition",
    "Verdict",
    "analyze",
    "binder",
    "binder_crossing",
    "cumulant",
    "cumulant_crossing",
    "draw_collapse",
    "estimate_text",
    "fluctuations",
    "indicator",
    "logistic",
    "metric_sensitivity",
    "morris_indices",
    "morris_points",
    "saltelli_points",
    "scaling",
    "sharpening",
    "sobol_indices",
    "susceptibility",
    "transition",
    "trend",
    "verdict",
]
