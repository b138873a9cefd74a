"""The contract every emergesim model keeps.

A model is a :class:`mesa.Model` whose state lives in numpy arrays. Each ``step()`` draws the
random numbers it needs from ``self.rng`` as arrays and hands them to ``advance``, the one seam
between the backends: it applies the update with the numba kernels (``kernel_step``,
``backend="numba"``) or with the pure-Python ``twin`` (``backend="python"``). Both consume the same
draws, so they follow the same trajectory bit for bit, which is what the tests check and the
benchmarks time.
``observe()`` only reads the state; ``open_interval()`` marks where observables that summarise an
interval start counting.

A model also serves Mesa's own tools: ``datacollector`` (what ``mesa.batch_run`` and SolaraViz's
plots read) records the observables at every step of a model a user builds, and ``space`` (what
Mesa's space components draw) is built when first asked for. ``emergesim.run`` records for itself
and asks for neither, so runs and sweeps pay for neither.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
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

    ``collect=False`` builds a model that keeps no ``datacollector`` (None): ``run`` builds its
    models so. A model with agents in a space returns it from ``make_space()``.
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
    datacollector: ObservablesCollector | None = None  # set when collecting; see __init__
    _space: Any = None  # see ``space``

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        card = getattr(cls, "card", None)
        if card is None:
            return  # an abstract intermediate class
        if "card" in cls.__dict__ and not card.model:
            cls.card = card = replace(card, model=f"{cls.__module__}:{cls.__qualname__}")
        # again in a subclass of a model: Mesa 3.5 gives every subclass its own `observables`
        for name in CLASS_FIELDS:
            setattr(cls, name, getattr(card, name))
        check_param_names(cls)

    def __init__(
        self,
        *,
        seed: int | np.random.SeedSequence | None = None,
        backend: str = "numba",
        collect: bool = True,
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
        if collect:  # else ``step`` stays Mesa's own: not collecting costs nothing per step
            self.datacollector = ObservablesCollector(self.observables)
            self._mesa_step, self.step = self.step, self._step_and_collect

    def _step_and_collect(self) -> None:
        """``step()`` of a collecting model: Mesa's step, then a row of the observables, which
        ``batch_run`` reads by step. The first step takes row 0 first, of the state the model
        starts from: a Mesa model collects it in ``__init__``, but here the subclass builds its
        arrays after this class's ``__init__`` has returned."""
        if self.steps == 0:
            self.datacollector.collect(self)
        self._mesa_step()
        self.datacollector.collect(self)

    @property
    def space(self) -> Any:
        """The Mesa space holding the agents, which Mesa's space components draw; None for a model
        without one. Built by ``make_space()`` when first asked for and brought up to date by
        ``sync_space()`` at each access, so a model whose space nobody asks for pays nothing."""
        if self._space is None:
            self._space = self.make_space()
        if self._space is not None:
            self.sync_space(self._space)
        return self._space

    @space.setter
    def space(self, space: Any) -> None:
        """For a model whose agents live in their space from the start (a graph's nodes)."""
        self._space = space

    def make_space(self) -> Any:
        """A new Mesa space with every agent at its ``pos``; None: the model has no space."""
        return None

    def sync_space(self, space: Any) -> None:
        """Bring ``space`` up to date with the arrays (agents that moved or appeared since the
        last access); nothing to do for agents that keep their places."""

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
    write those arrays, so it holds no state of its own and costs nothing per step.

    ``pos``, where Mesa's tools look for an agent, is its ``position`` (None for an agent
    without a place), read from the arrays at each access and so current after any step.
    """

    position: Any = None  # a subclass with places reads them from the arrays (a property)

    def __init__(self, model: EmergenceModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def pos(self) -> Any:
        return self.position

    @pos.setter
    def pos(self, value: Any) -> None:
        """Mesa sets ``pos`` too: None when it builds an agent (the arrays keep the place), the
        place when a space places or moves it (which moves the agent, if its position can be
        set)."""
        if value is not None:
            self.position = value


class ObservablesCollector(mesa.DataCollector):
    """Mesa's DataCollector of a model's observables: a column per observable, a row per
    ``collect()``, all from one ``observe()`` (Mesa would call a reporter per column).

    ``observe()`` is pure, so collecting leaves the trajectory alone; an interval observable
    covers the steps since the model was built (or since its last ``open_interval()``).
    """

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(model_reporters={name: partial(self._read, name) for name in names})
        self._row: dict[str, float] = {}

    def collect(self, model: EmergenceModel) -> None:
        self._row = model.observe()
        super().collect(model)

    def _read(self, name: str, model: EmergenceModel) -> float:
        return self._row[name]


def seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Every seed goes through a SeedSequence. An integer is checked by ``params.check_seed``
    (the range of a sweep's seed too); None picks a fresh 63-bit seed, kept in ``.entropy`` so
    that the run can be repeated (and short enough to type)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_seed(seed))
