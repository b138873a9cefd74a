import json
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from emergesim.cli import main

TINY = ["-p", "length=200", "--steps", "30", "--burn-in", "10"]


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "emergesim.cli", *args], capture_output=True, text=True
    )


def test_list_and_info_describe_the_model(capsys):
    assert main(["list"]) == 0
    assert "traffic" in capsys.readouterr().out
    assert main(["info", "traffic"]) == 0
    out = capsys.readouterr().out
    for word in ("density", "a number in [0, 1]", "cars/cell", "jammed_fraction", "jam_speed"):
        assert word in out


def test_run_prints_a_table(capsys):
    assert main(["run", "traffic", *TINY, "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "seed 3, burn-in 10, 30 measured steps" in out
    assert "flow" in out and "mean" in out


def test_json_output_is_one_object_and_reproducible():
    args = ["run", "traffic", *TINY, "-p", "density=0.35", "--seed", "11", "--json"]
    first, second = cli(*args), cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["model"] == "traffic" and data["seed"] == 11
    assert data["steps"] == 30 and data["burn_in"] == 10
    assert data["params"] == {"length": 200, "density": 0.35, "vmax": 5, "p_slow": 0.25}
    assert set(data["observables"]) == {
        "flow",
        "mean_speed",
        "jammed_fraction",
        "n_jams",
        "jam_speed",
        "all_jammed",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nope"], "unknown model 'nope'; available: "),
        (["run", "traffic", "-p", "colour=red"], "unknown parameter 'colour' for model 'traffic'"),
        (["run", "traffic", "--scan", "colour"], "unknown parameter 'colour' for model 'traffic'"),
        (["run", "traffic", "--seed", "-1"], "seed must be an integer in [0, 2**63), got -1"),
        (
            ["run", "traffic", "-p", "density=1.5"],
            "'density' must be a number in [0, 1], got '1.5'",
        ),
        (["run", "traffic", "-p", "density=-0.1"], "'density' must be a number in [0, 1]"),
        (["run", "traffic", "-p", "vmax=0"], "'vmax' must be an integer in [1, 1000], got '0'"),
        (["run", "traffic", "-p", "p_slow=fast"], "'p_slow' must be a number in [0, 1]"),
        (["run", "traffic", "-p", "density"], "must be given as name=value, got 'density'"),
        (["run", "traffic", "--steps", "0"], "steps must be an integer >= 1, got 0"),
        (["run", "traffic", "--steps", "many"], "Invalid value for '--steps'"),
        (["run", "traffic", "--plot", "out.jpg"], "must end in .png, .svg, .pdf"),
        (["run", "traffic", "--plot", "no/such/dir/a.png"], "folder 'no/such/dir' does not exist"),
        (["info", "nope"], "unknown model 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(capsys, args, message):
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emergesim: error: ")
    assert message in lines[0]
    assert captured.out == ""


def test_the_installed_command_shows_no_traceback():
    result = cli("run", "traffic", "-p", "density=2")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "emergesim: error: parameter 'density' must be a number in [0, 1], got '2'"
    ]


def test_plot_and_animation_are_written(tmp_path):
    png, gif = tmp_path / "st.png", tmp_path / "st.gif"
    assert (
        main(["run", "traffic", *TINY, "--seed", "1", "--plot", str(png), "--animate", str(gif)])
        == 0
    )
    with Image.open(png) as image:
        assert image.width > 1000 and image.height > 500
    with Image.open(gif) as animation:
        assert animation.n_frames > 10


def test_scan_draws_the_fundamental_diagram(tmp_path, capsys):
    png = tmp_path / "fd.png"
    args = ["run", "traffic", "--scan", "density", "--scan-points", "6", *TINY, "--plot", str(png)]
    assert main([*args, "--seed", "2", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["density"] for row in rows] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert rows[0]["flow"] == 0.0 and rows[-1]["flow"] == 0.0  # empty and full rings stand still
    assert png.stat().st_size > 10_000


def test_analyze_prints_the_transition_of_a_stored_sweep(tmp_path, capsys):
    from emergesim import sweep

    sweep(
        "traffic",
        vary={"density": "0.02:0.6:8", "length": [100, 300]},
        reps=2,
        steps=60,
        burn_in=60,
        seed=1,
        out=tmp_path,
        executor="serial",
        progress=False,
    )
    args = ["analyze", str(tmp_path), "--x", "density", "--y", "jammed_fraction", "--by", "length"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "jammed_fraction against density" in out and "width ~ length^b" in out
    assert (tmp_path / "analysis.png").stat().st_size > 10_000
    assert main([*args[:4], "--y", "speed"]) == 2
    assert "no column 'speed' in the runs" in capsys.readouterr().err


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["analyze", str(tmp_path), "--x", "density", "--y", "flow"]) == 2
    assert "is not a sweep folder" in capsys.readouterr().err


STARTED = "import sys; from emergesim.cli import main; print('go', file=sys.stderr, flush=True)"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "traffic", "-p", "length=100000", "--steps", "100000000"],
        ["--quiet", "compare", "--quick", "--out", "{out}"],
    ],
    ids=["run", "compare"],
)
def test_ctrl_c_ends_a_command_with_130_and_one_line(tmp_path, args):
    args = [a.format(out=tmp_path / "report") for a in args]
    code = f"{STARTED}; sys.exit(main({args!r}))"
    child = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert child.stderr.readline() == "go\n"  # the command's own handler is in place
    time.sleep(2)  # well into the work
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130
    assert err.splitlines() == [err.splitlines()[0]] and err.startswith("emergesim: interrupted")
