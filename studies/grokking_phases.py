"""Why small models do not grok: the grokking model's phases over width and train fraction, in one
figure (``emergesim figures grokking-phases --out DIR``).

Each cell of the map trains the two-layer network of ``emergesim.models.grokking`` on (a + b)
mod p for a fixed budget of full-batch AdamW steps (the model's own learning rate 0.01 and weight
decay 1), once per seed, and reads the model's ``memorised_at`` (first step with train accuracy
>= 0.99, ``MEMORISED``) and ``generalised_at`` (first record, every ``RECORD_EVERY`` steps, with
test accuracy >= 0.95, ``GENERALISED``). A run's phase follows from those two steps alone
(:func:`classify`), with the names of Liu et al. (2022)'s phase diagrams:

* "fail": never memorises within the budget and never generalises;
* "memorise only": memorises, never generalises within the budget;
* "grok": generalises at least ``GROK_DELAY`` (100) steps and ``GROK_FACTOR`` (4) times as late
  as it memorised (``generalised_at - memorised_at >= 100`` and ``generalised_at >= 4 *
  memorised_at``): the plateau after memorising lasts at least ten test records, so it is no
  artefact of scoring the test set every 10 steps, and at least three times as long as
  memorising took;
* "generalise from the start": generalises sooner than that, or without ever memorising (test
  accuracy >= 0.95 while train accuracy stays below 0.99).

Both limits are the boundaries: a delay of exactly 100 steps, or exactly 4 times, is a grok.

A cell's phase is the median of its seeds' phases in the order above (with three seeds: the
majority, or the middle one when all three differ); the map says so where the seeds disagree.

Cells run on the sweeps' executors, one run a task, whose workers compute on one BLAS thread
(emergesim.sweeps.executors): the thread count changes the last bits of a matrix product and so,
in a borderline cell, the phase. The map is therefore the same on any number of workers; the
serial executor computes with this process's BLAS threads.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import median
from typing import NamedTuple

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from emergesim.errors import ParameterError
from emergesim.models.grokking.card import GENERALISED, MEMORISED
from emergesim.models.grokking.model import GrokkingModel
from emergesim.plotting import figure_folder, new_figure
from emergesim.runner import run
from emergesim.study import Study
from emergesim.sweeps.executors import make_executor

FAIL, MEMORISE, GROK, GENERALISE = PHASES = (
    "fail",
    "memorise only",
    "grok",
    "generalise from the start",
)
GROK_DELAY = 100  # grok: generalised_at - memorised_at >= GROK_DELAY steps,
GROK_FACTOR = 4  # and generalised_at >= GROK_FACTOR * memorised_at
RECORD_EVERY = 10  # test accuracy is scored every 10 steps: generalised_at's resolution
PHASE_COLOURS = {FAIL: "#d5d8dc", MEMORISE: "#f5b041", GROK: "#e74c3c", GENERALISE: "#2e86c1"}
FILE_NAME = "grokking-phases.png"


class Grid(NamedTuple):
    """The modulus, the step budget of every run, the widths and train fractions crossed, the
    seeds of each cell, and ``focus``: the train fraction of the accuracy panel and headline."""

    p: int
    steps: int
    widths: Sequence[int]
    fractions: Sequence[float]
    seeds: Sequence[int]
    focus: float


FULL = Grid(
    31,
    3000,
    (4, 8, 16, 32, 64, 128, 256),
    tuple(round(0.1 + 0.05 * i, 2) for i in range(15)),  # 0.1, 0.15, ..., 0.8
    (0, 1, 2),
    0.4,
)
QUICK = Grid(
    31, 1500, (4, 8, 16, 32, 64, 128), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), (0, 1, 2), 0.4
)


def classify(memorised_at: float, generalised_at: float) -> str:
    """The phase of one run from its first memorised and first generalised step (NaN: never
    within the budget); see the module's docstring."""
    if math.isnan(generalised_at):
        return FAIL if math.isnan(memorised_at) else MEMORISE
    if math.isnan(memorised_at):
        return GENERALISE
    if generalised_at - memorised_at >= GROK_DELAY and generalised_at >= GROK_FACTOR * memorised_at:
        return GROK
    return GENERALISE


class Run(NamedTuple):
    """One training run: accuracies after the budget's last step, the two steps, its phase."""

    width: int
    train_fraction: float
    seed: int
    train_accuracy: float
    test_accuracy: float
    memorised_at: float
    generalised_at: float
    phase: str


class Cell(NamedTuple):
    """One (width, train fraction): its seeds' runs, their mean final accuracies, their median
    phase, and the median ``memorised_at`` and ``generalised_at`` of the runs in that phase
    (``agree`` of the ``len(runs)`` runs)."""

    width: int
    train_fraction: float
    train_accuracy: float
    test_accuracy: float
    memorised_at: float
    generalised_at: float
    phase: str
    agree: int
    runs: tuple[Run, ...]

    @property
    def label(self) -> str:
        """The phase, the step it generalised at, and the seeds in that phase if not all."""
        text = self.phase
        if self.phase in (GROK, GENERALISE):
            text += f" at {self.generalised_at:.0f}"
        if self.agree < len(self.runs):
            text += f" ({self.agree}/{len(self.runs)} seeds)"
        return text


def cell_of(runs: Sequence[Run]) -> Cell:
    """The cell made of one (width, train fraction)'s runs."""
    order = sorted(PHASES.index(r.phase) for r in runs)
    phase = PHASES[order[(len(order) - 1) // 2]]  # the (lower) median phase
    same = [r for r in runs if r.phase == phase]
    return Cell(
        runs[0].width,
        runs[0].train_fraction,
        float(np.mean([r.train_accuracy for r in runs])),
        float(np.mean([r.test_accuracy for r in runs])),
        float(median(r.memorised_at for r in same)),
        float(median(r.generalised_at for r in same)),
        phase,
        len(same),
        tuple(runs),
    )


def train(p: int, width: int, train_fraction: float, seed: int, steps: int) -> Run:
    """One run of the grokking model for ``steps`` steps, test accuracy scored every
    ``RECORD_EVERY``."""
    cell = {"p": p, "width": width, "train_fraction": train_fraction}
    result = run(GrokkingModel, steps=steps, record_every=RECORD_EVERY, seed=seed, **cell)
    last = result.timeseries.iloc[-1]
    memorised, generalised = result.model.memorised_at, result.model.generalised_at
    return Run(
        width,
        train_fraction,
        seed,
        float(last["train_accuracy"]),
        float(last["test_accuracy"]),
        memorised,
        generalised,
        classify(memorised, generalised),
    )


class PhaseMap(NamedTuple):
    """Every cell, row by row: train fractions upwards, widths across; where and in how many
    seconds the runs were made."""

    p: int
    steps: int
    widths: tuple[int, ...]
    fractions: tuple[float, ...]
    seeds: tuple[int, ...]
    focus: float
    cells: list[Cell]
    where: str
    seconds: float

    def row(self, fraction: float) -> list[Cell]:
        return [c for c in self.cells if c.train_fraction == fraction]

    @property
    def grid_line(self) -> str:
        """What was trained, and the rule for a grok."""
        return (
            f"(a + b) mod {self.p}, {self.steps} steps a run: widths "
            f"{', '.join(map(str, self.widths))} x train fractions "
            f"{', '.join(f'{f:g}' for f in self.fractions)}, seeds "
            f"{', '.join(map(str, self.seeds))}; grok: test accuracy {GENERALISED:g} at least "
            f"{GROK_DELAY} steps and {GROK_FACTOR} times as late as train accuracy {MEMORISED:g}"
        )

    def line(self, fraction: float) -> str:
        """One row of the map: each width's phase."""
        cells = ", ".join(f"{c.width} {c.label}" for c in self.row(fraction))
        return f"train fraction {fraction:g}: {cells}"

    @property
    def accuracy_line(self) -> str:
        """The accuracy panel's numbers: each width's final accuracies at the focus fraction."""
        cells = ", ".join(
            f"{c.width} {c.train_accuracy:.0%}/{c.test_accuracy:.0%}" for c in self.row(self.focus)
        )
        return (
            f"accuracy after {self.steps} steps at train fraction {self.focus:g} (train/test, "
            f"mean of {len(self.seeds)} seeds; chance {1 / self.p:.0%}): {cells}"
        )

    @property
    def headline(self) -> str:
        """The answer to "why do small models not grok" at the focus train fraction."""
        row = self.row(self.focus)
        smallest = row[0]
        grokking = [c for c in row if c.phase == GROK]
        if grokking:
            first = grokking[0]
            said = (
                f"smallest width that groks at train fraction {self.focus:g}: {first.width} "
                f"(memorised at step {first.memorised_at:.0f}, generalised at "
                f"{first.generalised_at:.0f})"
            )
        else:
            said = f"no width groks at train fraction {self.focus:g}"
        return (
            f"{said}; width {smallest.width} gets {smallest.train_accuracy:.0%} of its training "
            f"pairs right and {smallest.test_accuracy:.0%} of the held-out ones ({smallest.phase})"
        )

    @property
    def overall(self) -> str:
        """Over all train fractions: the widths that always fail, the smallest that groks."""
        failing = [w for w in self.widths if all(c.phase == FAIL for c in self.column(w))]
        said = "over all train fractions: "
        if failing:
            widths = ", ".join(map(str, failing))
            said += f"width {widths} fails" if len(failing) == 1 else f"widths {widths} fail"
            said += " at every one; "
        grokking = [c for c in self.cells if c.phase == GROK]
        if not grokking:
            return said + "no width groks"
        least = min(grokking, key=lambda c: (c.width, c.train_fraction))
        fractions = [f"{c.train_fraction:g}" for c in self.column(least.width) if c.phase == GROK]
        return said + (
            f"the smallest width that groks is {least.width}, at train fraction"
            f"{'s' if len(fractions) > 1 else ''} {', '.join(fractions)}"
        )

    def column(self, width: int) -> list[Cell]:
        return [c for c in self.cells if c.width == width]

    @property
    def timing(self) -> str:
        runs = sum(len(c.runs) for c in self.cells)
        return f"{runs} runs {self.where} in {self.seconds:.0f} s"

    @property
    def lines(self) -> list[str]:
        """Everything ``save`` reports, in order."""
        return [
            self.grid_line,
            *(self.line(f) for f in self.fractions),
            self.accuracy_line,
            self.headline,
            self.overall,
            self.timing,
        ]


def phase_map(
    grid: Grid = QUICK,
    *,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> PhaseMap:
    """Train every (width, train fraction, seed) of ``grid`` on the sweeps' ``executor``
    ("serial", "process" or "dask"; ``workers`` default: all cores; ``scheduler``: a Dask
    scheduler's address) and classify the runs."""
    fractions = tuple(sorted(grid.fractions))
    widths = tuple(sorted(grid.widths))
    if grid.focus not in fractions:
        raise ParameterError(f"the focus train fraction {grid.focus} is not one of the grid's")
    for fraction in fractions:  # refuse before any work
        for width in (widths[0], widths[-1]):
            values = {"p": grid.p, "width": width, "train_fraction": fraction}
            checked = GrokkingModel.params.validate(values, model="model 'grokking'")
            GrokkingModel.check_params(checked)
    jobs = [
        (grid.p, width, fraction, seed, grid.steps)
        for fraction in fractions
        for width in widths
        for seed in grid.seeds
    ]
    # the widest runs on the most pairs first, so that no core waits for one long run at the end
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][1] * jobs[i][2])
    runs: list[Run | None] = [None] * len(jobs)
    start = time.perf_counter()
    with make_executor(executor, workers, scheduler) as pool:
        for i, result in zip(order, pool.starmap(train, [jobs[i] for i in order]), strict=True):
            runs[i] = result
        where = pool.describe()
    seconds = time.perf_counter() - start
    n = len(grid.seeds)
    cells = [cell_of(runs[i : i + n]) for i in range(0, len(runs), n)]
    seeds = tuple(grid.seeds)
    return PhaseMap(grid.p, grid.steps, widths, fractions, seeds, grid.focus, cells, where, seconds)


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges half way between neighbouring centres, the outer ones mirrored."""
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def draw_map(ax, data: PhaseMap) -> None:
    """Phases over log2(width) across and train fraction upwards; the step each grokking cell
    generalised at written in it."""
    x = np.log2(data.widths)
    y = np.asarray(data.fractions)
    codes = np.array([PHASES.index(c.phase) for c in data.cells]).reshape(len(y), len(x))
    colours = ListedColormap([PHASE_COLOURS[phase] for phase in PHASES])
    norm = BoundaryNorm(np.arange(len(PHASES) + 1) - 0.5, len(PHASES))
    ax.pcolormesh(_edges(x), _edges(y), codes, cmap=colours, norm=norm, edgecolor="white", lw=1.5)
    size = 8 if len(y) > 10 else 9
    for cell in data.cells:
        text = f"{cell.generalised_at:.0f}" if cell.phase == GROK else ""
        if cell.agree < len(cell.runs):
            text += f"{' ' if text else ''}({cell.agree}/{len(cell.runs)})"
        if text:
            colour = "white" if cell.phase in (GROK, GENERALISE) else "black"
            weight = "bold" if cell.phase == GROK else "normal"
            xy = (math.log2(cell.width), cell.train_fraction)
            ax.text(*xy, text, ha="center", va="center", fontsize=size, color=colour, weight=weight)
    row = list(y).index(data.focus)
    low, high = _edges(y)[row : row + 2]
    ax.add_patch(
        Rectangle((_edges(x)[0], low), np.ptp(_edges(x)), high - low, fill=False, lw=2, ls="--")
    )
    ax.set_xticks(x, [str(w) for w in data.widths])
    ax.set_yticks(y, [f"{f:g}" for f in y])
    ax.set_xlabel("hidden units (width, log scale)")
    ax.set_ylabel("train fraction (share of the p² pairs trained on)")
    ax.set_title(
        "phase of each width and train fraction (number: median step it generalised at;\n"
        "(k/n): k of the n seeds in that phase; dashed: the row drawn on the right)",
        fontsize=10,
    )
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)


def draw_focus(ax, data: PhaseMap) -> None:
    """Final train and test accuracy against width at the focus train fraction, each seed a dot,
    the background coloured by the cell's phase."""
    row = data.row(data.focus)
    x = np.asarray(data.widths, dtype=float)
    for cell in row:
        ax.axvspan(
            cell.width / 2**0.5,
            cell.width * 2**0.5,
            color=PHASE_COLOURS[cell.phase],
            alpha=0.3,
            lw=0,
        )
    for name, colour, marker in (("train", "#1f3a93", "o"), ("test", "#b03a2e", "s")):
        means = [getattr(c, f"{name}_accuracy") for c in row]
        ax.plot(x, means, color=colour, marker=marker, lw=2, ms=7, label=f"{name} (mean)")
        for cell in row:
            seeds = [getattr(r, f"{name}_accuracy") for r in cell.runs]
            ax.scatter([cell.width] * len(seeds), seeds, color=colour, s=14, alpha=0.5, zorder=3)
    ax.axhline(MEMORISED, color="#1f3a93", ls=":", lw=1.2, label=f"memorised ({MEMORISED:g})")
    ax.axhline(GENERALISED, color="#b03a2e", ls=":", lw=1.2, label=f"generalised ({GENERALISED:g})")
    ax.axhline(1 / data.p, color="0.4", ls="--", lw=1, label=f"chance (1/{data.p})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [str(w) for w in data.widths])
    ax.minorticks_off()
    ax.set_xlim(x[0] / 2**0.5, x[-1] * 2**0.5)
    ax.set_ylim(-0.02, 1.04)
    ax.set_xlabel("hidden units (width, log scale)")
    ax.set_ylabel(f"accuracy after {data.steps} steps")
    ax.set_title(
        f"accuracy against width at train fraction {data.focus:g}\n"
        "(small dots: each seed; background: the cell's phase)",
        fontsize=10,
    )
    ax.legend(loc="center right", fontsize=9)
    ax.grid(alpha=0.3)


def draw(fig: Figure, data: PhaseMap) -> None:
    """The phase map beside the accuracies at the focus train fraction, one legend below."""
    phases, focus = fig.subplots(1, 2, width_ratios=[1.35, 1])
    draw_map(phases, data)
    draw_focus(focus, data)
    handles = [
        Patch(
            color=PHASE_COLOURS[FAIL],
            label=f"fail: train never reaches {MEMORISED:g} (nor test {GENERALISED:g})",
        ),
        Patch(
            color=PHASE_COLOURS[MEMORISE],
            label=f"memorise only: train reaches {MEMORISED:g}, test never {GENERALISED:g}",
        ),
        Patch(
            color=PHASE_COLOURS[GROK],
            label=f"grok: test reaches {GENERALISED:g} at least {GROK_DELAY} steps and "
            f"{GROK_FACTOR} times as late as train reached {MEMORISED:g}",
        ),
        Patch(
            color=PHASE_COLOURS[GENERALISE],
            label=f"generalise from the start: test reaches {GENERALISED:g} sooner",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9, frameon=False)
    recipe = GrokkingModel.params.defaults()
    fig.suptitle(
        f"Grokking (a + b) mod {data.p} against network width and data: AdamW, learning rate "
        f"{recipe['lr']:g}, weight decay {recipe['weight_decay']:g}, {data.steps} steps, "
        f"{len(data.seeds)} seeds a cell",
        fontsize=12,
    )


def save(
    out: str | Path, *, quick: bool = False, report: Callable[[str], object] = print
) -> list[Path]:
    """Train the map's runs in local processes, draw it into ``out`` (created if needed) and
    return the path; ``report`` receives the grid, one line per train fraction, the accuracies
    drawn on the right, the headline, the overall answer and the time taken."""
    out = figure_folder(out)
    data = phase_map(QUICK if quick else FULL)
    for line in data.lines:
        report(line)
    fig = new_figure(14, 5.5 + 0.1 * len(data.fractions), dpi=120)
    draw(fig, data)
    fig.savefig(out / FILE_NAME)
    return [out / FILE_NAME]


STUDY = Study("grokking-phases", "the grokking model's phases over width and train fraction", save)
