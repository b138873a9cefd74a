"""One kernel source, compiled for one thread and for all of them.

A kernel whose loop runs over ``numba.prange`` is compiled twice: plainly, where prange runs as
range, and with ``parallel=True``, where its iterations are shared among threads. Small inputs
take the first (waking threads would cost more than it saves), large ones the second.
"""

from __future__ import annotations

import types
from collections.abc import Callable

import numba


def serial_and_parallel(kernel: Callable) -> tuple[Callable, Callable]:
    """``kernel`` compiled with ``njit(cache=True)`` and with ``njit(cache=True, parallel=True)``.

    The parallel variant compiles a copy of the function named ``<name>_parallel``. numba's
    on-disk cache files a function's machine code under its file, qualified name and first line,
    keyed by signature, CPU and bytecode, but not by the compile options (numba issue #6845):
    two dispatchers of one function would share one cache entry, and whichever compiled first
    would run for both, in this process and every later one (checked with numba 0.68). The
    distinct name gives each variant its own cache file.
    """
    name = f"{kernel.__name__}_parallel"
    copy = types.FunctionType(
        kernel.__code__, kernel.__globals__, name, kernel.__defaults__, kernel.__closure__
    )
    copy.__qualname__ = f"{kernel.__qualname__}_parallel"
    copy.__doc__, copy.__kwdefaults__ = kernel.__doc__, kernel.__kwdefaults__
    return numba.njit(cache=True)(kernel), numba.njit(cache=True, parallel=True)(copy)
