"""`emergesim sweep`: exit codes, one-line errors before any run, spec files, the summary."""

import re
import tomllib
from pathlib import Path

import pytest
import typer
from sweep_toys import FAIL_AT
from test_store import snapshot

from emergesim.cli import app, main
from emergesim.sweeps import load
from emergesim.sweeps.spec import EXECUTION_KEYS, SPEC_KEYS

TOY = ["sweep", "sweep_toys:Step", "--reps", "2", "--seed", "5", "--workers", "1"]
VARY = ["--vary", "x=0:1:3"]


def test_the_options_are_named_as_the_keys_they_pass_through():
    """`sweep` hands its options to sweep() by name: each is a key of a spec file, except -p
    (param: the spec's fixed); model_version is only ever read from a file."""
    command = typer.main.get_command(app).commands["sweep"]
    options = {p.name for p in command.params} - {"as_json"}
    keys = (set(SPEC_KEYS) - {"fixed", "model_version"}) | {"param", "tol", "budget"}
    assert options == keys | set(EXECUTION_KEYS)


def test_options_reach_the_stored_spec_zeros_and_flags_included(tmp_path, capsys):
    args = [
        "--vary",
        "x=0:1:3",
        "--seed",
        "0",
        "--steps",
        "3",
        "--record-every",
        "1",
        "--workers",
        "1",
    ]
    adaptive = ["--adaptive", "--tol", "0.2", "--budget", "2"]
    assert main(["sweep", "sweep_toys:Step", *args, *adaptive, "--out", str(tmp_path)]) == 0
    stored = tomllib.loads((tmp_path / "sweep.toml").read_text())
    assert stored["seed"] == 0 and stored["steps"] == 3 and stored["record_every"] == 1
    assert stored["adaptive"] == {"tol": 0.2, "budget": 2}


def sweep_exit_code(*args):
    """main() returns 0 or 2; a sweep with failed runs exits with 1 (SystemExit)."""
    try:
        return main([*TOY, *args])
    except SystemExit as exit:
        return exit.code


def test_failures_exit_1_and_retrying_them_exits_0(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(FAIL_AT, "1")
    assert sweep_exit_code(*VARY, "--out", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert f"step: 6 runs (3 points x 2 replicates) in {tmp_path}" in err
    assert "ran 6 in this process" in err and "4 ok, 2 failed" in err
    assert "failed x=1.0 replicate=0: ValueError: made to fail at x=1.0" in err
    assert "rerun with --retry-failed" in err
    monkeypatch.delenv(FAIL_AT)
    assert sweep_exit_code(*VARY, "--out", str(tmp_path)) == 1  # failed runs are not rerun
    assert "ran 0 in this process" in capsys.readouterr().err
    assert sweep_exit_code(*VARY, "--out", str(tmp_path), "--retry-failed") == 0
    err = capsys.readouterr().err
    assert "ran 2 in this process" in err and "4 were already stored" in err
    assert "6 ok, 0 failed" in err


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    assert sweep_exit_code(*VARY, "--out", str(folder)) == 0
    return folder


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "colour=1,2"], "unknown parameter 'colour' for model 'step'; allowed: x,"),
        (["-p", "colour=red"], "unknown parameter 'colour' for model 'step'"),
        (["--vary", "size"], "--vary must be given as name=value, got 'size'"),
        (["--vary", "x=0,1"], "--vary x is given twice"),
        (["--vary", "size=1:10"], "vary size=1:10: expected start:stop:count"),
        (["--vary", "size=1:ten:3"], "vary size=1:ten:3: start and stop must be numbers"),
        (["--vary", "size=log:0:10:3"], "a log range needs start and stop > 0"),
        (["--vary", "size=1:10:0"], "the count must be >= 1, got 0"),
        (["--vary", "size="], "vary size=: no values, so the sweep would be empty"),
        (["--reps", "0"], "reps must be an integer >= 1, got 0"),
        (["--design", "lhs", "--samples", "0"], "vary x=0:1:3: expected start:stop (the count"),
        (["--vary", "size=500:2000:4"], "vary size=500:2000:4: parameter 'size' must be an int"),
        (["-p", "delay=2"], "parameter 'delay' must be a number in [0, 1], got '2'"),
        (["--seed", "6"], "holds a different sweep (seed: 5 stored, 6 given)"),
        (["--adaptive", "--tol", "0.1"], "adaptive needs budget, the most runs it may add"),
        (["--seed", str(2**63)], "seed must be an integer in [0, 2**63), got 9223372036854775808"),
    ],
)
def test_bad_specs_are_refused_before_any_run(store, capsys, args, message):
    before = snapshot(store)
    assert sweep_exit_code(*VARY, "--out", str(store), *args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emergesim: error: ")
    assert message in lines[0]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "nope", "--out", "x"], "unknown model 'nope'; available: "),
        (["sweep", "no_such_module:Model", "--out", "x"], "cannot import model 'no_such_module:"),
        (["sweep", "sweep_toys:Clash", "--out", "x"], "its parameter 'noise' has the name of an"),
        (["sweep", "traffic"], "--out DIR is needed: the folder that stores the runs"),
        (
            [
                "sweep",
                "traffic",
                "--out",
                "x",
                "--scheduler",
                "tcp://127.0.0.1:1",
                "--workers",
                "0",
            ],
            "workers must be an integer >= 1, got 0",
        ),
        (["sweep", "spec.toml", "--vary", "x=0:1:3"], "in spec.toml or as options, not both"),
        (["sweep", "missing.toml"], "cannot read spec file 'missing.toml'"),
    ],
)
def test_bad_commands_exit_2_with_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "x").exists()


def test_an_output_folder_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    assert sweep_exit_code(*VARY, "--out", str(tmp_path / "taken")) == 2
    assert f"output folder '{tmp_path / 'taken'}' is a file" in capsys.readouterr().err


def test_a_spec_file_runs_and_the_stored_spec_resumes_in_place(tmp_path, capsys):
    (tmp_path / "spec.toml").write_text(
        'model = "sweep_toys:Step"\nreps = 2\nseed = 4\nout = "runs/step"\nworkers = 1\n'
        '[fixed]\nsize = 5\n[vary]\nx = [0.25, 0.75]\nthreshold = "log:0.01:1:3"\n'
    )
    assert main(["sweep", str(tmp_path / "spec.toml")]) == 0
    store = tmp_path / "runs" / "step"
    stored = tomllib.loads((store / "sweep.toml").read_text())
    assert stored == {
        "model": "sweep_toys:Step",
        "model_version": "1",
        "design": "grid",
        "reps": 2,
        "steps": 5,
        "burn_in": 0,
        "record_every": 1,
        "seed": 4,
        "out": ".",
        "fixed": {"size": 5},
        "vary": {"x": [0.25, 0.75], "threshold": "log:0.01:1:3"},
    }
    table = load(store)
    assert len(table) == 12 and sorted(set(table["threshold"])) == [0.01, 0.1, 1.0]
    capsys.readouterr()
    before = snapshot(store / "runs")
    assert main(["sweep", str(store / "sweep.toml"), "--workers", "1"]) == 0
    assert "ran 0 in this process in" in capsys.readouterr().err
    assert snapshot(store / "runs") == before


def test_readme_adaptive_example_extends_the_range_as_it_says(tmp_path, capsys):
    """README's Ising sweep stops below T_c: the adaptive design extends it past T_c, then pins
    the steepest interval; README quotes both lines."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    command = re.search(r"emergesim (sweep ising .*?) --out runs/ising", readme, re.S).group(1)
    args = command.replace("\\\n", " ").split()
    assert main([*args, "--workers", "1", "--out", str(tmp_path / "ising")]) == 0
    err = " ".join(capsys.readouterr().err.split())
    for line in (
        "extended temperature to 1.5..2.8 to bracket the transition",
        "magnetization changes fastest between temperature 2.375 and 2.3875",
    ):
        assert line in err
        assert line in " ".join(readme.split())
