"""emergesim: natural emergence and LLM "emergent abilities" as agent-based models, side by side.

Names are imported on first use, so ``import emergesim`` and the command line start in
milliseconds; ``emergesim.run`` brings in Mesa and the kernels when it is first touched.
"""

from emergesim import cachedir
from emergesim.errors import EmergesimError, ParameterError, UnknownModelError
from emergesim.lazy import lazy_exports
from emergesim.params import Param, ParamSet
from emergesim.registry import available, get_model

cachedir.configure()  # before any kernel module is imported

__getattr__ = lazy_exports(
    __name__,
    {
        "EmergenceModel": "emergesim.model",
        "ModelCard": "emergesim.card",
        "__version__": "emergesim.version",
        "RowAgent": "emergesim.model",
        "RunResult": "emergesim.runner",
        "analysis": "emergesim.analysis",
        "analyze": "emergesim.analysis",
        "load": "emergesim.sweeps",
        "run": "emergesim.runner",
        "scan": "emergesim.runner",
        "shutdown_pools": "emergesim.sweeps.executors",
        "sweep": "emergesim.sweeps",
        "sweeps": "emergesim.sweeps",
    },
)

__all__ = [
    "EmergenceModel",
    "EmergesimError",
    "ModelCard",
    "Param",
    "ParamSet",
    "ParameterError",
    "RowAgent",
    "RunResult",
    "UnknownModelError",
    "__version__",
    "analysis",
    "analyze",
    "available",
    "get_model",
    "load",
    "run",
    "scan",
    "shutdown_pools",
    "sweep",
    "sweeps",
]
