"""The LLM claims of the project's seed, one figure each, drawn from the skills model.

The curves are closed forms of the skills model (``theory``: Chinchilla loss, skills right with
probability exp(-d (L - E)), prompting styles, distractor) and of its calibration to 69 real models
(``calibration``: prod_s exp(-c_s d_s (L - E)^k), k fitted near 6). Where the real arithmetic
scores say something, figures 1, 4 and 5 use the calibrated form: its sharpness k and sub-skill
difficulties (``calibration()``). Where they do not (a knowledge task, a distractor, prompting
styles), the theory's k = 1 is kept and the figure and printed line say so ("k = 1 assumed, no
data"). Figure 1 adds Monte Carlo estimates from ``SkillsModel`` runs. Since every score is a
function of the reducible loss L(N, D) - E alone, an ability that appears at some loss appears at
that loss whatever mix of parameters and data buys it: figures 4 and 5 rest on this.

Few-shot and chain-of-thought prompting help only once the model masters a gate skill whose
size is a hand-set constant (``theory.ICL_SKILL``, ``theory.FORMAT_SKILL``); figure 6 shows how
the onset scales and gains move with those constants, and sets the chain-of-thought gain beside
Wei et al.'s (2022) published GSM8K gains.

A score has *emerged* once it is ``EMERGED`` above its value in the smallest model (10^3
parameters); a prompting style *helps* once it adds ``HELPS`` to the direct score. Published
numbers (Wei et al. 2022, "Emergent abilities of large language models", Table 1, and "Chain-of-
thought prompting elicits reasoning in large language models", GSM8K; Hoffmann et al. 2022;
Touvron et al. 2023) are placed beside the model for comparison, never fitted.

Each figure has a function that computes its numbers (a NamedTuple whose ``headline`` is what is
printed for it) and one that draws them, so the claims are checked without drawing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter
from scipy.optimize import brentq
from scipy.stats import spearmanr

from emergesim.models.skills import theory
from emergesim.models.skills.calibration import Calibration, calibrate
from emergesim.models.skills.card import SCALE_RANGE
from emergesim.models.skills.model import SkillsModel
from emergesim.models.skills.realdata import load_scores
from emergesim.models.skills.world import SkillWorld
from emergesim.plotting import StudyFigure, figure_folder, save_figures
from emergesim.study import Study

DEFAULTS = SkillsModel.params.defaults()
EMERGED = 0.1  # rise above the smallest model's score that counts as emergence
HELPS = 0.02  # gain over direct prompting that counts as help
DEPTHS = (1, 2, 4, 8, 16)  # composed steps of the tasks of figure 2
LARGEST = 40.0  # log10 N where smallest_model gives up: the data term alone is too large
GOPHER_COMPUTE = 5.76e23  # FLOPs of Gopher and of Chinchilla (Hoffmann et al. 2022)
TOKENS_PER_PARAM = (20.0, 100.0, 1000.0)  # the recipes of the 10B-50B question
SMALL_MODELS = (1e10, 5e10)  # the seed's "10B-50B" range


class Size(NamedTuple):
    """Resolution of the figures: grid of log10 N, Monte Carlo family and attempts, gate
    constants tried in figure 6, dpi."""

    step: float
    family: int
    steps: int
    tasks: int
    gates: int
    dpi: int


FULL = Size(step=0.01, family=12, steps=20, tasks=100, gates=13, dpi=150)
QUICK = Size(step=0.05, family=4, steps=2, tasks=50, gates=7, dpi=60)


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
    """A published language model and its MMLU 5-shot score: GPT-3 175B (Hendrycks et al.
    2021), Gopher 280B (Rae et al. 2021), Chinchilla 70B (Hoffmann et al. 2022), LLaMA (Touvron
    et al. 2023)."""

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

# Tokens each family trained on: GPT-3 (Brown et al. 2020), Gopher (Rae et al. 2021), Chinchilla
# (Hoffmann et al. 2022), PaLM (Chowdhery et al. 2022); 6 N D reproduces Wei et al.'s FLOPs
# within 20%.
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
    Emergence(
        "3-digit add/subtract", 13e9, 2.3e22, "GPT-3", (4, 4), "3 digit-ops and a carry, as fitted"
    ),
    Emergence(
        "4-5-digit add/subtract", 175e9, 3.1e23, "GPT-3", (5, 6), "a digit-op per digit, a carry"
    ),
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


@lru_cache(maxsize=1)
def calibration() -> Calibration:
    """``calibrate(load_scores())``: the sharpness k and sub-skill difficulties fitted to the
    2-shot arithmetic of 69 real models (``calibration.py``); computed once."""
    return calibrate(load_scores())


def composite(fit: Calibration, *tasks: str) -> dict[str, int]:
    """The sub-skills (and how often each is used) of the fit's ``tasks`` done one after the
    other: ``composite(fit, "add_3d", "sub_3d")`` is a 3-digit sum, then a 3-digit difference."""
    return dict(sum((Counter(fit.decomposition[task]) for task in tasks), Counter()))


def total_difficulty(fit: Calibration, uses: Mapping[str, int]) -> float:
    """sum_s c_s d_s of a task using sub-skill s c_s times, in nats^-k."""
    return float(sum(count * fit.difficulties[skill] for skill, count in uses.items()))


def calibrated_accuracy(fit: Calibration, uses: Mapping[str, int], reducible) -> np.ndarray:
    """prod_s exp(-c_s d_s (L - E)^k) with the fit's k and d_s: ``Calibration.at_loss`` for a
    task the fit was not given."""
    reducible = np.asarray(reducible, dtype=float)
    return np.exp(-total_difficulty(fit, uses) * reducible**fit.sharpness)


def calibrated_emergence(total: float, sharpness: float) -> float:
    """L - E at which exp(-D (L - E)^k) first rises ``EMERGED`` above the smallest model's
    score (10^3 parameters on 20 tokens each)."""
    smallest = float(world().reducible_loss(SCALE_RANGE[0]))
    floor = math.exp(-total * smallest**sharpness)
    return (-math.log(floor + EMERGED) / total) ** (1 / sharpness)


def _gate(name: str) -> str:
    """A gate constant of ``theory`` as printed: FORMAT_SKILL = 4 x 2.0."""
    steps, difficulty = getattr(theory, name)
    return f"{name} = {steps} x {difficulty:g}"


class Claim(Protocol):
    """The numbers of one figure; ``headline`` is what is printed for it (one line, or a line
    and a table)."""

    @property
    def headline(self) -> str: ...


# --- figure 1: task classes ----------------------------------------------------------------------

# The multi-step task where data exist: the fit's 3-digit addition, then its 3-digit subtraction
# (8 sub-skill uses with the fit's default decomposition), and one digit-add alone, both in the
# calibrated form; the other classes have no real scores, so they keep the theory's k = 1.
MULTISTEP_TASKS = ("add_3d", "sub_3d")
ONE_STEP = {"add": 1}
NO_DATA = "k = 1 assumed, no data"
WORLD_CLASSES = {  # key -> the world's parameters, prompting, colour, label
    "knowledge": (dict(task="knowledge"), "direct", "#2471a3", f"knowledge: 1 fact ({NO_DATA})"),
    "distractor": (dict(task="distractor"), "direct", "#7d3c98", f"distractor, direct ({NO_DATA})"),
    "distractor, CoT": (
        dict(task="distractor"),
        "cot",
        "#1e8449",
        f"distractor, chain of thought ({NO_DATA})",
    ),
    "multistep, k = 1": (
        dict(task="multistep"),
        "direct",
        "#e6a19a",
        f"{DEFAULTS['k_steps']} steps, the theory's k = 1 (for comparison)",
    ),
}
CALIBRATED_COLOURS = {"multistep": "#c0392b", "one step": "#e67e22"}
MONTE_CARLO = ("knowledge", "distractor", "distractor, CoT")  # SkillsModel runs (k = 1)


class Estimates(NamedTuple):
    """Monte Carlo exact match of a family of language models, +- 2 standard errors."""

    log10_n: np.ndarray
    mean: np.ndarray
    two_se: np.ndarray


class TaskClasses(NamedTuple):
    """Exact match against log10 N (D = 20 N) of a knowledge task, a distractor task (direct and
    chain of thought) and, for reference, the default 8-step task, all with the theory's k = 1
    (keys of ``WORLD_CLASSES``); and of the calibrated 8-step arithmetic task ("multistep") and
    one digit-add ("one step"), with the fitted k. Slopes, rise widths, Monte Carlo estimates
    of ``attempts`` attempts per language model of the k = 1 classes of ``MONTE_CARLO``."""

    log10_n: np.ndarray
    curves: dict[str, np.ndarray]
    slopes: dict[str, np.ndarray]  # rise per decade of N
    estimates: dict[str, Estimates]
    attempts: int
    sharpness: float  # k of the calibrated curves
    multistep_uses: dict[str, int]  # sub-skill -> uses in the calibrated multi-step task
    rise_10_90_decades: dict[str, float]
    reaches_1_percent_at: dict[str, float]  # N
    half_log10_n: dict[str, float]  # where a curve crosses 1/2
    distractor_minimum: float
    distractor_minimum_at_log10_n: float
    cot_monotone: bool
    max_rise_per_decade: dict[str, float]

    @property
    def multistep_steps(self) -> int:
        return sum(self.multistep_uses.values())

    @property
    def shift_decades(self) -> float:
        """How much later the calibrated multi-step task crosses 1/2 than one digit-add."""
        return self.half_log10_n["multistep"] - self.half_log10_n["one step"]

    @property
    def sharpening(self) -> float:
        """Peak slope of the calibrated multi-step task over one digit-add's."""
        steepest = self.max_rise_per_decade
        return steepest["multistep"] / steepest["one step"]

    @property
    def headline(self) -> str:
        rises, steepest = self.rise_10_90_decades, self.max_rise_per_decade
        steps = self.multistep_steps

        def rise(key: str, digits: int = 2) -> str:
            return f"{rises[key]:.{digits}f} decades, at most {steepest[key]:.2f} a decade"

        return (
            f"knowledge ({NO_DATA}) rises 10->90% over {rise('knowledge', 1)}; "
            f"{steps}-step arithmetic (3-digit sum then difference, k = {self.sharpness:.2f} and "
            "sub-skills calibrated on 69 real models) stays below 1% up to "
            f"{_billions(np.log10(self.reaches_1_percent_at['multistep']))}, then rises over "
            f"{rise('multistep')}; one digit-add (calibrated) over {rise('one step')}: the "
            f"{steps} steps shift the rise by {self.shift_decades:.2f} decades and sharpen it "
            f"{self.sharpening:.2f}x, the sharpness is k's (with k = 1 the default "
            f"{DEFAULTS['k_steps']}-step "
            f"task rises over {rise('multistep, k = 1', 1)}); distractor ({NO_DATA}) falls to "
            f"{self.distractor_minimum:.2f} (chance 0.25) at "
            f"{_billions(self.distractor_minimum_at_log10_n)}; under CoT it only rises"
        )


def task_classes(size: Size = FULL) -> TaskClasses:
    """Figure 1: knowledge smooth, the calibrated multi-step task emergent (shifted by its
    steps, sharp by k), distractor U-shaped, and the distractor task under chain of thought a
    plain scaling curve."""
    x = scales(size)
    curves, estimates = {}, {}
    for run_seed, (key, (params, prompting, *_)) in enumerate(WORLD_CLASSES.items()):
        curves[key] = world(**params).metrics(x, prompting)["exact_match"]
        if key not in MONTE_CARLO:
            continue
        model = SkillsModel(
            seed=run_seed,
            prompting=prompting,
            family=size.family,
            tasks=size.tasks,
            collect=False,
            **params,
        )
        for _ in range(size.steps):
            model.step()
        mean, error = model.frame().estimates()
        estimates[key] = Estimates(model.log10_n, mean[:, 0], 2 * error[:, 0])
    fit, reducible = calibration(), world().reducible_loss(x)
    uses = composite(fit, *MULTISTEP_TASKS)
    curves["multistep"] = calibrated_accuracy(fit, uses, reducible)
    curves["one step"] = calibrated_accuracy(fit, ONE_STEP, reducible)
    slopes = {key: np.gradient(curve, x) for key, curve in curves.items()}
    direct, cot = curves["distractor"], curves["distractor, CoT"]
    bottom = int(np.argmin(direct))
    return TaskClasses(
        log10_n=x,
        curves=curves,
        slopes=slopes,
        estimates=estimates,
        attempts=size.steps * size.tasks,
        sharpness=fit.sharpness,
        multistep_uses=uses,
        rise_10_90_decades={
            key: crossing(x, curve, 0.9) - crossing(x, curve, 0.1) for key, curve in curves.items()
        },
        reaches_1_percent_at={
            key: float(10.0 ** crossing(x, curve, 0.01)) for key, curve in curves.items()
        },
        half_log10_n={key: crossing(x, curve, 0.5) for key, curve in curves.items()},
        distractor_minimum=float(direct[bottom]),
        distractor_minimum_at_log10_n=float(x[bottom]),
        cot_monotone=bool(np.all(np.diff(cot) >= 0)),
        max_rise_per_decade={key: float(slope.max()) for key, slope in slopes.items()},
    )


def _task_class_labels(data: TaskClasses) -> dict[str, str]:
    steps, k = data.multistep_steps, data.sharpness
    return {
        **{key: label for key, (*_, label) in WORLD_CLASSES.items()},
        "multistep": f"{steps}-step arithmetic: 3-digit sum, then difference "
        f"(calibrated, k = {k:.2f})",
        "one step": f"one digit-add (calibrated, k = {k:.2f})",
    }


def draw_task_classes(fig: Figure, data: TaskClasses) -> None:
    x = data.log10_n
    layout = fig.add_gridspec(1, 2, width_ratios=[1.6, 1])
    score, slope = fig.add_subplot(layout[0]), fig.add_subplot(layout[1])
    colours = {key: colour for key, (_, _, colour, _) in WORLD_CLASSES.items()}
    colours.update(CALIBRATED_COLOURS)
    labels = _task_class_labels(data)
    order = (
        "knowledge",
        "multistep",
        "one step",
        "multistep, k = 1",
        "distractor",
        "distractor, CoT",
    )
    for key in order:
        style = dict(color=colours[key], lw=2.2)
        if key == "multistep, k = 1":
            style.update(lw=1.6, ls="--")
        elif key == "one step":
            style.update(lw=1.4, ls="-.")
        score.plot(10.0**x, data.curves[key], label=labels[key], **style)
        slope.plot(10.0**x, data.slopes[key], **{**style, "lw": style["lw"] * 0.8})
    for key, points in data.estimates.items():
        score.errorbar(
            10.0**points.log10_n,
            points.mean,
            yerr=points.two_se,
            fmt="o",
            ms=4,
            color=colours[key],
            mec="white",
            mew=0.6,
            elinewidth=1.2,
            capsize=2,
        )
    lowest, at = data.distractor_minimum, data.distractor_minimum_at_log10_n
    score.axhline(0.25, color="0.4", lw=1, ls=":", label="chance (4 options)")
    arrow = dict(arrowstyle="->", lw=0.8, color="0.3")
    score.annotate(
        f"below chance: {lowest:.2f}\nat N = {_billions(at)}",
        xy=(10.0**at, lowest),
        xytext=(10.0**5.2, 0.03),
        fontsize="small",
        arrowprops=arrow,
    )
    rises = data.rise_10_90_decades
    slope.text(
        0.03,
        0.97,
        "10->90% rise, steepest slope:\n"
        + "\n".join(
            f"{name}: {rises[key]:.2f} decades, {data.max_rise_per_decade[key]:.2f}/decade"
            for key, name in (
                ("knowledge", "knowledge (k = 1)"),
                ("multistep", f"{data.multistep_steps} steps (k = {data.sharpness:.2f})"),
                ("one step", f"1 step (k = {data.sharpness:.2f})"),
                ("multistep, k = 1", f"{DEFAULTS['k_steps']} steps (k = 1)"),
            )
        ),
        transform=slope.transAxes,
        ha="left",
        va="top",
        fontsize="x-small",
        bbox=dict(fc="white", ec="0.7", alpha=0.9),
    )
    score.set_ylim(-0.03, 1.03)
    score.set_ylabel("accuracy (exact match)")
    score.set_title("task classes against scale", fontsize="medium")
    score.legend(fontsize="x-small", loc="upper left", framealpha=0.95)
    slope.axhline(0, color="0.4", lw=0.8)
    slope.set_ylabel("rise per decade of N")
    slope.set_title("how fast each rises (d accuracy / d log10 N)", fontsize="medium")
    _scale_axes(score, slope)
    fig.suptitle(
        "Seed claim 1: knowledge scales smoothly, multi-step tasks emerge, distractor tasks are "
        "U-shaped and chain of thought turns them into scaling\ncalibrated to 69 real models "
        f"(k = {data.sharpness:.2f}): the {data.multistep_steps} steps move the rise, k makes it "
        "sharp; lines: closed forms; points: Monte Carlo, "
        f"{data.attempts} attempts per model (± 2 s.e.)",
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
            + f"{_billions(min(self.gain_from_log10_n.values()))}, where the gate "
            + f"{_gate('ICL_SKILL')} opens: an assumption (figure 6), with k = 1 (no data)"
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
        gain.plot(
            10.0**x, 100 * (prompted - direct), color=colour, lw=2, label=f"{k} step{'s' * (k > 1)}"
        )
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
        f"in context: a gate skill of hand-set size ({_gate('ICL_SKILL')}, an assumption: "
        "figure 6); k = 1, no data",
        fontsize="medium",
    )


# --- figure 3: chain of thought ------------------------------------------------------------------

WEI_COT_ONSET = (62e9, 68e9)  # CoT emerges in Wei et al. 2022: PaLM StrategyQA, LaMDA math
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
            + f" (Wei et al. 2022 saw CoT emerge at {WEI_COT_ONSET[0] / 1e9:.0f}-"
            + f"{_billions(math.log10(WEI_COT_ONSET[1]))}), an onset set by the gate "
            + f"{_gate('FORMAT_SKILL')}, an assumption (figure 6); at most "
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
    gain.axvspan(*WEI_COT_ONSET, color="0.6", alpha=0.5, lw=0, label=wei)
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
        "half of each step's difficulty, as far as the model keeps the format:\na gate skill of "
        f"hand-set size ({_gate('FORMAT_SKILL')}), which sets the onset (figure 6); grey: Wei "
        "et al. 2022",
        fontsize="medium",
    )


# --- figure 4: thresholds ------------------------------------------------------------------------

THRESHOLD_STEPS = tuple(range(1, 17))  # composed steps of figure 4
RECIPE_STYLES = {CHINCHILLA_RECIPE: "-", GPT3_RECIPE: "--"}  # the families of figure 4
FITTED_ARITHMETIC = ("add_3d", "sub_3d")  # the fit's tasks beside Wei's 3-digit point
REFERENCE = "k = 1"  # the theory's default world, few-shot, for comparison


class Thresholds(NamedTuple):
    """Where tasks of ``THRESHOLD_STEPS`` composed steps emerge: in reducible loss and as the
    smallest N of each of ``RECIPE_STYLES`` (by label), for steps of the easiest and of the
    hardest fitted sub-skill (calibrated k) and, for comparison, the theory's default world
    (``REFERENCE``, k = 1, few-shot); the fit's own 3-digit tasks; Wei et al.'s emergence
    losses and how hard their steps would have to be to emerge there with the fitted k."""

    sharpness: float
    sub_skills: dict[str, float]  # easiest and hardest fitted sub-skill -> d (nats^-k)
    reducible_loss_at_emergence: dict[str, dict[int, float]]  # sub-skill or REFERENCE -> steps
    smallest_log10_n: dict[str, dict[str, list[float]]]  # sub-skill or REFERENCE -> recipe
    fitted_tasks: dict[str, tuple[int, float, float]]  # task -> (uses, L - E, log10 N GPT-3)

    @property
    def wei_reducible_loss(self) -> dict[str, float]:
        return {p.task: p.reducible_loss for p in WEI_2022}

    @property
    def step_difficulty_needed(self) -> dict[str, float]:
        """Wei task -> how hard each of its steps would have to be (d, over the easiest fitted
        sub-skill's d) to emerge at its reducible loss with the fitted k."""
        easiest = min(self.sub_skills.values())
        return {
            p.task: float(
                -math.log(EMERGED) / (np.mean(p.steps) * p.reducible_loss**self.sharpness) / easiest
            )
            for p in WEI_2022
        }

    @property
    def wei_inside_band(self) -> int:
        """How many Wei points lie between the easiest and the hardest sub-skill's curves at
        their assigned steps."""
        easier, harder = (self.reducible_loss_at_emergence[s] for s in self.sub_skills)
        inside = 0
        for point in WEI_2022:
            low, high = (
                np.interp(point.steps, list(t), list(t.values())) for t in (harder, easier)
            )
            inside += bool(low.min() <= self.wei_reducible_loss[point.task] <= high.max())
        return inside

    def loss_ratio(self, curve: str) -> float:
        """L - E at emergence of 16 steps over that of one step."""
        losses = self.reducible_loss_at_emergence[curve]
        return losses[THRESHOLD_STEPS[-1]] / losses[THRESHOLD_STEPS[0]]

    @property
    def headline(self) -> str:
        easy, hard = self.sub_skills
        loss = self.reducible_loss_at_emergence
        first, last = THRESHOLD_STEPS[0], THRESHOLD_STEPS[-1]
        add = self.fitted_tasks[FITTED_ARITHMETIC[0]]
        wei = self.wei_reducible_loss
        three = next(p for p in WEI_2022 if p.task.startswith("3-digit"))
        needed = self.step_difficulty_needed.values()
        return (
            f"k = {self.sharpness:.2f} (fitted): {first} to {last} steps of a digit-{easy} "
            f"emerge at L - E = {loss[easy][first]:.2f} to {loss[easy][last]:.2f}, of a "
            f"digit-{hard} at {loss[hard][first]:.2f} to {loss[hard][last]:.2f} ({last} steps at "
            f"{self.loss_ratio(easy):.2f} of one step's loss; with the theory's k = 1: "
            f"{self.loss_ratio(REFERENCE):.2f}); the fit's 3-digit addition emerges at "
            f"{add[1]:.2f} ({_billions(add[2])} on 300B tokens), GPT-3's in Wei et al. at "
            f"{wei[three.task]:.2f} ({_billions(math.log10(three.n_params))}); Wei's tasks at "
            f"{min(wei.values()):.2f}-{max(wei.values()):.2f}, {self.wei_inside_band} of "
            f"{len(wei)} inside the calibrated band: their steps would have to be "
            f"{min(needed):.1f}-{max(needed):.0f} times as hard as a digit-{easy}"
        )


def thresholds(size: Size = FULL) -> Thresholds:
    """Figure 4: the scale at which a task emerges against its number of composed steps, with
    Wei et al.'s (2022) emergence scales beside it; in parameters, and in the reducible loss,
    the model's own currency, which does not depend on how the family was trained. The steps
    are the easiest and the hardest sub-skill of the calibration (2-shot, fitted k); with k near
    6 the number of steps hardly moves the threshold, (1 / steps)^(1/k). The theory's default
    world (k = 1, few-shot) is computed beside it for comparison."""
    fit = calibration()
    k, ordered = fit.sharpness, sorted(fit.difficulties.items(), key=lambda item: item[1])
    sub_skills = dict([ordered[0], ordered[-1]])
    losses = {
        skill: {s: calibrated_emergence(s * d, k) for s in THRESHOLD_STEPS}
        for skill, d in sub_skills.items()
    }
    x = scales(size)
    losses[REFERENCE] = {}
    for s in THRESHOLD_STEPS:
        skills = world(k_steps=s)
        at = emergence_scale(x, skills.metrics(x, "few_shot")["exact_match"])
        losses[REFERENCE][s] = float(skills.reducible_loss(at))
    smallest = {
        curve: {
            recipe.label: [smallest_model(loss, recipe) for loss in by_steps.values()]
            for recipe in RECIPE_STYLES
        }
        for curve, by_steps in losses.items()
    }
    fitted = {}
    for task in FITTED_ARITHMETIC:
        uses = fit.decomposition[task]
        loss = calibrated_emergence(total_difficulty(fit, uses), k)
        fitted[task] = (sum(uses.values()), loss, smallest_model(loss, GPT3_RECIPE))
    return Thresholds(
        sharpness=k,
        sub_skills=sub_skills,
        reducible_loss_at_emergence=losses,
        smallest_log10_n=smallest,
        fitted_tasks=fitted,
    )


def draw_thresholds(fig: Figure, data: Thresholds) -> None:
    in_params, in_loss = fig.subplots(1, 2)
    steps = list(THRESHOLD_STEPS)
    k = data.sharpness
    colours = dict(zip(data.sub_skills, ("#48c9b0", "#0b5345"), strict=True))
    colours[REFERENCE] = "0.55"
    for curve, colour in colours.items():
        if curve == REFERENCE:
            label = "the theory's k = 1 (default world, few-shot)"
        else:
            label = f"k = {k:.2f}, digit-{curve} steps (d = {data.sub_skills[curve]:.0f})"
        width = 1.2 if curve == REFERENCE else 2
        for recipe, style in RECIPE_STYLES.items():
            sizes = [10.0**n for n in data.smallest_log10_n[curve][recipe.label]]
            in_params.plot(steps, sizes, color=colour, ls=style, lw=width)
        in_params.plot([], [], color=colour, lw=width, label=label)
        if curve != REFERENCE:  # off the right panel's scale: 0.3 to 10 nats
            losses = list(data.reducible_loss_at_emergence[curve].values())
            in_loss.plot(steps, losses, color=colour, lw=width, marker=".", label=label)
    band = [list(data.reducible_loss_at_emergence[s].values()) for s in data.sub_skills]
    in_loss.fill_between(steps, *band, color="#16a085", alpha=0.15, lw=0)
    for recipe in RECIPE_STYLES:
        band = [10.0 ** np.array(data.smallest_log10_n[s][recipe.label]) for s in data.sub_skills]
        in_params.fill_between(steps, *band, color="#16a085", alpha=0.12, lw=0)
    star = dict(marker="*", ms=14, color="#f39c12", mec="black", mew=0.6, ls="none")
    for uses, loss, gpt3 in data.fitted_tasks.values():
        in_loss.plot(uses, loss, **star)
        in_params.plot(uses, 10.0**gpt3, **star)
    fitted = "the fit's 3-digit addition, subtraction"
    in_loss.plot([], [], **star, label=fitted)
    in_params.plot([], [], **star, label=f"{fitted} (300B tokens)")
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
                bbox=dict(fc="white", ec="none", alpha=0.7, pad=0.5),
            )
    for recipe, style in RECIPE_STYLES.items():
        in_params.plot([], [], color="0.3", lw=1.6, ls=style, label=recipe.label)
    for family, colour in FAMILY_COLOURS.items():
        in_params.plot([], [], "o", color=colour, label=f"Wei et al. 2022: {family}")
    in_params.set_yscale("log")
    in_params.set_ylim(1e5, 1e15)
    in_params.set_ylabel("parameters N at emergence")
    in_params.set_title(
        f"emergence scale against composed steps: with k = {k:.2f} the steps hardly move it",
        fontsize="medium",
    )
    in_params.legend(
        fontsize="x-small", loc="upper left", ncols=2, columnspacing=0.8, handlelength=1.6
    )
    in_loss.set_ylim(0.8, 0.18)  # inverted: up is larger models
    in_loss.set_ylabel("reducible loss L(N, D) - E at emergence (nats/token)")
    in_loss.set_title(
        "the same in loss, whatever the training recipe (up: larger models)", fontsize="medium"
    )
    ratio = data.loss_ratio(REFERENCE)
    reference = f"k = 1: {steps[-1]} steps at {ratio:.2f} of one step's loss, off this scale"
    in_loss.plot([], [], color=colours[REFERENCE], lw=1.2, label=reference)
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
        ax.set_xlabel("composed steps")
        ax.set_xticks([1, 2, 4, 6, 8, 10, 12, 14, 16])
        ax.grid(alpha=0.3)
    fig.suptitle(
        "Seed claim 4: thresholds are task specific, later for longer chains and harder steps\n"
        f"calibrated: exact match {EMERGED:g} above the smallest model's where L - E = "
        f"(ln 10 / (steps d))^(1/k), k = {k:.2f}; points: Wei et al. 2022 Table 1, not fitted",
        fontsize="medium",
    )


# --- figure 5: data against parameters -----------------------------------------------------------

EQUAL_COMPUTE_TASKS = {  # label -> the fit's tasks done one after the other, calibrated
    "2-digit addition": ("add_2d",),
    "3-digit addition": ("add_3d",),
    "2-digit multiplication": ("mul_2d",),
    "3-digit sum, then difference": MULTISTEP_TASKS,
}
EQUAL_COMPUTE_MODELS = {"Chinchilla 70B": 70e9, "Gopher 280B": 280e9}  # at GOPHER_COMPUTE
RATIOS = np.logspace(0, 5, 201)  # tokens per parameter D/N of the 10B-50B question


class DataVsParameters(NamedTuple):
    """Calibrated accuracy of ``EQUAL_COMPUTE_TASKS`` along N at Gopher's compute, the model's
    scores of ``TRAINED`` (the calibrated multi-step task of figure 1) against their MMLU, and
    the smallest N that reaches each Wei ability at each of ``RATIOS`` tokens per parameter,
    ``TOKENS_PER_PARAM`` and unlimited data. The last two do not depend on k: a rank order and
    a level of the loss are the same whatever score falls with the loss."""

    n_params: np.ndarray  # at equal compute: D = GOPHER_COMPUTE / 6N
    sharpness: float
    multistep_steps: int
    equal_compute: dict[str, np.ndarray]  # by EQUAL_COMPUTE_TASKS label
    named_loss: dict[str, float]  # L of EQUAL_COMPUTE_MODELS
    named_multistep: dict[str, float]  # the calibrated multi-step task's accuracy there
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
        multistep = self.named_multistep
        return (
            f"equal compute: Chinchilla-like L = {self.loss_chinchilla:.3f} < Gopher-like "
            f"{self.loss_gopher:.3f}, lowest at {_billions(self.optimal_log10_n_at_equal_compute)}"
            f", calibrated {self.multistep_steps}-step arithmetic (k = {self.sharpness:.2f}) "
            f"{multistep['Chinchilla 70B']:.2f} against {multistep['Gopher 280B']:.2f}; model vs "
            f"real MMLU rank correlation {self.rank_correlation_with_mmlu:.2f} (any k); "
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
    fit = calibration()
    multistep = composite(fit, *MULTISTEP_TASKS)
    equal = {
        label: calibrated_accuracy(fit, composite(fit, *tasks), reducible)
        for label, tasks in EQUAL_COMPUTE_TASKS.items()
    }
    named_reducible = {
        name: float(theory.reducible_loss(n_params, GOPHER_COMPUTE / (6 * n_params)))
        for name, n_params in EQUAL_COMPUTE_MODELS.items()
    }
    trained = theory.reducible_loss([m.n_params for m in TRAINED], [m.n_tokens for m in TRAINED])
    scores = calibrated_accuracy(fit, multistep, trained).tolist()
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
        sharpness=fit.sharpness,
        multistep_steps=sum(multistep.values()),
        equal_compute=equal,
        named_loss={name: theory.E + loss for name, loss in named_reducible.items()},
        named_multistep={
            name: float(calibrated_accuracy(fit, multistep, loss))
            for name, loss in named_reducible.items()
        },
        optimal_n=float(n[np.argmin(reducible)]),
        model_scores=dict(zip((m.name for m in TRAINED), scores, strict=True)),
        rank_correlation_with_mmlu=rank,
        wei_reducible_loss=real,
        needed_log10_n=needed,
        smallest_log10_n=answer,
    )


def draw_data_vs_parameters(fig: Figure, data: DataVsParameters) -> None:
    equal, family, question = fig.subplots(1, 3, width_ratios=[1, 1, 1.25])

    for (label, score), colour in zip(
        data.equal_compute.items(), _shades(len(EQUAL_COMPUTE_TASKS)), strict=True
    ):
        equal.plot(data.n_params, score, color=colour, lw=2, label=label)
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
    equal.set_ylabel(f"accuracy, calibrated on 69 real models (k = {data.sharpness:.2f})")
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
    family.set_xlabel(
        f"model: calibrated {data.multistep_steps}-step arithmetic at the model's N and D\n"
        "(the order is that of L - E: the same for any k)"
    )
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


# --- figure 6: the prompting gates ---------------------------------------------------------------

PALM_RECIPE = Recipe("PaLM: D = 780B tokens", tokens=FAMILY_TOKENS["PaLM"])
GATES = {  # prompting -> the theory's gate constant (composed steps, difficulty of each)
    "few-shot": "ICL_SKILL",
    "CoT": "FORMAT_SKILL",
}
GATE_RANGE = (0.125, 8.0)  # difficulty of each of a gate's steps tried in figure 6
MATH_TASK = next(iter(COT_TASKS))  # the 16-step math-like task of figure 3, GSM8K's stand-in
ONSET_STEP = 0.1  # decades between the points where an onset is first looked for


class PublishedCoT(NamedTuple):
    """GSM8K solve rate (%) with standard few-shot prompting and with chain of thought, Wei et
    al. 2022 ("Chain-of-thought prompting elicits reasoning in large language models", appendix
    Table 2), for PaLM, all of whose sizes were trained on the same 780B tokens. Their LaMDA and
    GPT-3 rows are left out: we could not pin LaMDA's training tokens, and their GPT-3 is
    text-davinci-002, an instruction-tuned model of unpublished data."""

    model: str
    n_params: float
    standard: float
    cot: float


WEI_COT_GSM8K = (
    PublishedCoT("PaLM 8B", 8e9, standard=4.9, cot=4.1),
    PublishedCoT("PaLM 62B", 62e9, standard=9.6, cot=29.9),
    PublishedCoT("PaLM 540B", 540e9, standard=17.9, cot=56.9),
)


class CotRow(NamedTuple):
    """A published GSM8K row beside the model's ``MATH_TASK`` at the same N and D (%)."""

    published: PublishedCoT
    direct: float
    few_shot: float
    cot: float

    @property
    def published_gain(self) -> float:
        return self.published.cot - self.published.standard

    @property
    def model_gain(self) -> float:
        """Chain of thought over direct prompting, figure 3's gain."""
        return self.cot - self.direct

    @property
    def gap(self) -> float:
        """Model gain minus published gain, in points."""
        return self.model_gain - self.published_gain

    @property
    def over_few_shot(self) -> float:
        """Chain of thought over the model's few-shot prompting, which is what Wei et al.'s
        standard prompting is."""
        return self.cot - self.few_shot

    @property
    def line(self) -> str:
        p = self.published
        return (
            f"  {p.model}: published {p.standard:.1f} -> {p.cot:.1f} "
            f"({self.published_gain:+.1f}); model {self.direct:.1f} -> {self.cot:.1f} "
            f"({self.model_gain:+.1f}); gap {self.gap:+.1f} points; CoT over the model's "
            f"few-shot ({self.few_shot:.1f}): {self.over_few_shot:+.1f}"
        )


class Gates(NamedTuple):
    """How the hand-set gates move what figures 2 and 3 claim. For gates of 4 steps, each of
    ``gate_difficulty``: the onset (log10 N where the prompting first adds ``HELPS``; few-shot:
    the earliest over ``DEPTHS``, D = 20 N; CoT: ``MATH_TASK``, at D = 20 N and on PaLM's
    tokens) and the gain (points) of ``MATH_TASK`` at PaLM 540B, the same for both prompting
    styles, since on an open-answer task they differ only in their gate. Then the same at the
    set constants, the gain with the gate fully open, and the model's CoT gain on GSM8K's
    stand-in along PaLM's sizes, beside Wei et al.'s (``WEI_COT_GSM8K``)."""

    gate_difficulty: np.ndarray
    onset_log10_n: dict[str, np.ndarray]  # "few-shot", "CoT", "CoT, PaLM tokens"
    gain_at_palm: np.ndarray  # few-shot and CoT alike: they differ only in their gate
    set_onset: dict[str, float]
    set_gain: dict[str, float]  # "few-shot", "CoT": at their set gates
    open_gate_gain: float
    palm_log10_n: np.ndarray
    palm_gain: dict[str, np.ndarray]  # "over direct", "over few-shot": points along PaLM's N
    gsm8k: tuple[CotRow, ...]

    @property
    def headline(self) -> str:
        onsets, gains = self.onset_log10_n, self.gain_at_palm
        low, high = GATE_RANGE

        def moves(key: str) -> str:
            first, last = onsets[key][0], onsets[key][-1]
            return f"from {_onset(first)} to {_onset(last)}"

        return (
            f"the gates are assumptions: as each step of a 4-step gate goes from {low:g} to "
            f"{high:g} hard, the CoT onset (16-step task, D = 20 N) moves {moves('CoT')} and "
            f"is {_onset(self.set_onset['CoT'])} at the set {_gate('FORMAT_SKILL')}: set by that "
            f"constant, not predicted (on PaLM's 780B tokens: "
            f"{_onset(self.set_onset['CoT, PaLM tokens'])}); the few-shot onset moves "
            f"{moves('few-shot')} ({_onset(self.set_onset['few-shot'])} at the set "
            f"{_gate('ICL_SKILL')}); at PaLM 540B the gain over direct prompting falls from "
            f"{gains[0]:.1f} to {gains[-1]:.1f} points over that range, few-shot and CoT alike "
            f"(they differ only in their gate): {self.set_gain['few-shot']:.1f} at the set "
            f"few-shot gate, {self.set_gain['CoT']:.1f} at the CoT gate, at most "
            f"{self.open_gate_gain:.1f} with the gate open (PROMPT_GAIN = "
            f"{theory.PROMPT_GAIN:g})\n"
            "  GSM8K, Wei et al. 2022 (standard -> chain of thought, %) against the model "
            "(16-step task, direct -> CoT, PaLM's N and 780B tokens):\n"
            + "\n".join(row.line for row in self.gsm8k)
        )


def gated_exact_match(skills: SkillWorld, reducible, gate: tuple[float, float] | None):
    """Exact match of an open-answer task when prompting removes ``theory.PROMPT_GAIN`` of every
    step's difficulty as far as the model masters ``gate`` (composed steps, difficulty of each);
    None: direct prompting."""
    reducible = np.atleast_1d(np.asarray(reducible, dtype=float))
    prompting = "direct" if gate is None else "few_shot"  # the gate given replaces the style's
    difficulty = theory.prompted_difficulty(skills.difficulties, reducible, prompting, gate=gate)
    log_p = -difficulty * reducible[..., None]
    return theory.walk_metrics(log_p, skills.neighbors, skills.n_steps)["exact_match"]


def onset(gain: Callable[[np.ndarray], np.ndarray]) -> float:
    """The first log10 N where ``gain`` (a function of log10 N) reaches ``HELPS``: looked for
    every ``ONSET_STEP`` decades over the model's range, then solved for; nan if never."""
    low, high = SCALE_RANGE
    grid = np.linspace(low, high, round((high - low) / ONSET_STEP) + 1)
    above = np.flatnonzero(gain(grid) >= HELPS)
    if not above.size:
        return math.nan
    i = above[0]
    if i == 0:
        return float(grid[0])
    return brentq(lambda at: float(gain(np.array([at]))[0]) - HELPS, grid[i - 1], grid[i])


def _gain(skills: SkillWorld, recipe: Recipe, gate: tuple[float, float]):
    """The gated prompting's exact match over direct prompting's, as a function of log10 N."""

    def gain(log10_n: np.ndarray) -> np.ndarray:
        n = 10.0 ** np.asarray(log10_n, dtype=float)
        reducible = theory.reducible_loss(n, recipe.data(n))
        return gated_exact_match(skills, reducible, gate) - gated_exact_match(
            skills, reducible, None
        )

    return gain


def _gate_numbers(steps: int, difficulty: float) -> tuple[dict[str, float], float]:
    """Onsets, and the gain (points) at PaLM 540B, with both gates ``steps`` x ``difficulty``."""
    gate = (steps, difficulty)
    task = world(**COT_TASKS[MATH_TASK][0])
    few = [onset(_gain(world(k_steps=k), CHINCHILLA_RECIPE, gate)) for k in DEPTHS]
    onsets = {
        "few-shot": min(few, key=lambda v: math.inf if math.isnan(v) else v),
        "CoT": onset(_gain(task, CHINCHILLA_RECIPE, gate)),
        "CoT, PaLM tokens": onset(_gain(task, PALM_RECIPE, gate)),
    }
    return onsets, 100 * float(_gain(task, PALM_RECIPE, gate)(np.array([math.log10(540e9)]))[0])


def gates(size: Size = FULL) -> Gates:
    """Figure 6: the onsets and gains of few-shot and chain-of-thought prompting as the size of
    the skill each waits for varies, and the chain-of-thought gain beside Wei et al.'s GSM8K."""
    steps = {key: getattr(theory, name)[0] for key, name in GATES.items()}
    if len(set(steps.values())) != 1:
        raise ValueError(f"figure 6 draws gates of one number of steps, got {steps}")
    (n_steps,) = set(steps.values())
    tried = np.geomspace(*GATE_RANGE, size.gates)
    onsets = {key: [] for key in ("few-shot", "CoT", "CoT, PaLM tokens")}
    gains = []
    for difficulty in tried:
        at, gain = _gate_numbers(n_steps, difficulty)
        for key, value in at.items():
            onsets[key].append(value)
        gains.append(gain)
    set_onset, set_gain = {}, {}
    for key, name in GATES.items():
        at, set_gain[key] = _gate_numbers(*getattr(theory, name))
        set_onset.update({o: v for o, v in at.items() if o.startswith(key)})
    task = world(**COT_TASKS[MATH_TASK][0])
    palm_540b = np.array([math.log10(540e9)])
    opened = _gain(task, PALM_RECIPE, (n_steps, 0.0))(palm_540b)[0]
    palm_n = np.arange(9.0, 12.5 + size.step / 2, size.step)
    reducible = theory.reducible_loss(10.0**palm_n, PALM_RECIPE.data(10.0**palm_n))
    scores = {p: 100 * exact_match_at(task, reducible, p) for p in ("direct", "few_shot", "cot")}
    rows = []
    for published in WEI_COT_GSM8K:
        loss = theory.reducible_loss(published.n_params, FAMILY_TOKENS["PaLM"])
        model = {p: 100 * float(exact_match_at(task, [loss], p)[0]) for p in scores}
        rows.append(CotRow(published, model["direct"], model["few_shot"], model["cot"]))
    return Gates(
        gate_difficulty=tried,
        onset_log10_n={key: np.array(values) for key, values in onsets.items()},
        gain_at_palm=np.array(gains),
        set_onset=set_onset,
        set_gain=set_gain,
        open_gate_gain=100 * float(opened),
        palm_log10_n=palm_n,
        palm_gain={
            "over direct": scores["cot"] - scores["direct"],
            "over few-shot": scores["cot"] - scores["few_shot"],
        },
        gsm8k=tuple(rows),
    )


def _onset(log10_n: float) -> str:
    return f"beyond {_billions(SCALE_RANGE[1])}" if math.isnan(log10_n) else _billions(log10_n)


GATE_COLOURS = {"few-shot": "#2471a3", "CoT": "#c0392b", "CoT, PaLM tokens": "#c0392b"}


def draw_gates(fig: Figure, data: Gates) -> None:
    at_onset, at_palm, gsm8k = fig.subplots(1, 3, width_ratios=[1, 1, 1.1])
    tried = data.gate_difficulty
    labels = {
        "few-shot": "few-shot: examples add 2 points (earliest task, D = 20 N)",
        "CoT": "chain of thought adds 2 points (16 steps, D = 20 N)",
        "CoT, PaLM tokens": "the same on PaLM's 780B tokens",
    }
    for key, values in data.onset_log10_n.items():
        style = "--" if "PaLM" in key else "-"
        at_onset.plot(tried, 10.0**values, color=GATE_COLOURS[key], lw=2, ls=style)
        at_onset.plot([], [], color=GATE_COLOURS[key], lw=2, ls=style, label=labels[key])
    set_at = {key: getattr(theory, name)[1] for key, name in GATES.items()}
    for key, value in data.set_onset.items():
        gate = "FORMAT_SKILL" if key.startswith("CoT") else "ICL_SKILL"
        difficulty = getattr(theory, gate)[1]
        at_onset.plot(difficulty, 10.0**value, "o", color=GATE_COLOURS[key], mec="black", ms=8)
        at_onset.annotate(
            _onset(value),
            (difficulty, 10.0**value),
            xytext=(7, -11),
            textcoords="offset points",
            fontsize="x-small",
        )
    at_onset.axhspan(*WEI_COT_ONSET, color="0.5", alpha=0.35, lw=0)
    at_onset.axhline(WEI_COT_ONSET[0], color="0.5", lw=0.6)
    at_onset.plot([], [], color="0.6", lw=6, label="CoT emerges in Wei et al. 2022 (62-68B)")
    at_onset.set_yscale("log")
    at_onset.set_ylim(1e5, 10.0 ** SCALE_RANGE[1])
    at_onset.set_ylabel("onset: parameters N where the prompting first adds 2 points")
    at_onset.set_title("the onset follows the gate's size", fontsize="medium")
    at_onset.legend(fontsize="x-small", loc="upper left")

    at_palm.plot(tried, data.gain_at_palm, color="0.2", lw=2, label="few-shot or CoT, any gate")
    for key in GATES:
        at_palm.plot(
            set_at[key],
            data.set_gain[key],
            "o",
            color=GATE_COLOURS[key],
            mec="black",
            ms=8,
            label=f"{key} at its set gate: {data.set_gain[key]:.1f}",
        )
    at_palm.axhline(data.open_gate_gain, color="0.3", lw=1, ls=":")
    at_palm.text(
        tried[0],
        data.open_gate_gain,
        f" gate fully open: {data.open_gate_gain:.1f} (PROMPT_GAIN = {theory.PROMPT_GAIN:g})",
        va="bottom",
        fontsize="x-small",
    )
    published = data.gsm8k[-1].published_gain
    at_palm.axhline(published, color="black", lw=1.2, ls="--")
    at_palm.annotate(
        f"Wei et al.: PaLM 540B, GSM8K, +{published:.1f}",
        (tried[-1], published),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize="x-small",
    )
    at_palm.set_ylim(0, published * 1.15)
    at_palm.set_ylabel("gain at PaLM 540B, 780B tokens (points, 16-step task)")
    at_palm.set_title("the gain at 540B, capped below the published one", fontsize="medium")
    at_palm.legend(
        fontsize="x-small", loc="center right", title="over direct", title_fontsize="x-small"
    )
    for ax in (at_onset, at_palm):
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.set_xlabel("difficulty of each of the gate's 4 steps (set: few-shot 1, CoT 2)")
        for key, value in set_at.items():
            ax.axvline(value, color=GATE_COLOURS[key], lw=0.8, ls=":")
        ax.grid(alpha=0.3)

    n = 10.0**data.palm_log10_n
    gsm8k.plot(n, data.palm_gain["over direct"], color="#c0392b", lw=2, label="model: CoT - direct")
    gsm8k.plot(
        n,
        data.palm_gain["over few-shot"],
        color="#c0392b",
        lw=1.2,
        ls="--",
        label="model: CoT - few-shot (Wei's standard prompting is few-shot)",
    )
    for i, row in enumerate(data.gsm8k):
        size = row.published.n_params
        gsm8k.plot(
            size,
            row.published_gain,
            "s",
            color="black",
            ms=7,
            label="Wei et al. 2022, GSM8K" if i == 0 else None,
        )
        gsm8k.plot(size, row.model_gain, "o", color="#c0392b", mec="black", ms=6)
        gsm8k.annotate(
            "",
            xy=(size, row.model_gain),
            xytext=(size, row.published_gain),
            arrowprops=dict(arrowstyle="<->", color="0.4", lw=0.8),
        )
        gsm8k.annotate(
            f"{row.published.model}\n{row.published.standard:g} -> {row.published.cot:g}\n"
            f"gap {row.gap:+.1f}",
            (size, max(row.published_gain, row.model_gain)),
            xytext=(-6, 6),
            textcoords="offset points",
            ha="right",
            fontsize="x-small",
        )
    gsm8k.axhline(0, color="0.4", lw=0.8)
    gsm8k.set_ylim(top=1.3 * max(row.published_gain for row in data.gsm8k))
    gsm8k.set_xscale("log")
    gsm8k.set_xlabel("parameters N (PaLM: D = 780B tokens)")
    gsm8k.set_ylabel("chain of thought gain (percentage points)")
    gsm8k.set_title("GSM8K against the model's 16-step task", fontsize="medium")
    gsm8k.legend(fontsize="x-small", loc="upper left")
    gsm8k.grid(alpha=0.3)
    fig.suptitle(
        "Seed claims 2 and 3 rest on two hand-set gates: prompting helps as far as the model "
        f"masters a gate skill ({_gate('ICL_SKILL')}, {_gate('FORMAT_SKILL')})\n"
        "the onset scale follows the constant, so the CoT onset near Wei et al.'s is set, not "
        "predicted; at PaLM 540B the model's gain falls far short of GSM8K's",
        fontsize="medium",
    )


# --- the study -----------------------------------------------------------------------------------

INCHES = (13.0, 5.5)  # a figure's size, but for the wider figures 5 and 6
FIGURES: dict[str, StudyFigure] = {  # file name -> compute (from a Size), draw, size in inches
    "fig1-task-classes.png": (task_classes, draw_task_classes, INCHES),
    "fig2-in-context-learning.png": (in_context, draw_in_context, INCHES),
    "fig3-chain-of-thought.png": (chain_of_thought, draw_chain_of_thought, INCHES),
    "fig4-thresholds.png": (thresholds, draw_thresholds, INCHES),
    "fig5-data-vs-parameters.png": (data_vs_parameters, draw_data_vs_parameters, (17.0, 6.0)),
    "fig6-prompting-gates.png": (gates, draw_gates, (18.0, 6.0)),
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
