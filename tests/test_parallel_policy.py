"""The thread policy of emergesim.parallel: how many threads a kernel call gets, and that the
answer never changes a result."""

from __future__ import annotations

import numba
import pytest

from emergesim import parallel
from emergesim.models.snowflake import SnowflakeModel
from emergesim.models.snowflake import kernels as snowflake_kernels
from emergesim.models.traffic import TrafficModel
from emergesim.models.traffic import kernels as traffic_kernels

HUGE = 10**9


@pytest.fixture
def load(monkeypatch):
    """Set the one-minute load average the policy reads; the policy rereads it at once."""

    def set_load(value: float) -> None:
        monkeypatch.setattr(parallel.os, "getloadavg", lambda: (value, value, value))
        parallel.forget_load()

    yield set_load
    parallel.forget_load()


@pytest.fixture
def caller_threads():
    """Restore the caller's numba thread count after a test that changes it."""
    before = numba.get_num_threads()
    yield
    numba.set_num_threads(before)


def test_small_work_runs_on_one_thread(load):
    load(0.0)
    for parallel_from in (64, 20_000):
        assert parallel.threads_for(0, parallel_from) == 1
        assert parallel.threads_for(parallel_from - 1, parallel_from) == 1


def test_never_more_threads_than_allowed(load, caller_threads):
    load(0.0)
    allowed = parallel.allowed_cores()
    assert 1 <= allowed <= numba.config.NUMBA_NUM_THREADS
    assert parallel.threads_for(HUGE, 100) == min(allowed, numba.get_num_threads())
    numba.set_num_threads(1)  # as sweep workers do
    assert parallel.threads_for(HUGE, 100) == 1


def test_threads_follow_the_work(load):
    load(0.0)
    # one thread per parallel_from / 2 units above the threshold
    assert parallel.threads_for(100, 100) == min(2, parallel.threads_for(HUGE, 100))


def test_one_thread_when_the_load_leaves_no_core_free(load):
    load(float(parallel.allowed_cores()) + 0.6)
    assert parallel.free_cores() == 1
    assert parallel.threads_for(HUGE, 100) == 1
    load(1000.0)
    assert parallel.threads_for(HUGE, 100) == 1


def test_the_load_is_not_reread_on_every_call(load):
    load(0.0)
    free = parallel.free_cores()
    load(1000.0)
    assert parallel.free_cores() == 1  # forget_load() forces a fresh read
    parallel.os.getloadavg = lambda: (0.0, 0.0, 0.0)  # without it, the cached value stands
    assert parallel.free_cores() == 1
    parallel.forget_load()
    assert parallel.free_cores() == free


def test_threaded_runs_serial_on_one_thread_and_restores_the_callers_count(
    monkeypatch, caller_threads
):
    calls = []

    def serial(n):
        calls.append(("serial", numba.get_num_threads()))

    def par(n):
        calls.append(("parallel", numba.get_num_threads()))

    auto = parallel.threaded(serial, par, 10, lambda n: n)
    monkeypatch.setattr(parallel, "free_cores", lambda: 2)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    auto(5)
    auto(HUGE)
    assert calls[0] == ("serial", numba.config.NUMBA_NUM_THREADS)
    expected = min(2, parallel.allowed_cores())
    assert calls[1] == (("parallel", expected) if expected > 1 else ("serial", expected))
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def run_on(monkeypatch, threads: int, model, steps: int) -> list[dict[str, float]]:
    """Step ``model`` with the policy allowed ``threads`` free cores; its observables by step."""
    monkeypatch.setattr(parallel, "free_cores", lambda: threads)
    observed = []
    for _ in range(steps):
        model.step()
        observed.append(model.observe())
    return observed


def test_traffic_is_bit_identical_on_one_and_two_threads(monkeypatch, caller_threads):
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    cars = 2 * traffic_kernels.PARALLEL_FROM
    runs = []
    for threads in (1, 2):
        model = TrafficModel(seed=7, length=4 * cars, density=0.25)
        assert model._kernel is traffic_kernels.nasch_step_auto
        model.open_interval()
        observed = run_on(monkeypatch, threads, model, 60)
        runs.append((observed, model.positions.tolist(), model.speeds.tolist()))
    # NaN != NaN: compare the observables' text
    assert repr(runs[0]) == repr(runs[1])


def test_snowflake_is_bit_identical_on_one_and_two_threads(monkeypatch, caller_threads):
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    runs = []
    for threads in (1, 2):
        model = SnowflakeModel(
            seed=3, beta=0.4, gamma=0.001, radius=snowflake_kernels.PARALLEL_FROM + 8
        )
        observed = run_on(monkeypatch, threads, model, 300)
        assert model.active_radius >= snowflake_kernels.PARALLEL_FROM  # the auto sweep ran
        runs.append((observed, model.water.data.tobytes(), model.frozen_at.tobytes()))
    assert repr(runs[0]) == repr(runs[1])
