"""One kernel source, compiled for one thread and for all of them.

A kernel whose loop runs over ``numba.prange`` is compiled twice: plainly, where prange runs as
range, and with ``parallel=True``, where its iterations are shared among threads. Small inputs
take the first (waking threads would cost more than it saves), large ones the second.

``threaded`` joins the two behind one call that picks the thread count each time
(``threads_for``): one thread below the model's measured threshold, otherwise no more threads than
the work keeps busy, the caller allows (``numba.get_num_threads()``: sweep workers set 1), the
process may run on (its CPU affinity, ``NUMBA_NUM_THREADS``) and other processes leave free (the
load average, ``free_cores``). When that is one thread the serial variant runs: a parfor waits
for its slowest thread, and a thread that shares its core with another process's loses whole
scheduler slices (milliseconds) per step, which made two threads up to 6.6x slower than one on
a loaded machine. The thread count never changes a result: every kernel writes each agent's new
state from the old one and sums only integers (or nothing) across agents.
"""

from __future__ import annotations

import math
import os
import threading
import time
import types
from collections.abc import Callable
from typing import Any

import numba

REFRESH_SECONDS = 5.0  # the load is read at most this often (the kernel updates it every 5 s)
LOAD_MINUTES = 1.0  # the time constant of os.getloadavg()[0]


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


def allowed_cores() -> int:
    """Cores this process may run threads on: its CPU affinity (all cores where the platform
    has none), at most numba's thread pool size ``NUMBA_NUM_THREADS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, numba.config.NUMBA_NUM_THREADS))


class _LoadWatch:
    """The cores left free by other processes, re-read at most every REFRESH_SECONDS.

    The one-minute load average counts this process's own running threads too, so they are
    subtracted: its CPU time per second of wall time, averaged with the load average's own
    exponential weights (time constant one minute). Otherwise a process computing on one thread
    of a quiet two-core machine would see load 1, one free core, and never use the second.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        """Read the load afresh at the next call (tests patch os.getloadavg)."""
        self.read_at = -math.inf
        self.free = 1
        self.own = 0.0  # this process's share of the load average, in busy threads
        self.wall, self.cpu = time.monotonic(), time.process_time()

    def free_cores(self) -> int:
        now = time.monotonic()
        if now - self.read_at < REFRESH_SECONDS:
            return self.free
        with self.lock:
            cpu, elapsed = time.process_time(), now - self.wall
            if elapsed > 0:
                decay = math.exp(-elapsed / (60 * LOAD_MINUTES))
                self.own = self.own * decay + (cpu - self.cpu) / elapsed * (1 - decay)
            self.wall, self.cpu = now, cpu
            try:
                others = max(0.0, os.getloadavg()[0] - self.own)
            except (AttributeError, OSError):  # Windows: no load average
                others = 0.0
            self.free = max(1, allowed_cores() - round(others))
            self.read_at = now
        return self.free


_load = _LoadWatch()
free_cores = _load.free_cores
forget_load = _load.forget


def threads_for(work: int, parallel_from: int) -> int:
    """Threads for a kernel call over ``work`` units (cars, birds, rows...).

    One below ``parallel_from``, the model's measured size from which two threads beat one on
    free cores; above it, one thread per ``parallel_from / 2`` units, at most the caller's
    ``numba.get_num_threads()``, ``allowed_cores()`` and ``free_cores()``.
    """
    if work < parallel_from:
        return 1
    by_work = work // max(1, parallel_from // 2)
    return max(1, min(by_work, numba.get_num_threads(), allowed_cores(), free_cores()))


def threaded(
    serial: Callable, parallel: Callable, parallel_from: int, work: Callable[..., int]
) -> Callable:
    """One call for both variants: ``work(*args)`` units of work get ``threads_for`` threads;
    one runs ``serial`` (no thread pool at all), more run ``parallel`` on that many threads,
    restoring the caller's thread count afterwards."""

    def call(*args: Any) -> Any:
        threads = threads_for(work(*args), parallel_from)
        if threads == 1:
            return serial(*args)
        before = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            return parallel(*args)
        finally:
            numba.set_num_threads(before)

    call.__name__ = call.__qualname__ = f"{getattr(serial, '__name__', 'kernel')}_auto"
    call.__doc__ = f"``{call.__name__[:-5]}`` on ``threads_for`` threads (emergesim.parallel)."
    return call
