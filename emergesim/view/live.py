"""The model side of the live view, without Solara: a model that records its own pictures and
observables as Mesa's controller steps it, the inputs its parameters get, and its pictures.

SolaraViz steps the model and rebuilds it on Reset by calling its class, so the recording lives
in a subclass of the model (``live``): whatever drives it, every step is recorded.
"""

from __future__ import annotations

import io
import math
import time
import weakref
from functools import cache
from typing import Any

from emergesim.model import EmergenceModel
from emergesim.params import Param
from emergesim.plotting import new_figure
from emergesim.runner import FrameRecorder

FRAMES = 300  # picture frames kept (runner.FrameRecorder thins them as the run grows)
RECORDS = 2000  # rows of observables kept, thinned the same way
MOST_STEPS_PER_PICTURE = 9  # odd: on the grid of SolaraViz's Render Interval slider (1, 3, 5...)
SPAN = 1000  # a slider reaching further than this many times its value's size is capped
DPI = 80  # pictures in the page: legible at 12 inches wide, quick to encode
_alive: weakref.WeakSet[EmergenceModel] = weakref.WeakSet()  # every live model of this process


class _Readings:
    """The model as a FrameRecorder sees it, with its observables for a frame. Each reading opens
    the next interval, so a row covers the steps since the previous one, as ``run`` records."""

    def __init__(self, model: EmergenceModel) -> None:
        self.model = model

    @property
    def steps(self) -> int:
        return self.model.steps

    def frame(self) -> dict[str, float]:
        row = self.model.observe()
        self.model.open_interval()
        return row


@cache
def live(cls: type[EmergenceModel]) -> type[EmergenceModel]:
    """``cls`` recording its picture frames and observables at every step."""

    class Live(cls):
        __module__ = cls.__module__  # the default render() imports the drawing beside the model
        __qualname__ = cls.__qualname__

        # Mesa 3.5's Reset also passes a fresh default ``scenario``: the card holds the parameters.
        # No datacollector: these records are kept bounded, and each covers its own interval
        def __init__(self, scenario: Any = None, **kwargs: Any) -> None:  # named as Mesa expects
            super().__init__(collect=False, **kwargs)
            _alive.add(self)
            self.view_frames = FrameRecorder(FRAMES)
            self.view_records = FrameRecorder(RECORDS)
            self.open_interval()
            self._record()

        def step(self) -> None:
            super().step()
            self._record()

        def _record(self) -> None:
            self.view_frames.offer(self)
            self.view_records.offer(_Readings(self))

    return Live


def stop_all() -> None:
    """Stop every live model, so that the threads of SolaraViz playing them end (they are not
    daemons: the process could not exit while a page plays)."""
    for model in list(_alive):
        model.running = False


def inputs(cls: type[EmergenceModel], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """SolaraViz's ``model_params``: one input per parameter, starting at ``values``."""
    return {name: _input(p, values[name]) for name, p in cls.params.items()}


def _input(p: Param, value: Any) -> dict[str, Any]:
    label = f"{p.name} ({p.unit})" if p.unit else p.name
    if p.choices is not None:
        return {"type": "Select", "label": label, "value": value, "values": list(p.choices)}
    if p.type is bool:
        return {"type": "Checkbox", "label": label, "value": value}
    if p.type is str:
        return {"type": "InputText", "label": label, "value": value}
    # a bound missing, or so far that the slider could not set the value finely, is brought to
    # 10 times the value's size: the slider spans the range that matters, -p sets any other value
    size = abs(value) or abs(p.default) or 1
    low = -10 * size if p.low is None or p.low < -SPAN * size else p.low
    high = 10 * size if p.high is None or p.high > SPAN * size else p.high
    if p.type is int:
        kind, step = "SliderInt", 1
    else:  # a hundredth of the range or less: fine enough for a tenth of the value
        fine = min((high - low) / 100, size / 10)
        kind, step = "SliderFloat", 10.0 ** math.floor(math.log10(fine))
    low, high = low + step * p.low_open, high - step * p.high_open
    return {"type": kind, "label": label, "value": value, "min": low, "max": high, "step": step}


def steps_per_picture(cls: type[EmergenceModel], params: dict[str, Any]) -> int:
    """How many steps the page advances between pictures: as many as take about as long as
    drawing them, so that drawing never takes most of the time, and at most a few, so that the
    picture still moves smoothly. Timed on a model like the page's."""
    model = live(cls)(**params)
    model.step()  # the first step may load the compiled kernels
    count, start = 0, time.perf_counter()
    while count < 20 and model.running and time.perf_counter() - start < 0.2:
        model.step()
        count += 1
    step = (time.perf_counter() - start) / max(count, 1)
    start = time.perf_counter()
    picture(model)
    observables_plot(model)
    drawing = time.perf_counter() - start
    odd = 2 * round((drawing / step - 1) / 2) + 1  # the nearest on the slider's grid
    return max(1, min(MOST_STEPS_PER_PICTURE, odd))


def picture(model: EmergenceModel) -> bytes:
    """The model's own picture of its run so far (``render``), as PNG."""
    recorded = model.view_frames
    frames, steps = list(recorded.frames), list(recorded.steps)
    if steps[-1] != model.steps:  # the recorder keeps every few steps once it has thinned
        frames.append(model.frame())
        steps.append(model.steps)
    fig = new_figure(12, 5.5, dpi=DPI)
    model.render(fig, frames, steps)
    return _png(fig)


def observables_plot(model: EmergenceModel) -> bytes:
    """Every observable against the step, the order parameter first, as PNG."""
    names = [model.order, *(name for name in model.observables if name != model.order)]
    rows, steps = model.view_records.frames, model.view_records.steps
    columns = min(len(names), 4)
    lines = math.ceil(len(names) / columns)
    fig = new_figure(12, 0.4 + 1.9 * lines, dpi=DPI)
    axes = fig.subplots(lines, columns, squeeze=False, sharex=True).flat
    for name, ax in zip(names, axes, strict=False):  # names first: no axis taken past the last
        order = name == model.order
        colour = "#d1495b" if order else "#1f4e9c"
        values = [row[name] for row in rows]
        ax.plot(steps, values, color=colour, marker="." if len(rows) == 1 else None)
        ax.set_title(f"{name} (order parameter)" if order else name, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes:  # the rest of the grid
        ax.set_visible(False)
    return _png(fig)


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
