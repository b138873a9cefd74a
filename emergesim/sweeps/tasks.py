"""One run of a sweep: its key, its seed, and the record a worker sends back.

A run's key is the sha256 (hex) of the canonical JSON of everything that decides its result but
the sweep seed: model name and ``version``, every parameter, replicate, steps, burn-in and
recording interval. Its seed is ``SeedSequence(sweep_seed, spawn_key=<four 32-bit words of the
key>)``, so a run's numbers depend on what it is, never on when or where it ran: any executor,
any number of workers, an interrupted and resumed sweep all give the same bits.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from emergesim.errors import EmergesimError
from emergesim.model import EmergenceModel
from emergesim.runner import MAX_RECORDS, RecordKeeper, measure

# the columns of a record besides the model's parameters (before) and observables (after)
RUN_COLUMNS = ("replicate", "seed", "key", "status", "error", "elapsed")
_WORD = 0xFFFFFFFF  # 32 bits, SeedSequence's unit of entropy
# a run key's JSON: sorted keys, no spaces, no NaN (made once: json.dumps makes one a call)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Task:
    """What a worker needs to do one run; ``model`` is ``"module:Class"``, imported there."""

    model: str
    params: dict[str, Any]
    replicate: int
    steps: int
    burn_in: int
    record_every: int
    seed: int  # the sweep's seed
    key: str


def run_key(
    cls: type[EmergenceModel],
    params: dict[str, Any],
    replicate: int,
    steps: int,
    burn_in: int,
    record_every: int,
) -> str:
    """The run's identity in the store (see the module docstring)."""
    identity = {
        "model": cls.name,
        "version": cls.version,
        "params": params,
        "replicate": replicate,
        "steps": steps,
        "burn_in": burn_in,
        "record_every": record_every,
    }
    return hashlib.sha256(_CANONICAL.encode(identity).encode()).hexdigest()


def run_seed(seed: int, key: str) -> np.random.SeedSequence:
    """The run's SeedSequence: ``emergesim.run(model, seed=run_seed(row.seed, row.key), ...)``
    repeats a stored run."""
    return np.random.SeedSequence(seed, spawn_key=_key_words(key))


def _run_sequence(seed: int, key: str) -> np.random.SeedSequence:
    """``run_seed``'s stream, made for a worker in a third of the time (a tenth of a tiny run's).

    SeedSequence(seed, spawn_key=words) mixes into its pool the seed's 32-bit words padded with
    zeros to four, then the key's four words; given those eight words as its entropy it mixes
    the same pool, without converting each word to an array first. Its ``entropy`` is then
    that array, which the worker does not read."""
    words = [seed & _WORD, seed >> 32, 0, 0, *_key_words(key)]  # seed < 2**63
    return np.random.SeedSequence(np.array(words, dtype=np.uint32))


def _key_words(key: str) -> tuple[int, int, int, int]:
    """The first 128 bits of a run key as four 32-bit words, the first hex digits first."""
    bits = int(key[:32], 16)
    return (bits >> 96, (bits >> 64) & _WORD, (bits >> 32) & _WORD, bits & _WORD)


def model_reference(cls: type[EmergenceModel]) -> str:
    """``"module:Class"`` for a model class, checked to import back to the same class."""
    reference = f"{cls.__module__}:{cls.__qualname__}"
    try:
        found = resolve(reference)
    except Exception:
        found = None
    if found is not cls:
        raise EmergesimError(
            f"model class {cls.__qualname__} cannot be imported as '{reference}' by a worker; "
            "define it at the top level of an importable module"
        )
    return reference


@functools.cache
def resolve(reference: str) -> type[EmergenceModel]:
    """The class named by ``"module:Class"`` (cached: a worker imports it once)."""
    module, _, qualname = reference.partition(":")
    found: Any = importlib.import_module(module)
    for attribute in qualname.split("."):
        found = getattr(found, attribute)
    return found


def execute(task: Task) -> dict[str, Any]:
    """Do one run and return its record; an exception inside the model makes a failed record."""
    cls = resolve(task.model)
    start = time.perf_counter()
    try:  # what run() does, less its checks (the spec's) and its RunResult: the means alone
        sim = cls(seed=_run_sequence(task.seed, task.key), collect=False, **task.params)
        records = RecordKeeper(MAX_RECORDS, task.record_every)
        measure(sim, task.steps, task.burn_in, records)
        observed = records.means()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        return failed_record(task, message, time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    return _record(task, "ok", None, elapsed, observed)


def failed_record(task: Task, message: str, elapsed: float) -> dict[str, Any]:
    """The record of a failed run, ``message`` its error: also made by the parent for a run
    that took its worker process down or ran past the timeout (emergesim.sweeps.executors)."""
    return _record(task, "failed", message, elapsed, {})


def _record(
    task: Task, status: str, error: str | None, elapsed: float, observed: dict[str, Any]
) -> dict[str, Any]:
    """The store's columns: parameters, the run's columns, then every observable (NaN if not
    ``observed``)."""
    return {
        **task.params,
        "replicate": task.replicate,
        "seed": task.seed,
        "key": task.key,
        "status": status,
        "error": error,
        "elapsed": elapsed,
        **{name: observed.get(name, math.nan) for name in resolve(task.model).observables},
    }
