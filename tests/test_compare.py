"""The comparison: every declared row is measured the same way, and the ground truth comes out
as it must."""

import json

import numpy as np
import pytest

from emergesim import EmergesimError, run
from emergesim.analysis import WORDS
from emergesim.card import Budget
from emergesim.compare import compare, report, systems
from emergesim.compare.measure import training_curves
from emergesim.compare.report import finite
from emergesim.models.flocking.card import at_density_4

ONSAGER_TC = 2 / np.log(1 + np.sqrt(2))
TINY = {  # every row at two small sizes, a few seconds each
    "ising": Budget("1.9:2.7:9", (4, 8), reps=2, steps=60, burn_in=20),
    "independent_spins": Budget("-3:6:10", (2, 4), reps=2, steps=20, burn_in=1),
    "traffic": Budget("0.04:0.5:7", (100, 200), reps=2, steps=60, burn_in=60),
    "flocking": Budget("0.5:5.5:7", at_density_4(50, 100), reps=2, steps=60, burn_in=60),
    "snowflake": Budget("log:1e-4:0.3:9", (20, 30), reps=1, steps=1, burn_in=10**6),
    "skills": Budget("5:15:9", (2, 4), reps=2, steps=2, burn_in=0),
    "grokking": Budget(None, (23, 31), reps=2, steps=600, burn_in=0),
}
SMALL_PICTURES = {
    "ising": {"size": 32},
    "independent_spins": {"size": 16},
    "traffic": {"length": 100},
    "flocking": {"n_agents": 50, "width": 3.5, "height": 3.5},
    "snowflake": {"radius": 30},
    "grokking": {"steps": 150},
}


OBSERVED = {s.key for s in systems() if s.observed is not None}  # real data: no budget


def tiny(keys=None):
    rows = [s for s in systems() if keys is None or s.key in keys]
    return tuple(
        s
        if s.observed is not None
        else s.with_budget(
            TINY[s.key], picture={**s.comparison.picture, **SMALL_PICTURES.get(s.key, {})}
        )
        for s in rows
    )


def test_every_registered_model_declares_its_rows_ground_truth_first():
    keys = [s.key for s in systems()]
    assert set(keys) == set(TINY) | OBSERVED
    assert len(OBSERVED) >= 3 and "ipa_transliteration" in OBSERVED
    assert keys[:2] == ["ising", "independent_spins"]
    for s in systems():
        if s.observed is not None:
            continue
        c = s.comparison
        assert c.per_unit in s.card.observables and c.all_or_nothing in s.card.observables
        assert c.size in s.card.params
        assert len(c.quick.sizes) >= 3 and len(c.full.sizes) >= 4  # finite-size scaling


def test_tiny_comparison_writes_every_file_and_a_verdict_from_the_five(tmp_path):
    summary = compare(tmp_path, quick=True, rows=tiny(), executor="serial", progress=False)
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["systems"].keys() == set(TINY) | OBSERVED
    for key, numbers in written["systems"].items():
        assert numbers["verdict"] in WORDS, key
        assert numbers["reasons"]["rule"]
        one_size = key in OBSERVED  # one figure: the scores by family
        for figure in ("picture",) if one_size else ("transition", "collapse", "picture"):
            assert (tmp_path / f"{key}-{figure}.png").stat().st_size > 10_000, (key, figure)
    assert finite(written)  # every number is finite; a quantity not measured is null
    assert summary["answer"] == written["answer"]
    assert written["answer"].startswith("Calibration on systems with a known answer: ")
    page = (tmp_path / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 1 + 3 * len(TINY) + len(OBSERVED)
    written_files = json.loads((tmp_path / report.MANIFEST).read_text())
    assert sorted(written_files) == sorted(report.planned(tiny()))


def test_a_file_the_report_did_not_write_is_refused_before_any_run_and_kept(tmp_path):
    rows = tiny({"traffic"})
    (tmp_path / "index.html").write_text("my notes")
    (tmp_path / "notes.txt").write_text("mine too")
    with pytest.raises(EmergesimError, match=r"index\.html' was not written by emergesim compare"):
        compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    assert (tmp_path / "index.html").read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "notes.txt"]  # no runs


def test_a_report_file_changed_by_the_user_is_not_overwritten(tmp_path):
    rows = tiny({"traffic"})
    compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    edited = tmp_path / "summary.json"
    edited.write_text(edited.read_text() + " ")
    with pytest.raises(EmergesimError, match=r"summary\.json' was not written .* or was changed"):
        compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    assert edited.read_text().endswith("} ")


def test_rerunning_reuses_the_stored_runs_and_reproduces_the_report(tmp_path):
    rows = tiny({"traffic"})
    first = compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    stored = sorted(p.name for p in (tmp_path / "runs").rglob("*.parquet"))
    second = compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    assert sorted(p.name for p in (tmp_path / "runs").rglob("*.parquet")) == stored
    first.pop("elapsed_seconds"), second.pop("elapsed_seconds")
    assert first == second


def test_the_method_gets_the_ground_truth_right_on_quick_settings(tmp_path):
    """The calibration rows at their own quick budgets: the 2D Ising model is collective and its
    Binder crossing lies within 1 % of Onsager's T_c; independent spins are not collective (the
    per-unit score does not sharpen, all_up only moves with N); the toy LLM is composition."""
    rows = tuple(s for s in systems() if s.comparison.expect is not None)
    assert {s.key for s in rows} == {"ising", "independent_spins", "skills"}
    summary = compare(tmp_path, quick=True, rows=rows, executor="serial", progress=False)
    found = summary["systems"]
    assert found["ising"]["verdict"] == "collective"
    assert found["ising"]["location_from"] == "Binder cumulant crossing"
    assert abs(found["ising"]["location"] / ONSAGER_TC - 1) < 0.01
    assert found["ising"]["per_unit_nu_from"] == "Binder cumulant collapse"
    low, high = found["ising"]["per_unit_nu_ci"]
    assert low <= 1 <= high < 1.5  # Onsager's nu = 1, and an interval that says something
    assert found["independent_spins"]["verdict"] == "composition"
    reading = found["independent_spins"]["reasons"]["per_unit"]
    assert reading["sharpens"] == "no"  # alone, the per-unit score reads as a crossover
    assert found["skills"]["verdict"] == "composition"


def test_traffic_jams_are_located_at_the_density_of_maximum_flow(tmp_path):
    """The jammed fraction's onset at its quick budget lies within 0.02 of the density where the
    flow peaks, found here by plain runs on a finer grid of densities at the same p_slow."""
    traffic = next(s for s in systems() if s.key == "traffic")
    summary = compare(tmp_path, quick=True, rows=(traffic,), executor="serial", progress=False)
    fixed = traffic.comparison.fixed
    densities = np.round(np.arange(0.12, 0.2, 0.005), 3)
    flows = [
        np.mean(
            [
                run(
                    "traffic", length=4000, density=d, seed=s, steps=1000, burn_in=1000, **fixed
                ).observables["flow"]
                for s in range(2)
            ]
        )
        for d in densities
    ]
    peak = densities[int(np.argmax(flows))]
    assert 0.14 <= peak <= 0.17  # Nagel-Schreckenberg at vmax 5, p_slow 0.1
    assert abs(summary["systems"]["traffic"]["location"] - peak) < 0.02


def test_training_time_rows_are_records_of_one_run_per_replicate_spaced_in_log_time():
    grokking = next(s for s in systems() if s.over_time)
    budget = TINY["grokking"]
    every = grokking.comparison.record_every
    fixed = {**grokking.comparison.fixed, "p": 31}
    table = training_curves(grokking, budget, fixed, seed=0)
    assert sorted(table["replicate"].unique()) == list(range(budget.reps))
    steps = np.sort(table.loc[table["replicate"] == 0, "step"].to_numpy())
    assert steps[0] == every and steps[-1] == budget.steps
    assert np.all(steps % every == 0)
    # 40 marks evenly spaced in log time; early on the records themselves are coarser
    spacing = np.log(budget.steps / every) / 39
    gaps = np.diff(np.log(steps))
    assert 20 < steps.size <= 40
    assert gaps[steps[:-1] >= 100].max() < 1.5 * spacing
    # the rows are the run's own records: rerunning replicate 0 gives the same test accuracy
    seed = np.random.SeedSequence(0, spawn_key=(0,))
    again = run(
        "grokking", seed=seed, steps=budget.steps, record_every=every, **fixed
    ).timeseries.set_index("step")
    rows = table[table["replicate"] == 0].set_index("step")
    assert rows["test_accuracy"].equals(again.loc[rows.index, "test_accuracy"])
