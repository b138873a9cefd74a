"""Values of the varied parameters, and the points of a sweep: a grid or quasi-random samples.

A varied parameter is given as

- a list ``a,b,c`` (in TOML or Python: a list),
- a range ``start:stop:count``: ``count`` evenly spaced values, both ends included,
- a log range ``log:start:stop:count``: evenly spaced in log10 (``log:1e9:1e12:20``).

The grid design takes every combination (the first varied parameter changes slowest). The
samplers (``lhs``: Latin hypercube, McKay, Beckman & Conover 1979; ``sobol``: scrambled Sobol'
sequence, Owen 1998; both from ``scipy.stats.qmc``) draw ``samples`` points in the box of the
ranges, given without a count (``start:stop``, ``log:start:stop``), mapping log ranges in log
space. Sobol' points are the first ``samples`` of one sequence, so raising ``samples`` keeps the
earlier points; a power of two keeps its balance.

Generated values are tidied so that one point reached by two routes is one run: integers are
rounded, floats kept to 12 significant digits (``0.02:0.6:15`` and ``0.02:0.6:29`` share points).

The ``points`` design takes a table of explicit points instead (a DataFrame, a ``.csv`` or a
``.parquet`` file, or in a spec a table of columns): one row a point, one column a parameter, so
designs made elsewhere (SALib, the EMA Workbench) pass through as they are, never crossed into a
grid. The rows keep their order; each value is checked as a ``fixed`` one is (text parsed), and
floats are kept to 12 significant digits as generated ones are, so the same table read from a
DataFrame, a CSV or a Parquet file makes the same runs. Rows that are equal after that are one
point, run once: a Morris design repeats points, and its analysis maps every row back to it.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emergesim.errors import ParameterError
from emergesim.params import Param

DESIGNS = ("grid", "lhs", "sobol")  # the sampler's seed depends on this count: append no name
SAMPLERS = ("lhs", "sobol")
TABLE = "points"  # the design of a table of explicit points
TABLE_SUFFIXES = (".csv", ".parquet")
SIGNIFICANT_DIGITS = 12


@dataclass(frozen=True)
class Range:
    """An interval of a numeric parameter; ``count`` values on a grid, None for a sampler."""

    start: float
    stop: float
    count: int | None
    log: bool

    def values(self) -> np.ndarray:
        if self.log:
            return np.geomspace(self.start, self.stop, self.count)
        return np.linspace(self.start, self.stop, self.count)

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Map uniform numbers in [0, 1) into the range (in log space for a log range)."""
        if self.log:
            low, high = math.log10(self.start), math.log10(self.stop)
            return 10.0 ** (low + u * (high - low))
        return self.start + u * (self.stop - self.start)


def parse_values(param: Param, given: Any, *, design: str) -> Range | list[Any]:
    """A varied parameter's values as given (text, number or list) -> a Range or the list of
    values, each checked against the parameter's bounds (a Range's values are checked by
    ``points``, which makes them)."""
    label = f"{param.name}={given}"
    if isinstance(given, str) and param.type in (int, float) and ":" in given:
        return _parse_range(given, label, sampled=design in SAMPLERS)
    if design in SAMPLERS:
        raise ParameterError(
            f"vary {label}: with design {design} give a range start:stop or log:start:stop"
        )
    if isinstance(given, str):
        values = [part.strip() for part in given.split(",")] if given.strip() else []
    elif isinstance(given, Sequence | np.ndarray):
        values = list(given)
    else:
        values = [given]
    if not values:
        raise ParameterError(f"vary {label}: no values, so the sweep would be empty")
    return _checked(param, values, values)


def _parse_range(text: str, label: str, *, sampled: bool) -> Range:
    parts = [part.strip() for part in text.split(":")]
    log = parts[0].lower() == "log"
    if log:
        parts = parts[1:]
    prefix = "log:" if log else ""
    form = f"{prefix}start:stop" if sampled else f"{prefix}start:stop:count"
    if len(parts) != (2 if sampled else 3):
        hint = " (the count is for grids: samples sets the points)" if sampled else ""
        raise ParameterError(f"vary {label}: expected {form}{hint}")
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise ParameterError(f"vary {label}: start and stop must be numbers ({form})") from None
    count = None
    if not sampled:
        try:
            count = int(parts[2])
        except ValueError:
            raise ParameterError(f"vary {label}: the count must be an integer ({form})") from None
        if count < 1:
            raise ParameterError(f"vary {label}: the count must be >= 1, got {count}")
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ParameterError(f"vary {label}: start and stop must be finite")
    if log and (start <= 0 or stop <= 0):
        raise ParameterError(f"vary {label}: a log range needs start and stop > 0")
    return Range(start, stop, count, log)


def count_points(axes: Mapping[str, Range | list[Any]], *, design: str, samples: int | None) -> int:
    """How many points the design makes at most, from the counts alone: a sweep too large to
    run is refused before a single point is built."""
    if design in SAMPLERS:
        return samples or 0
    return math.prod(a.count if isinstance(a, Range) else len(a) for a in axes.values())


def points(
    params: Mapping[str, Param],
    axes: Mapping[str, Range | list[Any]],
    *,
    design: str,
    samples: int | None,
    seed: int,
) -> list[dict[str, Any]]:
    """The distinct points of a sweep, in a fixed order, each value checked against its bounds
    (``axes`` as ``parse_values`` makes them: a list's values are checked already)."""
    names = list(axes)
    if design in SAMPLERS:
        rows = _sample(design, [axes[n] for n in names], samples, seed)
        given = [_tidy_all(params[n], rows[:, i]) for i, n in enumerate(names)]
    else:
        given = [
            _tidy_all(params[n], a.values()) if isinstance(a, Range) else a for n, a in axes.items()
        ]
    columns = [
        _checked(params[n], axes[n], values) if isinstance(axes[n], Range) else values
        for n, values in zip(names, given, strict=True)
    ]
    if design in SAMPLERS:
        candidates = zip(*columns, strict=True) if names else [()]
    else:
        candidates = itertools.product(*columns)
    # a point repeated once checked (1 and 1.0 of an integer parameter) is made once
    return [dict(zip(names, values, strict=True)) for values in dict.fromkeys(candidates)]


def _checked(param: Param, axis: Range | list[Any], values: list[Any]) -> list[Any]:
    """Each value of an axis checked against the parameter's bounds, the axis named if not."""
    try:
        return [param.coerce(value) for value in values]
    except ParameterError as error:
        raise ParameterError(f"vary {param.name}={_shown(axis)}: {error}") from None


def _sample(design: str, ranges: list[Range], samples: int | None, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    if samples is None or samples < 1:
        raise ParameterError(
            f"design {design} needs samples, the number of points (an integer >= 1), got {samples}"
        )
    if not ranges:
        raise ParameterError(f"design {design} needs at least one range in vary")
    # a child of the sweep seed of its own, so the sampler's stream is not any run's stream
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(len(DESIGNS),)))
    if design == "lhs":
        sampler = qmc.LatinHypercube(len(ranges), rng=rng)
    else:
        sampler = qmc.Sobol(len(ranges), scramble=True, rng=rng)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*balance properties of Sobol")
        unit = sampler.random(samples)
    return np.column_stack([r.scale(unit[:, i]) for i, r in enumerate(ranges)])


def tidy(param: Param, value: float) -> Any:
    """A generated value as it is stored: integers rounded, floats to 12 significant digits."""
    if param.type is int:
        return round(value)
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _tidy_all(param: Param, values: np.ndarray) -> list[Any]:
    return [tidy(param, float(v)) for v in values]


def _shown(axis: Range | list[Any]) -> str:
    if isinstance(axis, Range):
        text = f"{'log:' if axis.log else ''}{axis.start:g}:{axis.stop:g}"
        return text if axis.count is None else f"{text}:{axis.count}"
    return ",".join(str(v) for v in axis)


def table_rows(given: Any) -> tuple[list[str], list[list[Any]]]:
    """A table of points as given -> (column names, rows of values as given, in order).

    ``given`` is a pandas DataFrame, the path of a ``.csv`` (values read as text, parsed as
    parameters are) or ``.parquet`` file, a mapping of column name to values (a spec file's
    ``[points]`` table) or a sequence of mappings (one a row)."""
    import pandas as pd

    if isinstance(given, str | os.PathLike):
        given = _read_table(Path(given))
    if isinstance(given, pd.DataFrame):
        names = [str(name) for name in given.columns]
        if len(set(names)) < len(names):
            raise ParameterError(f"points: a column is named twice among {', '.join(names)}")
        columns = [given[name].tolist() for name in given.columns]  # Python scalars
        return names, [list(row) for row in zip(*columns, strict=True)]
    if isinstance(given, Mapping):
        names = [str(name) for name in given]
        columns = [
            v if isinstance(v, Sequence) and not isinstance(v, str) else None
            for v in given.values()
        ]
        if any(c is None for c in columns):
            raise ParameterError("points maps each parameter to a list of values, one a row")
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            counts = ", ".join(f"{n}: {len(c)}" for n, c in zip(names, columns, strict=True))
            raise ParameterError(f"points: the columns differ in length ({counts})")
        return names, [list(row) for row in zip(*columns, strict=True)]
    if (
        isinstance(given, Sequence)
        and not isinstance(given, str)
        and given
        and all(isinstance(row, Mapping) for row in given)
    ):
        names = list(dict.fromkeys(str(name) for row in given for name in row))
        for number, row in enumerate(given, start=1):
            if len(row) != len(names):
                missing = next(n for n in names if n not in row)
                raise ParameterError(f"points row {number}: no value for '{missing}'")
        return names, [[row[name] for name in names] for row in given]
    raise ParameterError(
        "points is a table of points: a DataFrame, a .csv or .parquet file, or a mapping of "
        f"parameter to values, got {type(given).__name__}"
    )


def _read_table(path: Path) -> Any:
    """A .csv (every value as text) or .parquet file as a DataFrame, or one line saying why not."""
    import pandas as pd
    import pyarrow as pa

    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ParameterError(
            f"points file '{path}' must end in {' or '.join(TABLE_SUFFIXES)}, got '{suffix}'"
        )
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        return pd.read_parquet(path)
    except OSError as error:
        why = error.strerror or str(error)
        raise ParameterError(f"cannot read points file '{path}': {why}") from None
    except (ValueError, pa.ArrowException, pd.errors.ParserError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ParameterError(f"points file '{path}' is not a readable table: {first}") from None


def table_points(
    params: Mapping[str, Param], names: list[str], rows: list[list[Any]]
) -> list[dict[str, Any]]:
    """The rows of a table of points, every value checked (the row named) and floats tidied;
    all rows, in order, repeats included (a repeated point makes its runs once)."""
    if not rows:
        raise ParameterError("points: the table has no rows, so the sweep would be empty")
    checked = []
    for number, row in enumerate(rows, start=1):
        point = {}
        for name, value in zip(names, row, strict=True):
            param = params[name]
            try:
                value = param.coerce(value)
                point[name] = param.coerce(tidy(param, value)) if param.type is float else value
            except ParameterError as error:
                raise ParameterError(f"points row {number}: {error}") from None
        checked.append(point)
    return checked


def table_columns(points: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows of points -> their columns, as a spec file's ``[points]`` table holds them."""
    return {name: [point[name] for point in points] for name in points[0]} if points else {}
