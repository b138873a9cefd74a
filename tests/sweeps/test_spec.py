"""The spec's keys live in SweepSpec's fields: the file, the keys and the comparison follow them;
a store's sweep.toml is read once and each point is checked once."""

import inspect
from dataclasses import fields

import pytest
from sweep_toys import Step
from test_store import serial, snapshot

from emergesim import EmergesimError
from emergesim.sweeps import store as store_module
from emergesim.sweeps.spec import (
    DERIVED,
    DIFFER,
    EXECUTION_KEYS,
    SPEC_KEYS,
    SweepSpec,
    read_toml,
    resolve_spec,
    toml_types,
)
from emergesim.sweeps.store import FolderStore, read_stored

# Two specs that between them give every key a value (adaptive needs a grid, samples a sampler).
GRID = dict(
    vary={"x": "0:1:3", "threshold": [0.25, 0.5]},
    fixed={"size": 4},
    reps=2,
    steps=6,
    burn_in=2,
    record_every=2,
    seed=11,
    adaptive=True,
    tol=0.1,
    budget=8,
)
SOBOL = dict(vary={"x": "0:1", "threshold": "log:0.01:1"}, design="sobol", samples=4, seed=3)

# sweep.toml as written before the keys moved into SweepSpec's fields: stores keep resuming
OLD_FORMAT = (
    "# emergesim sweep: the resolved spec of the runs in runs/*.parquet.\n"
    "# `emergesim sweep <this file>` resumes the sweep in this folder.\n"
    'model = "sweep_toys:Step"\nmodel_version = "1"\ndesign = "grid"\nreps = 2\nsteps = 5\n'
    'burn_in = 0\nrecord_every = 1\nseed = 11\nout = "."\n\n[fixed]\nsize = 4\n\n[vary]\n'
    'x = "0:1:3"\nthreshold = [0.25, 0.5]\n\n[adaptive]\ntol = 0.1\nbudget = 8\n'
)


def test_the_keys_are_the_fields_of_sweepspec_and_arguments_of_resolve_spec():
    derived = {f.name for f in fields(SweepSpec) if f.metadata.get(DIFFER) == DERIVED}
    assert derived == {"cls"}
    assert tuple(f.name for f in fields(SweepSpec) if f.name not in derived) == SPEC_KEYS
    assert set(SPEC_KEYS) <= set(inspect.signature(resolve_spec).parameters)


@pytest.mark.parametrize("given", [GRID, SOBOL], ids=["grid", "sobol"])
def test_a_spec_written_by_to_toml_reads_back_equal_in_every_field(tmp_path, given):
    spec = resolve_spec(Step, **given)
    path = tmp_path / "sweep.toml"
    path.write_text(spec.to_toml())
    table, execution = read_toml(path)
    assert execution == {"out": tmp_path / "."}
    again = resolve_spec(**table)
    for f in fields(SweepSpec):
        assert getattr(again, f.name) == getattr(spec, f.name), f.name
    assert again.to_toml() == spec.to_toml()
    assert [t.key for t in again.tasks()] == [t.key for t in spec.tasks()]


def test_every_key_is_exercised_by_the_round_trip():
    specs = [resolve_spec(Step, **given) for given in (GRID, SOBOL)]
    for key in SPEC_KEYS:
        assert any(getattr(spec, key) not in (None, {}) for spec in specs), key


def test_the_file_format_and_the_run_keys_are_unchanged():
    spec = resolve_spec(Step, **{**GRID, "steps": None, "burn_in": None, "record_every": 1})
    assert spec.to_toml() == OLD_FORMAT
    assert len(spec.tasks()) == 12
    assert spec.tasks()[0].key == (
        "2c16b1d706b1805e5e2ca97ea2e716f647a3229703c72129dad3556bfedfe5e6"
    )


def test_a_store_written_in_the_old_format_resumes_in_place(tmp_path):
    (tmp_path / "sweep.toml").write_text(OLD_FORMAT)
    given = {**GRID, "steps": None, "burn_in": None, "record_every": 1, "seed": None}
    first = serial(tmp_path, **given)
    assert len(first) >= 12 and (first["seed"] == 11).all()  # adaptive adds runs
    assert (tmp_path / "sweep.toml").read_text() == OLD_FORMAT
    before = snapshot(tmp_path)
    serial(tmp_path, **given)
    assert snapshot(tmp_path) == before


def test_a_resumed_sweep_checks_each_point_once_and_does_not_resolve_the_stored_one(
    tmp_path, monkeypatch
):
    serial(tmp_path)  # 3 points x 2 replicates
    checked = []
    monkeypatch.setattr(Step, "check_params", classmethod(lambda cls, values: checked.append(1)))
    resolved = []
    monkeypatch.setattr(
        store_module, "resolve_spec", lambda **table: resolved.append(table) or None
    )
    serial(tmp_path)  # the same sweep: every run stored
    assert len(checked) == 3 and resolved == []


def test_a_sweep_toml_changed_after_it_was_read_is_refused(tmp_path):
    serial(tmp_path)
    stored = read_stored(tmp_path)
    spec = resolve_spec(Step, vary={"x": "0:1:3"}, reps=2, seed=stored.seed)
    (tmp_path / "sweep.toml").write_text(stored.text.replace("reps = 2", "reps = 3"))
    before = snapshot(tmp_path)
    with pytest.raises(EmergesimError, match=r"sweep\.toml' changed while this sweep was start"):
        FolderStore(tmp_path, spec, stored)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("vary = 3", "'vary' in '{}' must be a table, got 3"),
        ('fixed = "size=4"', "'fixed' in '{}' must be a table, got 'size=4'"),
        ("model = 3", "'model' in '{}' must be a string, got 3"),
        ("samples = 2.5", "'samples' in '{}' must be an integer, got 2.5"),
        ("reps = true", "'reps' in '{}' must be an integer, got True"),
        ('dask = "false"', "'dask' in '{}' must be true or false, got 'false'"),
        ('retry_failed = "no"', "'retry_failed' in '{}' must be true or false, got 'no'"),
        ("workers = 1.0", "'workers' in '{}' must be an integer, got 1.0"),
    ],
)
def test_a_spec_file_value_of_the_wrong_type_is_refused_naming_key_and_type(tmp_path, line, says):
    path = tmp_path / "spec.toml"
    lines = ['model = "sweep_toys:Step"', line] if not line.startswith("model") else [line]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(EmergesimError) as refused:
        read_toml(path)
    assert str(refused.value).startswith(says.format(path))


def test_every_key_of_a_spec_file_has_a_type_and_a_stored_spec_passes_its_own_check(tmp_path):
    assert set(toml_types()) == set(SPEC_KEYS) | set(EXECUTION_KEYS)
    path = tmp_path / "sweep.toml"
    path.write_text(resolve_spec(Step, **GRID).to_toml())
    assert read_toml(path)[0]["vary"] == {"x": "0:1:3", "threshold": [0.25, 0.5]}


@pytest.mark.parametrize("keyword", ["vary", "fixed"])
def test_the_api_refuses_a_table_that_is_no_mapping(keyword):
    with pytest.raises(EmergesimError, match=f"^{keyword} maps parameter names to values"):
        resolve_spec(Step, **{keyword: "x=1"})


@pytest.mark.parametrize(
    ("given", "runs"),
    [
        ({"vary": {"x": "0:1:1000000000000"}}, "1,000,000,000,000"),
        ({"vary": {"x": "0:1:3"}, "reps": 10**12}, "3,000,000,000,000"),
        ({"vary": {"x": "0:1", "threshold": "0:1"}, "design": "sobol", "samples": 10**9}, None),
        ({"vary": {"x": "0:1:1001"}, "reps": 1000}, "1,001,000"),
    ],
)
def test_a_sweep_too_large_is_refused_from_its_counts_before_any_point_is_made(given, runs):
    with pytest.raises(EmergesimError, match="more than max_runs = 1,000,000") as refused:
        resolve_spec(Step, **given)
    assert runs is None or f"would make {runs} runs" in str(refused.value)


def test_max_runs_can_be_raised_and_counts_the_adaptive_budget():
    assert len(resolve_spec(Step, vary={"x": "0:1:5"}, reps=2, max_runs=10).tasks()) == 10
    with pytest.raises(EmergesimError, match="would make 14 runs, more than max_runs = 10"):
        resolve_spec(
            Step, vary={"x": "0:1:5"}, reps=2, adaptive=True, tol=0.1, budget=4, max_runs=10
        )
