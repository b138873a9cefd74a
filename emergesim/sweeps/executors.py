"""Where runs execute: in this process, in a pool of local processes, or on Dask.

Each executor yields records as runs finish; the parent alone writes the store and draws the
progress bar. Workers run numba and BLAS on one thread each, so that N workers use N cores and
not N**2 threads (a model's parallel kernels give the same bits on any thread count). Before local
workers start, the parent does one tiny run of the model so that numba compiles once, into its
cache, instead of once in every worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numba

from emergesim.errors import EmergesimError
from emergesim.params import check_count
from emergesim.sweeps.tasks import Task, execute

EXECUTORS = ("serial", "process", "dask")
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
RESUME = "the finished runs are stored: rerun the same sweep to resume"
MAIN_GUARD = (
    'a script must start a sweep under `if __name__ == "__main__":`, since every worker '
    "process re-imports the script"
)


def default_workers() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def make_executor(kind: str, workers: int | None = None, scheduler: str | None = None):
    """The executor named ``kind``; checked here, before any run starts."""
    if kind not in EXECUTORS:
        raise EmergesimError(f"unknown executor {kind!r}; allowed: {', '.join(EXECUTORS)}")
    check_workers(workers)
    if scheduler is not None and kind != "dask":
        raise EmergesimError("a scheduler address is for the dask executor")
    if getattr(sys.modules.get("__main__"), "__name__", None) == "__mp_main__":
        raise EmergesimError(MAIN_GUARD)  # a worker is re-importing an unguarded script
    if kind == "serial":
        return Serial()
    if scheduler is None:  # local workers
        _check_main_file()
    if kind == "process":
        return Processes(workers or default_workers())
    return Dask(workers or default_workers(), scheduler)


def _is_a_script() -> bool:
    return getattr(sys.modules["__main__"], "__file__", None) is not None


def check_workers(workers: int | None) -> None:
    """None (all cores) or a positive number of processes."""
    if workers is not None:
        check_count("workers", workers, minimum=1)


def _check_main_file() -> None:
    """Local workers are spawned and re-import the parent's script, which a script read from
    standard input does not have on disk: every worker would die on start."""
    path = getattr(sys.modules["__main__"], "__file__", None)
    if path is not None and not os.path.exists(path):
        raise EmergesimError(
            f"worker processes cannot re-import the script '{path}'; save it as a file, or use "
            "the serial executor"
        )


class Serial:
    """Runs one after the other in this process (numba keeps all its threads)."""

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def describe(self) -> str:
        return "in this process"

    def map(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        for task in tasks:
            yield execute(task)

    def starmap(self, fn: Callable[..., Any], arguments: Iterable[tuple]) -> Iterator[Any]:
        """``fn(*args)`` for each of ``arguments``, yielded in their order: work that is not a
        model's run (a study's), on the sweeps' workers. ``fn`` must be importable by them, as
        a model is; its errors are raised as they are. Nothing is warmed up first."""
        for args in arguments:
            yield fn(*args)


class Processes(Serial):
    """A pool of local processes ("spawn": no state inherited from the parent), started at the
    first run and kept, like joblib's reusable executor, for later sweeps in this process (a
    worker takes over a second to start); ``shutdown_pools`` or the interpreter's exit ends
    it, and so does an error or Ctrl-C during a sweep."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def describe(self) -> str:
        return f"on {self.workers} processes"

    def map(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        if not tasks:
            return
        if self._pool is None:
            warm_up(tasks[0])
            self._pool = _shared_pool(self.workers)
        futures = _submit(self._pool, execute, [(task,) for task in tasks])
        died = f"a worker process died during a run (out of memory?); {RESUME}"
        # an error raised outside the model (it is in the record otherwise) says so
        yield from _results(as_completed(futures), futures, died, wrap=worker_error)

    def starmap(self, fn: Callable[..., Any], arguments: Iterable[tuple]) -> Iterator[Any]:
        if self._pool is None:
            self._pool = _shared_pool(self.workers)
        futures = _submit(self._pool, fn, list(arguments))
        yield from _results(futures, futures, "a worker process died (out of memory?)")

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if self._pool is not None and kind is not None:
            # on an error or Ctrl-C, do not wait for the runs in flight, nor reuse the workers
            _POOLS.pop(self.workers, None)
            self._pool.shutdown(wait=False, cancel_futures=True)


_POOLS: dict[int, ProcessPoolExecutor] = {}  # by number of workers


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _POOLS:
        _POOLS[workers] = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
    return _POOLS[workers]


def _submit(pool: ProcessPoolExecutor, fn: Callable[..., Any], calls: list[tuple]) -> list:
    """``fn(*args)`` for each of ``calls``; the pool starts its workers as work arrives, so
    they start here, with one BLAS thread."""
    with one_blas_thread():
        return [pool.submit(fn, *args) for args in calls]


def _results(
    finished: Iterable,
    futures: list,
    died: str,
    wrap: Callable[[Exception], EmergesimError] | None = None,
) -> Iterator[Any]:
    """The results of ``futures`` in the order ``finished`` gives them; a worker that died says
    ``died`` (or, before any finished, that the script lacks its main guard); other errors are
    raised as ``wrap`` makes them, or as they are; what is left is cancelled."""
    done = 0
    try:
        for future in finished:
            yield future.result()
            done += 1
    except BrokenProcessPool:
        started = done > 0 or not _is_a_script()
        message = died if started else f"the worker processes died as they started: {MAIN_GUARD}"
        raise EmergesimError(message) from None
    except Exception as error:
        if wrap is None:
            raise
        raise wrap(error) from None
    finally:
        for future in futures:
            future.cancel()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Worker processes started in here begin with one BLAS thread, as they run numba on one:
    N workers then use N cores, not fight over them (a wide grokking run took 20 times longer on
    two loaded cores), and a matrix product's last bits do not depend on the machine's cores.
    The variables are read as a worker imports numpy; this process's are put back after."""
    before = {name: os.environ.get(name) for name in BLAS_THREADS}
    os.environ.update(dict.fromkeys(BLAS_THREADS, "1"))
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def shutdown_pools() -> None:
    """End the worker processes kept for later sweeps."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown()


# A local cluster has no dashboard to read its workers' sampling profiler; that profiler and the
# event-loop watchdog's 20 ms tick made sweeps on two cores 4 % slower (benchmarks/sweep.py).
_UNWATCHED_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
}


class Dask(Serial):
    """A Dask cluster: the scheduler at ``scheduler`` (tcp://host:port), or a LocalCluster of
    ``workers`` processes with one thread each. Workers must be able to import the model."""

    def __init__(self, workers: int, scheduler: str | None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self._client = None
        self._cluster = None

    def describe(self) -> str:
        if self.scheduler:
            return f"on the Dask scheduler at {self.scheduler}"
        return f"on a local Dask cluster of {self.workers} processes"

    def _connect(self, first: Task | None) -> None:
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EmergesimError(
                "the dask executor needs Dask: pip install 'emergesim[dask]'"
            ) from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as error:
                raise EmergesimError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {error}"
                ) from None
            return
        if first is not None:  # a study's map has no run to warm up
            warm_up(first)
        with dask.config.set(_UNWATCHED_CLUSTER), one_blas_thread():  # read as workers start
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,  # a worker closing logs errors that are no news
            )
        self._client = Client(self._cluster)

    def map(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        from dask.distributed import as_completed as completed

        if not tasks:
            return
        if self._client is None:
            self._connect(tasks[0])
        futures = self._client.map(_execute_on_one_thread, tasks, pure=False)
        try:
            for future in completed(futures):
                try:
                    yield future.result()
                except Exception as error:  # a worker died, or could not import the model
                    raise worker_error(error) from None
        finally:
            self._client.cancel(futures)

    def starmap(self, fn: Callable[..., Any], arguments: Iterable[tuple]) -> Iterator[Any]:
        if self._client is None:
            self._connect(None)
        futures = [
            self._client.submit(_call_on_one_thread, fn, *args, pure=False) for args in arguments
        ]
        try:
            for future in futures:
                yield future.result()
        finally:
            self._client.cancel(futures)

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def worker_error(error: Exception) -> EmergesimError:
    """A failure outside the model's run, e.g. a worker that cannot import the model's module
    (a class defined in a notebook is not importable by other processes)."""
    return EmergesimError(
        f"a worker failed outside the model ({type(error).__name__}: {error}); {RESUME}"
    )


def warm_up(task: Task) -> None:
    """One step of the first run in the parent: numba compiles into its cache once."""
    execute(replace(task, steps=1, burn_in=0, record_every=1))


def _start_worker(parent: int) -> None:
    """Pool initializer: one numba thread, and exit if the parent dies (even by SIGKILL)."""
    numba.set_num_threads(1)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _execute_on_one_thread(task: Task) -> dict[str, Any]:
    numba.set_num_threads(1)  # per thread in numba: set where the run executes
    return execute(task)


def _call_on_one_thread(fn: Callable[..., Any], *args: Any) -> Any:
    numba.set_num_threads(1)
    return fn(*args)
