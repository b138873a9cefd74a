"""The LLM claims of the project's seed, one figure each, drawn from the skills model.

Every curve is a closed form of ``SkillWorld.metrics`` (``theory``: Chinchilla loss, skills right
with probability exp(-d (L - E)), prompting styles, distractor); figure 1 adds Monte Carlo
estimates from ``SkillsModel`` runs. Since every score is a function of the reducible loss
L(N, D) - E alone, an ability that appears at some loss appears at that loss whatever mix of
parameters and data buys it: figures 4 and 5 rest on this.

A score has *emerged* once it is ``EMERGED`` above its value in the smallest model (10^3
parameters); a prompting style *helps* once it adds ``HELPS`` to the direct score. Published
numbers (Wei et al. 2022, Hoffmann et al. 2022, Touvron et al. 2023) come from REFERENCE.md;
they are placed beside the model for comparison, never fitted.

Each figure has a function that computes its numbers (a NamedTuple whose ``headline`` is the
line printed for it) and one that draws them, so the claims are checked without drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
from matplotlib.figure import Figure
from scipy.optimize import brentq
from scipy.stats import spearmanr

from emergesim.models.skills import theory
from emergesim.models.skills.card import SCALE_RANGE
from emergesim.models.skills.model import SkillsModel
from emergesim.models.skills.world import SkillWorld
from emergesim.plotting import StudyFigure, figure_folder, save_figures
from emergesim.study import Study

DEFAULTS = SkillsModel.params.defaults()
EMERGED = 0.1  # rise above the smallest model's score that counts as emergence
HELPS = 0.02  # gain over direct prompting that counts as help
DEPTHS = (1, 2, 4, 8, 16)  # composed steps of the tasks of figure 2
DIFFICULTIES = (0.5, 2.0, 5.0)  # mean skill difficulties of figure 4 (0.5: the model's default)
LARGEST = 40.0  # log10 N where smallest_model gives up: the data term alone is too large
GOPHER_COMPUTE = 5.76e23  # FLOPs of Gopher and of Chinchilla (Hoffmann et al. 2022)
TOKENS_PER_PARAM = (20.0, 100.0, 1000.0)  # the recipes of the 10B-50B question
SMALL_MODELS = (1e10, 5e10)  # the seed's "10B-50B" range


class Size(NamedTuple):
    """Resolution of the figures: grid of log10 N, Monte Carlo family and attempts, dpi."""

    step: float
    family: int
    steps: int
    tasks: int
    dpi: int


FULL = Size(step=0.01, family=12, steps=20, tasks=100, dpi=150)
QUICK = Size(step=0.05, family=4, steps=2, tasks=50, dpi=60)


class Recipe(NamedTuple):
    """How a family is trained: D = ``per_param`` N tokens, or the same ``tokens`` at any size."""

    label: str
    per_param: float = math.inf
    tokens: float | None = None

    def data(self, n_params):
        n_params = np.asarray(n_params, dtype=float)
        return (
            self.per_param * n_params
            if self.tokens is None
            else np.full_like(n_params, self.tokens)
        )


CHINCHILLA_RECIPE = Recipe("D = 20 N (Chinchilla-optimal)", per_param=20.0)
GPT3_RECIPE = Recipe("D = 300B tokens at every size (GPT-3, Gopher)", tokens=300e9)


class Trained(NamedTuple):
    """A published language model and its MMLU 5-shot score (REFERENCE.md)."""

    name: str
    n_params: float
    n_tokens: float
    mmlu: float


TRAINED = (
    Trained("GPT-3 175B", 175e9, 300e9, 43.9),
    Trained("Gopher 280B", 280e9, 300e9, 60.0),
    Trained("Chinchilla 70B", 70e9, 1.4e12, 67.6),
    Trained("LLaMA 7B", 7e9, 1.0e12, 35.1),
    Trained("LLaMA 13B", 13e9, 1.0e12, 46.9),
    Trained("LLaMA 33B", 33e9, 1.4e12, 57.8),
    Trained("LLaMA 65B", 65e9, 1.4e12, 63.4),
)

# Tokens each family trained on: GPT-3 (Brown et al. 2020), Gopher and Chinchilla (REFERENCE.md),
# PaLM (Chowdhery et al. 2022); 6 N D reproduces Wei et al.'s FLOPs within 20%.
FAMILY_TOKENS = {"GPT-3": 300e9, "Gopher": 300e9, "Chinchilla": 1.4e12, "PaLM": 780e9}
FAMILY_COLOURS = {
    "GPT-3": "#c0392b",
    "Gopher": "#7d3c98",
    "Chinchilla": "#1e8449",
    "PaLM": "#2471a3",
}


class Emergence(NamedTuple):
    """A task's few-shot emergence scale in Wei et al. (2022) Table 1, and the composed steps we
    assign it (an assumption, stated on figure 4: a range when one number would be a guess)."""

    task: str
    n_params: float
    flops: float
    family: str
    steps: tuple[float, float]
    why: str

    @property
    def reducible_loss(self) -> float:
        """L(N, D) - E of the model in which the task emerged."""
        return float(theory.reducible_loss(self.n_params, FAMILY_TOKENS[self.family]))

    @property
    def arithmetic(self) -> bool:
        return "digit" in self.task


WEI_2022 = (
    Emergence("3-digit add/subtract", 13e9, 2.3e22, "GPT-3", (3, 3), "one step per digit"),
    Emergence("4-5-digit add/subtract", 175e9, 3.1e23, "GPT-3", (4, 5), "one step per digit"),
    Emergence("MMLU", 175e9, 3.1e23, "GPT-3", (2, 2), "recall a fact, apply it"),
    Emergence(
        "TruthfulQA", 280e9, 5.0e23, "Gopher", (2, 2), "recall the fact, resist the popular answer"
    ),
    Emergence("MMLU (30 topics)", 70e9, 5.0e23, "Chinchilla", (2, 2), "as MMLU"),
    Emergence(
        "Word in Context", 540e9, 2.5e24, "PaLM", (3, 3), "a word's sense in two contexts, compare"
    ),
)


# --- numbers -------------------------------------------------------------------------------------


def world(**params: Any) -> SkillWorld:
    """The skills model's default world with some parameters changed."""
    return SkillWorld.from_params({**DEFAULTS, **params})


def scales(size: Size = FULL) -> np.ndarray:
    """log10 N over the model's whole range, ``size.step`` apart."""
    low, high = SCALE_RANGE
    return np.linspace(low, high, round((high - low) / size.step) + 1)


def crossing(log10_n: np.ndarray, values: np.ndarray, level: float) -> float:
    """log10 N where ``values`` first reach ``level`` (linear between grid points); nan if never."""
    above = np.flatnonzero(np.asarray(values) >= level)
    if not above.size:
        return math.nan
    i = above[0]
    if i == 0:
        return float(log10_n[0])
    return float(np.interp(level, values[i - 1 : i + 1], log10_n[i - 1 : i + 1]))


def emergence_scale(log10_n: np.ndarray, score: np.ndarray) -> float:
    """log10 N where ``score`` first rises ``EMERGED`` above the smallest model's."""
    return crossing(log10_n, score, score[0] + EMERGED)


def smallest_model(reducible: float, recipe: Recipe) -> float:
    """log10 of the smallest N whose L(N, D) - E reaches ``reducible`` when trained by
    ``recipe``; inf if the recipe's data term alone stays above it."""

    def excess(log10_n: float) -> float:
        n = 10.0**log10_n
        return math.log(float(theory.reducible_loss(n, recipe.data(n))) / reducible)

    if excess(LARGEST) >= 0:
        return math.inf
    return brentq(excess, 0.0, LARGEST, xtol=1e-10)


def exact_match_at(skills: SkillWorld, reducible, prompting: str = "few_shot") -> np.ndarray:
    """Exact match of an open-answer task for models of these reducible losses, whatever
    parameters and data bought them (``SkillWorld.metrics`` takes log10 N at a fixed D/N)."""
    log_p = skills.step_log_probabilities(reducible, prompting)
    return theory.walk_metrics(log_p, skills.neighbors, skills.n_steps)["exact_match"]


def _billions(x: float) -> str:
    """10^x parameters in words: 2.4T, 1.2B, 350M."""
    n = 10.0**x
    for unit, scale in (("T", 1e12), ("B", 1e9)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n / 1e6:.3g}M"


def enabling_skill(log10_n: np.ndarray, skill: tuple[int, float]) -> np.ndarray:
    """The skill a prompting style waits for (``theory.ICL_SKILL``, ``theory.FORMAT_SKILL``) in
    the default world, from 0 to 1."""
    return theory.composed_skill(world().reducible_loss(log10_n), *skill)


class Claim(Protocol):
    """The numbers of one figure; ``headline`` is the line printed for it."""

    @property
    def headline(self) -> str: ...


# --- figure 1: task classes ----------------------------------------------------------------------

TASK_CLASSES = {  # label -> the world's parameters, prompting, colour
    "knowledge (1 fact, direct)": (dict(task="knowledge"), "direct", "#2471a3"),
    "multistep (8 steps, direct)": (dict(task="multistep"), "direct", "#c0392b"),
    "distractor (direct)": (dict(task="distractor"), "direct", "#7d3c98"),
    "distractor (chain of thought)": (dict(task="distractor"), "cot", "#1e8449"),
}


class Estimates(NamedTuple):
    """Monte Carlo exact match of a family of language models, +- 2 standard errors."""

    log10_n: np.ndarray
    mean: np.ndarray
    two_se: np.ndarray


class TaskClasses(NamedTuple):
    """Exact match of each of ``TASK_CLASSES`` against log10 N: closed forms, their slopes, and
    Monte Carlo estimates of ``attempts`` attempts per language model."""

    log10_n: np.ndarray
    curves: dict[str, np.ndarray]
    slopes: dict[str, np.ndarray]  # rise per decade of N
    estimates: dict[str, Estimates]
    attempts: int
    rise_10_90_decades: dict[str, float]
    reaches_1_percent_at: dict[str, float]  # N
    distractor_minimum: float
    distractor_minimum_at_log10_n: float
    cot_monotone: bool
    max_rise_per_decade: dict[str, float]

    @property
    def headline(self) -> str:
        knowledge, multistep, *_ = TASK_CLASSES
        rises = self.rise_10_90_decades
        return (
            f"knowledge rises 10->90% over {rises[knowledge]:.1f} decades of N from "
            f"{self.curves[knowledge][0]:.3f} at 1e3; multistep stays below 1% up to "
            f"{_billions(np.log10(self.reaches_1_percent_at[multistep]))} then rises over "
            f"{rises[multistep]:.1f}; distractor falls to {self.distractor_minimum:.2f} (chance "
            f"0.25) at {_billions(self.distractor_minimum_at_log10_n)}; under CoT it only rises"
        )


def task_classes(size: Size = FULL) -> TaskClasses:
    """Figure 1: knowledge smooth, multistep emergent, distractor U-shaped, and the distractor
    task under chain of thought a plain scaling curve."""
    x = scales(size)
    curves, estimates = {}, {}
    for run_seed, (label, (params, prompting, _)) in enumerate(TASK_CLASSES.items()):
        curves[label] = world(**params).metrics(x, prompting)["exact_match"]
        model = SkillsModel(
            seed=run_seed, prompting=prompting, family=size.family, tasks=size.tasks, **params
        )
        for _ in range(size.steps):
            model.step()
        mean, error = model.frame().estimates()
        estimates[label] = Estimates(model.log10_n, mean[:, 0], 2 * error[:, 0])
    slopes = {label: np.gradient(curve, x) for label, curve in curves.items()}
    _, _, direct, cot = curves.values()
    bottom = int(np.argmin(direct))
    return TaskClasses(
        log10_n=x,
        curves=curves,
        slopes=slopes,
        estimates=estimates,
        attempts=size.steps * size.tasks,
        rise_10_90_decades={
            label: crossing(x, curve, 0.9) - crossing(x, curve, 0.1)
            for label, curve in curves.items()
        },
        reaches_1_percent_at={
            label: float(10.0 ** crossing(x, curve, 0.01)) for label, curve in curves.items()
        },
        distractor_minimum=float(direct[bottom]),
        distractor_minimum_at_log10_n=float(x[bottom]),
        cot_monotone=bool(np.all(np.diff(cot) >= 0)),
        max_rise_per_decade={label: float(slope.max()) for label, slope in slopes.items()},
    )


def draw_task_classes(fig: Figure, data: TaskClasses) -> None:
    x = data.log10_n
    layout = fig.add_gridspec(1, 2, width_ratios=[1.7, 1])
    score, slope = fig.add_subplot(layout[0]), fig.add_subplot(layout[1])
    for label, (_, _, colour) in TASK_CLASSES.items():
        score.plot(10.0**x, data.curves[label], color=colour, lw=2.2, label=label)
        slope.plot(10.0**x, data.slopes[label], color=colour, lw=1.8)
        points = data.estimates[label]
        score.errorbar(
            10.0**points.log10_n,
            points.mean,
            yerr=points.two_se,
            fmt="o",
            ms=4,
            color=colour,
            mec="white",
            mew=0.6,
            elinewidth=1.2,
            capsize=2,
        )
    lowest, at = data.distractor_minimum, data.distractor_minimum_at_log10_n
    score.axhline(0.25, color="0.4", lw=1, ls="--", label="chance (4 options)")
    arrow = dict(arrowstyle="->", lw=0.8, color="0.3")
    score.annotate(
        f"below chance: {lowest:.2f}\nat N = {_billions(at)}",
        xy=(10.0**at, lowest),
        xytext=(10.0**11.6, 0.04),
        fontsize="small",
        arrowprops=arrow,
    )
    score.set_ylim(-0.03, 1.03)
    score.set_ylabel("accuracy (exact match)")
    score.set_title("three task classes against scale", fontsize="medium")
    score.legend(fontsize="small", loc="upper left", framealpha=0.9)
    slope.axhline(0, color="0.4", lw=0.8)
    slope.set_ylabel("rise per decade of N")
    slope.set_title("how fast each rises (d accuracy / d log10 N)", fontsize="medium")
    _scale_axes(score, slope)
    fig.suptitle(
        "Seed claim 1: knowledge scales smoothly, multi-step tasks emerge, distractor tasks are "
        "U-shaped and chain of thought turns them into scaling\nlines: closed forms; points: "
        f"Monte Carlo, {data.attempts} attempts per model (± 2 s.e.); 1000 skills, "
        "Zipf difficulties (mean 0.5)",
        fontsize="medium",
    )


# --- figure 2: in-context learning ---------------------------------------------------------------


class InContext(NamedTuple):
    """Few-shot and direct exact match of tasks of ``DEPTHS`` composed steps, and the
    in-context learning skill that the examples wait for."""

    log10_n: np.ndarray
    few_shot: dict[int, np.ndarray]
    direct: dict[int, np.ndarray]
    icl_skill: np.ndarray
    emergence_log10_n: dict[int, float]
    gain_from_log10_n: dict[int, float]

    @property
    def headline(self) -> str:
        return (
            "few-shot emergence (+10 points) at "
            + ", ".join(f"k={k}: {_billions(v)}" for k, v in self.emergence_log10_n.items())
            + "; examples add 2 points only from "
            + f"{_billions(min(self.gain_from_log10_n.values()))}"
        )


def in_context(size: Size = FULL) -> InContext:
    """Figure 2: few-shot accuracy of tasks of 1 to 16 composed steps, each emerging at its own
    scale, and the gain over direct prompting, which waits for in-context learning."""
    x = scales(size)
    few_shot, direct, emerged, helps = {}, {}, {}, {}
    for k in DEPTHS:
        skills = world(k_steps=k)
        few_shot[k] = skills.metrics(x, "few_shot")["exact_match"]
        direct[k] = skills.metrics(x, "direct")["exact_match"]
        emerged[k] = emergence_scale(x, few_shot[k])
        helps[k] = crossing(x, few_shot[k] - direct[k], HELPS)
    return InContext(x, few_shot, direct, enabling_skill(x, theory.ICL_SKILL), emerged, helps)


def draw_in_context(fig: Figure, data: InContext) -> None:
    x = data.log10_n
    few, gain = fig.subplots(1, 2)
    for k, colour in zip(DEPTHS, _shades(len(DEPTHS)), strict=True):
        prompted, direct = data.few_shot[k], data.direct[k]
        few.plot(10.0**x, prompted, color=colour, lw=2, label=f"{k} step{'s' * (k > 1)}")
        few.plot(10.0**x, direct, color=colour, lw=1, ls=":")
        few.plot(
            10.0 ** data.emergence_log10_n[k],
            prompted[0] + EMERGED,
            "o",
            color=colour,
            mec="black",
            ms=7,
            zorder=3,
        )
        gain.plot(10.0**x, 100 * (prompted - direct), color=colour, lw=2, label=f"{k} steps")
    _enabling_skill(gain, x, data.icl_skill, "in-context learning skill q_icl")
    gain.axhline(100 * HELPS, color="0.5", lw=0.8, ls="-.", label=f"{100 * HELPS:g} points")
    few.plot([], [], color="0.3", lw=1, ls=":", label="direct prompting")
    few.plot([], [], "o", color="0.7", mec="black", label=f"emerged (+{EMERGED:g})")
    few.set_ylabel("few-shot exact match")
    few.set_title("few-shot accuracy by composition depth", fontsize="medium")
    few.legend(fontsize="small", loc="upper left", ncols=2)
    gain.set_ylabel("few-shot minus direct (percentage points)")
    gain.set_title(
        "what the examples add: nothing until the model learns in context", fontsize="medium"
    )
    gain.legend(fontsize="small", loc="upper left", ncols=2)
    _scale_axes(few, gain, xlim=(1e5, 1e15))
    fig.suptitle(
        "Seed claim 2: in-context learning is emergent, and each task emerges at its own "
        "scale\nexamples remove half of every step's difficulty, as far as the model can learn "
        "in context (itself a 4-step skill)",
        fontsize="medium",
    )


# --- figure 3: chain of thought ------------------------------------------------------------------

COT_TASKS = {  # label -> the world's parameters, colour
    "math-like: 16 steps of mixed difficulty": (dict(k_steps=16), "#c0392b"),
    "symbolic: 32 identical steps": (dict(k_steps=32, zipf=0.0), "#2471a3"),
}


class ChainOfThought(NamedTuple):
    """Exact match of ``COT_TASKS`` under direct prompting and chain of thought, and the format
    skill that chain of thought waits for."""

    log10_n: np.ndarray
    direct: dict[str, np.ndarray]
    cot: dict[str, np.ndarray]
    format_skill: np.ndarray
    helps_from_log10_n: dict[str, float]
    largest_gain: dict[str, tuple[float, float]]  # gain, at log10 N

    @property
    def headline(self) -> str:
        return (
            "CoT adds 2 points from "
            + ", ".join(
                f"{label.split(':')[0]} {_billions(v)}"
                for label, v in self.helps_from_log10_n.items()
            )
            + "; at most "
            + ", ".join(
                f"{100 * g:.0f} points at {_billions(at)}" for g, at in self.largest_gain.values()
            )
        )


def chain_of_thought(size: Size = FULL) -> ChainOfThought:
    """Figure 3: chain of thought against direct prompting for a math-like and a symbolic task:
    no help in small models, a growing one past a scale."""
    x = scales(size)
    direct, cot, helps, best = {}, {}, {}, {}
    for label, (params, _) in COT_TASKS.items():
        skills = world(**params)
        direct[label] = skills.metrics(x, "direct")["exact_match"]
        cot[label] = skills.metrics(x, "cot")["exact_match"]
        gain = cot[label] - direct[label]
        helps[label] = crossing(x, gain, HELPS)
        best[label] = (float(np.max(gain)), float(x[np.argmax(gain)]))
    return ChainOfThought(x, direct, cot, enabling_skill(x, theory.FORMAT_SKILL), helps, best)


def draw_chain_of_thought(fig: Figure, data: ChainOfThought) -> None:
    x = data.log10_n
    score, gain = fig.subplots(1, 2)
    for label, (_, colour) in COT_TASKS.items():
        direct, cot = data.direct[label], data.cot[label]
        score.plot(10.0**x, cot, color=colour, lw=2.2, label=f"{label}, chain of thought")
        score.plot(10.0**x, direct, color=colour, lw=1.4, ls="--", label=f"{label}, direct")
        gain.plot(10.0**x, 100 * (cot - direct), color=colour, lw=2.2, label=label)
        gain.axvline(10.0 ** data.helps_from_log10_n[label], color=colour, lw=0.8, ls=":")
    _enabling_skill(gain, x, data.format_skill, "format skill q_format")
    gain.axhline(100 * HELPS, color="0.5", lw=0.8, ls="-.")
    wei = "CoT emerges in Wei et al. 2022:\nPaLM StrategyQA 62B, LaMDA math 68B"
    gain.axvspan(62e9, 68e9, color="0.6", alpha=0.5, lw=0, label=wei)
    score.set_ylabel("exact match")
    score.set_title("chain of thought (solid) against direct (dashed)", fontsize="medium")
    score.legend(fontsize="x-small", loc="upper left")
    gain.set_ylabel("chain of thought minus direct (percentage points)")
    gain.set_title(
        f"the gain: below {100 * HELPS:g} points (dash-dot) until a scale (dotted)",
        fontsize="medium",
    )
    gain.legend(fontsize="x-small", loc="upper left")
    _scale_axes(score, gain, xlim=(1e7, 1e15))
    fig.suptitle(
        "Seed claim 3: chain of thought helps only past a scale\nwriting the steps out removes "
        "half of each step's difficulty, as far as the model keeps the format (a 4-step skill "
        "of difficulty 2); grey: Wei et al. 2022",
        fontsize="medium",
    )


# --- figure 4: thresholds ------------------------------------------------------------------------

THRESHOLD_STEPS = tuple(range(1, 17))  # composed steps of figure 4
RECIPE_STYLES = {CHINCHILLA_RECIPE: "-", GPT3_RECIPE: "--"}  # the families of figure 4


class Thresholds(NamedTuple):
    """Where tasks of ``THRESHOLD_STEPS`` composed steps emerge, for each of ``DIFFICULTIES``:
    in reducible loss, and as the smallest N of each of ``RECIPE_STYLES`` (by label); and the
    reducible loss of Wei et al.'s emergence scales."""

    reducible_loss_at_emergence: dict[float, dict[int, float]]
    smallest_log10_n: dict[float, dict[str, list[float]]]
    wei_reducible_loss: dict[str, float]
    wei_between_difficulties: int

    @property
    def headline(self) -> str:
        default = self.reducible_loss_at_emergence[DEFAULTS["difficulty"]]
        real = self.wei_reducible_loss
        easier, harder = DIFFICULTIES[1:]
        return (
            f"default model emerges at L - E = {default[2]:.2f} (k=2) to {default[16]:.2f} "
            f"(k=16); Wei's tasks at {min(real.values()):.2f}-{max(real.values()):.2f}, "
            f"{self.wei_between_difficulties} of {len(real)} between the curves of mean skill "
            f"difficulty {easier:g} and {harder:g}"
        )


def thresholds(size: Size = FULL) -> Thresholds:
    """Figure 4: the scale at which a task emerges against its number of composed steps, with
    Wei et al.'s (2022) emergence scales beside it; in parameters, and in the reducible loss,
    the model's own currency, which does not depend on how the family was trained. The mean
    skill difficulty sets the level of the curves, the number of steps their rise; three
    difficulties are computed, none fitted."""
    x = scales(size)
    losses, smallest = {}, {}
    for d in DIFFICULTIES:
        losses[d] = {}
        for k in THRESHOLD_STEPS:
            skills = world(k_steps=k, difficulty=d)
            at = emergence_scale(x, skills.metrics(x, "few_shot")["exact_match"])
            losses[d][k] = float(skills.reducible_loss(at))
        smallest[d] = {
            recipe.label: [smallest_model(loss, recipe) for loss in losses[d].values()]
            for recipe in RECIPE_STYLES
        }
    real = {p.task: p.reducible_loss for p in WEI_2022}
    return Thresholds(losses, smallest, real, _between(real, losses))


def _between(real: dict[str, float], threshold: dict[float, dict[int, float]]) -> int:
    """How many Wei points lie between the two hardest model curves at their assigned steps."""
    easier, harder = (threshold[d] for d in DIFFICULTIES[1:])
    inside = 0
    for point in WEI_2022:
        low, high = (np.interp(point.steps, list(t), list(t.values())) for t in (harder, easier))
        inside += bool(low.min() <= real[point.task] <= high.max())
    return inside


def draw_thresholds(fig: Figure, data: Thresholds) -> None:
    in_params, in_loss = fig.subplots(1, 2)
    for d, colour in zip(DIFFICULTIES, _shades(len(DIFFICULTIES)), strict=True):
        for recipe, style in RECIPE_STYLES.items():
            sizes = [10.0**n for n in data.smallest_log10_n[d][recipe.label]]
            in_params.plot(THRESHOLD_STEPS, sizes, color=colour, ls=style, lw=1.6)
        in_loss.plot(
            THRESHOLD_STEPS,
            list(data.reducible_loss_at_emergence[d].values()),
            color=colour,
            lw=1.6,
            marker=".",
            label=f"skills model, mean skill difficulty {d:g}",
        )
    for point in WEI_2022:
        colour = FAMILY_COLOURS[point.family]
        low, high = point.steps
        style = dict(
            color=colour,
            mfc=colour if point.arithmetic else "white",
            ms=9,
            mew=1.6,
            marker="o" if point.arithmetic else "s",
            ls="none",
            capsize=3,
        )
        left = point.task in ("TruthfulQA", "MMLU (30 topics)")  # clear of their neighbours
        loss = data.wei_reducible_loss[point.task]
        for ax, y in ((in_params, point.n_params), (in_loss, loss)):
            ax.errorbar((low + high) / 2, y, xerr=(high - low) / 2, **style)
            ax.annotate(
                point.task,
                (low if left else high, y),
                xytext=(-8 if left else 8, 0),
                textcoords="offset points",
                fontsize="x-small",
                color=colour,
                ha="right" if left else "left",
                va="center",
            )
    for recipe, style in RECIPE_STYLES.items():
        in_params.plot([], [], color="0.3", lw=1.6, ls=style, label=recipe.label)
    for family, colour in FAMILY_COLOURS.items():
        in_params.plot([], [], "o", color=colour, label=f"Wei et al. 2022: {family}")
    in_params.set_yscale("log")
    in_params.set_ylim(1e5, 1e15)
    in_params.set_ylabel("parameters N at emergence")
    in_params.set_title(
        "emergence scale against composed steps (colours: difficulty, as right)", fontsize="medium"
    )
    in_params.legend(fontsize="x-small", loc="lower right", ncols=2)
    in_loss.set_yscale("log")
    in_loss.invert_yaxis()
    in_loss.set_ylabel("reducible loss L(N, D) - E at emergence (nats/token)")
    in_loss.set_title(
        "the same in loss, whatever the training recipe (down: larger models)", fontsize="medium"
    )
    in_loss.legend(fontsize="x-small", loc="upper right")
    assumptions = "\n".join(
        f"{p.task}: {p.steps[0]:g}{f'-{p.steps[1]:g}' * (p.steps[1] > p.steps[0])} ({p.why})"
        for p in WEI_2022
    )
    in_loss.text(
        0.98,
        0.03,
        "steps assigned to real tasks (our assumption, not a fit;\n"
        "filled: arithmetic, open: a guess):\n" + assumptions,
        transform=in_loss.transAxes,
        ha="right",
        va="bottom",
        fontsize="x-small",
        bbox=dict(fc="white", ec="0.7", alpha=0.9),
    )
    for ax in (in_params, in_loss):
        ax.set_xlabel("composed steps k")
        ax.set_xticks([1, 2, 4, 6, 8, 10, 12, 14, 16])
        ax.grid(alpha=0.3)
    fig.suptitle(
        "Seed claim 4: thresholds are task specific, later for longer chains and harder steps\n"
        f"model: few-shot exact match {EMERGED:g} above the smallest model's; points: Wei et al."
        " 2022 Table 1 (few-shot), placed beside the model, not fitted",
        fontsize="medium",
    )


# --- figure 5: data against parameters -----------------------------------------------------------

EQUAL_COMPUTE_STEPS = (4, 8, 16)  # composed steps of the tasks at equal compute
EQUAL_COMPUTE_MODELS = {"Chinchilla 70B": 70e9, "Gopher 280B": 280e9}  # at GOPHER_COMPUTE
RATIOS = np.logspace(0, 5, 201)  # tokens per parameter D/N of the 10B-50B question


class DataVsParameters(NamedTuple):
    """Few-shot exact match along N at Gopher's compute, the model's scores of ``TRAINED`` (8-step
    few-shot exact match) against their MMLU, and the smallest N that reaches each Wei ability
    at each of ``RATIOS`` tokens per parameter, ``TOKENS_PER_PARAM`` and unlimited data."""

    n_params: np.ndarray  # at equal compute: D = GOPHER_COMPUTE / 6N
    equal_compute: dict[int, np.ndarray]  # by composed steps
    named_loss: dict[str, float]  # L of EQUAL_COMPUTE_MODELS
    optimal_n: float  # the lowest loss at equal compute
    model_scores: dict[str, float]
    rank_correlation_with_mmlu: float
    wei_reducible_loss: dict[str, float]
    needed_log10_n: dict[str, np.ndarray]  # by task, along RATIOS
    smallest_log10_n: dict[str, dict[str, float]]  # by task: D/N (or "unlimited") -> log10 N

    @property
    def loss_chinchilla(self) -> float:
        return self.named_loss["Chinchilla 70B"]

    @property
    def loss_gopher(self) -> float:
        return self.named_loss["Gopher 280B"]

    @property
    def optimal_log10_n_at_equal_compute(self) -> float:
        return float(np.log10(self.optimal_n))

    @property
    def reached_by(self) -> dict[str, float]:
        """log10 N from which every Wei ability is reached, at D/N 100, 1000 and unlimited."""
        answer = self.smallest_log10_n.values()
        return {key: max(v[key] for v in answer) for key in ("100", "1000", "unlimited")}

    @property
    def small_models_keep_abilities(self) -> bool:
        return self.reached_by["1000"] <= math.log10(SMALL_MODELS[1])

    @property
    def headline(self) -> str:
        reached = self.reached_by
        return (
            f"equal compute: Chinchilla-like L = {self.loss_chinchilla:.3f} < Gopher-like "
            f"{self.loss_gopher:.3f}, lowest at {_billions(self.optimal_log10_n_at_equal_compute)}"
            f"; model vs real MMLU rank correlation {self.rank_correlation_with_mmlu:.2f}; "
            f"10B-50B question: {'yes' if self.small_models_keep_abilities else 'no'}, every Wei "
            f"ability is reached by {_billions(reached['100'])} at D/N = 100, "
            f"{_billions(reached['1000'])} at D/N = 1000 and, with unlimited data, "
            f"{_billions(reached['unlimited'])}"
        )


def data_vs_parameters(size: Size = FULL) -> DataVsParameters:
    """Figure 5: Gopher-like against Chinchilla-like at equal compute, a LLaMA-like family, and
    the seed's question: do 10B-50B models keep the emergent abilities given enough tokens?"""
    n = np.logspace(9.5, 12.5, round(3 / size.step) + 1)
    reducible = theory.reducible_loss(n, GOPHER_COMPUTE / (6 * n))
    equal = {k: exact_match_at(world(k_steps=k), reducible) for k in EQUAL_COMPUTE_STEPS}
    named = {
        name: float(theory.loss(n_params, GOPHER_COMPUTE / (6 * n_params)))
        for name, n_params in EQUAL_COMPUTE_MODELS.items()
    }
    trained = theory.reducible_loss([m.n_params for m in TRAINED], [m.n_tokens for m in TRAINED])
    scores = exact_match_at(world(), trained).tolist()
    rank = float(spearmanr(scores, [m.mmlu for m in TRAINED]).statistic)
    real = {p.task: p.reducible_loss for p in WEI_2022}
    needed = {
        task: np.array([smallest_model(loss, Recipe("", per_param=r)) for r in RATIOS])
        for task, loss in real.items()
    }
    answer = {
        task: {
            **{f"{r:g}": smallest_model(loss, Recipe("", per_param=r)) for r in TOKENS_PER_PARAM},
            "unlimited": smallest_model(loss, Recipe("unlimited data")),
        }
        for task, loss in real.items()
    }
    return DataVsParameters(
        n_params=n,
        equal_compute=equal,
        named_loss=named,
        optimal_n=float(n[np.argmin(reducible)]),
        model_scores=dict(zip((m.name for m in TRAINED), scores, strict=True)),
        rank_correlation_with_mmlu=rank,
        wei_reducible_loss=real,
        needed_log10_n=needed,
        smallest_log10_n=answer,
    )


def draw_data_vs_parameters(fig: Figure, data: DataVsParameters) -> None:
    equal, family, question = fig.subplots(1, 3, width_ratios=[1, 1, 1.25])

    for (k, score), colour in zip(
        data.equal_compute.items(), _shades(len(EQUAL_COMPUTE_STEPS)), strict=True
    ):
        equal.plot(data.n_params, score, color=colour, lw=2, label=f"{k}-step task, few-shot")
    for name, n_params in EQUAL_COMPUTE_MODELS.items():
        equal.axvline(n_params, color="0.3", lw=1, ls="--")
        equal.text(
            n_params,
            0.97,
            f" {name}\n L = {data.named_loss[name]:.3f}",
            va="top",
            fontsize="x-small",
        )
    equal.axvline(data.optimal_n, color="#1e8449", lw=4, alpha=0.3, label="lowest loss")
    equal.set_xscale("log")
    equal.set_xlabel(f"parameters N (D = C / 6N, C = {GOPHER_COMPUTE:.3g} FLOPs)")
    equal.set_ylabel("exact match")
    equal.set_ylim(0, 1)
    equal.set_title("equal compute: fewer parameters, more data wins", fontsize="medium")
    equal.legend(fontsize="x-small", loc="lower left")

    scores = data.model_scores
    for model in TRAINED:
        colour = "#d35400" if model.name.startswith("LLaMA") else "0.15"
        score = scores[model.name]
        family.plot(score, model.mmlu, "o", color=colour, ms=8, mec="white")
        family.annotate(
            f"{model.name} ({model.n_tokens / 1e12:.2g}T tokens)",
            (score, model.mmlu),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize="x-small",
            color=colour,
        )
    family.set_xlim(min(scores.values()) - 0.02, max(scores.values()) + 0.09)
    family.set_xlabel("model: 8-step few-shot exact match at the model's N and D")
    family.set_ylabel("real: MMLU 5-shot accuracy (%)")
    family.set_title(
        "LLaMA-like (orange): small models on more data\nthe model's order of the real MMLU "
        f"scores: rank correlation {data.rank_correlation_with_mmlu:.2f}",
        fontsize="medium",
    )

    drawn = set()
    for point in WEI_2022:
        if point.task == "MMLU":
            continue  # emerged in the same model as 4-5-digit arithmetic: the same curve
        colour = FAMILY_COLOURS[point.family]
        loss = data.wei_reducible_loss[point.task]
        name = point.task + " and MMLU" * point.task.startswith("4-5")
        label = f"{name} ({point.family} {point.n_params / 1e9:.0f}B: L - E = {loss:.3f})"
        style = "--" if point.family in drawn else "-"  # a second task of the same family
        drawn.add(point.family)
        needed = 10.0 ** data.needed_log10_n[point.task]
        question.plot(RATIOS, needed, color=colour, lw=2, ls=style, label=label)
        floor = 10.0 ** data.smallest_log10_n[point.task]["unlimited"]
        question.axhline(floor, color=colour, lw=1, ls=":")
    question.axhspan(*SMALL_MODELS, color="#f5b041", alpha=0.3, label="10B-50B")
    for r in TOKENS_PER_PARAM:
        question.axvline(r, color="0.5", lw=0.8, ls="--")
        question.text(r, 2e12, f" D/N = {r:g}", fontsize="x-small", rotation=90, va="top")
    question.plot([], [], color="0.3", lw=1, ls=":", label=r"unlimited data (floor $A/N^\alpha$)")
    question.set_xscale("log")
    question.set_yscale("log")
    question.set_ylim(1e8, 3e12)
    question.set_xlabel("training tokens per parameter D/N")
    question.set_ylabel("smallest N that reaches the ability")
    question.set_title(
        "do 10B-50B models keep the abilities\nif trained on enough tokens?", fontsize="medium"
    )
    question.legend(fontsize="xx-small", loc="lower left")
    for ax in (equal, family, question):
        ax.grid(alpha=0.3)
    fig.suptitle(
        "Seed claim 5: data as well as parameters\nan ability is a level of the loss "
        "L(N, D) - E, so more tokens buy what more parameters buy, down to the parameter term "
        r"$A/N^\alpha$; each ability set at the loss of the model in which Wei et al. 2022 "
        "saw it emerge",
        fontsize="medium",
    )


# --- the study -----------------------------------------------------------------------------------

INCHES = (13.0, 5.5)  # a figure's size, but for the wider figure 5
FIGURES: dict[str, StudyFigure] = {  # file name -> compute (from a Size), draw, size in inches
    "fig1-task-classes.png": (task_classes, draw_task_classes, INCHES),
    "fig2-in-context-learning.png": (in_context, draw_in_context, INCHES),
    "fig3-chain-of-thought.png": (chain_of_thought, draw_chain_of_thought, INCHES),
    "fig4-thresholds.png": (thresholds, draw_thresholds, INCHES),
    "fig5-data-vs-parameters.png": (data_vs_parameters, draw_data_vs_parameters, (17.0, 6.0)),
}


def claims(size: Size = FULL) -> dict[str, Claim]:
    """The numbers of every figure, by file name, without drawing one."""
    return {name: compute(size) for name, (compute, _, _) in FIGURES.items()}


def save(
    out: str | Path, *, quick: bool = False, report: Callable[[str], object] = print
) -> list[Path]:
    """Draw every figure into ``out`` (created if needed) and return the paths; ``report``
    receives one line per figure: its file name and headline numbers."""
    out = figure_folder(out)
    size = QUICK if quick else FULL
    return save_figures(out, FIGURES, size, dpi=size.dpi, report=report)


STUDY = Study("llm-claims", "the seed's claims about LLM emergence, one figure each", save)


def _enabling_skill(ax, x: np.ndarray, skill: np.ndarray, label: str) -> None:
    """The skill a prompting style waits for, on a right-hand axis from 0 to 1."""
    right = ax.twinx()
    right.plot(10.0**x, skill, color="0.3", lw=1.5, ls="--")
    right.set_ylim(0, 1.02)
    right.set_ylabel(f"{label} (dashed)")
    ax.plot([], [], color="0.3", lw=1.5, ls="--", label=f"{label} (right axis)")


def _shades(n: int) -> list:
    """n colours from light to dark, for an ordered series such as composition depth."""
    from matplotlib import colormaps

    return [colormaps["viridis"](v) for v in np.linspace(0.85, 0.1, n)]


def _scale_axes(*axes, xlim: tuple[float, float] | None = None) -> None:
    """Parameters N on a log axis, for a family trained at Chinchilla's 20 tokens a parameter."""
    for ax in axes:
        ax.set_xscale("log")
        if xlim:
            ax.set_xlim(*xlim)
        ax.set_xlabel("parameters N (trained on D = 20 N tokens)")
        ax.grid(alpha=0.3)
