"""Figures of the skills model against the real arithmetic scores (``calibration``).

``arithmetic-scale.png``: accuracy against N and against L(N, D) - E for every model, with the
rank correlation of each axis; ``arithmetic-calibration.png``: out-of-family predictions, their
error per family, and 3-digit addition read off each model's own 2-digit score.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.ticker import NullFormatter

from emergesim.models.skills import theory
from emergesim.models.skills.calibration import (
    DECOMPOSITIONS,
    calibrate,
    composition,
    ordering,
    predict_held_out,
    rmse_by_family,
)
from emergesim.models.skills.realdata import TASKS, load_scores
from emergesim.plotting import figure_folder, new_figure

TASK_LABELS = {
    "add_2d": "2-digit addition",
    "add_3d": "3-digit addition",
    "sub_3d": "3-digit subtraction",
    "mul_2d": "2-digit multiplication",
}
TASK_STYLES = {"add_2d": ("o", "#2471a3"), "add_3d": ("s", "#c0392b"),
               "sub_3d": ("^", "#d68910"), "mul_2d": ("D", "#7d3c98")}  # fmt: skip
LOSS_TICKS = (0.15, 0.2, 0.3, 0.5, 0.7, 1.0)
THEORY, FITTED = "#7f8c8d", "#c0392b"  # k = 1 as in theory; k fitted
COMPOSITION_COLOURS = {"digits": "#7f8c8d", "column_carry": "#2471a3", "long_carry": "#c0392b"}
SOURCE = "Ruan, Maddison & Hashimoto 2024 (ObsScaling), 2-shot, 2000 questions per task"


def save_data_figures(out: str | Path, *, quick: bool = False) -> list[Path]:
    """Write both figures into the folder ``out`` (created if needed); ``quick`` only lowers the
    resolution (the fits take about a second)."""
    out = figure_folder(out)
    paths = [out / name for name in ("arithmetic-scale.png", "arithmetic-calibration.png")]
    dpi = 90 if quick else 150
    scores = load_scores()
    fits = {k: calibrate(scores, sharpness=k) for k in (1.0, None)}
    _scale_figure(scores, fits, paths[0], dpi)
    _calibration_figure(scores, paths[1], dpi)
    return paths


def _scale_figure(scores: pd.DataFrame, fits, path: Path, dpi: int) -> None:
    fig = new_figure(16, 7.6, dpi=dpi)
    grid = fig.subplots(2, len(TASKS), sharey=True)
    reducible = theory.reducible_loss(scores["n_params"], scores["n_tokens"])
    taus = ordering(scores)
    norm = LogNorm(scores["n_tokens"].min(), scores["n_tokens"].max())
    lattice = np.geomspace(reducible.min() * 0.9, reducible.max() * 1.1, 300)
    for column, task in enumerate(TASKS):
        top, bottom = grid[:, column]
        for ax, x, axis in ((top, scores["n_params"], "N"), (bottom, reducible, "loss")):
            dots = ax.scatter(x, scores[task], c=scores["n_tokens"], norm=norm, cmap="viridis",
                              s=22, edgecolor="0.2", linewidth=0.4, zorder=3)  # fmt: skip
            ax.set_xscale("log")
            ax.grid(alpha=0.3)
            ax.text(0.03, 0.95, f"Kendall τ = {taus.loc[task, f'kendall_{axis}']:.2f}",
                    transform=ax.transAxes, va="top", fontsize="medium", fontweight="bold",
                    bbox=dict(facecolor="white", edgecolor="0.7", alpha=0.9))  # fmt: skip
        for k, fit in fits.items():
            label = "theory's form, k = 1" if k else f"fitted k = {fit.sharpness:.1f}"
            bottom.plot(lattice, fit.at_loss(lattice)[task], lw=2, color=THEORY if k else FITTED,
                        ls="--" if k else "-", label=f"{label} (RMSE {fit.rmse:.2f})")  # fmt: skip
        top.set_title(TASK_LABELS[task])
        top.set_xlabel("parameters N")
        bottom.set_xlabel("reducible loss L(N, D) - E (nats, Chinchilla)")
        bottom.set_xticks(LOSS_TICKS, [f"{t:g}" for t in LOSS_TICKS])
        bottom.xaxis.set_minor_formatter(NullFormatter())
        bottom.invert_xaxis()  # lower loss, larger scale: to the right, as N is above
    grid[0, 0].set_ylabel("accuracy")
    grid[1, 0].set_ylabel("accuracy")
    grid[1, 0].legend(loc="center left", fontsize="small", title="calibrated on all models",
                      title_fontsize="small")  # fmt: skip
    fig.colorbar(dots, ax=grid, label="training tokens D", shrink=0.8, pad=0.01)
    fig.suptitle(
        f"Arithmetic of {len(scores)} base models ({scores['family'].nunique()} families): the "
        "Chinchilla loss orders them better than the parameter count alone\n"
        f"top: against N; bottom: against L(N, D) - E, with the skills model fitted to all "
        f"({SOURCE})",
        fontsize="medium",
    )
    fig.savefig(path)


def _calibration_figure(scores: pd.DataFrame, path: Path, dpi: int) -> None:
    fig = new_figure(17, 6.2, dpi=dpi)
    held, per_family, carry = fig.subplots(1, 3, width_ratios=[1, 0.9, 1])
    predicted = {k: predict_held_out(scores, sharpness=k) for k in (1.0, None)}
    errors = {k: rmse_by_family(scores, table) for k, table in predicted.items()}

    held.plot([0, 1], [0, 1], color="0.4", lw=1, ls=":")
    for task in TASKS:
        marker, colour = TASK_STYLES[task]
        held.scatter(scores[task], predicted[None][task], marker=marker, s=24, color=colour,
                     alpha=0.6, edgecolor="0.2", lw=0.4, label=TASK_LABELS[task])  # fmt: skip
    overall = {k: _rmse(scores, table) for k, table in predicted.items()}
    held.text(0.97, 0.05, f"held-out RMSE {overall[None]:.3f}\n(theory's k = 1: "
              f"{overall[1.0]:.3f})", transform=held.transAxes, ha="right", fontsize="medium",
              bbox=dict(facecolor="white", edgecolor="0.7"))  # fmt: skip
    held.set_xlabel("measured accuracy")
    held.set_ylabel("predicted accuracy (family left out of the fit)")
    held.set_title("each family predicted from the others (k fitted)")
    held.legend(loc="upper left", fontsize="small")
    held.set_aspect("equal")
    held.grid(alpha=0.3)

    order = errors[None]["all"].sort_values().index
    rows = np.arange(len(order))
    for offset, (k, colour, label) in enumerate(((None, FITTED, "k fitted"),
                                                 (1.0, THEORY, "k = 1 (theory)"))):  # fmt: skip
        per_family.barh(rows + 0.2 - 0.4 * offset, errors[k].loc[order, "all"], height=0.4,
                        color=colour, label=label)  # fmt: skip
    per_family.set_yticks(rows, [f"{f} ({errors[None].loc[f, 'models']})" for f in order])
    per_family.invert_yaxis()
    per_family.set_xlabel("held-out RMSE in accuracy, 4 tasks")
    per_family.set_title("error per left-out family (models)")
    per_family.set_xlim(0, 0.6)
    per_family.legend(loc="upper right", fontsize="small")
    per_family.grid(alpha=0.3, axis="x")

    carry.plot([0, 1], [0, 1], color="0.4", lw=1, ls=":")
    carry.scatter(scores["add_2d"], scores["add_3d"], s=22, color="0.25", zorder=3,
                  label="models")  # fmt: skip
    lattice = np.linspace(0, 1, 300)
    for name in DECOMPOSITIONS:
        fit = composition(scores, decomposition=name)
        carry.plot(lattice, lattice**fit.exponent, color=COMPOSITION_COLOURS[name], lw=2,
                   label=f"{name}: power {fit.exponent:.2f}, held-out RMSE "
                         f"{fit.held_out_rmse:.3f}")  # fmt: skip
    carry.set_xlabel("2-digit addition accuracy (the same model)")
    carry.set_ylabel("3-digit addition accuracy")
    carry.set_title("3-digit from 2-digit addition: acc₃ = acc₂^(D₃ / D₂)")
    carry.legend(loc="upper left", fontsize="small", title="decomposition",
                 title_fontsize="small")  # fmt: skip
    carry.set_aspect("equal")
    carry.grid(alpha=0.3)
    fig.suptitle(
        "Calibrating the skills model (sub-skills fitted by least squares, scale = Chinchilla "
        "L(N, D) - E) and testing its independent sub-skills",
        fontsize="medium",
    )
    fig.savefig(path)


def _rmse(scores: pd.DataFrame, predicted: pd.DataFrame) -> float:
    errors = predicted[list(TASKS)] - scores.loc[predicted.index, list(TASKS)]
    return float(np.sqrt(np.mean(errors.to_numpy() ** 2)))
