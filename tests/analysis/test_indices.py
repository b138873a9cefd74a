"""Sobol' and Morris indices of a finished sweep: SALib's design swept through points=, the
indices SALib's own, the Ishigami function's known indices, the command line and its figure."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_saltelli
from SALib.test_functions import Ishigami

from emergesim import EmergesimError
from emergesim.analysis import morris_indices, morris_points, saltelli_points, sobol_indices
from emergesim.card import ModelCard
from emergesim.cli import main
from emergesim.model import EmergenceModel
from emergesim.params import Param, ParamSet
from emergesim.sweeps import sweep

MODEL = f"{__name__}:Additive"  # importable: pytest puts this folder on sys.path
RANGES = {"a": "0:1", "b": "0:1"}


class Additive(EmergenceModel):
    """y = a + 2 b (+ noise): S1 = ST = 1/5 and 4/5; elementary effects 1 and 2."""

    card = ModelCard(
        name="additive",
        summary="y = a + 2 b + noise.",
        params=ParamSet(
            Param("a", 0.5, "first input", float, 0.0, 1.0),
            Param("b", 0.5, "second input", float, 0.0, 1.0),
            Param("noise", 0.0, "standard deviation of the noise", float, 0.0, 1.0),
        ),
        control="a",
        order="y",
        observables={"y": "a + 2 b + noise"},
        default_steps=1,
    )

    def step(self):
        self.z = self.noise * self.rng.normal()

    def observe(self):
        return {"y": float(self.a + 2 * self.b + self.z)}

    def frame(self):
        return self.a

    def render(self, fig, frames, steps):
        fig.add_subplot().plot(np.array(frames))


def swept(out, design, **kwargs):
    return sweep(MODEL, points=design, out=out, executor="serial", progress=False, **kwargs)


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sobol")
    design = saltelli_points(MODEL, RANGES, 64, seed=1)
    swept(folder, design, reps=2, fixed={"noise": 0.05}, seed=3)
    return folder, design


def test_saltelli_points_are_salibs_design_in_the_ranges():
    design = saltelli_points(MODEL, {"a": "0.2:0.6", "b": "log:0.01:1"}, 8, seed=2)
    unit = salib_saltelli.sample(
        {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2},
        8,
        calc_second_order=False,
        seed=2,
    )
    assert list(design.columns) == ["a", "b"] and len(design) == 8 * (2 + 2)
    np.testing.assert_allclose(design["a"], 0.2 + 0.4 * unit[:, 0], rtol=1e-11)
    np.testing.assert_allclose(np.log10(design["b"]), -2 + 2 * unit[:, 1], rtol=1e-10)


def test_a_swept_saltelli_design_gives_salibs_indices_on_the_same_outputs(sobol_sweep):
    folder, design = sobol_sweep
    found = sobol_indices(folder, None, "y", seed=7)
    runs = emergesim_load(folder)
    means = runs.groupby(["a", "b"])["y"].mean()
    y = np.array([means[(row.a, row.b)] for row in design.itertuples()])
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}
    direct = salib_sobol.analyze(
        problem, y, calc_second_order=False, num_resamples=1000, conf_level=0.95, seed=7
    )
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(found.table[column], direct[column], rtol=1e-12)
    assert (found.rows, found.points, found.runs) == (256, 256, 512)
    # y = a + 2 b: S1 = ST = 0.2 and 0.8, within the intervals
    for column in ("S1", "ST"):
        assert (abs(found.table[column] - [0.2, 0.8]) <= found.table[f"{column}_conf"]).all()
    # the design given as a DataFrame beside the runs gives the same
    again = sobol_indices(runs, ["a", "b"], "y", points=design, seed=7)
    pd.testing.assert_frame_equal(again.table, found.table)


def emergesim_load(folder):
    from emergesim.sweeps import load

    return load(folder)


def test_a_swept_morris_design_gives_salibs_elementary_effects(tmp_path):
    design = morris_points(MODEL, RANGES, 6, seed=5)
    assert len(design) == 6 * 3 and len(design.drop_duplicates()) < len(design)  # repeats
    swept(tmp_path, design, seed=1)
    found = morris_indices(tmp_path, None, "y", seed=2)
    y = design["a"].to_numpy() + 2 * design["b"].to_numpy()
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}
    direct = salib_morris.analyze(
        problem, design.to_numpy(), y, num_resamples=1000, conf_level=0.95, num_levels=4, seed=2
    )
    for column in ("mu", "mu_star", "mu_star_conf", "sigma"):
        np.testing.assert_allclose(found.table[column], direct[column], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(found.table["mu_star"], [1, 2])
    np.testing.assert_allclose(found.table["sigma"], [0, 0], atol=1e-9)
    assert found.rows == 18 and found.points == len(design.drop_duplicates())


def test_the_ishigami_function_has_its_analytic_indices_within_the_intervals():
    """Ishigami & Homma (1990), a = 7, b = 0.1: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244."""
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = salib_saltelli.sample(problem, 1024, calc_second_order=False, seed=0)
    table = pd.DataFrame(x, columns=problem["names"]).assign(y=Ishigami.evaluate(x))
    found = sobol_indices(table, ["x1", "x2", "x3"], "y", seed=0)
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    s1 = np.array([v1, v2, 0]) / total
    st = np.array([v1 + v13, v2, v13]) / total
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0], atol=1e-4)
    assert (abs(found.table["S1"] - s1) <= found.table["S1_conf"]).all()
    assert (abs(found.table["ST"] - st) <= found.table["ST_conf"]).all()
    assert (found.table["S1_conf"] < 0.1).all()


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda f: sobol_indices(f, None, "speed"), "no column 'speed' in the runs"),
        (lambda f: sobol_indices(f, ["a", "c"], "y"), "no column 'c' in the points"),
        (
            lambda f: sobol_indices(f, None, "y", second_order=True),
            "a Saltelli design of 2 inputs with second_order has a multiple of 6 rows, got 256",
        ),
        (lambda f: sobol_indices(f, None, "y", confidence=95), "confidence must be a number"),
        (
            lambda f: sobol_indices(emergesim_load(f), None, "y"),
            "the runs of a sweep need points=",
        ),
    ],
)
def test_indices_refuse_what_they_cannot_compute_in_one_line(sobol_sweep, call, says):
    with pytest.raises(EmergesimError) as refused:
        call(sobol_sweep[0])
    assert str(refused.value).startswith(says) and "\n" not in str(refused.value)


def test_a_grid_sweep_or_missing_runs_are_refused(tmp_path):
    sweep(MODEL, vary={"a": "0:1:3"}, out=tmp_path, executor="serial", progress=False)
    with pytest.raises(EmergesimError, match="swept a grid design, not a table of points"):
        sobol_indices(tmp_path, None, "y")
    design = saltelli_points(MODEL, RANGES, 4, seed=0)
    runs = swept(None, design.iloc[:10])
    with pytest.raises(EmergesimError, match="6 of the 16 rows of the design have no finished run"):
        sobol_indices(runs, None, "y", points=design)


def test_without_salib_one_line_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib.sample.sobol", None)  # import raises ImportError
    with pytest.raises(EmergesimError) as refused:
        saltelli_points(MODEL, RANGES, 8)
    assert str(refused.value) == (
        'Sobol and Morris indices need SALib: pip install "emergesim[sensitivity]"'
    )


def test_analyze_indices_prints_the_table_and_draws_the_bars(sobol_sweep, tmp_path, capsys):
    folder, _ = sobol_sweep
    figure = tmp_path / "sobol.png"
    args = ["analyze", str(folder), "--indices", "sobol", "--y", "y"]
    assert main([*args, "--figure", str(figure)]) == 0
    assert figure.stat().st_size > 10_000
    out = capsys.readouterr().out
    found = sobol_indices(folder, None, "y")
    row = found.table.loc["b"]
    shown = f"{row.S1:.3f} [{row.S1 - row.S1_conf:.3f}, {row.S1 + row.S1_conf:.3f}]"
    assert "Sobol indices of y (256 design rows, 256 points, 512 runs)" in out and shown in out
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[0])
    assert data["indices"]["b"]["S1"] == pytest.approx(row.S1)
    assert (folder / "sobol-indices.png").is_file()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--indices", "sobol", "--y", "y", "--x", "a"], "--x is not for --indices"),
        (["--indices", "morris", "--y", "y"], "a Morris design of 2 inputs has a multiple of 3"),
        (["--y", "y"], "--x is needed"),
    ],
)
def test_analyze_indices_refusals_exit_2_with_one_line(sobol_sweep, capsys, args, says):
    assert main(["analyze", str(sobol_sweep[0]), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err


def test_readme_sobol_example_prints_the_indices_it_quotes(tmp_path):
    """README's three commands, run as written, print the indices README quotes."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("### Designs from elsewhere") :]
    block = section[section.index("```bash\n") + 8 : section.index("```\n", 10)]
    printed = ""
    for line in block.strip().splitlines():
        words = shlex.split(line)
        program = [sys.executable] if words[0] == "python" else [sys.executable, "-m", "emergesim"]
        done = subprocess.run(
            [*program, *words[1:]], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        printed += done.stdout
    rows = re.findall(r"│ (density|p_slow) +│ ([^│]+?) +│ ([^│]+?) +│", printed)
    assert len(rows) == 2
    for name, first, total in rows:
        assert f"{first} for {name}" in " ".join(section.split())
        assert total in section
