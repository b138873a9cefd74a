"""The store: one folder per sweep that pandas, polars and DuckDB read without emergesim.

::

    <out>/sweep.toml            the resolved spec (emergesim.sweeps.spec)
    <out>/runs/<key>.parquet    one finished run: a single row
    <out>/.lock                 locked while a sweep writes here

Every record has the same columns and types: the model's parameters (typed as declared), then
``replicate`` (int), ``seed`` (int, the sweep's), ``key`` (str), ``status`` ("ok" or "failed"),
``error`` (str, null when ok), ``elapsed`` (seconds), then every observable (float, NaN on
failure). So ``pandas.read_parquet("<out>/runs")``, ``polars.read_parquet("<out>/runs/*.parquet")``
and DuckDB's ``read_parquet('<out>/runs/*.parquet')`` see one table.

A record is written to ``runs/.<key>.parquet.tmp`` and renamed (``os.replace``, atomic), so a
killed sweep leaves no partial file where a reader looks: dot files are skipped by pyarrow and
``*.parquet`` does not match them. The rename is not fsync'ed: a process killed at any point
loses nothing written, a power cut may lose the last runs. The lock is released by the OS when
the process ends, however it ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from emergesim.errors import EmergesimError
from emergesim.model import EmergenceModel
from emergesim.sweeps.spec import SweepSpec, differences, model_class, read_toml, resolve_spec

SPEC_FILE = "sweep.toml"
RUNS = "runs"
LOCK_FILE = ".lock"
_ARROW_TYPES = {int: pa.int64(), float: pa.float64(), str: pa.string(), bool: pa.bool_()}


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
    """A sweep's folder, locked while open (see the module docstring)."""

    def __init__(self, folder: Path, spec: SweepSpec, stored: Stored | None) -> None:
        """Lock ``folder`` and check that ``spec`` is its sweep (or extends it); raise
        EmergesimError before anything in the folder changes otherwise. ``stored`` is the
        folder's sweep.toml as the caller read it (``read_stored``) to resolve ``spec``: it is
        not read again, only checked to be unchanged once the folder is locked."""
        super().__init__(spec)
        self.folder = Path(folder)
        self.runs = self.folder / RUNS
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
        except BaseException:
            self.close()
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
        elif stored is None and self.runs.exists() and any(self.runs.glob("*.parquet")):
            raise EmergesimError(
                f"'{self.folder}' holds runs but no {SPEC_FILE}; use another output folder"
            )
        self.runs.mkdir(exist_ok=True)
        if stored is None or stored.text != text:
            _write_atomic(spec_file, lambda path: path.write_text(text, encoding="utf-8"))
        for stale in self.runs.glob(".*.tmp"):  # left by a killed sweep
            stale.unlink()

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

    def statuses(self) -> dict[str, str]:
        """key -> status of every stored run."""
        if not any(self.runs.glob("*.parquet")):
            return {}
        table = ds.dataset(self.runs, format="parquet").to_table(columns=["key", "status"])
        return dict(zip(table["key"].to_pylist(), table["status"].to_pylist(), strict=True))

    def write(self, record: dict[str, Any]) -> None:
        table = pa.Table.from_pylist([record], schema=self.schema)
        _write_atomic(self.runs / f"{record['key']}.parquet", lambda p: pq.write_table(table, p))

    def frame(self, keys: Iterable[str]) -> pd.DataFrame:
        """The stored records of ``keys``, in that order."""
        keys = list(keys)
        table = read_runs(self.runs, self.schema)
        order = {key: i for i, key in enumerate(keys)}
        frame = table[table["key"].isin(order)]
        frame = frame.iloc[frame["key"].map(order).argsort(kind="stable")]
        return frame.reset_index(drop=True)

    def close(self) -> None:
        self._lock.release()


def read_runs(runs: Path, columns: pa.Schema) -> pd.DataFrame:
    """Every record under ``runs`` (no file: an empty table with the columns)."""
    if not any(runs.glob("*.parquet")):
        return to_frame([], columns)
    return ds.dataset(runs, format="parquet", schema=columns).to_table().to_pandas()


def load(path: str | os.PathLike) -> pd.DataFrame:
    """Every run stored in a sweep folder, sorted by parameters then replicate."""
    folder = Path(path)
    spec_file = folder / SPEC_FILE
    if not spec_file.is_file():
        raise EmergesimError(f"'{folder}' is not a sweep folder: it has no {SPEC_FILE}")
    table, _ = read_toml(spec_file)
    _, cls = model_class(table["model"])
    frame = read_runs(folder / RUNS, schema(cls))
    by = [*cls.params, "replicate"]
    return frame.sort_values(by, kind="stable", ignore_index=True)


def _write_atomic(path: Path, write) -> None:
    """``write(temporary path)``, then rename onto ``path``: readers see all or nothing."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)
