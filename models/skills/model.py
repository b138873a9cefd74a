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
since ``open_interval()``, which a run calls at each record, so a run's window mean is the
estimate from all its attempts and converges to the closed form.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa.discrete_space import FixedAgent, Network

from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.skills import theory, twin
from emergesim.models.skills.card import CARD, DEGREE, METRICS
from emergesim.models.skills.kernels import attempt_tasks
from emergesim.models.skills.world import OPEN_ANSWER, SkillWorld

if TYPE_CHECKING:
    from emergesim.models.skills import render


# The skill graph has no geometry. Mesa 3.5's Network lays a graph out in the plane unless told
# not to (a spring layout: 4 s for 1000 skills, per model); Mesa 3.3 takes no layout at all.
TOPOLOGICAL = {"layout": None} if "layout" in inspect.signature(Network).parameters else {}


@dataclass(frozen=True)
class Tally:
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
        self.index = self.pos = cell.coordinate  # its node of the graph

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
        """Add one attempt's scores (in ``METRICS`` order) to the model's tallies."""
        scores = np.array(scores)
        self.model.totals[self.index] += scores
        self.model.squares[self.index] += scores * scores


class SkillsModel(EmergenceModel):
    """Skill composition: multi-step abilities of a toy LLM emerge with scale."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run: the skill graph (networkx's, Mesa's Network of cells and a Skill
        agent per node: ~17.5 kB a skill), the language models' per-skill probabilities and a
        step's draws (start, moves and uniforms of every task). Measured (peak RSS growth,
        3 steps): 17 MB for 1000 skills, 343 MB for 20000."""
        skills, tasks, k = values["n_skills"], values["tasks"], values["k_steps"]
        return 17_500 * skills + 16 * (values["family"] + 1) * skills + 8 * tasks * (2 * k + 2)

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        super().__init__(seed=seed, backend=backend, **kwargs)
        self.world = world = SkillWorld.from_params(self.parameters)
        self.space = Network(world.graph, random=self.random, **TOPOLOGICAL)
        self.skills = [Skill(self, self.space[node]) for node in range(self.n_skills)]
        family = np.linspace(*world.transition_window(), self.family) if self.family else []
        self.log10_n = np.array([self.log10_params, *family])
        self.reducible = world.reducible_loss(self.log10_n)
        self.log_p = world.step_log_probabilities(self.reducible)
        self.p = np.exp(self.log_p)
        self.p_distractor = world.distractor_probability(self.reducible)
        metrics = world.metrics(self.log10_n)
        self.expected = np.stack([metrics[name] for name in METRICS], axis=1)
        self.add_row_agents(LanguageModel, self.log10_n.size)  # made when first asked for
        self.totals = np.zeros_like(self.expected)
        self.squares = np.zeros_like(self.expected)
        self.attempts = 0
        self._opened = (0, self.totals[0].copy())  # attempts and sums at open_interval()

    @property
    def language_models(self) -> list[LanguageModel]:
        """The language models as Mesa agents, the run's own first (``row_agents``)."""
        return self.row_agents

    def step(self) -> None:
        world, tasks = self.world, self.tasks
        starts = self.rng.integers(self.n_skills, size=tasks)
        moves = self.rng.integers(DEGREE, size=(tasks, world.n_steps - 1))
        options = 0 if world.n_choices == OPEN_ANSWER else 2  # distractor and guess draws
        draws = self.rng.random((tasks, world.n_steps + options))
        self.advance(starts, moves, draws)
        self.attempts += tasks

    def kernel_step(self, starts: np.ndarray, moves: np.ndarray, draws: np.ndarray) -> None:
        """One batch of attempts added to the tallies; the draws as in ``twin.step``."""
        attempt_tasks(
            starts,
            moves,
            draws,
            self.world.neighbors,
            self.p,
            self.log_p,
            self.p_distractor,
            self.world.n_choices,
            self.totals,
            self.squares,
        )

    def open_interval(self) -> None:
        self._opened = (self.attempts, self.totals[0].copy())

    def observe(self) -> dict[str, float]:
        """Closed forms and, over the attempts since ``open_interval()``, the estimates."""
        attempts, totals = self._opened
        since = self.attempts - attempts
        estimates = (self.totals[0] - totals) / since if since else np.full(totals.size, np.nan)
        # the run's own language model read from the arrays as its agent reads them (see
        # LanguageModel: loss, compute = 6 N D), so that observing makes no agents
        n_params = float(10.0 ** self.log10_n[0])
        compute = 6 * n_params * (self.tokens_per_param * n_params)
        return {
            **dict(zip(METRICS, self.expected[0].tolist(), strict=True)),
            **{f"{name}_mc": float(v) for name, v in zip(METRICS, estimates, strict=True)},
            "loss": theory.E + float(self.reducible[0]),
            "log10_compute": float(np.log10(compute)),
        }

    def frame(self) -> Tally:
        return Tally(self.attempts, self.totals.copy(), self.squares.copy())

    @cached_property
    def curves(self) -> render.Curves:
        """Closed forms across the transition, for the pictures (computed on first use)."""
        from emergesim.models.skills import render

        return render.Curves.over_transition(self.world, self.log10_params)

    @classmethod
    def exact_curve(
        cls, observable: str, control: str, values: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, str] | None:
        """Closed form of a metric (or of its estimate) against any real-valued parameter."""
        metric = observable.removesuffix("_mc")
        if metric not in METRICS or cls.params[control].type is not float:
            return None
        curve = [_closed_form(metric, {**params, control: value}) for value in values]
        return np.array(curve), "closed form"


def _closed_form(metric: str, params: Mapping[str, Any]) -> float:
    """A metric's closed form for the language model of a run with these parameters."""
    return float(SkillWorld.from_params(params).metrics(params["log10_params"])[metric])
