"""The skills model against real models' arithmetic scores (``emergesim.models.skills``'s
``calibration``), in two figures.

``arithmetic-scale.png``: accuracy against N and against L(N, D) - E for every model, with the
rank correlation of each axis; ``arithmetic-calibration.png``: out-of-family predictions, their
error per family, and 3-digit addition read off each model's own 2-digit score. Each figure has a
function that computes its numbers (a NamedTuple whose ``headline`` is the line printed for it)
and one that draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from emergesim.models.skills import theory
from emergesim.models.skills.calibration import (
    DECOMPOSITIONS,
    Calibration,
    Composition,
    calibrate,
    composition,
    ordering,
    predict_held_out,
    rmse_by_family,
)
from emergesim.models.skills.realdata import TASKS, load_scores
from emergesim.plotting import StudyFigure, figure_folder, save_figures
from emergesim.study import Study

SHARPNESSES = (1.0, None)  # theory's k = 1, and k fitted
TASK_LABELS = {
    "add_2d": "2-digit addition",
    "add_3d": "3-digit addition",
    "sub_3d": "3-digit subtraction",
    "mul_2d": "2-digit multiplication",
}
TASK_STYLES = {
    "add_2d": ("o", "#2471a3"),
    "add_3d": ("s", "#c0392b"),
    "sub_3d": ("^", "#d68910"),
    "mul_2d": ("D", "#7d3c98"),
}
LOSS_TICKS = (0.15, 0.2, 0.3, 0.5, 0.7, 1.0)
THEORY, FITTED = "#7f8c8d", "#c0392b"  # k = 1 as in theory; k fitted
COMPOSITION_COLOURS = {"digits": "#7f8c8d", "column_carry": "#2471a3", "long_carry": "#c0392b"}
SOURCE = "Ruan, Maddison & Hashimoto 2024 (ObsScaling), 2-shot, 2000 questions per task"


class Scale(NamedTuple):
    """The real scores, each model's reducible loss, how well N and the loss order the scores
    (``calibration.ordering``), and calibrations on all models with each of ``SHARPNESSES``,
    with their accuracy along ``lattice`` (reducible losses)."""

    scores: pd.DataFrame
    reducible: pd.Series
    ordering: pd.DataFrame
    fits: dict[float | None, Calibration]
    lattice: np.ndarray
    curves: dict[float | None, pd.DataFrame]

    @property
    def headline(self) -> str:
        n, loss = (self.ordering[f"kendall_{axis}"] for axis in ("N", "loss"))
        theory_fit, fitted = self.fits.values()
        return (
            f"Kendall tau of accuracy with N {n.min():.2f}-{n.max():.2f}, with L - E "
            f"{loss.min():.2f}-{loss.max():.2f} over {len(self.ordering)} tasks; fitted to all "
            f"{len(self.scores)} models: k = 1 RMSE {theory_fit.rmse:.3f}, fitted k = "
            f"{fitted.sharpness:.1f} RMSE {fitted.rmse:.3f}"
        )


def arithmetic_scale(scores: pd.DataFrame | None = None) -> Scale:
    """The numbers of ``arithmetic-scale.png`` (default: the real scores)."""
    scores = load_scores() if scores is None else scores
    reducible = theory.reducible_loss(scores["n_params"], scores["n_tokens"])
    fits = {k: calibrate(scores, sharpness=k) for k in SHARPNESSES}
    lattice = np.geomspace(reducible.min() * 0.9, reducible.max() * 1.1, 300)
    curves = {k: fit.at_loss(lattice) for k, fit in fits.items()}
    return Scale(scores, reducible, ordering(scores), fits, lattice, curves)


def draw_arithmetic_scale(fig: Figure, data: Scale) -> None:
    scores = data.scores
    grid = fig.subplots(2, len(TASKS), sharey=True)
    norm = LogNorm(scores["n_tokens"].min(), scores["n_tokens"].max())
    for column, task in enumerate(TASKS):
        top, bottom = grid[:, column]
        for ax, x, axis in ((top, scores["n_params"], "N"), (bottom, data.reducible, "loss")):
            dots = ax.scatter(
                x,
                scores[task],
                c=scores["n_tokens"],
                norm=norm,
                cmap="viridis",
                s=22,
                edgecolor="0.2",
                linewidth=0.4,
                zorder=3,
            )
            ax.set_xscale("log")
            ax.grid(alpha=0.3)
            ax.text(
                0.03,
                0.95,
                f"Kendall τ = {data.ordering.loc[task, f'kendall_{axis}']:.2f}",
                transform=ax.transAxes,
                va="top",
                fontsize="medium",
                fontweight="bold",
                bbox=dict(facecolor="white", edgecolor="0.7", alpha=0.9),
            )
        for k, fit in data.fits.items():
            label = "theory's form, k = 1" if k else f"fitted k = {fit.sharpness:.1f}"
            bottom.plot(
                data.lattice,
                data.curves[k][task],
                lw=2,
                color=THEORY if k else FITTED,
                ls="--" if k else "-",
                label=f"{label} (RMSE {fit.rmse:.2f})",
            )
        top.set_title(TASK_LABELS[task])
        top.set_xlabel("parameters N")
        bottom.set_xlabel("reducible loss L(N, D) - E (nats, Chinchilla)")
        bottom.set_xticks(LOSS_TICKS, [f"{t:g}" for t in LOSS_TICKS])
        bottom.xaxis.set_minor_formatter(NullFormatter())
        bottom.invert_xaxis()  # lower loss, larger scale: to the right, as N is above
    grid[0, 0].set_ylabel("accuracy")
    grid[1, 0].set_ylabel("accuracy")
    grid[1, 0].legend(
        loc="center left",
        fontsize="small",
        title="calibrated on all models",
        title_fontsize="small",
    )
    fig.colorbar(dots, ax=grid, label="training tokens D", shrink=0.8, pad=0.01)
    fig.suptitle(
        f"Arithmetic of {len(scores)} base models ({scores['family'].nunique()} families): the "
        "Chinchilla loss orders them better than the parameter count alone\n"
        f"top: against N; bottom: against L(N, D) - E, with the skills model fitted to all "
        f"({SOURCE})",
        fontsize="medium",
    )


class Calibrated(NamedTuple):
    """Each family predicted by a calibration on the others, with each of ``SHARPNESSES``: the
    predictions, their error per family and over all, and 3-digit addition from each model's
    2-digit score under each of ``DECOMPOSITIONS``."""

    scores: pd.DataFrame
    predicted: dict[float | None, pd.DataFrame]
    errors: dict[float | None, pd.DataFrame]  # calibration.rmse_by_family
    overall: dict[float | None, float]  # RMSE over every held-out score
    compositions: dict[str, Composition]

    @property
    def headline(self) -> str:
        by_family = self.errors[None]["all"]
        carry = ", ".join(
            f"{name} power {fit.exponent:.2f} (held-out RMSE {fit.held_out_rmse:.3f})"
            for name, fit in self.compositions.items()
        )
        return (
            f"held-out RMSE {self.overall[None]:.3f} (k = 1: {self.overall[1.0]:.3f}), worst "
            f"left-out family {by_family.idxmax()} {by_family.max():.2f}; 3-digit from 2-digit "
            f"addition: {carry}"
        )


def arithmetic_calibration(scores: pd.DataFrame | None = None) -> Calibrated:
    """The numbers of ``arithmetic-calibration.png`` (default: the real scores)."""
    scores = load_scores() if scores is None else scores
    predicted = {k: predict_held_out(scores, sharpness=k) for k in SHARPNESSES}
    return Calibrated(
        scores=scores,
        predicted=predicted,
        errors={k: rmse_by_family(scores, table) for k, table in predicted.items()},
        overall={k: _rmse(scores, table) for k, table in predicted.items()},
        compositions={name: composition(scores, decomposition=name) for name in DECOMPOSITIONS},
    )


def draw_arithmetic_calibration(fig: Figure, data: Calibrated) -> None:
    scores, errors = data.scores, data.errors
    held, per_family, carry = fig.subplots(1, 3, width_ratios=[1, 0.9, 1])

    held.plot([0, 1], [0, 1], color="0.4", lw=1, ls=":")
    for task in TASKS:
        marker, colour = TASK_STYLES[task]
        held.scatter(
            scores[task],
            data.predicted[None][task],
            marker=marker,
            s=24,
            color=colour,
            alpha=0.6,
            edgecolor="0.2",
            lw=0.4,
            label=TASK_LABELS[task],
        )
    held.text(
        0.97,
        0.05,
        f"held-out RMSE {data.overall[None]:.3f}\n(theory's k = 1: {data.overall[1.0]:.3f})",
        transform=held.transAxes,
        ha="right",
        fontsize="medium",
        bbox=dict(facecolor="white", edgecolor="0.7"),
    )
    held.set_xlabel("measured accuracy")
    held.set_ylabel("predicted accuracy (family left out of the fit)")
    held.set_title("each family predicted from the others (k fitted)")
    held.legend(loc="upper left", fontsize="small")
    held.set_aspect("equal")
    held.grid(alpha=0.3)

    order = errors[None]["all"].sort_values().index
    rows = np.arange(len(order))
    for offset, (k, colour, label) in enumerate(
        ((None, FITTED, "k fitted"), (1.0, THEORY, "k = 1 (theory)"))
    ):
        per_family.barh(
            rows + 0.2 - 0.4 * offset,
            errors[k].loc[order, "all"],
            height=0.4,
            color=colour,
            label=label,
        )
    per_family.set_yticks(rows, [f"{f} ({errors[None].loc[f, 'models']})" for f in order])
    per_family.invert_yaxis()
    per_family.set_xlabel("held-out RMSE in accuracy, 4 tasks")
    per_family.set_title("error per left-out family (models)")
    per_family.set_xlim(0, 0.6)
    per_family.legend(loc="upper right", fontsize="small")
    per_family.grid(alpha=0.3, axis="x")

    carry.plot([0, 1], [0, 1], color="0.4", lw=1, ls=":")
    carry.scatter(scores["add_2d"], scores["add_3d"], s=22, color="0.25", zorder=3, label="models")
    lattice = np.linspace(0, 1, 300)
    for name, fit in data.compositions.items():
        carry.plot(
            lattice,
            lattice**fit.exponent,
            color=COMPOSITION_COLOURS[name],
            lw=2,
            label=f"{name}: power {fit.exponent:.2f}, held-out RMSE {fit.held_out_rmse:.3f}",
        )
    carry.set_xlabel("2-digit addition accuracy (the same model)")
    carry.set_ylabel("3-digit addition accuracy")
    carry.set_title("3-digit from 2-digit addition: acc₃ = acc₂^(D₃ / D₂)")
    carry.legend(loc="upper left", fontsize="small", title="decomposition", title_fontsize="small")
    carry.set_aspect("equal")
    carry.grid(alpha=0.3)
    fig.suptitle(
        "Calibrating the skills model (sub-skills fitted by least squares, scale = Chinchilla "
        "L(N, D) - E) and testing its independent sub-skills",
        fontsize="medium",
    )


def _rmse(scores: pd.DataFrame, predicted: pd.DataFrame) -> float:
    errors = predicted[list(TASKS)] - scores.loc[predicted.index, list(TASKS)]
    return float(np.sqrt(np.mean(errors.to_numpy() ** 2)))


FIGURES: dict[str, StudyFigure] = {  # file name -> compute (from the scores), draw, size
    "arithmetic-scale.png": (arithmetic_scale, draw_arithmetic_scale, (16, 7.6)),
    "arithmetic-calibration.png": (arithmetic_calibration, draw_arithmetic_calibration, (17, 6.2)),
}


def save(
    out: str | Path, *, quick: bool = False, report: Callable[[str], object] = print
) -> list[Path]:
    """Write both figures into the folder ``out`` (created if needed) and return the paths;
    ``quick`` only lowers the resolution (the fits take about a second). ``report`` receives one
    line per figure: its file name and headline numbers."""
    out = figure_folder(out)
    return save_figures(out, FIGURES, load_scores(), dpi=90 if quick else 150, report=report)


STUDY = Study("llm-data", "the skills model against 69 real models' arithmetic scores", save)
