"""The skills model against real models' arithmetic scores (``emergesim.models.skills``'s
``calibration``), in two figures.

``arithmetic-scale.png``: accuracy against N and against L(N, D) - E for every model, with the
rank correlation of each axis; ``arithmetic-calibration.png``: out-of-family predictions, their
error per family, 3-digit addition read off each model's own 2-digit score, and the held-out error
of the sub-skill model against simpler predictors (``baselines.compare_held_out``) per task. Each
figure has a function that computes its numbers (a NamedTuple whose ``headline`` is what is
printed for it) and one that draws them. README quotes only numbers these headlines print, and
``comparison_table`` writes its table (a test holds README to both).
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
from emergesim.models.skills.baselines import (
    ALL,
    CONSTANT,
    LOGISTIC_COMPUTE,
    LOGISTIC_LOSS,
    PER_TASK,
    PREDICTORS,
    SHARED_K,
    SUB_SKILL,
    Comparison,
    compare_held_out,
)
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
PREDICTOR_COLOURS = {
    SUB_SKILL: FITTED,
    SHARED_K: "#e6b0aa",
    LOGISTIC_COMPUTE: "#2471a3",
    LOGISTIC_LOSS: "#d68910",
    CONSTANT: THEORY,
}
PREDICTOR_PROSE = {
    SUB_SKILL: "the sub-skill model fitted per task",
    SHARED_K: "the sub-skill model with one k shared by the tasks",
    LOGISTIC_COMPUTE: "a logistic in log10 C",
    LOGISTIC_LOSS: "a logistic in L - E",
    CONSTANT: "the training families' mean",
}
ALL_LABEL = "all 4 tasks"
POWER_FLOOR = 0.9  # models at least this good at 2-digit addition: their power is not noise
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
        taus = ", ".join(
            f"{TASK_LABELS.get(task, task)} {row['kendall_N']:.2f} vs {row['kendall_loss']:.2f}"
            for task, row in self.ordering.iterrows()
        )
        theory_fit, fitted = self.fits.values()
        half = fitted.half_loss.values()
        return (
            f"{len(self.scores)} models of {self.scores['family'].nunique()} families; Kendall "
            f"tau of accuracy with N vs with L - E: {taus}; fitted to all: k = 1 RMSE "
            f"{theory_fit.rmse:.3f}, fitted k = {fitted.sharpness:.1f} RMSE {fitted.rmse:.3f}, "
            f"each sub-skill alone half right at L - E = {min(half):.2f}-{max(half):.2f} nats"
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
    predictions, their error per family and over all; 3-digit addition from each model's
    2-digit score under each of ``DECOMPOSITIONS`` and the power each model's own pair implies;
    and every predictor of ``baselines.PREDICTORS`` held out by family, per task."""

    scores: pd.DataFrame
    predicted: dict[float | None, pd.DataFrame]
    errors: dict[float | None, pd.DataFrame]  # calibration.rmse_by_family
    overall: dict[float | None, float]  # RMSE over every held-out score
    compositions: dict[str, Composition]
    model_powers: pd.Series  # ln acc3 / ln acc2 of models at least POWER_FLOOR right on acc2
    comparison: Comparison

    @property
    def carry_ratio(self) -> float:
        """Under ``long_carry`` the long carry's difficulty over a digit-add's: 3-digit addition
        is 3 adds and the carry, 2-digit 2 adds, so power = (3 + ratio) / 2."""
        return 2 * self.compositions["long_carry"].exponent - 3

    @property
    def verdict(self) -> str:
        """One sentence: which predictor has the lowest held-out RMSE (README quotes it)."""
        winners, rmse, tau = self.comparison.winners, self.comparison.rmse, self.comparison.kendall
        tasks = list(self.comparison.tasks)
        if winners[tasks].nunique() > 1:
            return (
                "Lowest held-out RMSE: "
                + ", ".join(f"{_label(task)} {winners[task]}" for task in [*tasks, ALL])
                + "."
            )
        best = winners[tasks[0]]
        rivals = [p for p in PER_TASK if p != best]
        ranks = (
            "and the highest Kendall tau "
            if (tau.loc[tasks, best] > tau.loc[tasks, rivals].max(axis=1)).all()
            else ""
        )
        others = [p for p in PREDICTORS if p not in (best, CONSTANT)]
        against = [f"{rmse.loc[ALL, p]:.3f} for {PREDICTOR_PROSE[p]}" for p in others]
        name = PREDICTOR_PROSE[best]
        return (
            f"{name[0].upper()}{name[1:]} has the lowest held-out RMSE {ranks}on every "
            f"task (all 4 tasks: {rmse.loc[ALL, best]:.3f}, against {', '.join(against[:-1])} "
            f"and {against[-1]})."
        )

    @property
    def headline(self) -> str:
        by_family = self.errors[None]["all"]
        carry = ", ".join(
            f"{name} power {fit.exponent:.2f} (held-out RMSE {fit.held_out_rmse:.3f})"
            for name, fit in self.compositions.items()
        )
        families = ", ".join(f"{f} {e:.3f}" for f, e in by_family.sort_values().items())
        powers = self.model_powers
        low, high = powers.idxmin(), powers.idxmax()
        quartiles = " ".join(f"{q:.3g}" for q in powers.quantile([0.25, 0.5, 0.75]))
        rmse, tau, winners = self.comparison.rmse, self.comparison.kendall, self.comparison.winners
        per_task = [
            f"  {_label(task)}, held out by family: {winners[task]} wins, RMSE "
            f"{rmse.loc[task, winners[task]]:.3f}; RMSE / Kendall tau: "
            + "; ".join(f"{p} {rmse.loc[task, p]:.3f} / {tau.loc[task, p]:.2f}" for p in PREDICTORS)
            for task in rmse.index
        ]
        return "\n".join(
            [
                f"held-out RMSE {self.overall[None]:.3f} (k = 1: {self.overall[1.0]:.3f}), worst "
                f"left-out family {by_family.idxmax()} {by_family.max():.3f}; 3-digit from "
                f"2-digit addition: {carry}; long_carry's carry {self.carry_ratio:.1f} times as "
                "hard as a digit-add",
                f"  held-out RMSE per left-out family (sub-skill model, k fitted): {families}",
                f"  3-digit from 2-digit addition, each model alone ({len(powers)} models "
                f"at least {POWER_FLOOR:.0%} but not 100% right on 2 digits): power ln acc3 / "
                f"ln acc2 from {powers[low]:.3g} ({low}) to {powers[high]:.3g} ({high}), "
                f"quartiles {quartiles}",
                *per_task,
                f"  {self.verdict}",
            ]
        )


def arithmetic_calibration(scores: pd.DataFrame | None = None) -> Calibrated:
    """The numbers of ``arithmetic-calibration.png`` (default: the real scores)."""
    scores = load_scores() if scores is None else scores
    comparison = compare_held_out(scores)
    predicted = {
        1.0: predict_held_out(scores, sharpness=1.0),
        None: comparison.predictions[SHARED_K],
    }
    predicted = {k: predicted[k] for k in SHARPNESSES}
    return Calibrated(
        scores=scores,
        predicted=predicted,
        errors={k: rmse_by_family(scores, table) for k, table in predicted.items()},
        overall={k: _rmse(scores, table) for k, table in predicted.items()},
        compositions={name: composition(scores, decomposition=name) for name in DECOMPOSITIONS},
        model_powers=model_powers(scores),
        comparison=comparison,
    )


def model_powers(scores: pd.DataFrame) -> pd.Series:
    """ln acc3 / ln acc2 of each model (short name) that adds 2-digit numbers at least
    ``POWER_FLOOR`` but not always right and 3-digit numbers sometimes: the power
    acc3 = acc2^power its own two scores imply (finite and not noise)."""
    rows = scores[
        (scores["add_2d"] >= POWER_FLOOR) & (scores["add_2d"] < 1) & (scores["add_3d"] > 0)
    ]
    names = rows["model"].str.rsplit("/", n=1).str[-1]
    return pd.Series(
        (np.log(rows["add_3d"]) / np.log(rows["add_2d"])).to_numpy(), index=names.to_numpy()
    )


def comparison_table(data: Calibrated) -> str:
    """The held-out comparison as README's markdown table: task x predictor, "RMSE / Kendall
    tau", the lowest RMSE of ``PER_TASK`` in bold."""
    rmse, tau, winners = data.comparison.rmse, data.comparison.kendall, data.comparison.winners
    lines = [
        "| held out by family | " + " | ".join(PREDICTORS) + " |",
        "|---|" + "---:|" * len(PREDICTORS),
    ]
    for task in rmse.index:
        cells = [
            f"**{rmse.loc[task, p]:.3f}** / {tau.loc[task, p]:.2f}"
            if p == winners[task]
            else f"{rmse.loc[task, p]:.3f} / {tau.loc[task, p]:.2f}"
            for p in PREDICTORS
        ]
        lines.append(f"| {_label(task)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _label(task: str) -> str:
    return ALL_LABEL if task == ALL else TASK_LABELS.get(task, task)


def draw_arithmetic_calibration(fig: Figure, data: Calibrated) -> None:
    scores, errors = data.scores, data.errors
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25, 1])
    held, per_family, carry = top.subplots(1, 3, width_ratios=[1, 0.9, 1])

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
    top.suptitle(
        "Calibrating the skills model (sub-skills fitted by least squares, scale = Chinchilla "
        "L(N, D) - E) and testing its independent sub-skills",
        fontsize="large",
    )
    draw_comparison(bottom, data.comparison)


def draw_comparison(fig: Figure, comparison: Comparison) -> None:
    """Held-out RMSE and Kendall tau per task (groups) and predictor (bars), the winner of each
    task (lowest RMSE) starred."""
    by_rmse, by_tau = fig.subplots(1, 2, width_ratios=[1.5, 1])
    rmse, tau, winners = comparison.rmse, comparison.kendall, comparison.winners
    groups = np.arange(len(rmse.index))
    width = 0.8 / len(PREDICTORS)
    for i, predictor in enumerate(PREDICTORS):
        at = groups - 0.4 + width * (i + 0.5)
        style = dict(width=width, color=PREDICTOR_COLOURS[predictor], edgecolor="0.25", lw=0.5)
        for ax, values, fmt in ((by_rmse, rmse, "%.3f"), (by_tau, tau, "%.2f")):
            bars = ax.bar(at, values[predictor], label=predictor, **style)
            ax.bar_label(bars, fmt=fmt, fontsize="small", rotation=90, padding=2)
        for x, task in zip(at, rmse.index, strict=True):
            if winners[task] == predictor:
                by_rmse.plot(x, 0.025, marker="*", color="gold", mec="0.2", ms=15, zorder=4)
    for ax in (by_rmse, by_tau):
        ax.set_xticks(groups, [_label(task).replace(" ", "\n", 1) for task in rmse.index])
        ax.grid(alpha=0.3, axis="y")
        ax.set_axisbelow(True)
    by_rmse.set_ylim(0, rmse.to_numpy().max() * 1.5)
    by_rmse.set_ylabel("held-out RMSE in accuracy (lower is better)")
    by_rmse.set_title("error of each family's prediction from fits on the others (★ lowest)")
    by_rmse.legend(
        loc="upper left",
        ncols=len(PREDICTORS),
        fontsize="small",
        title="predictor: fitted per task (shared k: the four tasks at once)",
        title_fontsize="small",
    )
    by_tau.axhline(0, color="0.3", lw=0.8)
    by_tau.set_ylim(min(-0.1, tau.to_numpy().min() * 1.35), 1.05)
    by_tau.set_ylabel("Kendall τ-b, predicted vs real accuracy")
    by_tau.set_title("order of the held-out predictions (higher is better)")
    fig.suptitle(
        f"Is the sub-skill model worth it? Held out by family, {rmse.index.size - 1} tasks: "
        f"the winner is {_winners_text(winners)}",
        fontsize="large",
    )


def _winners_text(winners: pd.Series) -> str:
    if winners.nunique() == 1:
        return f"the {winners.iloc[0]} on every task"
    return ", ".join(f"{_label(task)}: {predictor}" for task, predictor in winners.items())


def _rmse(scores: pd.DataFrame, predicted: pd.DataFrame) -> float:
    errors = predicted[list(TASKS)] - scores.loc[predicted.index, list(TASKS)]
    return float(np.sqrt(np.mean(errors.to_numpy() ** 2)))


FIGURES: dict[str, StudyFigure] = {  # file name -> compute (from the scores), draw, size
    "arithmetic-scale.png": (arithmetic_scale, draw_arithmetic_scale, (16, 7.6)),
    "arithmetic-calibration.png": (arithmetic_calibration, draw_arithmetic_calibration, (17, 11.5)),
}


def save(
    out: str | Path, *, quick: bool = False, report: Callable[[str], object] = print
) -> list[Path]:
    """Write both figures into the folder ``out`` (created if needed) and return the paths;
    ``quick`` only lowers the resolution (the fits take a few seconds). ``report`` receives each
    figure's file name and headline numbers (the calibration's: a line per task too)."""
    out = figure_folder(out)
    return save_figures(out, FIGURES, load_scores(), dpi=90 if quick else 150, report=report)


STUDY = Study("llm-data", "the skills model against 69 real models' arithmetic scores", save)
