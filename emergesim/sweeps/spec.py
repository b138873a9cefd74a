"""A sweep's spec: resolved and checked before any run starts, stored as ``sweep.toml``.

The same fields come from CLI flags, the Python API or a TOML file (``emergesim sweep
spec.toml``)::

    model = "traffic"          # a registered name, or "package.module:Class"
    design = "grid"            # grid | lhs | sobol | points [grid; points with a points table]
    samples = 64               # lhs and sobol only: number of points
    reps = 10                  # replicates of every point
    steps = 2000               # measured steps [model default]
    burn_in = 500              # unmeasured steps first [model default]
    record_every = 1
    seed = 1                   # [the stored sweep's seed, else a fresh one]
    out = "runs/traffic"       # the store; relative to this file's folder
    workers = 2                # execution only: may differ between runs of one sweep
    dask = false               # or scheduler = "tcp://host:8786"
    retry_failed = false

    [fixed]                    # parameters held fixed (others: the model's defaults)
    length = 1000

    [vary]                     # see emergesim.sweeps.designs for the forms
    density = "0.02:0.6:30"
    p_slow = [0, 0.25, 0.5]

    [adaptive]                 # optional: see emergesim.sweeps.adaptive
    tol = 0.005
    budget = 200

Instead of ``[vary]`` (and of a design), ``points = "design.csv"`` (relative to this file's
folder; or ``.parquet``) sweeps a table of explicit points, one row a point
(emergesim.sweeps.designs). A store's ``sweep.toml`` holds the table itself, checked, as a
``[points]`` table of columns (``x = [0.1, 0.5, 0.9]``), so the folder needs no other file.

A store's ``sweep.toml`` has this layout, with every default resolved, ``model_version`` (the
model class's ``version``) and ``out = "."``, so ``emergesim sweep runs/traffic/sweep.toml``
resumes that sweep in place.

The keys are the fields of :class:`SweepSpec`, written in one place: ``SPEC_KEYS``, the file
(``to_toml``, ``read_toml``) and the comparison with a stored sweep (``differences``) follow them,
and ``sweep()`` and the CLI pass the keywords through. A new key is one field there (with
``differences``' treatment in its metadata if not ``SAME``), an argument of ``resolve_spec`` that
checks it, and its use.
"""

from __future__ import annotations

import json
import math
import operator
import tomllib
from collections.abc import Mapping
from dataclasses import Field, asdict, dataclass, field, fields, is_dataclass
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

from emergesim.errors import EmergesimError, ParameterError, UnknownModelError
from emergesim.memory import check_fits
from emergesim.model import EmergenceModel
from emergesim.params import check_count, check_seed
from emergesim.registry import get_model
from emergesim.sweeps import designs
from emergesim.sweeps.designs import DESIGNS, TABLE, Range
from emergesim.sweeps.tasks import RUN_COLUMNS, Task, model_reference, resolve, run_key

# how a spec file's keys run, not which runs: key -> the TOML type its value must have
EXECUTION_KEYS = {
    "out": str,
    "workers": int,
    "dask": bool,
    "scheduler": str,
    "retry_failed": bool,
    "max_runs": int,
    "timeout": float,
}
MAX_RUNS = 1_000_000  # the most runs a sweep may have unless the caller raises max_runs

# How ``differences`` compares a key of a stored spec with the given one: a field's metadata
# DIFFER (default SAME); SAME_VIEW is a (label, function of the spec) that must be equal when
# the value itself is not what has to stay the same.
DIFFER, SAME_VIEW = "differ", "same_view"
SAME = "same"  # a change makes another sweep, refused in the store of this one
EXTENDS = "extends"  # may change while every stored run stays part of the sweep (runs added)
IGNORED = "ignored"  # not compared: may change between runs of one sweep, or checked elsewhere
DERIVED = "derived"  # not a key: computed from the keys by resolve_spec
# a field's metadata may also give: CHANGES, a function (stored spec, given spec) -> the lines
# that say how an EXTENDS key changed (default: ``name: a stored, b given``); WRITTEN, a function
# of the spec -> the value the file holds (None: no line); TOML, the TOML types the key takes
CHANGES, WRITTEN, TOML = "changes", "written", "toml"


@dataclass(frozen=True)
class Adaptive:
    """Extend the control's range until the transition is inside it, then refine it until the
    steepest interval is narrower than ``tol``, adding at most ``budget`` runs."""

    tol: float
    budget: int


@dataclass(frozen=True)
class SweepSpec:
    """Everything that decides a sweep's runs, checked; ``points`` are the varied values (of a
    table design: its rows as given, repeats included; of the others: the distinct points).

    Every field but the DERIVED ones is a key of the spec file, in the file's order (tables
    last); see the module docstring."""

    # as the user named it (registered name or "module:Class"); the same model is the same class
    model: str = field(metadata={SAME_VIEW: ("model", lambda spec: spec.cls.name)})
    # the store compares the version in its file before it resolves that file
    model_version: str = field(metadata={DIFFER: IGNORED})
    design: str
    samples: int | None = field(metadata={DIFFER: EXTENDS})
    reps: int = field(metadata={DIFFER: EXTENDS})
    steps: int
    burn_in: int
    record_every: int
    seed: int
    fixed: dict[str, Any]
    # as given: range text, or a list of checked values; more values extend a sweep
    vary: dict[str, str | list[Any]] = field(
        metadata={DIFFER: EXTENDS, SAME_VIEW: ("varied parameters", lambda spec: sorted(spec.vary))}
    )
    # the file holds a table design's points (a [points] table of columns), made by the others;
    # more rows extend a sweep
    points: list[dict[str, Any]] = field(
        repr=False,
        metadata={
            DIFFER: EXTENDS,
            CHANGES: lambda stored, given: _point_changes(stored, given),
            WRITTEN: lambda spec: (
                designs.table_columns(spec.points) if spec.design == TABLE else None
            ),
            TOML: (str, dict),
        },
    )
    adaptive: Adaptive | None = field(metadata={DIFFER: IGNORED})  # how far to refine, not what
    cls: type[EmergenceModel] = field(repr=False, metadata={DIFFER: DERIVED})

    @cached_property
    def reference(self) -> str:
        return model_reference(self.cls)

    def params(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter of the model at ``point``: defaults, then fixed, then varied."""
        given = self.cls.params.coerce(point, model=f"model '{self.cls.name}'")
        values = {**self._not_varied, **given}
        self.cls.check_params(values)
        return values

    @cached_property
    def _not_varied(self) -> dict[str, Any]:
        """Every parameter's value but the varied ones': defaults, then fixed."""
        return self.cls.params.validate(self.fixed, model=f"model '{self.cls.name}'")

    def tasks(self, points: list[dict[str, Any]] | None = None) -> list[Task]:
        """The runs of ``points`` (default: the spec's, whose runs are made and checked once, by
        ``resolve_spec``), replicates innermost."""
        return list(self._tasks) if points is None else self._make_tasks(points)

    @cached_property
    def _tasks(self) -> tuple[Task, ...]:
        return tuple(self._make_tasks(self.points))

    @property
    def varied(self) -> list[str]:
        """The names of the parameters that vary: ``vary``'s, or a table's columns."""
        return list(self.points[0]) if self.design == TABLE and self.points else list(self.vary)

    def _make_tasks(self, points: list[dict[str, Any]]) -> list[Task]:
        """The runs of ``points``; a point repeated (in a table) is made once."""
        tasks, made = [], set()
        for point in points:
            params = self.params(point)
            for replicate in range(self.reps):
                key = run_key(
                    self.cls, params, replicate, self.steps, self.burn_in, self.record_every
                )
                if key in made:
                    continue
                made.add(key)
                tasks.append(
                    Task(
                        self.reference,
                        params,
                        replicate,
                        self.steps,
                        self.burn_in,
                        self.record_every,
                        self.seed,
                        key,
                    )
                )
        return tasks

    def to_toml(self) -> str:
        """The resolved spec as the ``sweep.toml`` of a store (see the module docstring): every
        key that is not None, values first, then ``out = "."``, then the tables."""
        values = {
            f.name: f.metadata[WRITTEN](self)
            if WRITTEN in f.metadata
            else _plain(getattr(self, f.name))
            for f in key_fields()
        }
        head = {k: v for k, v in values.items() if v is not None and not isinstance(v, Mapping)}
        tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
        lines = [
            "# emergesim sweep: the resolved spec of the runs in runs/*.parquet.",
            "# `emergesim sweep <this file>` resumes the sweep in this folder.",
        ]
        lines += [f"{k} = {_toml_value(v)}" for k, v in {**head, "out": "."}.items()]
        for name, table in tables.items():
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
        return "\n".join(lines) + "\n"


def key_fields() -> tuple[Field, ...]:
    """The fields of SweepSpec that are keys of the spec, in order."""
    return tuple(f for f in fields(SweepSpec) if f.metadata.get(DIFFER) != DERIVED)


SPEC_KEYS = tuple(f.name for f in key_fields())


def toml_types() -> dict[str, type | tuple[type, ...]]:
    """Every key of a spec file -> the type its TOML value must have: a spec key's from its
    field's annotation (a table for a mapping or a dataclass), an execution key's as declared."""
    hints = get_type_hints(SweepSpec)
    types = {}
    for f in key_fields():
        name, hint = f.name, hints[f.name]
        if TOML in f.metadata:
            types[name] = f.metadata[TOML]
            continue
        kinds = get_args(hint) if get_origin(hint) is UnionType else (hint,)
        kind = next(get_origin(k) or k for k in kinds if k is not type(None))
        types[name] = dict if kind is dict or is_dataclass(kind) else kind
    return {**types, **EXECUTION_KEYS}


TOML_WORDS = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dict: "a table",
}


def resolve_spec(
    model: str | type[EmergenceModel],
    *,
    vary: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
    design: str | None = None,
    samples: int | None = None,
    reps: int = 1,
    steps: int | None = None,
    burn_in: int | None = None,
    record_every: int = 1,
    seed: int | None = None,
    adaptive: bool | Mapping[str, Any] = False,
    tol: float | None = None,
    budget: int | None = None,
    model_version: str | None = None,
    max_runs: int = MAX_RUNS,
    points: Any = None,
) -> SweepSpec:
    """Check every field and compute the points; raise EmergesimError naming what is wrong.

    ``adaptive`` is True (with ``tol`` and ``budget``) or a table ``{tol, budget}`` (TOML).
    A missing ``seed`` is drawn fresh; the caller passes the stored one when resuming. A sweep
    of more than ``max_runs`` runs (points times replicates, the adaptive budget added) is
    refused before any point is made.

    ``points`` is a table of explicit points (a DataFrame, a .csv or .parquet path, a mapping of
    parameter to values, or a list of rows; emergesim.sweeps.designs): the design "points", not
    combined with ``vary`` nor another design. ``design`` defaults to "grid", or "points".
    """
    name, cls = model_class(model)
    if model_version is not None and str(model_version) != cls.version:
        raise EmergesimError(
            f"the spec is for version {model_version} of model '{cls.name}', "
            f"the installed one is version {cls.version}"
        )
    _check_columns(cls)
    if points is not None and design not in (None, TABLE):
        raise ParameterError(
            f"points is a design of its own: give no design with it (design {design} given)"
        )
    if points is not None and vary:
        raise ParameterError(
            "points and vary cannot be combined: the table's rows are the points (give every "
            "varied parameter a column)"
        )
    if points is None and design == TABLE:
        raise ParameterError("design points needs points, a table of points (.csv or .parquet)")
    design = TABLE if points is not None else "grid" if design is None else design
    if design not in (*DESIGNS, TABLE):
        raise ParameterError(f"unknown design {design!r}; allowed: {', '.join((*DESIGNS, TABLE))}")
    if samples is not None and design not in designs.SAMPLERS:
        raise ParameterError(f"samples is for design lhs or sobol, not {design}")
    for keyword, table in (("fixed", fixed), ("vary", vary)):
        if table is not None and not isinstance(table, Mapping):
            raise ParameterError(f"{keyword} maps parameter names to values, got {table!r}")
    fixed = dict(fixed or {})
    vary = dict(vary or {})
    both = sorted(set(fixed) & set(vary))
    if both:
        raise ParameterError(f"'{both[0]}' is both fixed and varied; give it once")
    checked = cls.params.validate(fixed, model=f"model '{cls.name}'")
    fixed = {k: checked[k] for k in fixed}
    cls.params.check_names(vary, model=f"model '{cls.name}'")
    axes = {k: designs.parse_values(cls.params[k], v, design=design) for k, v in vary.items()}
    rows = None if points is None else _table(cls, points, fixed)
    seed = check_seed(seed)
    samples = None if samples is None else check_count("samples", samples, minimum=1)
    reps = check_count("reps", reps, minimum=1)
    adaptive = _adaptive(cls, vary, design, adaptive, tol, budget)
    if rows is None:
        runs = designs.count_points(axes, design=design, samples=samples) * reps
    else:
        runs = len({tuple(map(repr, row.values())) for row in rows}) * reps
    runs += 0 if adaptive is None else adaptive.budget
    if runs > check_count("max_runs", max_runs, minimum=1):
        raise ParameterError(
            f"the sweep would make {runs:,} runs, more than max_runs = {max_runs:,}; sweep fewer "
            "points or replicates, or raise max_runs"
        )
    spec = SweepSpec(
        model=name,
        model_version=cls.version,
        design=design,
        samples=samples,
        reps=reps,
        steps=check_count("steps", cls.default_steps if steps is None else steps, minimum=1),
        burn_in=check_count(
            "burn_in", cls.default_burn_in if burn_in is None else burn_in, minimum=0
        ),
        record_every=check_count("record_every", record_every, minimum=1),
        seed=seed,
        fixed=fixed,
        vary={k: _given(v, axes[k]) for k, v in vary.items()},
        points=(
            designs.points(cls.params, axes, design=design, samples=samples, seed=seed)
            if rows is None
            else rows
        ),
        adaptive=adaptive,
        cls=cls,
    )
    tasks = spec.tasks()  # every point's parameters checked together by the model, before any run
    # and the point that needs the most memory checked against what the machine has
    largest = max((t.params for t in tasks[:: spec.reps]), key=cls.peak_bytes, default=None)
    if largest is not None:
        check_fits(cls, largest)
    return spec


def read_toml(path: Path, *, text: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A spec file -> (arguments of ``resolve_spec``, execution options); ``out`` is taken
    relative to the file's folder. ``text`` is the file's content, if already read."""
    try:
        if text is None:
            text = Path(path).read_bytes().decode()
        table = tomllib.loads(text)
    except OSError as error:
        raise EmergesimError(f"cannot read spec file '{path}': {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise EmergesimError(f"spec file '{path}' is not valid TOML: {error}") from None
    types = toml_types()
    unknown = [k for k in table if k not in types]
    if unknown:
        raise EmergesimError(f"unknown key '{unknown[0]}' in '{path}'; allowed: {', '.join(types)}")
    for key, value in table.items():
        kind = types[key]  # TOML's integers are no booleans here, nor its booleans integers
        kinds = (int, float) if kind is float else kind  # an integer is a number too
        if not isinstance(value, kinds) or isinstance(value, bool) != (kind is bool):
            words = " or ".join(
                TOML_WORDS[k] for k in (kind if isinstance(kind, tuple) else [kind])
            )
            raise EmergesimError(
                f"'{key}' in '{path}' must be {words}, got {value!r}"
                + (f" (a [{key}] table of name = value lines)" if kind is dict else "")
            )
    if "model" not in table:
        raise EmergesimError(f"spec file '{path}' names no model (model = \"<a registered name>\")")
    spec = {k: table[k] for k in SPEC_KEYS if k in table}
    execution = {k: table[k] for k in EXECUTION_KEYS if k in table}
    if "out" in execution:
        execution["out"] = path.parent / str(execution["out"])
    if isinstance(spec.get("points"), str):  # a file beside the spec; a table is the points
        spec["points"] = path.parent / spec["points"]
    return spec, execution


def differences(stored: SweepSpec, given: SweepSpec) -> list[str]:
    """Why ``given`` cannot write into a store of ``stored``: empty when it is the same sweep or
    extends it (only points or replicates added, every stored run kept). Each key is compared
    as its field's metadata says (DIFFER, SAME_VIEW: see SweepSpec)."""
    changed = []
    for f in key_fields():
        if SAME_VIEW in f.metadata:
            label, view = f.metadata[SAME_VIEW]
        elif f.metadata.get(DIFFER, SAME) == SAME:
            label, view = f.name, operator.attrgetter(f.name)
        else:
            continue
        if view(stored) != view(given):
            changed.append(f"{label}: {view(stored)} stored, {view(given)} given")
    if changed:
        return changed
    missing = {t.key for t in stored.tasks()} - {t.key for t in given.tasks()}
    if not missing:
        return []
    for f in key_fields():
        if CHANGES in f.metadata:
            changed += f.metadata[CHANGES](stored, given)
        elif f.metadata.get(DIFFER) == EXTENDS:
            changed += _changes(f.name, getattr(stored, f.name), getattr(given, f.name))
    return [*changed, f"{len(missing)} stored runs would not be part of the sweep"]


def _point_changes(stored: SweepSpec, given: SweepSpec) -> list[str]:
    """How a table of points changed: the stored points it no longer holds (a grid's or a
    sampler's points follow from vary and samples, which say so themselves)."""
    if given.design != TABLE:
        return []
    held = {tuple(sorted(p.items())) for p in given.points}
    gone = list(
        {
            tuple(sorted(p.items())): p
            for p in stored.points
            if tuple(sorted(p.items())) not in held
        }.values()
    )
    if not gone:
        return []
    first = ", ".join(f"{k}={v}" for k, v in gone[0].items())
    some = "1 stored point is" if len(gone) == 1 else f"{len(gone)} stored points are"
    return [f"points: {some} not in the given table, the first {first}"]


def _changes(name: str, stored: Any, given: Any) -> list[str]:
    """``name: a stored, b given``; a table, one line for each of its keys that changed."""
    if isinstance(stored, Mapping) and isinstance(given, Mapping):
        return [
            f"{name}.{k}: {stored[k]} stored, {given.get(k)} given"
            for k in stored
            if stored[k] != given.get(k)
        ]
    return [] if stored == given else [f"{name}: {stored} stored, {given} given"]


def model_class(model: str | type[EmergenceModel]) -> tuple[str, type[EmergenceModel]]:
    """(name as stored, class) for a registered name, "module:Class", or a class."""
    if isinstance(model, type):
        if not issubclass(model, EmergenceModel):
            raise EmergesimError(f"{model.__qualname__} is not an EmergenceModel")
        try:
            registered = get_model(model.name) is model
        except UnknownModelError:
            registered = False
        return (model.name if registered else model_reference(model)), model
    if not isinstance(model, str):
        raise UnknownModelError(
            f"a model is a registered name, 'package.module:Class' or a class, got {model!r}"
        )
    if ":" not in model:
        return model, get_model(model)
    try:
        cls = resolve(model)
    except (ImportError, AttributeError) as error:
        raise UnknownModelError(f"cannot import model '{model}': {error}") from None
    if not (isinstance(cls, type) and issubclass(cls, EmergenceModel)):
        raise UnknownModelError(f"'{model}' is not an EmergenceModel")
    return model, cls


def _check_columns(cls: type[EmergenceModel]) -> None:
    """A record holds parameters, run columns and observables side by side: names must differ."""
    for name in cls.params:
        if name in cls.observables or name in RUN_COLUMNS:
            other = "an observable" if name in cls.observables else "a column of every record"
            raise EmergesimError(
                f"model '{cls.name}' cannot be swept: its parameter '{name}' has the name of "
                f"{other}; rename one"
            )
    clash = [k for k in cls.observables if k in RUN_COLUMNS]
    if clash:
        raise EmergesimError(
            f"model '{cls.name}' cannot be swept: its observable '{clash[0]}' has the name of a "
            f"column of every record ({', '.join(RUN_COLUMNS)}); rename it"
        )


def _table(cls: type[EmergenceModel], given: Any, fixed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A table of points, checked: its columns are parameters, none of them fixed."""
    names, rows = designs.table_rows(given)
    unknown = [n for n in names if n not in cls.params]
    if unknown:
        raise ParameterError(
            f"points: unknown column '{unknown[0]}' for model '{cls.name}'; allowed: "
            f"{', '.join(cls.params)}"
        )
    both = [n for n in names if n in fixed]
    if both:
        raise ParameterError(f"'{both[0]}' is both fixed and a column of points; give it once")
    return designs.table_points(cls.params, names, rows)


def _given(given: Any, axis: Range | list[Any]) -> str | list[Any]:
    """How a varied parameter is stored: a range as its text, a list as its checked values."""
    return given.strip() if isinstance(axis, Range) else axis


def _adaptive(cls, vary, design, adaptive, tol, budget) -> Adaptive | None:
    if isinstance(adaptive, Mapping):
        allowed = [f.name for f in fields(Adaptive)]
        unknown = [k for k in adaptive if k not in allowed]
        if unknown:
            raise EmergesimError(
                f"unknown key '{unknown[0]}' in [adaptive]; allowed: {', '.join(allowed)}"
            )
        tol, budget = adaptive.get("tol", tol), adaptive.get("budget", budget)
        adaptive = True
    if not adaptive:
        if tol is not None or budget is not None:
            raise ParameterError("tol and budget are for adaptive sweeps only")
        return None
    if design != "grid":
        raise ParameterError(f"adaptive refines a grid, not design {design}")
    if cls.control not in vary:
        raise ParameterError(
            f"adaptive refines the control parameter '{cls.control}' of model '{cls.name}': "
            f"vary it ({cls.control}=start:stop:count)"
        )
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 < tol < math.inf:
        raise ParameterError(
            f"adaptive needs tol, the width in {cls.control} to pin the transition to "
            f"(a number > 0), got {tol!r}"
        )
    if budget is None:
        raise ParameterError("adaptive needs budget, the most runs it may add (>= 1)")
    return Adaptive(float(tol), check_count("budget", budget, minimum=1))


def _plain(value: Any) -> Any:
    """A key's value as the file holds it: a dataclass (Adaptive) as its table."""
    return asdict(value) if is_dataclass(value) else value


def _toml_value(value: Any) -> str:
    """A TOML literal for the plain values a spec holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"
