"""The skills a run's language models meet, and the closed-form metrics of tasks drawn on them.

The skills are the nodes of a random 4-regular graph (networkx); an edge joins two skills that
follow one another in tasks, and a task is a random walk on it. Each skill gets a Zipf difficulty
(``theory.zipf_difficulties``) through a random assignment of frequency ranks to nodes. Graph and
ranks come from ``graph_seed``, not from the run's seed, so that every run of a sweep meets the
same skills and the closed forms are functions of the parameters alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np

from emergesim.models.skills import theory
from emergesim.models.skills.card import DEGREE, SCALE_RANGE

OPEN_ANSWER = 0  # ``n_choices`` of a task scored on the answer alone (no options to guess among)


@dataclass(frozen=True)
class SkillWorld:
    """Skill graph, difficulties and the task settings that fix the closed forms."""

    graph: nx.Graph
    neighbors: np.ndarray  # (n_skills, DEGREE), in the graph's adjacency order
    difficulties: np.ndarray  # per skill (node)
    task: str
    prompting: str
    k_steps: int
    n_choices: int
    tokens_per_param: float
    difficulty: float  # mean skill difficulty, also the distractor's

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SkillWorld:
        graph, neighbors, ranks = skill_graph(params["n_skills"], params["graph_seed"])
        difficulties = theory.zipf_difficulties(
            params["n_skills"], params["zipf"], params["difficulty"]
        )
        return cls(
            graph=graph,
            neighbors=neighbors,
            difficulties=difficulties[ranks],
            task=params["task"],
            prompting=params["prompting"],
            k_steps=params["k_steps"],
            n_choices=params["n_choices"] if params["task"] == "distractor" else OPEN_ANSWER,
            tokens_per_param=params["tokens_per_param"],
            difficulty=params["difficulty"],
        )

    @property
    def n_steps(self) -> int:
        """Skills per task: one fact for knowledge, the k-step chain otherwise."""
        return 1 if self.task == "knowledge" else self.k_steps

    def reducible_loss(self, log10_params):
        n_params = 10.0 ** np.asarray(log10_params, dtype=float)
        return theory.reducible_loss(n_params, self.tokens_per_param * n_params)

    def step_log_probabilities(self, reducible, prompting: str | None = None) -> np.ndarray:
        """log p of every skill (columns) for every language model (rows)."""
        difficulty = theory.prompted_difficulty(
            self.difficulties, reducible, prompting or self.prompting
        )
        return -difficulty * np.asarray(reducible, dtype=float)[..., None]

    def distractor_probability(self, reducible, prompting: str | None = None) -> np.ndarray:
        """Probability that the distractor pulls (0 for tasks without one)."""
        if self.n_choices == OPEN_ANSWER:
            return np.zeros_like(np.asarray(reducible, dtype=float))
        prompting = prompting or self.prompting
        return theory.distractor_probability(self.difficulty, reducible, prompting)

    def metrics(self, log10_params, prompting: str | None = None) -> dict[str, np.ndarray]:
        """Closed forms of every metric for language models at these scales."""
        reducible = self.reducible_loss(log10_params)
        log_p = self.step_log_probabilities(reducible, prompting)
        metrics = theory.walk_metrics(log_p, self.neighbors, self.n_steps)
        if self.n_choices != OPEN_ANSWER:
            metrics["exact_match"] = theory.multiple_choice_accuracy(
                metrics["exact_match"],
                self.distractor_probability(reducible, prompting),
                self.n_choices,
            )
        return metrics

    def transition_window(self) -> tuple[float, float]:
        """log10 N from where the first skills are picked up to where exact match nears 0.9.

        Lower edge: partial credit or the distractor's pull reaches 2%; upper edge: exact match
        reaches 90%; half a decade of margin on each side, within SCALE_RANGE.
        """
        grid = np.arange(SCALE_RANGE[0], SCALE_RANGE[1] + 0.025, 0.05)
        metrics = self.metrics(grid)
        rising = np.maximum(
            metrics["partial_credit"], self.distractor_probability(self.reducible_loss(grid))
        )
        low = _first(grid, rising >= 0.02, default=grid[0])
        high = _first(grid, metrics["exact_match"] >= 0.9, default=grid[-1])
        return max(low - 0.5, SCALE_RANGE[0]), min(high + 0.5, SCALE_RANGE[1])


@lru_cache(maxsize=8)
def skill_graph(n_skills: int, seed: int) -> tuple[nx.Graph, np.ndarray, np.ndarray]:
    """The random regular skill graph, its neighbour table and the frequency rank (0-based) of
    each node; cached, since scans and closed-form curves rebuild worlds with the same graph."""
    graph = nx.random_regular_graph(DEGREE, n_skills, seed=seed)
    neighbors = np.array([list(graph[node]) for node in range(n_skills)], dtype=np.int64)
    ranks = np.random.default_rng(seed).permutation(n_skills)
    neighbors.flags.writeable = ranks.flags.writeable = False
    return graph, neighbors, ranks


def _first(grid: np.ndarray, reached: np.ndarray, *, default: float) -> float:
    """The first grid value where ``reached`` holds, or ``default`` if it never does."""
    return float(grid[np.argmax(reached)]) if reached.any() else default
