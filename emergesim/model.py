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
and asks for neither, so runs and sweeps pay for neither. So are the agents that view the rows of
the arrays (``RowAgent``, see ``EmergenceModel.add_row_agents``): a model holds only its arrays
until ``model.agents`` (or any of Mesa's views of its agents, its space, a user's code) asks.
"""

from __future__ import annotations

import gc
import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from emergesim import mesa_ids
from emergesim.card import CLASS_FIELDS, ModelCard
from emergesim.errors import ParameterError
from emergesim.memory import check_fits
from emergesim.params import ParamSet, check_seed

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BACKENDS = ("numba", "python")

mesa_ids.install()  # Mesa 3.3 would keep every model alive: see emergesim.mesa_ids


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
    # see ``add_row_agents``: (agent class, rows, first unique_id) until the agents are made
    _unmade_rows: tuple[type[RowAgent], int, int] | None = None
    _row_agents: list[RowAgent] | None = None  # once made

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
        check_fits(type(self), values)  # a run that cannot fit is refused before it is built
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

    def add_row_agents(self, agent_class: type[RowAgent], n: int) -> None:
        """Give rows 0 to n - 1 of the arrays an agent each, ``agent_class(self, index)``, made
        all at once when first asked for: by ``row_agents``, ``agents``, ``agents_by_type``,
        ``agent_types``, ``register_agent`` (a new agent comes after them), ``space``...

        Why: a ``RowAgent`` holds no state, but Mesa's bookkeeping of it does (the object, its
        places in Mesa's agent sets; 10^6 birds took 460 MB and 5 s to build, their arrays
        80 MB), while the kernels, ``observe()`` and ``run`` read only the arrays. Their
        unique_ids are reserved now, so the agents are the ones this call would have made, in
        the same order and with the same ids, whenever they are made; after that it is all
        plain Mesa. For a fixed number of rows (call once, in ``__init__``)."""
        if self._unmade_rows is not None or self._row_agents is not None:
            raise RuntimeError("the rows have their agents already")
        self._unmade_rows = (agent_class, n, self._reserve_ids(n))

    @property
    def row_agents(self) -> list[RowAgent]:
        """The agents of the rows, ``row_agents[index]`` (see ``add_row_agents``)."""
        self._make_row_agents()
        return self._row_agents if self._row_agents is not None else []

    def count_agents(self) -> int:
        """``len(self.agents)`` without making the agents of the rows."""
        unmade = self._unmade_rows[1] if self._unmade_rows is not None else 0
        return len(self._all_agents) + unmade  # Mesa's set behind ``agents`` (3.3 and 3.5)

    def _make_row_agents(self) -> None:
        if self._unmade_rows is None:
            return
        agent_class, n, first = self._unmade_rows
        self._unmade_rows = None  # first: they register as any agent does
        collecting = gc.isenabled()
        gc.disable()  # a million new objects would set off ever longer collections: 2.5x slower
        try:
            with self._numbering_from(first):
                self._row_agents = [agent_class(self, index) for index in range(n)]
        finally:
            if collecting:
                gc.enable()

    def _reserve_ids(self, n: int) -> int:
        """Take the next ``n`` unique_ids from Mesa's count; returns the first."""
        if hasattr(self, "agent_id_counter"):  # Mesa 3.5: the model counts
            first = self.agent_id_counter
            self.agent_id_counter += n
        else:  # Mesa 3.3: Agent keeps a count per model
            first = next(mesa.Agent._ids[self])
            mesa.Agent._ids[self] = itertools.count(first + n)
        return first

    @contextmanager
    def _numbering_from(self, first: int) -> Iterator[None]:
        """Mesa numbers the agents made in this block from ``first`` (the reserved ids)."""
        if hasattr(self, "agent_id_counter"):
            later, self.agent_id_counter = self.agent_id_counter, first
            try:
                yield
            finally:
                self.agent_id_counter = later
        else:
            later, mesa.Agent._ids[self] = mesa.Agent._ids[self], itertools.count(first)
            try:
                yield
            finally:
                mesa.Agent._ids[self] = later

    # Mesa's views of the agents, and what changes them, make the rows' agents first

    @property
    def agents(self) -> Any:
        """Mesa's AgentSet of all the agents (those of the rows made now if not yet)."""
        self._make_row_agents()
        return super().agents

    @agents.setter
    def agents(self, agents: Any) -> None:
        mesa.Model.agents.fset(self, agents)  # Mesa refuses

    @property
    def agents_by_type(self) -> Any:
        self._make_row_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._make_row_agents()
        return super().agent_types

    def register_agent(self, agent: Any) -> None:
        self._make_row_agents()
        super().register_agent(agent)

    def remove_all_agents(self) -> None:
        self._make_row_agents()
        super().remove_all_agents()

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        """Refuse combinations of individually valid values (raise ParameterError)."""

    @classmethod
    def memory_bytes(cls, values: Mapping[str, Any]) -> int:
        """Estimated peak bytes of one run with these parameter values, defaults filled in for
        missing ones (``peak_bytes``). A model is built only if the estimate fits in the memory
        available (``emergesim.memory.check_fits``); 0 means "no estimate", never refused."""
        return cls.peak_bytes({**cls.params.defaults(), **values})

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """What a model overrides: the peak bytes of one run with every parameter's value
        given, its arrays and the temporaries of a step and of ``observe()``, from a formula
        calibrated against measured runs (0, this default: no estimate). Must be cheap: it
        builds nothing."""
        return 0

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
    without a place), read from the arrays at each access and so current after any step. The
    model makes its row agents when first asked for (``EmergenceModel.add_row_agents``).
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
