"""Declared model parameters and their validation, and the checks of a run's other arguments.

A model declares each knob once, as a :class:`Param`; the same declaration validates constructor
arguments, parses CLI strings, and documents the parameter in ``emergesim info``. A
:class:`ParamSet` is the one place that refuses an unknown parameter name; :func:`check_count`
and :func:`check_seed` are the one place that checks a count (steps, replicates...) and a seed,
for ``run`` and ``sweep`` alike.
"""

from __future__ import annotations

import math
import operator
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from emergesim.errors import ParameterError

# Attributes set on the instance when a model is built (so invisible to dir() of its class), and
# whose they are: Mesa reserves the first line (its migration guide to 3.0); 3.3 to 3.5 set the
# second. "collect" is a keyword of EmergenceModel, which a parameter's name would shadow.
RESERVED = {
    **dict.fromkeys(("agents", "current_id", "random", "running", "steps", "time"), "Mesa"),
    **dict.fromkeys(("rng", "agent_id_counter", "data_registry"), "Mesa"),
    **dict.fromkeys(("seed", "backend", "parameters", "collect"), "EmergenceModel"),
}

_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
MAX_SEED = 2**63  # seeds are in [0, MAX_SEED): a sweep stores its seed in an int64 column


@dataclass(frozen=True)
class Param:
    """One parameter: its type, default, allowed values, unit and a one-line doc."""

    name: str
    default: Any
    doc: str
    type: type = float
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    unit: str = ""
    low_open: bool = False  # True: the value must be strictly greater than ``low``
    high_open: bool = False  # True: the value must be strictly less than ``high``

    def allowed(self) -> str:
        """Describe the allowed values in words, e.g. ``a number in [0, 1]``."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = _TYPE_NAMES[self.type]
        lo = None if self.low is None else _fmt(self.low)
        hi = None if self.high is None else _fmt(self.high)
        if lo is not None and hi is not None:
            opening, closing = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"{kind} in {opening}{lo}, {hi}{closing}"
        if lo is not None:
            return f"{kind} {'>' if self.low_open else '>='} {lo}"
        if hi is not None:
            return f"{kind} {'<' if self.high_open else '<='} {hi}"
        return kind

    def coerce(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ParameterError.

        Strings (from the CLI or a TOML file) are parsed; ``1e6`` is accepted for an integer
        parameter because it is a whole number.
        """
        converted = self._convert(value)
        if converted is None or not self._in_range(converted):
            raise ParameterError(f"parameter '{self.name}' must be {self.allowed()}, got {value!r}")
        return converted

    def _convert(self, value: Any) -> Any:
        if self.type is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            return {"true": True, "1": True, "false": False, "0": False}.get(text)
        if self.type is str:
            return value if isinstance(value, str) else None
        if isinstance(value, bool):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number):
            return None
        if self.type is int:
            return int(number) if number.is_integer() else None
        return number

    def _in_range(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        if self.high is None:
            return True
        return value < self.high if self.high_open else value <= self.high


class ParamSet(Mapping[str, Param]):
    """An ordered, read-only collection of parameters that validates a full assignment."""

    def __init__(self, *params: Param) -> None:
        self._params = {p.name: p for p in params}
        for p in params:
            if p.name in RESERVED:
                raise ParameterError(
                    f"a parameter cannot be named '{p.name}': each parameter becomes an attribute "
                    f"of its model, and '{p.name}' is already one ({RESERVED[p.name]}'s); rename "
                    f"the parameter"
                )
            p.coerce(p.default)  # a default outside its own bounds is a bug in the model

    def __getitem__(self, name: str) -> Param:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self._params.items()}

    def check_names(self, names: Iterable[str], *, model: str = "model") -> None:
        """Refuse the first of ``names`` that is not a parameter here, naming ``model`` (e.g.
        ``"model 'traffic'"``), the name and the allowed names. Every check for an unknown
        parameter name (run, scan, sweep, CLI) is this one."""
        for name in names:
            if name not in self._params:
                raise ParameterError(
                    f"unknown parameter '{name}' for {model}; allowed: {', '.join(self._params)}"
                )

    def validate(self, values: Mapping[str, Any], *, model: str = "model") -> dict[str, Any]:
        """Fill in defaults and coerce every value; refuse unknown names (``check_names``)."""
        return {**self.defaults(), **self.coerce(values, model=model)}

    def coerce(self, values: Mapping[str, Any], *, model: str = "model") -> dict[str, Any]:
        """``values`` coerced, defaults not filled in; unknown names refused."""
        self.check_names(values, model=model)
        return {name: self._params[name].coerce(value) for name, value in values.items()}


def check_count(name: str, value: Any, *, minimum: int) -> int:
    """``value`` as an int if it is an integer >= ``minimum`` (numpy integers too, not bools or
    floats), else ParameterError naming ``name``: steps, burn_in, reps and the like of ``run``
    and ``sweep``."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return number


def check_seed(seed: Any) -> int:
    """A seed of a run or a sweep as an int in [0, 2**63); None draws a fresh one (63 bits, so
    that it can be repeated and typed back).

    A sweep's seed must fit the int64 ``seed`` column of its records (and stays exact in its
    sweep.toml); numpy's SeedSequence alone would take any non-negative integer. The range is
    the same for a single run on purpose, so a seed above it is refused everywhere and not only
    in sweeps: a seed is passed on (the seed ``run`` reports is typed into ``sweep``, a stored
    sweep seed goes back into ``run`` through ``run_seed``), and a seed that one entry point
    takes and another refuses would break that. 63 bits are more than any run needs."""
    if seed is None:
        return secrets.randbits(63)
    try:
        number = None if isinstance(seed, bool) else operator.index(seed)
    except TypeError:
        number = None
    if number is None or not 0 <= number < MAX_SEED:
        raise ParameterError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return number


def _fmt(x: float) -> str:
    return f"{x:g}"
