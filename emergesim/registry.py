"""Model lookup by name: the built-in models plus any installed through the entry point group
``emergesim.models`` (``[project.entry-points."emergesim.models"] mymodel = "pkg.mod:MyModel"``)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from emergesim.errors import UnknownModelError
from emergesim.model import EmergenceModel

ENTRY_POINT_GROUP = "emergesim.models"

BUILTIN = {
    "flocking": "emergesim.models.flocking:FlockingModel",
    "grokking": "emergesim.models.grokking:GrokkingModel",
    "skills": "emergesim.models.skills:SkillsModel",
    "snowflake": "emergesim.models.snowflake:SnowflakeModel",
    "traffic": "emergesim.models.traffic:TrafficModel",
}


def _sources() -> dict[str, str]:
    """name -> "module:Class"; a plug-in cannot shadow a built-in."""
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **BUILTIN}


def available() -> list[str]:
    """Names of every registered model, sorted."""
    return sorted(_sources())


def get_model(name: str) -> type[EmergenceModel]:
    """The model class registered under ``name``."""
    sources = _sources()
    if name not in sources:
        raise UnknownModelError(f"unknown model '{name}'; available: {', '.join(sorted(sources))}")
    module, _, attr = sources[name].partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, EmergenceModel)):
        raise UnknownModelError(f"'{sources[name]}' (model '{name}') is not an EmergenceModel")
    return cls
