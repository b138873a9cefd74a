"""One batch of attempts written agent by agent, as a Mesa user would.

For every attempt a task is drawn by walking the skill graph from skill agent to skill agent;
then every language-model agent tries each step of it. It consumes the same draws as
``kernels.attempt_tasks`` and adds the same numbers in the same order; it is the readable
statement of the rules and the benchmark's peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from emergesim.models.skills.model import LanguageModel, Skill, SkillsModel


def step(model: SkillsModel, starts: np.ndarray, moves: np.ndarray, draws: np.ndarray) -> None:
    """One batch: every language model attempts the same freshly drawn tasks."""
    for start, turns, task_draws in zip(starts, moves, draws, strict=True):
        path = walk(model.skills[start], turns)
        for language_model in model.language_models:
            language_model.record(*attempt(language_model, path, task_draws, model.world.n_choices))


def walk(skill: Skill, turns: np.ndarray) -> list[Skill]:
    """The task: ``skill``, then at each turn the chosen neighbour on the skill graph."""
    path = [skill]
    for turn in turns:
        skill = skill.neighbor(turn)
        path.append(skill)
    return path


def attempt(
    language_model: LanguageModel, path: list[Skill], draws: np.ndarray, n_choices: int
) -> tuple[float, float, float, float]:
    """Scores of one attempt: (solved, share of steps right, wrong steps, log-likelihood)."""
    right, log_likelihood = 0, 0.0
    for skill, draw in zip(path, draws, strict=False):
        if draw < language_model.success_probability(skill):
            right += 1
        log_likelihood += language_model.log_success_probability(skill)
    n = len(path)
    solved = right == n
    if not solved and n_choices:  # a multiple-choice question: the distractor, or a guess
        pulled = draws[n] < language_model.distractor_probability
        solved = not pulled and draws[n + 1] < 1.0 / n_choices
    return float(solved), right / n, float(n - right), log_likelihood
