"""A model's card: what ``emergesim list`` and ``info`` show and what sweeps need to know.

A card is plain data (no Mesa, no numba), so the command line can list and describe every model
without importing one: building a Mesa model costs about a second of imports, reading its card a
few milliseconds. The model class carries its card (``card = CARD`` in the class body) and gets
each field as a class attribute: ``TrafficModel.params`` is ``TrafficModel.card.params``. A
built-in model keeps its card in ``card.py`` beside ``model.py`` and registers the card, so the
registry imports the class only when a model is built.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emergesim.errors import UnknownModelError
from emergesim.params import Param, ParamSet

if TYPE_CHECKING:
    from emergesim.model import EmergenceModel

CLOCK = "step"  # a control that is the run's own clock (training time), read from its records


# the comparison report's sections, in order
KINDS = ("ground truth", "natural", "LLM", "real LLMs", "training")


@dataclass(frozen=True)
class Budget:
    """How much one comparison runs: the control's values, the sizes, replicates and steps."""

    values: str | None  # the control in sweep syntax ("start:stop:count"); None for the CLOCK
    sizes: tuple[Any, ...]  # values of the size parameter, or mappings of it and what it fixes
    reps: int
    steps: int
    burn_in: int

    def points(self, size: str) -> list[dict[str, Any]]:
        """The parameters each size fixes (a bare value: the size parameter alone)."""
        return [dict(s) if isinstance(s, Mapping) else {size: s} for s in self.sizes]


@dataclass(frozen=True)
class Comparison:
    """One row of ``emergesim compare``, declared by the model it runs.

    The same test is applied to every row (emergesim.analysis.verdict): the transition of the
    ``per_unit`` score (the plain mean over units of each unit's own state) and of the
    ``all_or_nothing`` score (1 only when every unit succeeds) at several values of ``size``,
    the parameter that sets how many units interact or compose. ``expect`` is the verdict a
    ground-truth row must get: the report checks the method against it.
    """

    key: str
    title: str
    kind: str  # one of KINDS
    size: str  # "" for observed systems, which have one size each (see emergesim.observed)
    per_unit: str
    all_or_nothing: str
    quick: Budget | None = None  # how much a model's row runs; None for observed systems
    full: Budget | None = None
    control: str = ""  # default: the card's control
    fixed: Mapping[str, Any] = field(default_factory=dict)
    dimension: int = 1  # a size s holds s**dimension units: chi = s**dimension var(per_unit)
    fit_log10: bool = False  # locate the step in log10 of the control (it spans decades)
    record_every: int = 1
    picture: Mapping[str, Any] = field(default_factory=dict)  # parameters of the picture run
    expect: str | None = None
    note: str = ""  # what the report should say about this row, beside the verdict

    def budget(self, quick: bool) -> Budget:
        return self.quick if quick else self.full


@dataclass(frozen=True)
class ModelCard:
    """One model's declarations.

    ``control`` is a parameter, or ``CLOCK`` for a model whose transition happens in time;
    ``order`` is an observable; ``model`` is where the class lives.
    """

    name: str
    summary: str  # one line
    params: ParamSet
    control: str
    order: str
    observables: dict[str, str]  # name -> one-line doc
    version: str = "1"  # bump when a change alters trajectories; part of sweep run keys
    default_steps: int = 1000
    default_burn_in: int = 0
    scan_observables: tuple[str, ...] = ()  # panels of a scan figure; () -> (order,)
    comparisons: tuple[Comparison, ...] = ()  # its rows in the comparison report
    # small parameter sets that emergesim.testing.check_model runs: every rule or update mode,
    # each small enough for the pure-Python twin
    variants: tuple[Mapping[str, Any], ...] = ()
    model: str = ""  # "package.module:Class"; filled in from the class that carries the card

    def __post_init__(self) -> None:
        if self.control != CLOCK and self.control not in self.params:
            raise ValueError(f"model '{self.name}': control '{self.control}' is no parameter")
        for observable in (self.order, *self.scan_observables):
            if observable not in self.observables:
                raise ValueError(f"model '{self.name}': '{observable}' is no observable")
        for variant in self.variants:
            self.params.validate(variant, model=f"model '{self.name}', variant")
        for c in self.comparisons:
            control = c.control or self.control
            wanted = [
                (c.per_unit, self.observables),
                (c.all_or_nothing, self.observables),
                (c.size, self.params),
            ]
            if control != CLOCK:
                wanted.append((control, self.params))
            missing = [name for name, names in wanted if name not in names]
            missing += [budget for budget in ("quick", "full") if getattr(c, budget) is None]
            if missing or c.kind not in KINDS:
                raise ValueError(
                    f"model '{self.name}', comparison '{c.key}': {missing or c.kind} unknown"
                )

    def load(self) -> type[EmergenceModel]:
        """The model class (imports it, and with it Mesa and the kernels)."""
        module, _, attr = self.model.partition(":")
        if not attr:
            raise UnknownModelError(f"the card of model '{self.name}' names no class")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as error:
            raise UnknownModelError(
                f"model '{self.name}' cannot be loaded from '{self.model}': {error}"
            ) from None


CLASS_FIELDS = tuple(f.name for f in fields(ModelCard) if f.name != "model")  # onto the class


# What each table of a card's TOML holds: (required keys, optional keys), each with the TOML values
# it takes ([x]: an array of x). The keys are the fields of the dataclass the table becomes (a key
# left out gets the field's default; an array becomes a tuple), but for the name of a parameter or
# comparison, which is its table's: [params.<name>], [comparisons.<key>], [comparisons.<key>.quick].
# The TOML has no None: a budget without values is one of a CLOCK comparison.
_NUMBER = (int, float)
_VALUE = (int, float, str, bool)  # a parameter's value
_SIZE = (*_VALUE, dict)  # a Budget's size: a value of the size parameter, or a table of values
_WORDS = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    dict: "a table",
    _NUMBER: "a number",
    _VALUE: "a number, a string or true/false",
    _SIZE: "a value or a table",
}
_TYPES = {"int": int, "float": float, "str": str, "bool": bool}
_CARD = (
    {
        "name": str,
        "summary": str,
        "params": dict,
        "control": str,
        "order": str,
        "observables": dict,
    },
    {
        "version": str,
        "default_steps": int,
        "default_burn_in": int,
        "scan_observables": [str],
        "comparisons": dict,
        "variants": [dict],
        "model": str,
    },
)
_PARAM = (
    {"default": _VALUE, "doc": str, "type": str},  # "type" is one of _TYPES
    {
        "low": _NUMBER,
        "high": _NUMBER,
        "choices": [_VALUE],
        "unit": str,
        "low_open": bool,
        "high_open": bool,
    },
)
_COMPARISON = (
    {
        "title": str,
        "kind": str,
        "size": str,
        "per_unit": str,
        "all_or_nothing": str,
        "quick": dict,
        "full": dict,
    },
    {
        "control": str,
        "fixed": dict,
        "dimension": int,
        "fit_log10": bool,
        "record_every": int,
        "picture": dict,
        "expect": str,
        "note": str,
    },
)
_BUDGET = ({"sizes": [_SIZE], "reps": int, "steps": int, "burn_in": int}, {"values": str})


def read_card(path: str | os.PathLike[str]) -> ModelCard:
    """The card declared in the TOML file of ``path``'s stem: ``read_card(__file__)`` in a card.py
    reads the card.toml beside it. Data, not code: a card is the same declarations for every
    model, so TOML holds them and this one reader builds them. A bad card is refused with one line
    that names the file, the table and the key."""
    path = Path(path).with_suffix(".toml")
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from None
    card = _fields(path, "", data, _CARD)
    _fields(path, "observables", card["observables"], ({}, dict.fromkeys(card["observables"], str)))
    params = [_param(path, name, table) for name, table in _tables(path, "params", card)]
    comparisons = tuple(
        _comparison(path, key, table) for key, table in _tables(path, "comparisons", card)
    )
    try:  # the card's own checks name the model; the file is the reader's to name
        return ModelCard(**{**card, "params": ParamSet(*params), "comparisons": comparisons})
    except ValueError as error:
        raise type(error)(f"{path}: {error}") from None


def _fields(
    path: Path, table: str, values: dict[str, Any], keys: tuple[dict[str, Any], dict[str, Any]]
) -> dict[str, Any]:
    """``values`` checked against ``keys`` (required, optional), with arrays as tuples."""
    where = f"{path} [{table}]" if table else f"{path} (top level)"
    allowed = {**keys[0], **keys[1]}
    for key, value in values.items():
        if key not in allowed:
            raise ValueError(f"{where}: unknown key '{key}' (allowed: {', '.join(allowed)})")
        if not _fits(value, allowed[key]):
            raise ValueError(f"{where}: '{key}' must be {_words(allowed[key])}, got {value!r}")
    missing = [key for key in keys[0] if key not in values]
    if missing:
        raise ValueError(f"{where}: missing key '{missing[0]}' (required: {', '.join(keys[0])})")
    return {key: tuple(v) if isinstance(v, list) else v for key, v in values.items()}


def _fits(value: Any, kind: Any) -> bool:
    if isinstance(kind, list):
        return isinstance(value, list) and all(_fits(item, kind[0]) for item in value)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))


def _words(kind: Any) -> str:
    return f"an array, each {_WORDS[kind[0]]}" if isinstance(kind, list) else _WORDS[kind]


def _tables(path: Path, name: str, card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The tables [name.*] of ``card``, in the file's order."""
    tables = card.get(name, {})
    return list(_fields(path, name, tables, ({}, dict.fromkeys(tables, dict))).items())


def _param(path: Path, name: str, table: dict[str, Any]) -> Param:
    values = _fields(path, f"params.{name}", table, _PARAM)
    if values["type"] not in _TYPES:
        raise ValueError(
            f"{path} [params.{name}]: 'type' must be one of {', '.join(_TYPES)}, "
            f"got {values['type']!r}"
        )
    return Param(name, **{**values, "type": _TYPES[values["type"]]})


def _comparison(path: Path, key: str, table: dict[str, Any]) -> Comparison:
    values = _fields(path, f"comparisons.{key}", table, _COMPARISON)
    for budget in ("quick", "full"):
        given = _fields(path, f"comparisons.{key}.{budget}", values[budget], _BUDGET)
        values[budget] = Budget(**{"values": None, **given})
    return Comparison(key, **values)
