"""Model lookup by name, through the entry point group ``emergesim.models``.

The built-in models register there in emergesim's own pyproject.toml, and a plug-in package the
same way (``[project.entry-points."emergesim.models"] mymodel = "pkg.mod:MyModel"``). An entry
point names a model class or its :class:`~emergesim.card.ModelCard`; a card is read without
importing the model (and Mesa), which keeps ``emergesim list`` and ``info`` fast. Installed
packages are scanned once per process; a plug-in cannot shadow a built-in name. Studies
(:class:`~emergesim.study.Study`) are found the same way, in the group ``emergesim.studies``, and
sources of observed systems (:class:`~emergesim.observed.Observed`) in ``emergesim.observed``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from emergesim.card import ModelCard
from emergesim.errors import EmergesimError, UnknownModelError
from emergesim.observed import Observed
from emergesim.study import Study

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from emergesim.model import EmergenceModel

MODEL_GROUP = "emergesim.models"
STUDY_GROUP = "emergesim.studies"
OBSERVED_GROUP = "emergesim.observed"
OWN_DISTRIBUTION = "emergesim"


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    from importlib.metadata import entry_points  # a tenth of a second: only once a name is wanted

    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=group):
        builtin = point.dist is not None and point.dist.name == OWN_DISTRIBUTION
        if builtin or point.name not in found:
            found[point.name] = point
    return found


def available() -> list[str]:
    """Names of every registered model, sorted."""
    return sorted(_entry_points(MODEL_GROUP))


@cache
def card(name: str) -> ModelCard:
    """The card of the model registered under ``name`` (imports the model only when the entry
    point names its class)."""
    target, where = _load(MODEL_GROUP, "model", name, UnknownModelError)
    found = target if isinstance(target, ModelCard) else getattr(target, "card", None)
    if not isinstance(found, ModelCard):
        raise UnknownModelError(
            f"'{where}' (model '{name}') is neither an EmergenceModel nor its card"
        )
    return found


def get_model(name: str) -> type[EmergenceModel]:
    """The model class registered under ``name``."""
    from emergesim.model import EmergenceModel  # Mesa: only once a model is wanted

    cls = card(name).load()
    if not (isinstance(cls, type) and issubclass(cls, EmergenceModel)):
        raise UnknownModelError(f"'{card(name).model}' (model '{name}') is not an EmergenceModel")
    return cls


def studies() -> list[str]:
    """Names of every registered study, sorted."""
    return sorted(_entry_points(STUDY_GROUP))


def get_study(name: str) -> Study:
    """The study registered under ``name`` (importing its module)."""
    found, where = _load(STUDY_GROUP, "study", name, EmergesimError)
    if not isinstance(found, Study):
        raise EmergesimError(f"'{where}' (study '{name}') is not a Study")
    return found


def observed() -> list[Observed]:
    """Every registered source of observed systems, by name (importing each)."""
    found = []
    for name in sorted(_entry_points(OBSERVED_GROUP)):
        source, where = _load(OBSERVED_GROUP, "observed source", name, EmergesimError)
        if not isinstance(source, Observed):
            raise EmergesimError(f"'{where}' (observed source '{name}') is not an Observed")
        found.append(source)
    return found


def _load(group: str, kind: str, name: str, error: type[EmergesimError]) -> tuple[Any, str]:
    """What the entry point ``name`` of ``group`` names, and where it names it."""
    points = _entry_points(group)
    if name not in points:
        raise error(f"unknown {kind} '{name}'; available: {', '.join(sorted(points))}")
    try:
        return points[name].load(), points[name].value
    except (ImportError, AttributeError) as problem:
        raise error(
            f"{kind} '{name}' cannot be loaded from '{points[name].value}': {problem}"
        ) from None
