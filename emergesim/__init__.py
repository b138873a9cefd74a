"""emergesim: natural emergence and LLM "emergent abilities" as agent-based models, side by side."""

from emergesim import analysis
from emergesim.analysis import analyze
from emergesim.errors import EmergesimError, ParameterError, UnknownModelError
from emergesim.model import EmergenceModel, RowAgent
from emergesim.params import Param, ParamSet
from emergesim.registry import available, get_model
from emergesim.run import RunResult, run, scan
from emergesim.sweep import load, sweep

__all__ = [
    "EmergenceModel",
    "EmergesimError",
    "Param",
    "ParamSet",
    "ParameterError",
    "RowAgent",
    "RunResult",
    "UnknownModelError",
    "analysis",
    "analyze",
    "available",
    "get_model",
    "load",
    "run",
    "scan",
    "sweep",
]
