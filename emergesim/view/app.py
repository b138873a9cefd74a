"""The Solara pages of ``emergesim view``: one SolaraViz page per model, or an index of all.

Solara's server imports this module by name (``SOLARA_APP``) and serves its ``routes``; what to
serve comes in an environment variable (``emergesim.view.SETTINGS``, set by ``serve``): a model
and its parameters serve that model at ``/``; without a model, ``/`` lists every registered model
and each has its page at ``/<name>``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from html import escape
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from emergesim.model import EmergenceModel
from emergesim.registry import available, card, get_model
from emergesim.view import SETTINGS
from emergesim.view.live import inputs, live, observables_plot, picture, steps_per_picture


@solara.component
def Index() -> None:
    solara.Title("emergesim")
    solara.Text("emergesim: the registered models", style={"font-size": "1.4em"})
    cards = [card(name) for name in available()]
    Table(
        ("model", "what it is", "control", "order parameter"),
        [
            (f'<a href="{c.name}">{c.name}</a>', escape(c.summary), c.control, c.order)
            for c in cards
        ],
    )


@solara.component
def Table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """An HTML table of cells given as HTML (Solara's Markdown would fetch KaTeX from a CDN)."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    solara.HTML("table", unsafe_innerHTML=f"<tr>{head}</tr>{body}", classes=["emergesim-table"])


def model_page(name: str, given: dict[str, Any]):
    """A page component for model ``name`` started with parameters ``given``."""

    @solara.component
    def Page() -> None:
        ModelPage(name, json.dumps(given, sort_keys=True))

    return Page


@cache
def _interval(name: str, given: str) -> int:
    """Steps per picture, timed once per model and parameters in this server."""
    cls = get_model(name)
    return steps_per_picture(cls, cls.params.validate(json.loads(given)))


@solara.component
def ModelPage(name: str, given: str) -> None:
    cls = get_model(name)
    values = cls.params.validate(json.loads(given))
    every = _interval(name, given)
    first = solara.use_memo(lambda: live(cls)(**values), [])
    model = solara.use_reactive(first)
    solara.Title(f"emergesim: {name}")
    SolaraViz(
        model,
        components=[],  # the pictures are laid out below, full width
        model_params=inputs(cls, values),
        render_interval=every,
        name=f"{name}: {cls.summary}",
    )
    Pictures(model.value, every)
    Parameters(model.value)


@solara.component
def Pictures(model: EmergenceModel, every: int) -> None:
    update_counter.get()  # drawn again whenever the controller has stepped
    steps = model.steps
    solara.Text(f"step {steps}", classes=["emergesim-step"], style={"font-weight": "bold"})
    solara.Text(
        f" (Step and play advance {every} steps between pictures, so that a big model stays "
        "quick: Render Interval, under Controls, changes that)"
    )
    solara.Image(
        solara.use_memo(lambda: picture(model), [model, steps]), classes=["emergesim-picture"]
    )
    solara.Image(solara.use_memo(lambda: observables_plot(model), [model, steps]))


@solara.component
def Parameters(model: EmergenceModel) -> None:
    """What each parameter means, and the value this run uses (a changed input takes effect on
    Reset, as in every SolaraViz page)."""
    shown = ", ".join(f"{name}={value}" for name, value in model.parameters.items())
    solara.Text(f"This run: {shown}", classes=["emergesim-params"])
    solara.Text("Parameters (a changed value takes effect on Reset)", style={"font-weight": "bold"})
    rows = [
        (p.name, escape(f"{p.allowed()} {p.unit}"), escape(p.doc)) for p in model.params.values()
    ]
    Table(("parameter", "allowed", "meaning"), rows)


def _routes() -> list[solara.Route]:
    settings = json.loads(os.environ.get(SETTINGS) or "{}")
    if settings.get("model"):
        return [solara.Route("/", component=model_page(settings["model"], settings["params"]))]
    pages = [solara.Route(name, component=model_page(name, {})) for name in available()]
    return [solara.Route("/", component=Index), *pages]


routes = _routes()
