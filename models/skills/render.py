"""The skills picture: every metric against scale, closed forms as curves, estimates as points.

Left, exact match and partial credit against N (the emergence plot of Wei et al. 2022 and its
rebuttal by Schaeffer et al. 2023 on one axis); middle, the two other metrics; right, the run's
own Monte Carlo estimates converging on their closed forms as attempts accumulate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from emergesim.models.skills.card import PROMPTINGS
from emergesim.models.skills.world import OPEN_ANSWER, SkillWorld

if TYPE_CHECKING:
    from emergesim.models.skills.model import SkillsModel, Tally

EXACT, PARTIAL, WRONG, LIKELIHOOD = range(4)  # columns of the tallies, as in METRICS
COLOURS = {EXACT: "#c0392b", PARTIAL: "#2471a3", WRONG: "#7d3c98", LIKELIHOOD: "#1e8449"}


class Curves(NamedTuple):
    """Closed forms over the figure's range of scales, computed once per model."""

    n_params: np.ndarray
    metrics: dict[str, np.ndarray]  # under the run's prompting
    exact_match_by_prompting: dict[str, np.ndarray]  # under the other prompting styles

    @classmethod
    def over_transition(cls, world: SkillWorld, own: float) -> Curves:
        """From the first skills picked up to exact match near 0.9, and the run's own scale."""
        low, high = world.transition_window()
        grid = np.linspace(min(low, own - 0.3), max(high, own + 0.3), 240)
        others = {
            prompting: world.metrics(grid, prompting)["exact_match"]
            for prompting in PROMPTINGS
            if prompting != world.prompting
        }
        return cls(10.0**grid, world.metrics(grid), others)


def draw(fig: Figure, model: SkillsModel, frames: Sequence[Tally], steps: Sequence[int]) -> None:
    """The figure of a run whose tallies so far are ``frames`` (the last one is now)."""
    world, (n_params, curves, others) = model.world, model.curves
    score = "exact match" if world.n_choices == OPEN_ANSWER else "accuracy"
    tally = frames[-1]
    estimates, errors = tally.estimates()
    scales = 10.0**model.log10_n
    fig.set_layout_engine("none")  # fixed margins: a constrained layout costs 2/3 of a frame
    layout = fig.add_gridspec(
        2,
        3,
        width_ratios=[1.7, 1, 1.1],
        left=0.065,
        right=0.985,
        bottom=0.11,
        top=0.83,
        wspace=0.3,
        hspace=0.32,
    )

    accuracy = fig.add_subplot(layout[:, 0])
    for other, curve in others.items():
        accuracy.plot(
            n_params,
            curve,
            lw=1,
            ls=":",
            color=COLOURS[EXACT],
            alpha=0.6,
            label=f"{score}, {other.replace('_', '-')}",
        )
    one_step = " (= exact match: one step)" if world.n_steps == 1 else ""
    accuracy.plot(
        n_params,
        curves["partial_credit"],
        color=COLOURS[PARTIAL],
        lw=2,
        label=f"partial credit{one_step}",
    )
    accuracy.plot(n_params, curves["exact_match"], color=COLOURS[EXACT], lw=2.4, label=score)
    if world.n_choices != OPEN_ANSWER:
        accuracy.axhline(1 / world.n_choices, color="0.4", lw=1, ls="--", label="chance")
    for column in (EXACT, PARTIAL):
        _estimates(accuracy, scales, estimates[:, column], errors[:, column], COLOURS[column])
    _mark_crossing(accuracy, n_params, curves, score)
    accuracy.set_ylim(-0.03, 1.03)
    accuracy.set_ylabel("score")
    accuracy.set_title(f"{world.task} task, {world.prompting.replace('_', '-')} prompting")
    accuracy.legend(fontsize="small", loc="upper left", framealpha=0.9)

    wrong = fig.add_subplot(layout[0, 1])
    wrong.plot(n_params, curves["edit_distance"], color=COLOURS[WRONG], lw=2)
    _estimates(wrong, scales, estimates[:, WRONG], errors[:, WRONG], COLOURS[WRONG])
    wrong.set_ylabel("wrong steps")
    wrong.set_title("edit distance", fontsize="medium")
    likelihood = fig.add_subplot(layout[1, 1], sharex=wrong)
    likelihood.plot(n_params, -curves["log_likelihood"], color=COLOURS[LIKELIHOOD], lw=2)
    _estimates(
        likelihood, scales, -estimates[:, LIKELIHOOD], errors[:, LIKELIHOOD], COLOURS[LIKELIHOOD]
    )
    likelihood.set_yscale("log")
    _decades(likelihood.yaxis)
    likelihood.set_ylabel("nats")
    likelihood.set_title("- log-likelihood of the reference", fontsize="medium")
    wrong.tick_params(labelbottom=False)
    for ax in (accuracy, wrong, likelihood):
        ax.set_xscale("log")
        _decades(ax.xaxis)
        ax.set_xlim(n_params[0], n_params[-1])
        ax.axvline(scales[0], color="0.3", lw=0.8, ls="-.", zorder=0)
        ax.grid(alpha=0.3, which="major")
    accuracy.set_xlabel("parameters N")
    likelihood.set_xlabel("parameters N")

    _convergence(fig.add_subplot(layout[:, 2]), model, frames, score)
    fig.suptitle(
        f"Skill composition: {world.n_steps}-step tasks on {model.n_skills} skills (Zipf "
        f"{model.zipf:g}, mean difficulty {model.difficulty:g}), trained on D = "
        f"{model.tokens_per_param:g} N tokens\nlines: closed forms; points: Monte Carlo, "
        f"{tally.attempts} attempts per language model (star: this run's)",
        fontsize="medium",
    )


def _decades(axis) -> None:
    """At most five labelled decades on a log axis and no minor ticks (cheap to lay out)."""
    axis.set_major_locator(LogLocator(numticks=5))
    axis.set_minor_locator(NullLocator())


def _estimates(ax, scales, values, errors, colour) -> None:
    """The family's estimates as dots with standard errors; the run's own model as a star."""
    for models, mark in (
        (slice(1, None), dict(fmt="o", ms=4.5, mec="white", capsize=0, zorder=3)),  # the family
        (slice(None, 1), dict(fmt="*", ms=12, mec="black", zorder=4)),  # the run's own model
    ):
        ax.errorbar(
            scales[models],
            values[models],
            yerr=errors[models],
            color=colour,
            mew=0.6,
            elinewidth=1,
            **mark,
        )


def _mark_crossing(ax, n_params, curves, score: str) -> None:
    """Where exact match first reaches 1/2, and the partial credit already reached there."""
    above = np.flatnonzero(curves["exact_match"] >= 0.5)
    if not above.size or above[0] == 0:
        return
    i = above[0]
    ax.annotate(
        f"{score} 50% at N = {n_params[i]:.1e}\npartial credit there "
        f"{curves['partial_credit'][i]:.2f}",
        xy=(n_params[i], 0.5),
        xytext=(0.97, 0.08),
        textcoords="axes fraction",
        ha="right",
        fontsize="small",
        arrowprops=dict(arrowstyle="->", color="0.3", lw=0.8),
    )


def _convergence(ax, model: SkillsModel, frames: Sequence[Tally], score: str) -> None:
    """The run's own estimates of exact match and partial credit, +- 2 standard errors."""
    shown = [frame for frame in frames if frame.attempts > 0]
    attempts = np.array([frame.attempts for frame in shown])
    estimates = [frame.estimates() for frame in shown]
    means = np.array([mean[0] for mean, _ in estimates])  # (frames, metrics): the run's own
    errors = np.array([error[0] for _, error in estimates])
    for column, name in ((EXACT, score), (PARTIAL, "partial credit")):
        ax.axhline(model.expected[0, column], color=COLOURS[column], lw=1, ls="--")
        if not shown:
            continue
        mean, error = means[:, column], errors[:, column]
        ax.fill_between(
            attempts, mean - 2 * error, mean + 2 * error, color=COLOURS[column], alpha=0.2, lw=0
        )
        ax.plot(attempts, mean, color=COLOURS[column], lw=1.5, label=f"{name} (± 2 s.e.)")
    ax.set_xscale("log")
    _decades(ax.xaxis)
    if shown:
        ax.set_xlim(attempts[0], max(attempts[-1], 10 * attempts[0]))
        ax.legend(fontsize="small", loc="center right")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("attempts")
    ax.set_title(f"estimates at N = {10.0**model.log10_params:.1e} (star)", fontsize="medium")
    ax.grid(alpha=0.3)
