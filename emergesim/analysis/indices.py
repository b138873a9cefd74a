"""Sobol' and Morris sensitivity indices of a finished sweep, computed by SALib (the
``sensitivity`` extra: ``pip install "emergesim[sensitivity]"``).

Not to be confused with ``metric_sensitivity`` (emergesim.analysis.sensitivity), which asks how
a verdict depends on the metric. Here the question is how much of an observable's variance
each input parameter drives. The loop is::

    design = saltelli_points("traffic", {"density": "0.05:0.6", "p_slow": "0:0.5"}, 256)
    emergesim.sweep("traffic", points=design, reps=2, out="runs/sobol")
    found = sobol_indices("runs/sobol", None, "jammed_fraction")   # S1, ST with intervals

``saltelli_points`` and ``morris_points`` make SALib's designs (Saltelli's extension of the
Sobol' sequence; Morris trajectories on a ``levels`` grid) in the box of the ranges, given as
the samplers take them (``start:stop``, ``log:start:stop``: drawn uniformly in log10), rounded
for an integer parameter, floats kept to 12 significant digits as the sweep keeps them. A design
made with SALib directly (or the EMA Workbench) passes through ``points=`` unchanged, too.

``sobol_indices`` and ``morris_indices`` take the runs (a sweep folder, or a DataFrame with the
design as ``points``) and hand SALib one output per row of the design, in its order: the mean
of the observable over the finished replicates of that row's point (a point the design repeats
was run once and serves each of its rows). A sweep folder of a table of points holds that
design in its ``sweep.toml``. The indices and their confidence intervals (half-widths of the
bootstrap interval at ``confidence``, SALib's ``*_conf``) are SALib's own: Saltelli (2002) and
Saltelli et al. (2010) for S1 and ST (Jansen's estimator), Morris (1991) and Campolongo et al.
(2007) for mu, mu* and sigma of the elementary effects. A model's own noise adds variance no
input explains: raise ``reps`` until the intervals stop shrinking with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emergesim.errors import EmergesimError, ParameterError

INSTALL = 'pip install "emergesim[sensitivity]"'
METHODS = ("sobol", "morris")
COLUMNS = {  # the columns of Indices.table, by method
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


@dataclass(frozen=True)
class Indices:
    """One row per input: Sobol' ``S1``, ``ST`` or Morris ``mu``, ``mu_star``, ``sigma``, each
    ``*_conf`` the half-width of its interval at ``confidence``."""

    method: str  # "sobol" or "morris"
    output: str
    table: pd.DataFrame  # index: the inputs; columns: COLUMNS[method]
    confidence: float
    rows: int  # rows of the design
    points: int  # distinct points among them
    runs: int  # finished runs averaged into the outputs

    def intervals(self) -> dict[str, pd.DataFrame]:
        """Each index with its interval: index -> columns value, low, high."""
        named = {"sobol": ("S1", "ST"), "morris": ("mu_star",)}[self.method]
        return {
            name: pd.DataFrame(
                {
                    "value": self.table[name],
                    "low": self.table[name] - self.table[f"{name}_conf"],
                    "high": self.table[name] + self.table[f"{name}_conf"],
                }
            )
            for name in named
        }


def saltelli_points(
    model: Any,
    vary: Mapping[str, str],
    n: int,
    *,
    second_order: bool = False,
    seed: int = 0,
) -> pd.DataFrame:
    """Saltelli's design for Sobol' indices of the parameters in ``vary`` (name -> range,
    ``start:stop`` or ``log:start:stop``): ``n`` base samples (a power of 2), so n (d + 2) rows
    for d parameters, n (2d + 2) with ``second_order``. A table for ``sweep(points=...)``."""
    from_salib = _salib("sample.sobol")
    cls, names, ranges = _ranges(model, vary)
    problem = _problem(names)
    n = _count("n", n)
    unit = from_salib.sample(problem, n, calc_second_order=second_order, seed=seed)
    return _scaled(cls, names, ranges, unit)


def morris_points(
    model: Any,
    vary: Mapping[str, str],
    trajectories: int,
    *,
    levels: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris' design for elementary effects of the parameters in ``vary`` (as for
    ``saltelli_points``): ``trajectories`` one-at-a-time paths on a grid of ``levels`` values
    per parameter, (d + 1) rows each. A table for ``sweep(points=...)``."""
    from_salib = _salib("sample.morris")
    cls, names, ranges = _ranges(model, vary)
    levels = _count("levels", levels, minimum=2)
    unit = from_salib.sample(
        _problem(names), _count("trajectories", trajectories), num_levels=levels, seed=seed
    )
    return _scaled(cls, names, ranges, unit)


def sobol_indices(
    runs: pd.DataFrame | str | os.PathLike,
    inputs: Sequence[str] | None,
    output: str,
    *,
    points: pd.DataFrame | None = None,
    second_order: bool = False,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> Indices:
    """First-order (S1) and total (ST) Sobol' indices of ``output`` for ``inputs`` (default:
    the design's columns, in its order) over a Saltelli design (``saltelli_points``; see the
    module docstring for ``runs`` and ``points``)."""
    analyze = _salib("analyze.sobol")
    names, _, y, counts = _outputs(runs, inputs, output, points)
    d = len(names)
    per = 2 * d + 2 if second_order else d + 2
    if len(y) % per:
        which = "with second_order" if second_order else "(without second_order)"
        raise ParameterError(
            f"a Saltelli design of {d} inputs {which} has a multiple of {per} rows, got "
            f"{len(y)}; make it with saltelli_points or SALib's sobol.sample"
        )
    found = analyze.analyze(
        _problem(names),
        y,
        calc_second_order=second_order,
        num_resamples=_count("resamples", resamples),
        conf_level=_confidence(confidence),
        # a Generator: SALib's sobol.analyze seeds only when ``if seed:`` holds, so not with 0;
        # default_rng(default_rng(s)) is default_rng(s), so its draws are those of seed=s
        seed=np.random.default_rng(seed),
    )
    table = pd.DataFrame({c: np.asarray(found[c], dtype=float) for c in COLUMNS["sobol"]})
    return _indices("sobol", output, names, table, confidence, counts)


def morris_indices(
    runs: pd.DataFrame | str | os.PathLike,
    inputs: Sequence[str] | None,
    output: str,
    *,
    points: pd.DataFrame | None = None,
    levels: int = 4,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> Indices:
    """Morris' mu, mu* (mean absolute elementary effect, with its interval) and sigma of
    ``output`` for ``inputs`` over a Morris design (``morris_points``, with the same
    ``levels``): an elementary effect is the output's change over a step of 2/3 of the range
    at 4 levels (SALib's delta, levels / (2 (levels - 1)))."""
    analyze = _salib("analyze.morris")
    names, x, y, counts = _outputs(runs, inputs, output, points)
    per = len(names) + 1
    if len(y) % per:
        raise ParameterError(
            f"a Morris design of {len(names)} inputs has a multiple of {per} rows, got "
            f"{len(y)}; make it with morris_points or SALib's morris.sample"
        )
    found = analyze.analyze(
        _problem(names),
        x,
        y,
        num_resamples=_count("resamples", resamples),
        conf_level=_confidence(confidence),
        num_levels=_count("levels", levels, minimum=2),
        seed=seed,
    )
    table = pd.DataFrame({c: np.asarray(found[c], dtype=float) for c in COLUMNS["morris"]})
    return _indices("morris", output, names, table, confidence, counts)


def indices(
    method: str, runs: Any, inputs: Sequence[str] | None, output: str, **options
) -> Indices:
    """``sobol_indices`` or ``morris_indices`` by name (``method`` one of METHODS)."""
    if method not in METHODS:
        raise ParameterError(f"unknown indices {method!r}; allowed: {', '.join(METHODS)}")
    return (sobol_indices if method == "sobol" else morris_indices)(runs, inputs, output, **options)


def draw_indices(ax: Any, found: Indices) -> None:
    """Bars of the indices per input, each with its interval as an error bar: S1 and ST side
    by side (Sobol'), mu* with its interval and sigma (Morris)."""
    inputs = list(found.table.index)
    at = np.arange(len(inputs))
    t = found.table
    if found.method == "sobol":
        bars = [("S1", "first order S1", t["S1_conf"]), ("ST", "total ST", t["ST_conf"])]
        ax.set_ylabel(f"Sobol' index of {found.output}")
        ax.axhline(0, color="0.3", lw=0.8)
    else:
        bars = [("mu_star", "mu* (mean |effect|)", t["mu_star_conf"]), ("sigma", "sigma", None)]
        ax.set_ylabel(f"elementary effect on {found.output}")
    width = 0.8 / len(bars)
    for i, (column, label, conf) in enumerate(bars):
        ax.bar(
            at + (i - (len(bars) - 1) / 2) * width,
            t[column],
            width,
            yerr=conf,
            capsize=4,
            label=label,
            color=f"C{i}",
            error_kw={"elinewidth": 1.2},
        )
    ax.set_xticks(at, inputs)
    ax.set_xlabel("input parameter")
    ax.set_title(
        f"{'Sobol' if found.method == 'sobol' else 'Morris'} indices of {found.output}\n"
        f"{found.points} points, {found.runs} runs; error bars: {found.confidence:.0%} intervals",
        fontsize=10,
    )
    ax.legend(fontsize=9)
    ax.grid(axis="y", alpha=0.3)


def _salib(module: str) -> Any:
    """SALib's ``module`` (e.g. "analyze.sobol"), or one line saying how to install it."""
    import importlib

    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise EmergesimError(f"Sobol and Morris indices need SALib: {INSTALL}") from None


def _problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib's problem: the design is made in the unit box and scaled by emergesim."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _ranges(model: Any, vary: Mapping[str, str]) -> tuple[Any, list[str], list[Any]]:
    from emergesim.sweeps import designs
    from emergesim.sweeps.spec import model_class

    _, cls = model_class(model)
    if not isinstance(vary, Mapping) or not vary:
        raise ParameterError("vary maps each input parameter to its range, start:stop")
    cls.params.check_names(vary, model=f"model '{cls.name}'")
    ranges = [designs.parse_values(cls.params[k], v, design="sobol") for k, v in vary.items()]
    return cls, list(vary), ranges


def _scaled(cls: Any, names: list[str], ranges: list[Any], unit: np.ndarray) -> pd.DataFrame:
    """The unit design in the ranges, tidied as the sweep tidies values and checked."""
    from emergesim.sweeps import designs

    columns = {}
    for i, (name, axis) in enumerate(zip(names, ranges, strict=True)):
        param = cls.params[name]
        values = [designs.tidy(param, float(v)) for v in axis.scale(unit[:, i])]
        for value in (min(values), max(values)):
            try:
                param.coerce(value)
            except ParameterError as error:
                raise ParameterError(f"vary {name}: {error}") from None
        columns[name] = values
    return pd.DataFrame(columns)


def _outputs(
    runs: Any, inputs: Sequence[str] | None, output: str, points: pd.DataFrame | None
) -> tuple[list[str], np.ndarray, np.ndarray, tuple[int, int, int]]:
    """(inputs, the design's rows of inputs, one output a row, (rows, points, runs))."""
    if isinstance(runs, str | os.PathLike):
        folder = Path(runs)
        from emergesim.sweeps.store import load

        table = load(folder)
        if points is None:
            points = _stored_design(folder)
    else:
        table = runs
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"runs are a sweep folder or a DataFrame, got {type(runs).__name__}")
    direct = points is None  # the table is the design: one row a design row, output beside
    if direct and "replicate" in table.columns:
        raise ParameterError(
            "the runs of a sweep need points=, the design they ran (a sweep folder holds it)"
        )
    points = table if direct else pd.DataFrame(points)
    names = [str(c) for c in points.columns] if inputs is None else [str(n) for n in inputs]
    for name in names:
        if name not in points.columns:
            raise ParameterError(
                f"no column '{name}' in the points; columns: {', '.join(map(str, points.columns))}"
            )
        if name not in table.columns:
            raise ParameterError(f"no column '{name}' in the runs")
    if output not in table.columns:
        raise ParameterError(
            f"no column '{output}' in the runs; columns: {', '.join(map(str, table.columns))}"
        )
    if len(points) == 0 or not names:
        raise ParameterError("the design has no rows or no inputs")
    try:
        x = points[names].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"the inputs {', '.join(names)} must be numbers") from None
    if direct:
        y = table[output].to_numpy(dtype=float)
        return names, x, _finite(y, output), (len(table), len(table), len(table))
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    sums: dict[tuple, list[float]] = {}  # point -> [sum of outputs, finished runs]
    for row, value in zip(
        ok[names].itertuples(index=False, name=None), ok[output].astype(float), strict=True
    ):
        total = sums.setdefault(_key(row), [0.0, 0])
        total[0] += value
        total[1] += 1
    wanted = [_key(row) for row in points[names].itertuples(index=False, name=None)]
    missing = [i for i, key in enumerate(wanted) if key not in sums]
    if missing:
        at = ", ".join(f"{n}={v:g}" for n, v in zip(names, x[missing[0]], strict=True))
        raise ParameterError(
            f"{len(missing)} of the {len(wanted)} rows of the design have no finished run, "
            f"the first row {missing[0] + 1} ({at}): sweep them, or rerun with --retry-failed"
        )
    y = np.array([sums[key][0] / sums[key][1] for key in wanted])
    distinct = set(wanted)
    used = sum(sums[key][1] for key in distinct)
    return names, x, _finite(y, output), (len(wanted), len(distinct), used)


def _stored_design(folder: Path) -> pd.DataFrame:
    """The table of points a sweep folder ran, rows as given (its sweep.toml holds them)."""
    from emergesim.sweeps.spec import read_toml
    from emergesim.sweeps.store import SPEC_FILE

    table, _ = read_toml(folder / SPEC_FILE)
    if table.get("design") != "points" or not isinstance(table.get("points"), Mapping):
        raise ParameterError(
            f"'{folder}' swept a {table.get('design', 'grid')} design, not a table of points: "
            "Sobol and Morris indices need SALib's design, swept with points= (saltelli_points, "
            "morris_points)"
        )
    return pd.DataFrame(table["points"])


def _key(values: tuple) -> tuple:
    """A point's values, numbers kept to 12 significant digits as the sweep stores them."""
    return tuple(
        float(f"{float(v):.12g}")
        if isinstance(v, int | float | np.number) and not isinstance(v, bool)
        else v
        for v in values
    )


def _finite(y: np.ndarray, output: str) -> np.ndarray:
    if not np.isfinite(y).all():
        raise ParameterError(f"'{output}' is not a finite number at every point of the design")
    return y


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ParameterError(f"confidence must be a number between 0 and 1, got {value!r}")
    return float(value)


def _indices(method, output, names, table, confidence, counts) -> Indices:
    table.index = pd.Index(names, name="input")
    rows, points, runs = counts
    return Indices(method, output, table, float(confidence), rows, points, runs)
