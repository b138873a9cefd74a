"""The store: one folder per sweep that pandas, polars and DuckDB read without emergesim.

::

    <out>/sweep.toml                the resolved spec (emergesim.sweeps.spec)
    <out>/columns.parquet           the records' columns, no rows (what load reads for a model
                                    it does not import)
    <out>/runs/part-<n>.parquet     finished runs, many rows
    <out>/runs/<key>.parquet        one run, a single row (written by emergesim 0.x before parts)
    <out>/set-aside/                files found unreadable in runs/, moved out (never deleted)
    <out>/.lock                     locked while a sweep writes here

Every record has the same columns and types: the model's parameters (typed as declared), then
``replicate`` (int), ``seed`` (int, the sweep's), ``key`` (str), ``status`` ("ok" or "failed"),
``error`` (str, null when ok), ``elapsed`` (seconds), then every observable (float, NaN on
failure). So ``pandas.read_parquet("<out>/runs")``, ``polars.read_parquet("<out>/runs/*.parquet")``
and DuckDB's ``read_parquet('<out>/runs/*.parquet')`` see one table, one row a run once a sweep
has ended. While one writes, or after one was killed, a run can be in two files (the same
record, or a retried run's new one); ``load`` keeps the newest: a run's own file over a part,
a part over parts with a lower ``n``.

A finished run waits in memory until COMPACT_AT runs wait or FLUSH_AFTER seconds have passed
since the first of them came (a timer), then they are written together as a new part, with any
part that holds an older record of one of their runs (a retried failure), so that a run is in
one part only: one file of many rows is written in the time a file of one row takes. A killed
sweep loses the runs in flight and those that finished in its last FLUSH_AFTER seconds; the next
sweep runs them again. When MERGE_AT parts share a size tier (tier t: up to COMPACT_AT *
MERGE_AT**t rows), they are merged into one. So runs/ holds MERGE_AT parts per tier at most, a
tier per factor MERGE_AT of runs: at most 35 parts for 10^6 runs, and each run is rewritten
once per tier. A part is written to ``.part-<n>.parquet.tmp`` (a dot file: skipped by pyarrow,
not matched by ``*.parquet``), fsync'ed, renamed and the folder fsync'ed before the files it
replaces are deleted, so whenever a sweep is killed or the power cut, every run written is in at
least one file and the newest file holds its latest record. The next sweep finishes an
interrupted merge: it deletes a part whose runs a newer part holds, and merges the single-run
files into a part.

The store reads its own names only (``<key>.parquet``, a key being 64 hex digits, and
``part-<n>.parquet``) and deletes no other file: of the temporary files a killed sweep left, only
``.<key>.parquet.tmp`` and ``.part-<n>.parquet.tmp``. A file of its names that is empty, cut
short, not Parquet or of another sweep's columns is moved to ``<out>/set-aside/`` with a warning
on stderr, and its runs are run again; ``load`` skips it with a warning. The lock is released by
the OS when the process ends, however it ends.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from emergesim.errors import EmergesimError
from emergesim.model import EmergenceModel
from emergesim.sweeps.spec import SweepSpec, differences, model_class, read_toml, resolve_spec
from emergesim.sweeps.tasks import RUN_COLUMNS

SPEC_FILE = "sweep.toml"
COLUMNS_FILE = "columns.parquet"
RUNS = "runs"
SET_ASIDE = "set-aside"
LOCK_FILE = ".lock"
COMPACT_AT = 512  # finished runs written as a part once this many wait (see the docstring)
FLUSH_AFTER = 1.0  # seconds a finished run waits at most before it is written
MERGE_AT = 8  # parts of one size tier merged into one once this many
_ARROW_TYPES = {int: pa.int64(), float: pa.float64(), str: pa.string(), bool: pa.bool_()}
_SINGLE = re.compile(r"[0-9a-f]{64}\.parquet")
_PART = re.compile(r"part-(\d+)\.parquet")
_TEMPORARY = re.compile(r"\.([0-9a-f]{64}|part-\d+)\.parquet\.tmp")  # the store's own only
_ATTEMPTS = 3  # reads of a folder whose files a sweep compacts away meanwhile

Filters = Mapping[str, Any] | pc.Expression | None


def schema(cls: type[EmergenceModel]) -> pa.Schema:
    """The columns of every record of ``cls`` (see the module docstring)."""
    params = [(name, _ARROW_TYPES[p.type]) for name, p in cls.params.items()]
    run = [
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
        ("key", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("elapsed", pa.float64()),
    ]
    return pa.schema(params + run + [(name, pa.float64()) for name in cls.observables])


def to_frame(records: list[dict[str, Any]], columns: pa.Schema) -> pd.DataFrame:
    """Records -> the DataFrame a reader of the store gets, with the same dtypes."""
    return pa.Table.from_pylist(records, schema=columns).to_pandas()


@dataclass(frozen=True)
class Stored:
    """A folder's sweep.toml as read, once, before the sweep given is resolved."""

    text: str
    table: dict[str, Any]  # the arguments of resolve_spec it holds

    @property
    def seed(self) -> int | None:
        """The stored seed: a resumed sweep keeps it."""
        seed = self.table.get("seed")
        return seed if isinstance(seed, int) else None


def read_stored(folder: Path) -> Stored | None:
    """``folder``'s sweep.toml, or None if there is none (a new store, or not a folder)."""
    spec_file = Path(folder) / SPEC_FILE
    text = _read_text(spec_file)
    if text is None:
        return None
    table, _ = read_toml(spec_file, text=text)
    return Stored(text, table)


def _read_text(spec_file: Path) -> str | None:
    """The file's text (None if it or its folder does not exist), or EmergesimError."""
    try:
        return spec_file.read_bytes().decode()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise EmergesimError(f"cannot read spec file '{spec_file}': {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EmergesimError(f"spec file '{spec_file}' is not valid TOML: {error}") from None


class MemoryStore:
    """Records kept in memory, for a sweep without ``out``."""

    def __init__(self, spec: SweepSpec) -> None:
        self.schema = schema(spec.cls)
        self._records: dict[str, dict[str, Any]] = {}

    def statuses(self) -> dict[str, str]:
        return {key: record["status"] for key, record in self._records.items()}

    def write(self, record: dict[str, Any]) -> None:
        self._records[record["key"]] = record

    def frame(self, keys: Iterable[str]) -> pd.DataFrame:
        return to_frame([self._records[key] for key in keys], self.schema)

    def close(self) -> None:
        pass


class FolderStore(MemoryStore):
    """A sweep's folder, locked while open (see the module docstring).

    It keeps the status of every stored run and the keys of every part in memory, read once
    when it opens, so that a rerun does not read the runs again and a compaction knows which
    parts hold an older record of the runs it compacts."""

    def __init__(self, folder: Path, spec: SweepSpec, stored: Stored | None) -> None:
        """Lock ``folder`` and check that ``spec`` is its sweep (or extends it); raise
        EmergesimError before anything in the folder changes otherwise. ``stored`` is the
        folder's sweep.toml as the caller read it (``read_stored``) to resolve ``spec``: it is
        not read again, only checked to be unchanged once the folder is locked."""
        super().__init__(spec)
        self.folder = Path(folder)
        self.runs = self.folder / RUNS
        self._statuses: dict[str, str] = {}
        self._parts: dict[Path, pa.ChunkedArray] = {}  # part -> its keys, oldest first
        self._run_files: set[str] = set()  # keys of the runs in a file of their own
        self._waiting: dict[str, dict[str, Any]] = {}  # key -> record of a run not written yet
        self._writing = threading.RLock()  # the timer's flush and the sweep's calls, one at once
        self._timer: threading.Timer | None = None
        self._failure: BaseException | None = None  # what stopped the timer's flush
        self._next = 0  # the next part's n
        if self.folder.exists() and not self.folder.is_dir():
            raise EmergesimError(f"output folder '{self.folder}' is a file")
        self._lock = FileLock(self.folder / LOCK_FILE, timeout=0)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise EmergesimError(
                f"another sweep is writing to '{self.folder}'; wait for it to end or use "
                "another output folder"
            ) from None
        except OSError as error:
            raise EmergesimError(
                f"cannot write the output folder '{self.folder}': {error.strerror}"
            ) from None
        try:
            self._adopt(spec, stored)
            self._open_runs()
        except BaseException:
            self._lock.release()
            raise

    def _adopt(self, spec: SweepSpec, stored: Stored | None) -> None:
        spec_file = self.folder / SPEC_FILE
        if _read_text(spec_file) != (None if stored is None else stored.text):
            raise EmergesimError(
                f"'{spec_file}' changed while this sweep was starting (another sweep wrote "
                "it); run this one again"
            )
        text = spec.to_toml()
        if stored is not None and stored.text != text:  # the same text: the same sweep
            conflicts = differences(self._stored_spec(spec_file, stored, spec), spec)
            if conflicts:
                raise EmergesimError(
                    f"'{self.folder}' holds a different sweep ({'; '.join(conflicts)}); use "
                    "another output folder, or only add points or replicates to extend it"
                )
        elif stored is None and _own_files(self.runs):
            raise EmergesimError(
                f"'{self.folder}' holds runs but no {SPEC_FILE}; use another output folder"
            )
        self.runs.mkdir(exist_ok=True)
        if stored is None or stored.text != text:
            _write_atomic(spec_file, lambda path: path.write_text(text, encoding="utf-8"))
        columns = self.folder / COLUMNS_FILE
        if not columns.exists():  # written once: a file of that name is never replaced
            _write_atomic(columns, lambda path: pq.write_table(self.schema.empty_table(), path))

    def _stored_spec(self, spec_file: Path, stored: Stored, spec: SweepSpec) -> SweepSpec:
        """The stored sweep, resolved (its version first: runs of another one are not kept)."""
        table = dict(stored.table)
        version = str(table.pop("model_version", spec.cls.version))
        if version != spec.cls.version:
            raise EmergesimError(
                f"'{self.folder}' holds runs of version {version} of model '{spec.cls.name}', "
                f"the installed one is version {spec.cls.version}; use another output folder"
            )
        try:
            return resolve_spec(**table)
        except EmergesimError as error:
            raise EmergesimError(
                f"'{spec_file}' no longer describes a valid sweep ({error}); "
                "use another output folder"
            ) from None

    def _open_runs(self) -> None:
        """Delete what a killed sweep left half-written, set unreadable files aside, read the
        key and status of every run, and delete the parts an interrupted merge left behind."""
        for entry in os.scandir(self.runs):
            if _TEMPORARY.fullmatch(entry.name):
                os.unlink(entry.path)
        for path in _own_files(self.runs):  # the oldest first: a later record replaces it
            found = _read_file(path, self.schema, ["key", "status"])
            if isinstance(found, str):
                self._set_aside(path, found)
                continue
            keys, statuses = (found[name].to_pylist() for name in ("key", "status"))
            self._statuses.update(zip(keys, statuses, strict=True))
            if _PART.fullmatch(path.name):
                self._parts[path] = found["key"]
                self._next = _part_number(path) + 1
            else:
                self._run_files.add(path.name.removesuffix(".parquet"))
        held = sum(len(keys) for keys in self._parts.values())
        if len(self._statuses) < held + len(self._run_files):  # a run in two files
            self._drop_superseded_parts()

    def _set_aside(self, path: Path, reason: str) -> None:
        """Move ``path`` out of runs/, to a name not taken, and say so: its runs are not in
        statuses(), so the sweep runs them again."""
        aside = self.folder / SET_ASIDE
        aside.mkdir(exist_ok=True)
        target, n = aside / path.name, 0
        while target.exists():
            n += 1
            target = aside / f"{path.name}.{n}"
        os.replace(path, target)
        _warn(f"moved '{path}' to '{target}' ({reason}); its runs will be run again")

    def _drop_superseded_parts(self) -> None:
        """Delete each part whose runs newer parts all hold: a merge was killed before it
        deleted the parts it had merged (the newer part holds their latest records)."""
        newer: list[pa.ChunkedArray] = []
        for path, keys in reversed(list(self._parts.items())):
            if newer and pc.all(pc.is_in(keys, value_set=pa.chunked_array(newer))).as_py():
                os.unlink(path)
                del self._parts[path]
            newer.append(keys)

    def statuses(self) -> dict[str, str]:
        """key -> status of every stored run."""
        return dict(self._statuses)

    def write(self, record: dict[str, Any]) -> None:
        """Store one finished run: written with the others waiting once COMPACT_AT wait or
        FLUSH_AFTER seconds after the first came."""
        with self._writing:
            self._raise_failure()
            self._waiting[record["key"]] = record
            self._statuses[record["key"]] = record["status"]
            if len(self._waiting) >= COMPACT_AT:
                self._compact()
            elif self._timer is None:
                self._timer = threading.Timer(FLUSH_AFTER, self._flush)
                self._timer.daemon = True  # a sweep that ends abruptly does not wait for it
                self._timer.start()

    def _flush(self) -> None:
        """The timer's: write the runs waiting. An error is raised by the sweep's next call."""
        with self._writing:
            try:
                if self._waiting:
                    self._compact()
            except BaseException as error:
                self._failure = error
            self._timer = None

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def frame(self, keys: Iterable[str]) -> pd.DataFrame:
        """The stored records of ``keys``, in that order (ordered by pyarrow: pandas takes
        five times as long over 10^5 keys)."""
        with self._writing:
            self._raise_failure()
            if self._waiting or self._run_files:
                self._compact()
            held = pa.chunked_array(list(self._parts.values()), pa.string())
            table = _read(list(self._parts), held, self.schema)
        position = pc.index_in(table["key"], value_set=pa.array(list(keys), pa.string()))
        wanted = pc.is_valid(position)
        order = pc.sort_indices(position.filter(wanted))
        return table.filter(wanted).take(order).to_pandas()

    def close(self) -> None:
        """Write the runs waiting and merge the single-run files (an ended sweep leaves parts
        only), then unlock."""
        try:
            with self._writing:
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                self._raise_failure()
                if self._waiting or self._run_files:
                    self._compact()
        finally:
            self._lock.release()

    def _compact(self) -> None:
        """Write the runs waiting, the single-run files and the parts holding older records of
        their runs as one new part (the waiting records newest); then merge the parts of any
        tier that has MERGE_AT of them."""
        keys = pa.array([*self._run_files, *self._waiting], pa.string())
        stale = [
            p for p, held in self._parts.items() if pc.any(pc.is_in(held, value_set=keys)).as_py()
        ]
        kept = [
            pq.read_table(p, schema=self.schema).filter(~pc.field("key").isin(keys)) for p in stale
        ]
        found = [self.runs / f"{key}.parquet" for key in self._run_files - self._waiting.keys()]
        written = pa.Table.from_pylist(list(self._waiting.values()), self.schema)
        self._replace(
            stale, [*kept, *(pq.read_table(p, schema=self.schema) for p in found), written]
        )
        for key in self._run_files:
            os.unlink(self.runs / f"{key}.parquet")
        self._run_files.clear()
        self._waiting.clear()
        while full := _full_tier(self._parts):
            self._replace(full, [pq.read_table(p, schema=self.schema) for p in full])

    def _replace(self, parts: list[Path], tables: list[pa.Table]) -> None:
        """Write ``tables`` as a new part, durably, then delete ``parts``."""
        table = pa.concat_tables(tables)
        path = self.runs / f"part-{self._next:06d}.parquet"
        self._next += 1
        _write_atomic(path, lambda p: pq.write_table(table, p))
        self._parts[path] = table["key"]
        for old in parts:
            os.unlink(old)
            del self._parts[old]


def _own_files(runs: Path) -> list[Path]:
    """The store's files under ``runs`` in the order their records take precedence: the parts
    by ``n``, then the single-run files (any other file is not the store's)."""
    try:
        names = [entry.name for entry in os.scandir(runs)]
    except FileNotFoundError:
        return []
    parts = sorted((runs / n for n in names if _PART.fullmatch(n)), key=_part_number)
    return [*parts, *(runs / n for n in names if _SINGLE.fullmatch(n))]


def _part_number(path: Path) -> int:
    return int(_PART.fullmatch(path.name)[1])


def _full_tier(parts: dict[Path, pa.ChunkedArray]) -> list[Path]:
    """The parts of the lowest size tier that has MERGE_AT of them (none: an empty list)."""
    tiers: dict[int, list[Path]] = {}
    for path, keys in parts.items():
        tier, most = 0, COMPACT_AT
        while len(keys) > most:
            tier, most = tier + 1, most * MERGE_AT
        tiers.setdefault(tier, []).append(path)
    return next((tiers[t] for t in sorted(tiers) if len(tiers[t]) >= MERGE_AT), [])


def _read_file(path: Path, columns: pa.Schema, names: list[str]) -> pa.Table | str:
    """Columns ``names`` of one of the store's files, or why it is not one: empty, cut short,
    not Parquet, or another sweep's columns. A file that vanished raises FileNotFoundError:
    a sweep writing the folder compacted it meanwhile."""
    try:
        with pq.ParquetFile(path) as file:
            if not file.schema_arrow.equals(columns):
                return "its columns are not this sweep's"
            return file.read(columns=names)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException) as error:
        return f"not a readable Parquet file: {error}"


def _read(
    files: list[Path],
    keys: pa.ChunkedArray,
    columns: pa.Schema,
    names: list[str] | None = None,
    where: pc.Expression | None = None,
) -> pa.Table:
    """Columns ``names`` of the records in ``files`` (checked, in the order of precedence;
    ``keys`` are their keys) that ``where`` selects, one a run: where a run is in two files,
    the later file's record. A filter can only be pushed into the read when every run is in
    one file: otherwise it could select a run's older record."""
    if pc.count_distinct(keys).as_py() == len(keys):
        dataset = ds.dataset(files, schema=columns, format="parquet")
        return dataset.to_table(columns=names, filter=where)
    table = pa.concat_tables(pq.read_table(path, schema=columns) for path in files)
    backwards = table["key"].to_numpy(zero_copy_only=False)[::-1]
    _, last = np.unique(backwards, return_index=True)  # the first seen from the end
    table = table.take(np.sort(len(table) - 1 - last))
    if where is not None:
        table = table.filter(where)
    return table.select(names or columns.names)


def load(
    path: str | os.PathLike,
    *,
    columns: Sequence[str] | None = None,
    filters: Filters = None,
    model: str | type[EmergenceModel] | None = None,
) -> pd.DataFrame:
    """The runs stored in a sweep folder, one row each, sorted by parameters then replicate.

    ``columns`` names the columns wanted (all by default), in their order. ``filters`` keeps
    the rows it selects: a mapping of column to value (rows equal to it) or to a list, tuple or
    set of values (rows equal to one of them), every entry of which must hold, or a pyarrow
    expression (``pyarrow.dataset.field("density") > 0.3``). Only those columns (and the
    parameters and replicate, to sort by) are read, and rows the filter rejects are dropped
    as they are read. A file of the store that cannot be read is skipped with a warning.

    A model the folder names as ``"module:Class"`` (not a registered one) is not imported, so
    that opening a folder from elsewhere runs none of its code: the columns are read from the
    store's files. ``model`` (a registered name, ``"module:Class"`` or a class) is imported
    and asked for the columns instead."""
    folder = Path(path)
    spec_file = folder / SPEC_FILE
    if not spec_file.is_file():
        raise EmergesimError(f"'{folder}' is not a sweep folder: it has no {SPEC_FILE}")
    table, _ = read_toml(spec_file)
    columns_of, params = _record_columns(folder, table["model"] if model is None else model)
    wanted = list(columns_of.names if columns is None else columns)
    named = [*wanted, *(filters if isinstance(filters, Mapping) else ())]
    unknown = [name for name in named if name not in columns_of.names]
    if unknown:
        raise EmergesimError(
            f"no column '{unknown[0]}' in the runs of '{folder}'; columns: "
            f"{', '.join(columns_of.names)}"
        )
    by = [*params, "replicate"]
    names = [*wanted, *(name for name in by if name not in wanted)]
    for _ in range(_ATTEMPTS):
        try:
            runs = _load_runs(folder / RUNS, columns_of, names, _expression(filters))
            break
        except FileNotFoundError:  # a sweep writing there compacted files away: list again
            continue
    else:
        raise EmergesimError(f"the files in '{folder / RUNS}' kept vanishing as they were read")
    frame = runs.to_pandas().sort_values(by, kind="stable", ignore_index=True)
    return frame[wanted]


def _record_columns(folder: Path, model: str | type[EmergenceModel]) -> tuple[pa.Schema, list[str]]:
    """The columns of the records in ``folder`` and the parameters among them: from the model
    if it is a class or registered, else from the folder's COLUMNS_FILE, without importing
    the model."""
    if not isinstance(model, str) or ":" not in model:
        _, cls = model_class(model)
        return schema(cls), list(cls.params)
    try:
        found = pq.read_schema(folder / COLUMNS_FILE)
        start = found.names.index(RUN_COLUMNS[0])
        if tuple(found.names[start : start + len(RUN_COLUMNS)]) == RUN_COLUMNS:
            return found, found.names[:start]
    except (OSError, pa.ArrowException, ValueError):
        pass
    raise EmergesimError(
        f"'{folder / COLUMNS_FILE}' is missing or damaged, and model '{model}' is not a "
        "registered one, imported only when named: load(folder, model=...)"
    )


def _load_runs(
    runs: Path, columns: pa.Schema, names: list[str], where: pc.Expression | None
) -> pa.Table:
    files, keys = [], []
    for path in _own_files(runs):
        found = _read_file(path, columns, ["key"])
        if isinstance(found, str):
            _warn(f"skipped '{path}' ({found}); a sweep into that folder sets it aside")
            continue
        files.append(path)
        keys.append(found["key"])
    return _read(files, pa.chunked_array(keys, pa.string()), columns, names, where)


def _expression(filters: Filters) -> pc.Expression | None:
    """``load``'s filters as a pyarrow expression (None: every row)."""
    if not isinstance(filters, Mapping):
        return filters
    terms = [
        ds.field(name).isin(list(value))
        if isinstance(value, list | tuple | set | frozenset)
        else ds.field(name) == value
        for name, value in filters.items()
    ]
    return functools.reduce(operator.and_, terms) if terms else None


def _warn(message: str) -> None:
    print(f"emergesim: warning: {message}", file=sys.stderr)


def _write_atomic(path: Path, write) -> None:
    """``write(temporary path)``, then rename onto ``path``: readers see all or nothing. The
    file and then the rename are fsync'ed, so that a power cut cannot undo them once this
    returns (a folder has no handle to fsync on Windows)."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    _fsync(temporary)
    os.replace(temporary, path)
    if os.name != "nt":
        _fsync(path.parent)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
