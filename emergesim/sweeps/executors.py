"""Where runs execute: in this process, in a pool of local processes, or on Dask.

Each executor yields records as runs finish; the parent alone writes the store and draws the
progress bar. Workers run numba and BLAS on one thread each, so that N workers use N cores and
not N**2 threads (a model's parallel kernels give the same bits on any thread count). Local
workers begin a model with one step of its first run (a warm-up) on one worker while the others
wait, so that numba compiles once, into its cache, instead of once in every worker (once per
process: later workers find the cache); on a worker and not in the parent, so that a model that
crashes or hangs there fails that run like any other instead of taking the sweep down.

A run that takes its worker process down (a segfault, ``os._exit``, the OOM killer) or runs past
the timeout is a failed record like a run that raised, and the sweep goes on: on local processes
the worker is replaced, on Dask the cluster replaces it. Only local processes can stop a run
that is too slow: a run in the parent process, or a Dask task, cannot be stopped.
"""

from __future__ import annotations

import atexit
import logging
import math
import multiprocessing
import multiprocessing.connection
import numbers
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from multiprocessing.context import BaseContext
from typing import Any

import numba

from emergesim.errors import EmergesimError
from emergesim.params import check_count
from emergesim.sweeps.tasks import Task, execute, failed_record

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


def make_executor(
    kind: str,
    workers: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = None,
):
    """The executor named ``kind``; checked here, before any run starts. ``timeout``: seconds a
    run may take on local processes (the other executors cannot stop a run, and say so)."""
    if kind not in EXECUTORS:
        raise EmergesimError(f"unknown executor {kind!r}; allowed: {', '.join(EXECUTORS)}")
    check_workers(workers)
    check_timeout(timeout)
    if scheduler is not None and kind != "dask":
        raise EmergesimError("a scheduler address is for the dask executor")
    if getattr(sys.modules.get("__main__"), "__name__", None) == "__mp_main__":
        raise EmergesimError(MAIN_GUARD)  # a worker is re-importing an unguarded script
    if kind == "serial":
        return Serial(timeout)
    if scheduler is None:  # local workers
        _check_main_file()
    if kind == "process":
        return Processes(workers or default_workers(), timeout)
    return Dask(workers or default_workers(), scheduler, timeout)


def _is_a_script() -> bool:
    return getattr(sys.modules["__main__"], "__file__", None) is not None


def check_workers(workers: int | None) -> None:
    """None (all cores) or a positive number of processes."""
    if workers is not None:
        check_count("workers", workers, minimum=1)


def check_timeout(timeout: float | None) -> None:
    """None (no limit) or a finite number of seconds > 0."""
    number = isinstance(timeout, numbers.Real) and not isinstance(timeout, bool)
    if timeout is not None and not (number and 0 < timeout < math.inf):
        raise EmergesimError(f"timeout must be a number of seconds > 0, got {timeout!r}")


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
    """Runs one after the other in this process (numba keeps all its threads). A ``timeout`` is
    not enforced, and the description says so: a run in this process cannot be stopped without
    stopping the sweep."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def describe(self) -> str:
        return "in this process" + _unenforced(self.timeout, "a run in this process")

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
    it, and so does an error or Ctrl-C during a sweep. A run whose worker dies, or that takes
    longer than ``timeout`` seconds (its worker is killed), is a failed record; a new worker
    takes that one's place."""

    def __init__(self, workers: int, timeout: float | None = None) -> None:
        self.workers = workers
        self.timeout = timeout
        self._pool: _Pool | None = None

    def describe(self) -> str:
        limit = "" if self.timeout is None else f" (timeout: {self.timeout:g} s a run)"
        return f"on {self.workers} processes{limit}"

    def map(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        if not tasks:
            return
        self._pool = _shared_pool(self.workers)
        if tasks[0].model not in _WARMED:
            # how the warm-up ends does not matter: the run it is part of tells
            list(self._pool.run(execute, [(warm_up(tasks[0]),)], self.timeout))
            _WARMED.add(tasks[0].model)
        for index, record, error in self._pool.run(
            execute, [(task,) for task in tasks], self.timeout
        ):
            if isinstance(error, _Lost):
                yield failed_record(tasks[index], str(error), error.elapsed)
            elif error is not None:  # raised outside the model (it is in the record otherwise)
                raise worker_error(error)
            else:
                yield record

    def starmap(self, fn: Callable[..., Any], arguments: Iterable[tuple]) -> Iterator[Any]:
        self._pool = _shared_pool(self.workers)
        calls = list(arguments)
        finished: dict[int, tuple[Any, BaseException | None]] = {}
        following = 0  # the next to yield
        for index, result, error in self._pool.run(fn, calls):
            finished[index] = result, error
            while following in finished:
                result, error = finished.pop(following)
                if isinstance(error, _Lost):
                    raise EmergesimError(f"{fn.__qualname__}{calls[following]!r}: {error}")
                if error is not None:
                    raise error
                yield result
                following += 1

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if self._pool is not None and kind is not None:
            # on an error or Ctrl-C, do not wait for the runs in flight, nor reuse the workers
            _POOLS.pop(self.workers, None)
            self._pool.close()


class _Lost(Exception):
    """A call whose worker process died, or was killed for running past the timeout."""

    def __init__(self, reason: str, elapsed: float) -> None:
        super().__init__(reason)
        self.elapsed = elapsed


class _Worker:
    """A worker process, the parent's end of its pipe, and the calls sent to it: the first one
    runs, since ``since``; the others wait in the pipe."""

    def __init__(self, context: BaseContext) -> None:
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, os.getpid()))
        with one_blas_thread():
            self.process.start()
        theirs.close()  # so that the pipe ends when the worker does
        self.started = False  # it said so: ready for calls
        self.calls: deque[int] = deque()
        self.since = 0.0

    def send(self, index: int, fn: Callable[..., Any], args: tuple) -> None:
        if not self.calls:
            self.since = time.monotonic()
        self.calls.append(index)
        with suppress(OSError):  # it died: its sentinel tells
            self.pipe.send((fn, args))

    def stop(self) -> None:
        """Ask it to exit if it is idle, else kill it (a call in flight is lost)."""
        if self.started and not self.calls:
            with suppress(OSError):
                self.pipe.send(None)
        else:
            self.process.kill()


class _Pool:
    """``size`` worker processes, each with its own pipe, so that a worker that dies or is
    killed loses its own run only (concurrent.futures' pool breaks as a whole, since its
    workers share one queue, which a worker killed while reading it could leave locked).

    The parent waits on every pipe and every process's sentinel at once, and knows which call
    each worker runs and since when: a run that ends its worker, or runs past the timeout (its
    worker is then killed), comes back as _Lost, and a new worker starts. While more calls wait
    than there are workers, each worker holds its next call in its pipe, so that it does not
    wait for the parent, who writes the store meanwhile."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def run(
        self, fn: Callable[..., Any], calls: list[tuple], timeout: float | None = None
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """``(index, result, error)`` for each of ``calls`` as it finishes: ``error`` is what
        ``fn(*calls[index])`` raised, or _Lost. Workers that died as they started raise
        EmergesimError (a script without its main guard)."""
        waiting = deque(range(len(calls)))
        # one that died between runs would lose a call sent to it
        self._end([w for w in self._workers if w.started and not w.process.is_alive()])
        self._fill()
        try:
            while waiting or any(worker.calls for worker in self._workers):
                for worker in self._workers:
                    depth = 2 if len(waiting) > len(self._workers) else 1
                    while worker.started and len(worker.calls) < depth and waiting:
                        index = waiting.popleft()
                        worker.send(index, fn, calls[index])
                yield from self._collect(waiting, timeout)
        finally:  # left early: the results in flight would go to the next caller
            self._end([worker for worker in self._workers if worker.calls])

    def _fill(self) -> None:
        while len(self._workers) < self.size:
            self._workers.append(_Worker(self._context))

    def _collect(
        self, waiting: deque[int], timeout: float | None
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """Wait for news from the workers (or the next timeout), and yield the calls ended."""
        busy = [worker.since for worker in self._workers if worker.calls]
        limit = None if timeout is None or not busy else min(busy) + timeout - time.monotonic()
        ready = multiprocessing.connection.wait(
            [w.pipe for w in self._workers] + [w.process.sentinel for w in self._workers],
            None if limit is None else max(limit, 0),
        )
        for worker in list(self._workers):
            ended = worker.process.sentinel in ready
            if worker.pipe in ready or ended:
                try:
                    while worker.pipe.poll():  # a dead worker's last results, then EOF
                        message = worker.pipe.recv()
                        if worker.started:
                            worker.since = time.monotonic()  # the next call started
                            yield worker.calls.popleft(), *_received(*message)
                        worker.started = True
                except (EOFError, OSError):  # a reset if it died with a call unread
                    ended = True
            late = bool(worker.calls) and timeout is not None
            if ended or (late and time.monotonic() - worker.since >= timeout):
                yield from self._replace(worker, ended, timeout, waiting)

    def _replace(
        self, worker: _Worker, died: bool, timeout: float | None, waiting: deque[int]
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """End ``worker``, start another, and yield the call it ran as _Lost; the calls waiting
        in its pipe go first to the next workers."""
        elapsed = time.monotonic() - worker.since
        self._workers.remove(worker)
        if not died:
            worker.process.kill()
        worker.process.join()
        worker.pipe.close()
        if not worker.started:
            if _is_a_script():
                raise EmergesimError(f"the worker processes died as they started: {MAIN_GUARD}")
            raise EmergesimError(
                f"a worker process died as it started ({_exit(worker.process.exitcode)})"
            )
        self._fill()
        if not worker.calls:  # it died with nothing to do
            return
        index = worker.calls.popleft()
        waiting.extendleft(reversed(worker.calls))
        if died:
            how = f"the worker process died during this run ({_exit(worker.process.exitcode)})"
        else:
            how = f"timed out after {timeout:g} s"
        yield index, None, _Lost(how, elapsed)

    def close(self) -> None:
        self._end(list(self._workers))

    def _end(self, workers: list[_Worker]) -> None:
        """Stop ``workers`` (idle ones exit, the others are killed), all at once, then wait
        for them."""
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.process.join()
            worker.pipe.close()
            self._workers.remove(worker)


def _received(result: Any, error: BaseException | None, trace: str | None) -> tuple:
    """``(result, error)``; an error shows the worker's traceback as its cause, as with
    concurrent.futures: where in a study's function it was raised."""
    if error is not None:
        error.__cause__ = _RemoteTraceback(trace)
    return result, error


class _RemoteTraceback(Exception):
    def __str__(self) -> str:
        return f"\n\n{self.args[0]}"  # the lines as the worker printed them


def _exit(code: int) -> str:
    """``exit code -11, SIGSEGV`` for a process that a signal ended; SIGKILL is most often the
    kernel's, out of memory."""
    try:
        name = signal.Signals(-code).name
    except ValueError:  # it exited (code >= 0), or the signal has no name
        return f"exit code {code}"
    return f"exit code {code}, {name}" + (": out of memory?" if name == "SIGKILL" else "")


_POOLS: dict[int, _Pool] = {}  # by number of workers
_WARMED: set[str] = set()  # the models warmed up from this process: in numba's cache since


def _shared_pool(workers: int) -> _Pool:
    return _POOLS.setdefault(workers, _Pool(workers))  # its workers start at its first run


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
        _POOLS.popitem()[1].close()


# before multiprocessing's own exit hook (registered as it was imported, above), which would
# wait for the workers for ever
atexit.register(shutdown_pools)


_LOCAL_CLUSTER = {
    # no dashboard reads a local cluster's sampling profiler; that profiler and the event-loop
    # watchdog's 20 ms tick made sweeps on two cores 4 % slower (benchmarks/sweep.py)
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    # a worker holds only the task it does (Dask queues the others), so that a worker's death
    # counts against that task alone: a run is failed (KilledWorker) once it took down
    # allowed-failures + 1 workers, never one run beside it (see Dask.map for batches)
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.preload": [__name__],  # dask_setup, below
}
NO_WORKERS_GRACE = 10  # seconds a scheduler may have no workers before the user is told
BATCH_SECONDS = 0.25  # the time a Dask task's batch of runs is made to take (Dask.map)


class Dask(Serial):
    """A Dask cluster: the scheduler at ``scheduler`` (tcp://host:port), or a LocalCluster of
    ``workers`` processes with one thread each. Workers must be able to import the model. A run
    whose workers died is a failed record (KilledWorker); a ``timeout`` is not enforced, since
    a task cannot be stopped once it runs."""

    def __init__(self, workers: int, scheduler: str | None, timeout: float | None = None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.timeout = timeout
        self._client = None
        self._cluster = None
        self._slots_count = 0
        self._slots_until = -math.inf

    def describe(self) -> str:
        if self.scheduler:
            where = f"on the Dask scheduler at {self.scheduler}"
        else:
            where = f"on a local Dask cluster of {self.workers} processes"
        return where + _unenforced(self.timeout, "a Dask task")

    def _connect(self, first: Task | None) -> None:
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EmergesimError(
                "the dask executor needs Dask: pip install 'emergesim[dask]'"
            ) from None
        logging.getLogger("distributed.client").addFilter(_rescheduled)
        logging.getLogger("tornado.application").addFilter(_interrupted_early)
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as error:
                raise EmergesimError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {error}"
                ) from None
            self._await_workers()
            return
        # read as workers start; Ctrl-C is the parent's to act on (it ends them): the workers
        # ignore it, from their start (inherited) and after a restart (the preload)
        with dask.config.set(_LOCAL_CLUSTER), one_blas_thread(), _ctrl_c_ignored():
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard, but the scheduler's HTTP server (health, metrics) would take
                # port 8787, or warn that it is taken
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.CRITICAL,  # a worker closing logs errors that are no news
            )
        self._client = Client(self._cluster)
        if first is not None and first.model not in _WARMED:  # a study's map has no run
            # how the warm-up ends does not matter: the run it is part of tells
            warming = self._client.submit(_call_on_one_thread, execute, warm_up(first), pure=False)
            warming.exception()
            _WARMED.add(first.model)

    def _await_workers(self) -> None:
        """A scheduler without workers would hold the sweep behind a frozen bar: after a grace
        period, say so once, and wait on (workers may be on their way, from a job queue)."""
        try:
            self._client.wait_for_workers(1, timeout=NO_WORKERS_GRACE)
        except TimeoutError:
            print(
                f"emergesim: warning: the Dask scheduler at {self.scheduler} has no workers; "
                f"start some (dask worker {self.scheduler}); waiting for them",
                file=sys.stderr,
            )
            self._client.wait_for_workers(1)

    def map(self, tasks: list[Task]) -> Iterator[dict[str, Any]]:
        """Runs go to Dask in batches, a few per worker thread at a time (each thread has its
        next batch queued), each batch as many runs as take about BATCH_SECONDS by the recent
        runs' median time (one run until a run has come back, and at most an even share of the
        runs left, so that the last batches end together): a Dask task costs milliseconds of
        the scheduler's and the workers' time, more than a small run itself (a sweep of 10^4
        runs of 20 cells into a store took 92 s one run a task, 33 s in batches, on two busy
        cores). A batch whose worker is lost is run again
        whole by Dask; one that Dask gave up on (KilledWorker: it took down allowed-failures + 1
        workers) is split into its runs, each a task of its own, so that the run that kills its
        workers fails alone."""
        from dask.distributed import KilledWorker, as_completed

        if not tasks:
            return
        if self._client is None:
            self._connect(tasks[0])
        waiting = deque(tasks)
        recent: deque[float] = deque(maxlen=64)  # the last runs' times (seconds)
        batches: dict[Any, list[Task]] = {}  # future -> its runs
        finished = as_completed()

        def submit(batch: list[Task]) -> None:
            future = self._client.submit(_execute_batch, batch, pure=False)
            batches[future] = batch
            finished.add(future)

        def fill() -> None:
            slots = self._slots()
            while waiting and len(batches) < slots:
                size = _batch_size(recent, len(waiting), slots)
                submit([waiting.popleft() for _ in range(size)])

        try:
            fill()
            for future in finished:
                batch = batches.pop(future)
                try:
                    records = future.result()
                except KilledWorker as error:
                    if len(batch) > 1:
                        for task in batch:
                            submit([task])
                        continue
                    tries = error.allowed_failures + 1
                    times = f", {tries} times" if tries > 1 else ""
                    reason = f"the Dask worker died during this run{times} (KilledWorker)"
                    records = [failed_record(batch[0], reason, math.nan)]
                except Exception as error:  # a worker could not import the model, or the like
                    raise worker_error(error) from None
                recent.extend(r["elapsed"] for r in records if not math.isnan(r["elapsed"]))
                fill()  # before the store is written: the workers do not wait for it
                yield from records
        finally:
            self._client.cancel(list(batches))

    def _slots(self) -> int:
        """Batches to keep submitted: two per worker thread (asked of the scheduler once a
        second at most: workers come and go)."""
        now = time.monotonic()
        if now >= self._slots_until:
            threads = sum(self._client.nthreads().values())
            self._slots_count = 2 * max(threads, 1)
            self._slots_until = now + 1
        return self._slots_count

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

    def __exit__(self, kind: type | None, *exc: object) -> None:
        """Disconnect, and end a local cluster. On an error or Ctrl-C, quickly (the runs in
        flight are lost: the store has the others) and quietly: Dask's logs of workers lost or
        connections closed as it shuts down would bury the one line that says why."""
        failing = kind is not None
        limit = {"timeout": CLOSE_TIMEOUT} if failing else {}
        logging.getLogger("distributed.client").removeFilter(_rescheduled)
        try:
            with _distributed_silenced(failing):
                for each in (self._client, self._cluster):
                    try:
                        if each is not None:
                            each.close(**limit)
                    except Exception:
                        if not failing:  # the error or Ctrl-C is the news, not this
                            raise
        finally:  # the client's event loop has stopped: nothing of it is logged any more
            logging.getLogger("tornado.application").removeFilter(_interrupted_early)


CLOSE_TIMEOUT = 5  # seconds a Dask client or local cluster has to close after an error or Ctrl-C


def _rescheduled(record: logging.LogRecord) -> bool:
    """False for the client's warning that it could not fetch a result from a worker that died
    meanwhile, and has Dask compute it again: the sweep loses nothing, and a line naming a task
    key would only break its progress bar. Dask's other messages pass."""
    return not str(record.msg).startswith("Couldn't gather")


def _interrupted_early(record: logging.LogRecord) -> bool:
    """False for the error distributed (2026.8) logs, from its event loop's thread and so at any
    moment, when Ctrl-C lands before its ``sync()`` has made the future it then cancels: that
    ``cancel`` reads the unassigned variable (a NameError). The interrupt is the news, and the
    sweep says it in one line. Other errors pass."""
    error = record.exc_info[1] if record.exc_info else None
    return not (isinstance(error, NameError) and "sync.<locals>.cancel" in record.getMessage())


@contextmanager
def _distributed_silenced(silenced: bool) -> Iterator[None]:
    """Dask's loggers (``distributed`` and the ones it logs through) silenced meanwhile."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [log.level for log in loggers]
    if silenced:
        for log in loggers:
            log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile, by this process and by the processes it starts (an ignored
    signal stays ignored across exec, and Python keeps it so): a local cluster's workers then
    ignore Ctrl-C from their first instant. A Ctrl-C while they start is lost; a signal's
    handler can be set in the main thread only: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def dask_setup(worker: object) -> None:
    """Run by each worker of a local cluster as it starts (this module is its preload): a
    worker that the cluster restarts (one died) ignores Ctrl-C too."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_error(error: Exception) -> EmergesimError:
    """A failure outside the model's run, e.g. a worker that cannot import the model's module
    (a class defined in a notebook is not importable by other processes)."""
    return EmergesimError(
        f"a worker failed outside the model ({type(error).__name__}: {error}); {RESUME}"
    )


def warm_up(task: Task) -> Task:
    """One step of ``task``: run first on one worker, it has numba compile once, into its
    cache (see the module docstring)."""
    return replace(task, steps=1, burn_in=0, record_every=1)


def _unenforced(timeout: float | None, what: str) -> str:
    """What a description says of a timeout that cannot be enforced."""
    return "" if timeout is None else f" (no timeout: {what} cannot be stopped)"


def _serve(pipe: multiprocessing.connection.Connection, parent: int) -> None:
    """A local worker: say it started, then run each call sent, ``(fn, args)``, and send back
    ``(result, None, None)`` or ``(None, the exception, its traceback)``, until None, or the
    parent is gone."""
    _start_worker(parent)
    with suppress(EOFError, BrokenPipeError):  # the parent is gone
        pipe.send(None)
        while (call := pipe.recv()) is not None:
            fn, args = call
            try:
                reply = fn(*args), None, None
            except Exception as error:
                reply = None, error, traceback.format_exc()
            pipe.send(reply)
    # a worker holds nothing to save: skip the interpreter's teardown (Mesa, numba, LLVM), half
    # a second that the parent would wait for at every shutdown
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _start_worker(parent: int) -> None:
    """One numba thread; exit if the parent dies (even by SIGKILL); Ctrl-C in a terminal
    reaches the workers too, but is the parent's to act on (it ends them)."""
    numba.set_num_threads(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _execute_batch(tasks: list[Task]) -> list[dict[str, Any]]:
    numba.set_num_threads(1)
    return [execute(task) for task in tasks]


def _batch_size(recent: Iterable[float], left: int, slots: int) -> int:
    """Runs in the next Dask batch (see Dask.map): about BATCH_SECONDS of runs as long as the
    median of ``recent`` ones, at most an even share of the ``left`` ones over ``slots``."""
    times = sorted(recent)
    if not times:
        return 1
    median, share = times[len(times) // 2], -(-left // slots)
    return share if median <= 0 else max(1, min(int(BATCH_SECONDS / median), share))


def _call_on_one_thread(fn: Callable[..., Any], *args: Any) -> Any:
    numba.set_num_threads(1)  # per thread in numba: set where the call executes
    return fn(*args)
