"""The comparison's cache, in the output folder: a rerun from the same inputs only redraws.

::

    <out>/cache/curves/<key>.pickle     a training-time row's curves (one run per replicate)
    <out>/cache/fits/<key>.pickle       a row's fits: both scalings (every size's transition and
                                        its bootstrap draws) and the metric test
    <out>/cache/tables/<key>.pickle     an observed source's extra tables (held-out predictions)
    <out>/cache/figures/<key>.png       a figure as drawn (a picture: as its model ran)
    <out>/cache/.written-by-emergesim.json   each entry's name -> its SHA-256

An entry's key is the SHA-256 of the canonical JSON of everything that decides it, as a sweep
run's key is (emergesim.sweeps.tasks): training curves by model name and ``version``, parameters,
replicates, steps, burn-in, recording interval, seed and emergesim's version; fits by the exact
bytes of the table fitted (every column, dtype and index), the row's declaration, seed, bootstrap
draws and confidence, and the analysis code; a figure by what it draws (the fits' key, or a
picture's model, version, parameters, seed and code) and the plotting code; an observed source's
tables by its table and code. "The code" is a hash of the source files of the modules that
compute the entry and of every emergesim module they use (``code``), so a change to any of them
recomputes it; numpy, scipy, pandas and matplotlib's versions are part of those keys too.
Training curves depend on the model's ``version`` only, like stored runs.

The folder is emergesim's: a file in it that its manifest does not list was not written by
emergesim, and ``check_free`` refuses, before any run, to work beside it (as the report refuses to
overwrite a file it did not write). An entry that cannot be read (its hash is not the one written,
it is cut short, it does not load) is recomputed and rewritten, with one warning on stderr.
Entries are written to a dot file and renamed, so a killed report leaves no half entry.

Entries are pickles read by an unpickler that builds only plain containers, numpy arrays, pandas
tables and emergesim's analysis results (a short list of names), so a report folder from
elsewhere cannot run code when reread.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import io
import json
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from emergesim.errors import EmergesimError

CACHE = "cache"
MANIFEST = ".written-by-emergesim.json"  # inside CACHE: entry name -> its SHA-256
FORMAT = 1  # bump when the layout of an entry changes
T = TypeVar("T")


class Cache:
    """The cache of one output folder; ``enabled=False``: every entry is computed, none kept."""

    def __init__(self, out: Path, *, enabled: bool = True) -> None:
        self.folder = Path(out) / CACHE
        self.enabled = enabled
        self._hashes: dict[str, str] | None = None

    def key(self, kind: str, **identity: Any) -> str:
        """The key of an entry of ``kind``: the hash of its identity (canonical JSON)."""
        return digest({"kind": kind, "format": FORMAT, **identity})

    def get(
        self,
        kind: str,
        key: str,
        compute: Callable[[], T],
        *,
        suffix: str = "pickle",
        dump: Callable[[T], bytes] | None = None,
        load: Callable[[bytes], T] | None = None,
    ) -> T:
        """The entry ``kind/key``, computed and stored when missing or unreadable. ``dump`` and
        ``load`` turn it into bytes and back (default: the restricted pickle)."""
        if not self.enabled:
            return compute()
        dump, load = dump or _dumps, load or _loads
        name = f"{kind}/{key}.{suffix}"
        data = self._read(name)
        if data is not None:
            try:
                return load(data)
            except Exception as error:  # any entry that does not load is recomputed
                _warn(f"cache entry '{self.folder / name}' does not load ({error}); recomputing")
        value = compute()
        self._write(name, dump(value))
        return value

    @property
    def hashes(self) -> dict[str, str]:
        if self._hashes is None:
            self._hashes = _manifest(self.folder) or {}
        return self._hashes

    def _read(self, name: str) -> bytes | None:
        path = self.folder / name
        if name not in self.hashes:
            return None  # never written (a file of that name is not ours: check_free refused it)
        try:
            data = path.read_bytes()
        except OSError:
            return None  # deleted since: computed again
        if hashlib.sha256(data).hexdigest() != self.hashes[name]:
            _warn(f"cache entry '{path}' was changed or cut short since written; recomputing")
            return None
        return data

    def _write(self, name: str, data: bytes) -> None:
        path = self.folder / name
        if path.exists() and name not in self.hashes:
            return  # not ours: never overwritten (check_free refuses before any run)
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, data)
        self.hashes[name] = hashlib.sha256(data).hexdigest()
        text = json.dumps(self.hashes, indent=1, sort_keys=True)
        _replace(self.folder / MANIFEST, text.encode())


def check_free(out: Path) -> None:
    """Refuse, before any work, to use ``<out>/cache`` when it holds a file emergesim did not
    write there (one its manifest does not list), or is not a folder."""
    folder = Path(out) / CACHE
    if not folder.exists():
        return
    if not folder.is_dir():
        raise EmergesimError(
            f"'{folder}' is a file, where emergesim compare keeps its cache; move it away or "
            "choose another output folder"
        )
    hashes = _manifest(folder)
    if hashes is None:
        raise EmergesimError(
            f"'{folder / MANIFEST}' is missing or unreadable, so emergesim cannot tell its cache "
            f"files from yours; move '{folder}' away (it is rebuilt) or choose another output "
            "folder"
        )
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        ours = name == MANIFEST or name in hashes or _temporary(path)
        if not ours and not path.is_dir():
            raise EmergesimError(
                f"'{path}' was not written by emergesim compare, which keeps its cache in "
                f"'{folder}'; move it away or choose another output folder"
            )


def _manifest(folder: Path) -> dict[str, str] | None:
    """Entry name -> hash; {} for no cache yet, None when the manifest cannot be read."""
    path = folder / MANIFEST
    if not path.exists():
        return {}  # no file of the folder is ours
    try:
        hashes = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        return None
    return hashes


def _temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _warn(message: str) -> None:
    print(f"emergesim: warning: {message}", file=sys.stderr)


# --- keys ---------------------------------------------------------------------------------


def digest(identity: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``identity`` (dataclasses as their fields)."""
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"class": type(value).__qualname__, **dataclasses.asdict(value)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, pd.DataFrame):
        return table_digest(value)
    return repr(value)


def table_digest(table: pd.DataFrame) -> str:
    """SHA-256 of a table's exact contents: column names and dtypes, every value's bytes (a
    column of objects by pandas' hash of each value), and the index."""
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in table.dtypes.items()]).encode())
    for _, column in table.items():
        values = column.to_numpy()
        if values.dtype.kind in "biufcmM":
            h.update(np.ascontiguousarray(values).tobytes())
        else:
            h.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    h.update(pd.util.hash_pandas_object(table.index).to_numpy().tobytes())
    return h.hexdigest()


def code(*modules: str) -> str:
    """Hash of the source of ``modules`` and of every module of emergesim, or of their own top
    package (a plug-in's), that they use: found through their globals, transitively."""
    return _code(tuple(sorted(modules)))


@functools.cache
def _code(modules: tuple[str, ...]) -> str:
    found: set[str] = set()
    for name in modules:
        _uses(name, {"emergesim", name.split(".")[0]}, found)
    h = hashlib.sha256()
    for name in sorted(found):
        h.update(f"{name}:{module_code(name)}".encode())
    return h.hexdigest()


def _uses(name: str, roots: set[str], found: set[str]) -> None:
    if name in found:
        return
    found.add(name)
    module = sys.modules.get(name) or importlib.import_module(name)
    for value in list(vars(module).values()):
        used = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", 0)
        if isinstance(used, str) and used.split(".")[0] in roots:
            _uses(used, roots, found)


@functools.cache
def package_code(module: str) -> str:
    """Hash of every source file beside ``module`` in its package (a model's picture may be
    drawn by a module it imports only when drawing); of the module alone if top level."""
    package, _, _ = module.rpartition(".")
    if not package:
        return module_code(module)
    h = hashlib.sha256()
    for folder in getattr(importlib.import_module(package), "__path__", ()):
        for path in sorted(Path(folder).glob("*.py")):
            h.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.cache
def module_code(module: str) -> str:
    """Hash of one module's source file ('' when it has none); ``__main__``'s is the script's."""
    loaded = sys.modules.get(module)
    origin = getattr(loaded, "__file__", None)
    if origin is None and loaded is None:
        origin = getattr(importlib.util.find_spec(module), "origin", None)
    try:
        return hashlib.sha256(Path(origin).read_bytes()).hexdigest() if origin else ""
    except OSError:
        return ""


def versions(*packages: str) -> dict[str, str]:
    """emergesim's and the given packages' versions (imported: they are in use already)."""
    from emergesim.version import __version__

    found = {"emergesim": __version__, "python": sys.version.split()[0]}
    for name in packages:
        found[name] = getattr(importlib.import_module(name), "__version__", "")
    return found


# --- the restricted pickle ----------------------------------------------------------------

_SAFE = {  # module (its top package) -> the names an entry may build from it
    "builtins": {
        "tuple", "list", "dict", "set", "frozenset", "int", "float", "complex", "bool", "str",
        "bytes", "bytearray", "slice", "range",
    },
    "copyreg": {"_reconstructor"},
    "collections": {"OrderedDict"},
    "numpy": {"dtype", "ndarray", "scalar", "_frombuffer", "_reconstruct"},
    "pandas": {
        "DataFrame", "Series", "Index", "RangeIndex", "MultiIndex", "CategoricalIndex",
        "Categorical", "CategoricalDtype", "StringDtype", "ArrowDtype", "ArrowStringArray",
        "ArrowStringArrayNumpySemantics", "ArrowExtensionArray", "StringArray",
        "NumpyExtensionArray", "BooleanArray", "IntegerArray", "FloatingArray", "BooleanDtype",
        "Int64Dtype", "Float64Dtype", "BlockManager", "SingleBlockManager", "BlockPlacement",
        "_unpickle_block", "_new_Index", "Timestamp", "_unpickle_timestamp", "Timedelta",
        "_timedelta_unpickle", "__nat_unpickle",
    },
    "pyarrow": {"_restore_array", "py_buffer", "type_for_alias", "field", "schema"},
}  # fmt: skip


class _Unpickler(pickle.Unpickler):
    """Builds plain containers, numpy arrays, pandas tables and emergesim's analysis results
    only: nothing that can run code or touch a file."""

    def find_class(self, module: str, name: str) -> Any:
        top = module.split(".")[0]
        allowed = name in _SAFE.get(top, ()) and not module.startswith("pandas.io")
        numpy_dtype = top == "numpy" and name.endswith("DType")  # numpy.dtypes.Float64DType
        if allowed or numpy_dtype:
            return super().find_class(module, name)
        if module.startswith("emergesim.analysis."):
            found = super().find_class(module, name)
            if dataclasses.is_dataclass(found) and isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a type a cache entry holds")


def _dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()
