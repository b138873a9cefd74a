"""The contract every emergesim model keeps.

A model is a :class:`mesa.Model` whose state lives in numpy arrays. Each ``step()`` draws the
random numbers it needs from ``self.rng`` as arrays and hands them to ``advance``, the one seam
between the backends: it applies the update with the numba kernels (``kernel_step``,
``backend="numba"``) or with the pure-Python ``twin`` (``backend="python"``). Both consume the same
draws, so they follow the same trajectory bit for bit, which is what the tests check and the
benchmarks time.
``observe()`` only reads the state; ``open_interval()`` marks where observables that summarise an
interval start counting.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from emergesim.card import CLASS_FIELDS, ModelCard
from emergesim.errors import ParameterError
from emergesim.params import ParamSet, check_seed

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BACKENDS = ("numba", "python")


class EmergenceModel(mesa.Model):
    """Base class: declared parameters, seeded generator, observables and pictures.

    Subclasses set ``card`` (a :class:`ModelCard`: name, parameters, control, order,
    observables, defaults), whose fields become class attributes (``cls.params``,
    ``cls.order``...), call ``super().__init__(seed=..., backend=..., **params)`` first (it
    validates every parameter and sets each as an attribute, e.g. ``model.density``), then build
    their arrays.
    """

    card: ClassVar[ModelCard]
    name: ClassVar[str]
    summary: ClassVar[str]
    version: ClassVar[str]
    params: ClassVar[ParamSet]
    control: ClassVar[str]
    order: ClassVar[str]
    observables: ClassVar[dict[str, str]]
    default_steps: ClassVar[int]
    default_burn_in: ClassVar[int]
    scan_observables: ClassVar[tuple[str, ...]]
    # the update written in pure Python: step(model, *draws) of the model's twin.py, set as
    # ``twin = staticmethod(twin.step)``
    twin: ClassVar[Callable[..., Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        card = cls.__dict__.get("card")
        if card is None:
            return  # an abstract intermediate class
        if not card.model:
            cls.card = card = replace(card, model=f"{cls.__module__}:{cls.__qualname__}")
        for name in CLASS_FIELDS:
            setattr(cls, name, getattr(card, name))
        check_param_names(cls)

    def __init__(
        self,
        *,
        seed: int | np.random.SeedSequence | None = None,
        backend: str = "numba",
        **kwargs: Any,  # the parameters; named as Mesa's tools expect a catch-all to be
    ) -> None:
        values = self.params.validate(kwargs, model=f"model '{self.name}'")
        self.check_params(values)
        if backend not in BACKENDS:
            raise ParameterError(f"unknown backend {backend!r}; allowed: {', '.join(BACKENDS)}")
        sequence = seed_sequence(seed)
        super().__init__(rng=np.random.default_rng(sequence))
        self.seed = sequence.entropy
        self.backend = backend
        self.parameters = values
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        """Refuse combinations of individually valid values (raise ParameterError)."""

    def advance(self, *draws: Any) -> Any:
        """Apply one step's update with the step's random draws: the compiled kernels
        (``kernel_step``, backend "numba") or the twin (backend "python"). Both consume the same
        draws and must agree bit for bit; returns what they return."""
        if self.backend == "numba":
            return self.kernel_step(*draws)
        return type(self).twin(self, *draws)

    def kernel_step(self, *draws: Any) -> Any:
        """The update of ``advance`` done by the model's numba kernels."""
        raise NotImplementedError

    def observe(self) -> dict[str, float]:
        """The observables of the current state, keyed as in ``observables``.

        Pure: it changes nothing, so pictures, tests and data collectors may call it at will and
        the trajectory and later records stay the same. An observable may summarise the interval
        since the last ``open_interval()`` (a rate, a speed, a Monte Carlo estimate).
        """
        raise NotImplementedError

    def open_interval(self) -> None:
        """Start the interval that interval observables summarise; a no-op by default.

        ``run`` calls it when the measured window opens (after the burn-in) and after each record,
        so each record covers exactly the steps since the previous one, whatever
        ``record_every``. A model whose observables need a tally over steps keeps it in ``step()``
        and restarts it here, never in ``observe()``.
        """

    def frame(self) -> Any:
        """A copy of what the pictures need from the current state (kept cheap)."""
        raise NotImplementedError

    def render(self, fig: Figure, frames: Sequence[Any], steps: Sequence[int]) -> None:
        """Draw the run so far onto an empty figure: ``frames`` oldest first, taken at ``steps``
        (evenly spaced, see ``runner.FrameRecorder``). By default ``draw(fig, model, frames,
        steps)`` of the ``render`` module beside the model's module, imported only now: sweep
        workers never draw, so they never import matplotlib and start faster."""
        package = type(self).__module__.rpartition(".")[0]
        importlib.import_module(f"{package}.render").draw(fig, self, frames, steps)

    @classmethod
    def exact_curve(
        cls, observable: str, control: str, values: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, str] | None:
        """A published closed form for ``observable`` against ``control``, with its label."""
        return None


def check_param_names(cls: type[EmergenceModel]) -> None:
    """Refuse a parameter named like the model's own state: each becomes an attribute."""
    for name in cls.params:
        owner = _owner(cls, name)  # the instance state is refused by ParamSet already
        if owner:
            raise ParameterError(
                f"model '{cls.name}' cannot have a parameter named '{name}': each parameter "
                f"becomes an attribute of the model, and '{name}' is already one ({owner}'s); "
                f"rename the parameter"
            )


def _owner(cls: type, name: str) -> str:
    """The class that defines attribute ``name`` ("the card" for a card field), or ''."""
    if name in CLASS_FIELDS:
        return "the card"
    owner = next((k for k in cls.__mro__ if name in vars(k)), None)
    return "" if owner is None else f"{owner.__module__}.{owner.__qualname__}"


class RowAgent(mesa.Agent):
    """An agent that is a view onto row ``index`` of its model's arrays: its properties read and
    write those arrays, so it holds no state of its own and costs nothing per step."""

    def __init__(self, model: EmergenceModel, index: int) -> None:
        super().__init__(model)
        self.index = index


def seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Every seed goes through a SeedSequence. An integer is checked by ``params.check_seed``
    (the range of a sweep's seed too); None picks a fresh 63-bit seed, kept in ``.entropy`` so
    that the run can be repeated (and short enough to type)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_seed(seed))
