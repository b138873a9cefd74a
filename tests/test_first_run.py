"""What a newcomer meets first: installing, starting, the command's conventions."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import emergesim
from emergesim.analysis.transitions import POWERS
from emergesim.cli import main

README = Path(__file__).parent.parent / "README.md"


def python(code, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_kernels_are_cached_per_user_never_in_the_package(tmp_path):
    """numba's cache files beside the installed source shadow a later editable install."""
    env = {"XDG_CACHE_HOME": str(tmp_path), "NUMBA_CACHE_DIR": ""}
    code = """
        import os
        os.environ.pop("NUMBA_CACHE_DIR")
        import emergesim
        emergesim.run("traffic", length=50, steps=3, burn_in=0, seed=0)
        print(os.environ["NUMBA_CACHE_DIR"])
    """
    out = python(code, env)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "emergesim" / "numba"
    assert out.stdout.strip() == str(folder)
    assert any(folder.rglob("*.nbi")), "the kernels were not cached in the user's folder"


def test_a_cache_folder_the_user_names_is_kept(tmp_path):
    out = python(
        "import emergesim, os; print(os.environ['NUMBA_CACHE_DIR'])",
        {"NUMBA_CACHE_DIR": str(tmp_path)},
    )
    assert out.stdout.strip() == str(tmp_path)


def test_without_fcntl_emergesim_imports_and_sweeps_into_a_store(tmp_path):
    """Windows has no fcntl; the store's lock must not need it."""
    code = f"""
        import sys
        sys.modules["fcntl"] = None  # import fcntl now raises ImportError
        import emergesim
        frame = emergesim.sweep("traffic", vary={{"density": [0.1, 0.3]}}, steps=3, burn_in=0,
                                seed=1, out={str(tmp_path / "s")!r}, executor="serial",
                                progress=False)
        print(list(frame["status"]), len(emergesim.load({str(tmp_path / "s")!r})))
    """
    out = python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['ok', 'ok'] 2"


def test_import_and_the_card_commands_do_not_load_mesa():
    out = python("""
        import sys
        from emergesim.cli import main
        main(["list"]); main(["info", "traffic"])
        import emergesim
        emergesim.get_model  # a name that is cheap
        print(sorted(m for m in ("mesa", "numba", "pandas", "matplotlib") if m in sys.modules))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_model_lookup_scans_installed_packages_once(monkeypatch):
    import importlib.metadata

    from emergesim import registry

    registry._entry_points.cache_clear()
    calls = []
    real = importlib.metadata.entry_points
    monkeypatch.setattr(
        importlib.metadata, "entry_points", lambda **kw: calls.append(kw) or real(**kw)
    )
    for _ in range(3):
        emergesim.get_model("traffic")
        emergesim.available()
    assert len(calls) == 1


def test_version_and_python_dash_m():
    assert main(["--version"]) == 0
    out = subprocess.run(
        [sys.executable, "-m", "emergesim", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"emergesim {emergesim.__version__}"
    assert emergesim.__version__[0].isdigit()


def test_help_shows_the_choices_and_the_completion_options():
    out = subprocess.run(
        [sys.executable, "-m", "emergesim", "sweep", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert "[grid|lhs|sobol|points]" in out.stdout.replace("<", "[").replace(">", "]")
    assert "<bool>" not in out.stdout
    assert all(len(line) <= 80 for line in out.stdout.splitlines())
    top = subprocess.run(
        [sys.executable, "-m", "emergesim", "--help"], capture_output=True, text=True, check=True
    )
    assert "--install-completion" in top.stdout and "--quiet" in top.stdout


def test_info_fits_an_80_column_terminal():
    out = subprocess.run(
        [sys.executable, "-m", "emergesim", "info", "snowflake"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert len(lines) < 60  # the meaning column is not squeezed to a word per line


def test_one_name_for_each_control_and_order_parameter(capsys):
    assert main(["list", "--json"]) == 0
    cards = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert (cards["snowflake"]["control"], cards["snowflake"]["order"]) == (
        "gamma",
        "cover_fraction",
    )
    assert cards["grokking"]["control"] == "step"  # training time, the run's own clock
    readme = README.read_text()
    for c in cards.values():
        assert f"| `{c['name']}` |" in readme
        assert f"`{c['order']}`" in readme


@pytest.mark.parametrize("command", [["list"], ["info", "ising"]])
def test_json_of_the_card_commands_parses(command, capsys):
    assert main([*command, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data


def test_info_json_has_every_parameter(capsys):
    assert main(["info", "traffic", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["params"]["density"] == {
        "default": 0.2,
        "allowed": "a number in [0, 1]",
        "unit": "cars/cell",
        "doc": "cars per cell",
    }
    assert data["order"] == "jammed_fraction" and "jam_speed" in data["observables"]


def test_sweep_and_analyze_print_json(tmp_path, capsys):
    store = str(tmp_path / "s")
    sweep = [
        "sweep",
        "traffic",
        "--vary",
        "density=0.05:0.6:8",
        "--vary",
        "length=100,200",
        "--steps",
        "30",
        "--burn-in",
        "30",
        "--seed",
        "1",
        "--workers",
        "1",
        "--out",
        store,
    ]
    assert main(["--quiet", *sweep, "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"out": store, "runs": 16, "ok": 16, "failed": 0}
    assert captured.err == ""  # --quiet: no bar, no summary
    args = ["analyze", store, "--x", "density", "--y", "jammed_fraction", "--by", "length"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["transitions"]) == {"100", "200"} and "width_exponent" in data
    for fit in data["transitions"].values():  # a knee's power; none for a step or no transition
        assert (fit["power"] in POWERS) if fit["kind"] == "knee" else fit["power"] is None


def test_figures_json_lists_the_files(tmp_path, capsys):
    assert main(["figures", "llm-data", "--out", str(tmp_path), "--quick", "--json"]) == 0
    paths = json.loads(capsys.readouterr().out)
    assert [os.path.basename(p) for p in paths] == [
        "arithmetic-scale.png",
        "arithmetic-calibration.png",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "traffic", "--design", "grd", "--out", "x"], "'grd' is not one of"),
        (["run", "traffic", "--backend", "c"], "'c' is not one of 'numba', 'python'"),
        (["list", "--jsn"], "No such option: --jsn"),
        (["info", "nope", "--json"], "unknown model 'nope'"),
        (["--quiet", "run", "nope"], "unknown model 'nope'"),
        (["compare", "--workers", "0", "--out", "r"], "workers must be an integer >= 1, got 0"),
        (["analyze", "no/such", "--x", "a", "--y", "b"], "'no/such' is not a sweep folder"),
    ],
)
def test_bad_input_to_the_new_options_is_one_line_and_exit_2(capsys, args, message):
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and captured.out == ""


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    import emergesim.runner

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(emergesim.runner, "run", interrupted)
    assert main(["run", "traffic"]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["emergesim: interrupted"]


def test_the_pool_shutdown_is_reachable_under_its_documented_names():
    out = python("""
        import emergesim
        emergesim.shutdown_pools()
        emergesim.sweeps.executors.shutdown_pools()
        print(callable(emergesim.sweep), callable(emergesim.run))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True True"
    readme = README.read_text()
    assert "`emergesim.shutdown_pools()`" in readme


def test_a_script_without_a_main_guard_is_told_so(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import emergesim\n"
        "emergesim.sweep('traffic', vary={'density': [0.1, 0.2]}, steps=2, burn_in=0,\n"
        "                workers=2, progress=False)\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert "died as they started" in last and 'if __name__ == "__main__":' in last
