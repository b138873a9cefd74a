"""Skill-composition speed: the numba kernel against its Python twin and a numpy version.

Run: python benchmarks/skills.py [--quick]

Every peer advances a SkillsModel one step at a time, random numbers included: each draws the
same task starts, turns and uniform numbers from the model's generator and scores every attempt
for every language model of the run. Times are the median of repeats, taken one after the other
in this process; the unit of work is one step of one task for one language model.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from timing import seconds_per_step

from emergesim.models.skills import SkillsModel
from emergesim.models.skills.world import DEGREE, OPEN_ANSWER


def numpy_step(model: SkillsModel) -> None:
    """The step as a numpy user would vectorise it: walks as index arrays, broadcast scores."""
    world, tasks, n = model.world, model.tasks, model.world.n_steps
    starts = model.rng.integers(model.n_skills, size=tasks)
    moves = model.rng.integers(DEGREE, size=(tasks, n - 1))
    options = 0 if world.n_choices == OPEN_ANSWER else 2
    draws = model.rng.random((tasks, n + options))
    path = np.empty((tasks, n), dtype=np.int64)
    path[:, 0] = starts
    for j in range(n - 1):
        path[:, j + 1] = world.neighbors[path[:, j], moves[:, j]]
    right = (draws[:, :n] < model.p[:, path]).sum(axis=-1)  # (models, tasks)
    solved = right == n
    if options:
        guessed = (draws[:, n] >= model.p_distractor[:, None]) & (
            draws[:, n + 1] < 1.0 / world.n_choices
        )
        solved |= guessed
    log_likelihood = model.log_p[:, path].sum(axis=-1)
    scores = np.stack([solved, right / n, n - right, log_likelihood], axis=-1)
    model.totals += scores.sum(axis=1)
    model.squares += (scores * scores).sum(axis=1)
    model.attempts += tasks


def check_numpy_peer(params: dict) -> None:
    """The numpy peer scores the same attempts: the same sums up to rounding order."""
    models = [SkillsModel(seed=1, **params) for _ in range(2)]
    for _ in range(5):
        SkillsModel.step(models[0])
        numpy_step(models[1])
    assert np.allclose(models[0].totals, models[1].totals, rtol=1e-10), "numpy peer disagrees"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"cores: {os.cpu_count()}; defaults: k = 8 steps, 13 language models (one + family)")
    header = ("task", "tasks", "peer", "s/step", "task-steps/s", "kernel is")
    print("{:>10} {:>6} {:>6} {:>10} {:>13} {:>10}".format(*header))
    for task, tasks, steps, twin_steps in [
        ("multistep", 250, 2000, 3),
        ("multistep", 20_000, 30, 1),
        ("distractor", 20_000, 30, 1),
    ]:
        params = dict(task=task, tasks=tasks)
        check_numpy_peer(params)
        steps = max(steps // 5, 3) if args.quick else steps
        kernel_model = SkillsModel(seed=1, **params)
        work = tasks * kernel_model.log10_n.size * kernel_model.world.n_steps
        rows = [
            ("kernel", seconds_per_step(kernel_model, SkillsModel.step, steps, repeats)),
            (
                "numpy",
                seconds_per_step(
                    SkillsModel(seed=1, **params), numpy_step, max(steps // 10, 3), repeats
                ),
            ),
            (
                "twin",
                seconds_per_step(
                    SkillsModel(seed=1, backend="python", **params), SkillsModel.step, twin_steps, 3
                ),
            ),
        ]
        kernel = rows[0][1]
        for peer, seconds in rows:
            ratio = "" if peer == "kernel" else f"{seconds / kernel:9.0f}x"
            print(
                f"{task:>10} {tasks:>6} {peer:>6} {seconds:10.3e} {work / seconds:13.3e} "
                f"{ratio:>10}"
            )


if __name__ == "__main__":
    main()
