import subprocess
import sys
import textwrap

import pytest

from emergesim import UnknownModelError, available, get_model
from emergesim.models.traffic import TrafficModel

PLUGIN = """
import numpy as np
from emergesim import EmergenceModel, ModelCard, Param, ParamSet


class Coin(EmergenceModel):
    card = ModelCard(
        name="coin",
        summary="A coin flipped once per step: a plug-in model.",
        params=ParamSet(Param("bias", 0.5, "probability of heads", float, 0, 1)),
        control="bias",
        order="heads",
        observables={"heads": "1 if the last flip was heads"},
    )

    def __init__(self, *, seed=None, backend="numba", **params):
        super().__init__(seed=seed, backend=backend, **params)
        self.heads = 0.0

    def step(self):
        self.heads = float(self.rng.random() < self.bias)

    def observe(self):
        return {"heads": self.heads}
"""


def test_builtins_are_registered():
    assert "traffic" in available()
    assert get_model("traffic") is TrafficModel


def test_unknown_model_names_the_available_ones():
    with pytest.raises(UnknownModelError, match=r"unknown model 'nope'; available: .*traffic"):
        get_model("nope")


def test_an_installed_package_adds_a_model_through_the_entry_point(tmp_path):
    (tmp_path / "coin_plugin.py").write_text(PLUGIN)
    info = tmp_path / "coin_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coin-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[emergesim.models]\ncoin = coin_plugin:Coin\n")
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from emergesim.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    listing = subprocess.run(
        [sys.executable, "-c", script, "list"], capture_output=True, text=True, check=True
    )
    assert "coin" in listing.stdout and "plug-in model" in listing.stdout
    ran = subprocess.run(
        [sys.executable, "-c", script, "run", "coin", "-p", "bias=1", "--steps", "5", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"heads": 1.0' in ran.stdout


STUDY_PLUGIN = """
from pathlib import Path
from emergesim.study import Study


def save(out, *, quick=False, report=print):
    Path(out).mkdir(exist_ok=True)
    path = Path(out) / "coin.txt"
    path.write_text("heads")
    report(f"coin.txt: heads (quick: {quick})")
    return [path]


STUDY = Study("coin-study", "A coin's one figure: a plug-in study.", save)
NOT_A_STUDY = save
"""


def test_builtin_studies_are_registered_and_load_without_drawing():
    from emergesim.registry import get_study, studies
    from emergesim.study import Study

    assert {"llm-claims", "llm-data", "snowflake-morphology"} <= set(studies())
    found = get_study("llm-data")
    assert isinstance(found, Study) and found.name == "llm-data" and callable(found.save)


def test_unknown_study_names_the_available_ones():
    from emergesim import EmergesimError
    from emergesim.registry import get_study

    listed = r"unknown study 'nope'; available: (.*, )?llm-claims, "
    with pytest.raises(EmergesimError, match=listed):
        get_study("nope")


def test_an_installed_package_adds_a_study_through_the_entry_point(tmp_path):
    (tmp_path / "coin_study.py").write_text(STUDY_PLUGIN)
    info = tmp_path / "coin_study-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coin-study\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[emergesim.studies]\ncoin-study = coin_study:STUDY\nbroken = coin_study:NOT_A_STUDY\n"
    )
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from emergesim.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    out = tmp_path / "figs"
    ran = subprocess.run(
        [sys.executable, "-c", script, "figures", "coin-study", "--out", str(out), "--quick"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.splitlines() == ["coin.txt: heads (quick: True)", f"figure: {out}/coin.txt"]
    assert (out / "coin.txt").read_text() == "heads"
    broken = subprocess.run(
        [sys.executable, "-c", script, "figures", "broken", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 2
    assert broken.stderr == (
        "emergesim: error: 'coin_study:NOT_A_STUDY' (study 'broken') is not a Study\n"
    )
