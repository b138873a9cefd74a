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
