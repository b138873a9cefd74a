"""Where numba keeps the compiled kernels: a per-user cache folder, never the installed package.

numba's default puts ``cache=True`` files in ``__pycache__`` beside the source, that is inside
site-packages. Those folders outlive ``pip uninstall`` and, left in an emptied package folder,
form a namespace package that shadows a later editable install; a read-only site-packages cannot
hold them at all. So unless the user chose a folder with numba's own ``NUMBA_CACHE_DIR``,
emergesim sets it to the platform's per-user cache folder before any kernel is compiled. Worker
processes inherit it through the environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

VARIABLE = "NUMBA_CACHE_DIR"


def user_cache_dir() -> Path:
    """``~/.cache/emergesim/numba`` on Linux (``$XDG_CACHE_HOME`` if set), the platform's own
    cache folder on macOS and Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "emergesim" / "numba"


def configure() -> str:
    """Point numba at the chosen cache folder (the user's ``NUMBA_CACHE_DIR`` wins); return it."""
    folder = os.environ.setdefault(VARIABLE, str(user_cache_dir()))
    numba = sys.modules.get("numba")
    if numba is not None:  # imported before emergesim: it has read its configuration already
        numba.config.CACHE_DIR = folder
    return folder
