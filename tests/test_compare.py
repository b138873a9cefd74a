"""End to end: the comparison at a tiny size writes a report whose numbers are all finite."""

import dataclasses
import json

import numpy as np

from emergesim import run
from emergesim.compare import SYSTEMS, compare
from emergesim.compare.measure import training_curves
from emergesim.compare.report import finite
from emergesim.compare.systems import Budget

TINY = {
    "traffic": Budget("0.04:0.5:7", (100, 200), reps=2, steps=60, burn_in=60),
    "flocking": Budget("0.5:5.5:7", (50, 100), reps=2, steps=60, burn_in=60),
    "snowflake": Budget("log:1e-4:0.3:9", (20, 30), reps=1, steps=1, burn_in=10**6),
    "skills": Budget("5:15:9", (2, 4), reps=2, steps=2, burn_in=0),
    "grokking": Budget(None, (23, 31), reps=2, steps=600, burn_in=0),
}
FIELDS = {
    "location", "location_ci", "width", "width_ci", "sharpening_exponent", "sharpening_ci",
    "sharpens", "progress_at_jump", "survives_continuous_metric", "verdict", "reasons", "detected",
}  # fmt: skip


def tiny_systems():
    return tuple(
        dataclasses.replace(s, quick=TINY[s.key], picture={**s.picture, **_small(s)})
        for s in SYSTEMS
    )


def _small(system):
    return {
        "traffic": {"length": 100},
        "flocking": {"n_agents": 50, "width": 3.5, "height": 3.5},
        "snowflake": {"radius": 30},
        "grokking": {"steps": 150},
    }.get(system.key, {})


def test_tiny_comparison_writes_every_file_and_finite_numbers(tmp_path):
    summary = compare(tmp_path, quick=True, systems=tiny_systems(), executor="serial",
                      progress=False)  # fmt: skip
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["systems"].keys() == {s.key for s in SYSTEMS}
    for key, numbers in written["systems"].items():
        assert numbers.keys() >= FIELDS, key
        assert (tmp_path / f"{key}-transition.png").stat().st_size > 10_000
        assert (tmp_path / f"{key}-picture.png").stat().st_size > 10_000
    assert finite(written)
    assert summary["answer"] == written["answer"]
    page = (tmp_path / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 1 + 2 * len(SYSTEMS)
    assert "Collective by both tests" in page


def test_rerunning_reuses_the_stored_runs_and_reproduces_the_report(tmp_path):
    systems = tiny_systems()[:1]
    first = compare(tmp_path, quick=True, systems=systems, executor="serial", progress=False)
    stored = sorted(p.name for p in (tmp_path / "runs").rglob("*.parquet"))
    second = compare(tmp_path, quick=True, systems=systems, executor="serial", progress=False)
    assert sorted(p.name for p in (tmp_path / "runs").rglob("*.parquet")) == stored
    first.pop("elapsed_seconds"), second.pop("elapsed_seconds")
    assert first == second


def test_training_time_rows_are_records_of_one_run_per_replicate_spaced_in_log_time():
    grokking = next(s for s in SYSTEMS if s.over_time)
    budget = TINY["grokking"]
    fixed = {**grokking.fixed, "p": 31}
    table = training_curves(grokking, budget, fixed, seed=0)
    assert sorted(table["replicate"].unique()) == list(range(budget.reps))
    steps = np.sort(table.loc[table["replicate"] == 0, "step"].to_numpy())
    assert steps[0] == grokking.record_every and steps[-1] == budget.steps
    assert np.all(steps % grokking.record_every == 0)
    # 40 marks evenly spaced in log time; early on the records themselves are coarser
    spacing = np.log(budget.steps / grokking.record_every) / 39
    gaps = np.diff(np.log(steps))
    assert 20 < steps.size <= 40
    assert gaps[steps[:-1] >= 100].max() < 1.5 * spacing
    # the rows are the run's own records: rerunning replicate 0 gives the same test accuracy
    seed = np.random.SeedSequence(0, spawn_key=(0,))
    again = run("grokking", seed=seed, steps=budget.steps, record_every=grokking.record_every,
                **fixed).timeseries.set_index("step")  # fmt: skip
    rows = table[table["replicate"] == 0].set_index("step")
    assert rows["test_accuracy"].equals(again.loc[rows.index, "test_accuracy"])
