"""Skill composition: a toy language model whose multi-step abilities "emerge" with scale.

A language model of N parameters trained on D = ``tokens_per_param`` N tokens has the Chinchilla
loss; each skill on a random skill graph is right with probability exp(-d (L - E)); a task is a
walk of skills on the graph, right only if every step is. Exact match then stays near zero while
partial credit climbs, and jumps late: the threshold is in the metric, not in the model
(Schaeffer et al. 2023). The mathematics, the task classes and the prompting styles are in
``theory``; the skills in ``world``.

One step is one batch: every language model (the run's own, at ``log10_params``, and a
``family`` of others across the transition) attempts ``tasks`` freshly drawn tasks. The closed
forms do not change from step to step; the Monte Carlo estimates (``*_mc``) cover the attempts
since the previous observation, so a run's window mean is the estimate from all its attempts and
converges to the closed form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from mesa.discrete_space import FixedAgent, Network

from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.skills import theory, twin
from emergesim.models.skills.kernels import attempt_tasks
from emergesim.models.skills.world import DEGREE, OPEN_ANSWER, SCALE_RANGE, SkillWorld
from emergesim.params import Param, ParamSet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergesim.models.skills import figure


class Tally(NamedTuple):
    """Monte Carlo sums since the start of the run: a picture frame."""

    attempts: int
    totals: np.ndarray  # (language models, metrics) sums of the scores
    squares: np.ndarray  # the same for the squared scores

    def estimates(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean score and its standard error, per language model and metric."""
        n = max(self.attempts, 1)
        mean = self.totals / n
        variance = np.maximum(self.squares / n - mean**2, 0.0) * n / max(n - 1, 1)
        return mean, np.sqrt(variance / n)


class Skill(FixedAgent):
    """A skill: a node of the skill graph, a view onto the model's arrays."""

    def __init__(self, model: SkillsModel, cell) -> None:
        super().__init__(model)
        self.cell = cell
        self.index = cell.coordinate

    @property
    def difficulty(self) -> float:
        return float(self.model.world.difficulties[self.index])

    def neighbor(self, turn: int) -> Skill:
        """The skill at the given position in this one's neighbourhood (adjacency order)."""
        return self.cell.neighborhood.cells[turn].agents[0]


class LanguageModel(RowAgent):
    """A language model of the family: a view onto row ``index`` of the model's arrays."""

    @property
    def n_params(self) -> float:
        return float(10.0 ** self.model.log10_n[self.index])

    @property
    def n_tokens(self) -> float:
        return self.model.tokens_per_param * self.n_params

    @property
    def loss(self) -> float:
        """Chinchilla loss L(N, D), nats per token."""
        return theory.E + float(self.model.reducible[self.index])

    @property
    def compute(self) -> float:
        """Training compute C = 6 N D in FLOPs."""
        return 6 * self.n_params * self.n_tokens

    @property
    def distractor_probability(self) -> float:
        return float(self.model.p_distractor[self.index])

    def success_probability(self, skill: Skill) -> float:
        return self.model.p[self.index, skill.index]

    def log_success_probability(self, skill: Skill) -> float:
        return self.model.log_p[self.index, skill.index]

    def record(self, *scores: float) -> None:
        """Add one attempt's scores (in ``theory.METRICS`` order) to the model's tallies."""
        scores = np.array(scores)
        self.model.totals[self.index] += scores
        self.model.squares[self.index] += scores * scores


class SkillsModel(EmergenceModel):
    """Skill composition: multi-step abilities of a toy LLM emerge with scale."""

    name = "skills"
    params = ParamSet(
        Param("log10_params", 10.0, "log10 of the language model's parameter count N", float,
              *SCALE_RANGE, unit="log10 parameters"),
        Param("tokens_per_param", 20.0, "training tokens per parameter D/N (Chinchilla: ~20)",
              float, 0, 1e6, low_open=True, unit="tokens/parameter"),
        Param("task", "multistep", "knowledge (one fact), multistep (k composed steps) or "
              "distractor (multiple choice with a cheaper wrong skill)", str,
              choices=theory.TASKS),
        Param("prompting", "direct", "direct, few_shot (in-context examples) or cot (chain of "
              "thought)", str, choices=theory.PROMPTINGS),
        Param("k_steps", 8, "skills composed in a multistep or distractor task (knowledge: 1)",
              int, 1, 64),
        Param("difficulty", 0.5, "mean skill difficulty d: a skill is right with exp(-d(L-E))",
              float, 0, 100, low_open=True),
        Param("zipf", 1.0, "Zipf exponent: the skill of frequency rank r has difficulty ~ "
              "r^zipf (0: all equal)", float, 0, 4),
        Param("n_skills", 1000, f"skills on the skill graph (random, {DEGREE}-regular)", int,
              DEGREE + 1, 20_000),
        Param("n_choices", 4, "options of a distractor question", int, 2, 26),
        Param("tasks", 250, "tasks attempted per language model per step", int, 1, 100_000),
        Param("family", 12, "more language models, evenly spaced in log10 N across the "
              "transition (for the figure)", int, 0, 100),
        Param("graph_seed", 0, "seed of the skill graph and difficulty ranks (the same skills "
              "for every run seed)", int, 0, 2**32 - 1),
    )  # fmt: skip
    control = "log10_params"
    order = "exact_match"
    observables = {
        "exact_match": "closed form: P(answer right): every step right (distractor: right option)",
        "partial_credit": "closed form: expected share of the task's steps done right",
        "edit_distance": "closed form: expected number of wrong steps",
        "log_likelihood": "closed form: expected log-probability of the reference steps (nats)",
        **{
            f"{name}_mc": f"Monte Carlo estimate of {name} (attempts since last observed)"
            for name in theory.METRICS
        },
        "loss": "Chinchilla loss L(N, D) of the language model (nats/token)",
        "log10_compute": "log10 of the training compute 6 N D (FLOPs)",
    }
    scan_observables = ("exact_match_mc", "partial_credit_mc")
    default_steps = 200

    def __init__(self, *, seed=None, backend="numba", **params: Any) -> None:
        super().__init__(seed=seed, backend=backend, **params)
        self.world = world = SkillWorld.from_params(self.parameters)
        self.space = Network(world.graph, random=self.random)
        self.skills = [Skill(self, self.space[node]) for node in range(self.n_skills)]
        family = np.linspace(*world.transition_window(), self.family) if self.family else []
        self.log10_n = np.array([self.log10_params, *family])
        self.reducible = world.reducible_loss(self.log10_n)
        self.log_p = world.step_log_probabilities(self.reducible)
        self.p = np.exp(self.log_p)
        self.p_distractor = world.distractor_probability(self.reducible)
        metrics = world.metrics(self.log10_n)
        self.expected = np.stack([metrics[name] for name in theory.METRICS], axis=1)
        self.language_models = [LanguageModel(self, i) for i in range(self.log10_n.size)]
        self.totals = np.zeros_like(self.expected)
        self.squares = np.zeros_like(self.expected)
        self.attempts = 0
        self._observed = (0, self.totals[0].copy())  # attempts and sums at the last observe()

    def step(self) -> None:
        world, tasks = self.world, self.tasks
        starts = self.rng.integers(self.n_skills, size=tasks)
        moves = self.rng.integers(DEGREE, size=(tasks, world.n_steps - 1))
        options = 0 if world.n_choices == OPEN_ANSWER else 2  # distractor and guess draws
        draws = self.rng.random((tasks, world.n_steps + options))
        if self.backend == "numba":
            attempt_tasks(
                starts, moves, draws, world.neighbors, self.p, self.log_p, self.p_distractor,
                world.n_choices, self.totals, self.squares,
            )  # fmt: skip
        else:
            twin.step(self, starts, moves, draws)
        self.attempts += tasks

    def observe(self) -> dict[str, float]:
        """Closed forms and, over the attempts since the previous call, the estimates."""
        attempts, totals = self._observed
        self._observed = (self.attempts, self.totals[0].copy())
        since = self.attempts - attempts
        estimates = (self.totals[0] - totals) / since if since else np.full(totals.size, np.nan)
        lm = self.language_models[0]
        return {
            **dict(zip(theory.METRICS, self.expected[0].tolist(), strict=True)),
            **{f"{name}_mc": float(v) for name, v in zip(theory.METRICS, estimates, strict=True)},
            "loss": lm.loss,
            "log10_compute": float(np.log10(lm.compute)),
        }

    def frame(self) -> Tally:
        return Tally(self.attempts, self.totals.copy(), self.squares.copy())

    def render(self, fig: Figure, frames: Sequence[Tally], steps: Sequence[int]) -> None:
        from emergesim.models.skills import figure

        figure.draw(fig, self, frames)

    @cached_property
    def curves(self) -> figure.Curves:
        """Closed forms across the transition, for the pictures (computed on first use)."""
        from emergesim.models.skills import figure

        return figure.Curves.over_transition(self.world, self.log10_params)

    @classmethod
    def exact_curve(
        cls, observable: str, control: str, values: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, str] | None:
        """Closed form of a metric (or of its estimate) against any real-valued parameter."""
        metric = observable.removesuffix("_mc")
        if metric not in theory.METRICS or cls.params[control].type is not float:
            return None
        curve = [_closed_form(metric, {**params, control: value}) for value in values]
        return np.array(curve), "closed form"


def _closed_form(metric: str, params: Mapping[str, Any]) -> float:
    """A metric's closed form for the language model of a run with these parameters."""
    return float(SkillWorld.from_params(params).metrics(params["log10_params"])[metric])
