"""The model contract as one check: ``check_model(MyModel)`` in a plug-in's test suite.

emergesim's own suite runs it over every registered model, so a built-in model and a plug-in meet
the same bar. It runs the model small, on each of its card's ``variants`` (every rule or update
mode, each small enough for the pure-Python twin), and fails with an AssertionError that names the
clause broken:

- the kernels and the twin follow the same trajectory: observables and frames equal bit for bit
  at every step;
- the same seed gives the same run;
- ``observe()`` returns every declared observable as a float and changes nothing (arrays, random
  state, frame), so observing at every step leaves the trajectory as it was;
- a model built by hand records ``observe()`` at every step in its ``datacollector``, the rows
  ``mesa.batch_run`` reads;
- ``frame()`` is a frozen dataclass that pickles, and ``render()`` draws the frames of a run;
- every parameter refuses a value outside what it allows, and an unknown name is refused;
- no parameter takes the name of the model's own state.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Mapping
from typing import Any

import numpy as np
from mesa.discrete_space import PropertyLayer

from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, check_param_names
from emergesim.params import Param
from emergesim.plotting import new_figure


def check_model(cls: type[EmergenceModel], *, steps: int = 12, seed: int = 3) -> None:
    """Check every clause of the contract on each of ``cls.card.variants``."""
    assert issubclass(cls, EmergenceModel), f"{cls!r} is not an EmergenceModel"
    assert cls.card.variants, f"model '{cls.name}': its card declares no variants to check"
    check_param_names(cls)
    for params in cls.card.variants:
        where = f"model '{cls.name}' with {dict(params)}"
        _kernel_equals_twin(cls, params, steps, seed, where)
        _same_seed_same_run(cls, params, steps, seed, where)
        _observe_is_pure(cls, params, steps, seed, where)
        _collects_what_it_observes(cls, params, steps, seed, where)
        _frames_render(cls, params, steps, seed, where)
    _bad_values_refused(cls, cls.card.variants[0])


def _kernel_equals_twin(cls, params, steps, seed, where) -> None:
    fast = cls(seed=seed, backend="numba", collect=False, **params)
    slow = cls(seed=seed, backend="python", collect=False, **params)
    for step in range(1, steps + 1):
        fast.step()
        slow.step()
        _assert_equal(fast.observe(), slow.observe(), f"{where}: kernel and twin, step {step}")
        _assert_equal(fast.frame(), slow.frame(), f"{where}: kernel and twin frames, step {step}")
        assert fast.running == slow.running, f"{where}: only one backend stopped, step {step}"
        if not fast.running:
            break  # a model that stops itself (run and sweeps step it no further)


def _same_seed_same_run(cls, params, steps, seed, where) -> None:
    first, second = (cls(seed=seed, collect=False, **params) for _ in range(2))
    for _ in range(steps):
        first.step()
        second.step()
    _assert_equal(first.observe(), second.observe(), f"{where}: the same seed")


def _observe_is_pure(cls, params, steps, seed, where) -> None:
    watched, alone = (cls(seed=seed, collect=False, **params) for _ in range(2))
    for _ in range(steps):
        watched.step()
        seen = watched.observe()
        assert set(seen) == set(cls.observables), (
            f"{where}: observe() gives {sorted(seen)}, the card declares {sorted(cls.observables)}"
        )
        assert all(isinstance(v, float) for v in seen.values()), f"{where}: a non-float observable"
        before = _state(watched)
        _assert_equal(watched.observe(), seen, f"{where}: observe() twice")
        _assert_equal(_state(watched), before, f"{where}: observe() changed the state")
        alone.step()
    _assert_equal(_state(watched), _state(alone), f"{where}: observing changed the trajectory")


def _collects_what_it_observes(cls, params, steps, seed, where) -> None:
    collecting, watched = cls(seed=seed, **params), cls(seed=seed, collect=False, **params)
    rows = [watched.observe()]  # row 0: the state the model starts from
    for _ in range(steps):
        collecting.step()
        watched.step()
        rows.append(watched.observe())
        if not watched.running:
            break
    collected = getattr(collecting.datacollector, "model_vars", {})
    _assert_equal(
        {name: collected.get(name) for name in cls.observables},
        {name: [row[name] for row in rows] for name in cls.observables},
        f"{where}: the datacollector's rows",
    )


def _frames_render(cls, params, steps, seed, where) -> None:
    model, frames = cls(seed=seed, collect=False, **params), []
    for _ in range(steps):
        model.step()
        frames.append(model.frame())
    frame = frames[-1]
    assert dataclasses.is_dataclass(frame) and type(frame).__dataclass_params__.frozen, (
        f"{where}: frame() must return a frozen dataclass, got {type(frame).__name__}"
    )
    _assert_equal(pickle.loads(pickle.dumps(frame)), frame, f"{where}: a pickled frame")
    fig = new_figure()
    model.render(fig, frames, list(range(1, steps + 1)))
    assert fig.axes, f"{where}: render() drew nothing"
    fig.savefig(io.BytesIO(), format="png")


def _bad_values_refused(cls, params: Mapping[str, Any]) -> None:
    for name, param in cls.params.items():
        for bad in _outside(param):
            try:
                cls(seed=0, **{**params, name: bad})
            except ParameterError as error:
                assert f"'{name}'" in str(error), f"the refusal of {name}={bad!r} names it: {error}"
            else:
                raise AssertionError(f"model '{cls.name}' accepted {name}={bad!r}")
    try:
        cls(seed=0, **params, no_such_parameter=1)
    except ParameterError as error:
        assert "no_such_parameter" in str(error), str(error)
    else:
        raise AssertionError(f"model '{cls.name}' accepted an unknown parameter")


def _outside(param: Param) -> list[Any]:
    """Values ``param`` must refuse: another type, and each side of its range or choices."""
    if param.choices is not None:
        return ["no such choice"]
    bad: list[Any] = ["text" if param.type is not str else 1.5]
    if param.type is int:
        bad.append(1.5)
    if param.low is not None:
        bad.append(param.low if param.low_open else param.low - 1)
    if param.high is not None:
        bad.append(param.high if param.high_open else param.high + 1)
    return bad


def _state(model: EmergenceModel) -> dict[str, Any]:
    """What an observation must leave alone: the public arrays (a PropertyLayer's too), both
    generators' states and the frame."""
    state = {
        "rng": model.rng.bit_generator.state,
        "random": model.random.getstate(),
        "frame": model.frame(),
    }
    for name, value in vars(model).items():
        value = value.data if isinstance(value, PropertyLayer) else value
        if isinstance(value, np.ndarray) and not name.startswith("_"):
            state[name] = value.copy()
    return state


def _assert_equal(first: Any, second: Any, what: str) -> None:
    """Equal to the last bit, NaN equal to NaN, through dicts, dataclasses and sequences."""
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        assert type(first) is type(second), f"{what}: {type(first)} vs {type(second)}"
        first, second = dataclasses.asdict(first), dataclasses.asdict(second)
    if isinstance(first, Mapping):
        assert isinstance(second, Mapping) and first.keys() == second.keys(), f"{what}: keys"
        for key in first:
            _assert_equal(first[key], second[key], f"{what}, {key}")
    elif isinstance(first, list | tuple):
        assert isinstance(second, list | tuple) and len(first) == len(second), f"{what}: lengths"
        for i, (a, b) in enumerate(zip(first, second, strict=True)):
            _assert_equal(a, b, f"{what}[{i}]")
    elif isinstance(first, np.ndarray):
        same = isinstance(second, np.ndarray) and first.shape == second.shape
        assert same and first.dtype == second.dtype, f"{what}: shapes or types differ"
        assert np.array_equal(first, second, equal_nan=first.dtype.kind in "fc"), what
    else:
        both_nan = isinstance(first, float) and first != first and second != second
        assert both_nan or first == second, f"{what}: {first!r} != {second!r}"
