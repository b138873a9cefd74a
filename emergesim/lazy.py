"""Names of a package that are imported on first use (PEP 562).

``import emergesim`` and the command line must start fast, and sweep workers must not import
what they never use (matplotlib, scipy's fitting, Mesa for a card), so packages export their
heavy names through this instead of importing them at the top.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps an exported name to the module
    (absolute, or relative to ``package``) that defines it."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        module = importlib.import_module(names[name], package)
        return module if module.__name__.rpartition(".")[2] == name else getattr(module, name)

    return __getattr__
