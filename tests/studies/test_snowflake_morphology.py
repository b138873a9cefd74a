"""The snowflake morphology map: each crystal's label and steps, the same on every executor, and
the command that draws the map."""

import numpy as np
import pytest
from PIL import Image

from emergesim import ParameterError
from emergesim.cli import main
from emergesim.studies.snowflake_morphology import QUICK, morphology_map


def test_morphology_map_labels_each_crystal():
    found = morphology_map(radius=24, betas=(0.0, 0.4), gammas=(1.0,), executor="serial")
    lines = [crystal.line for crystal in found.crystals]
    assert lines == [
        "beta 0, gamma 1: plate (22 steps)",  # a ring a step, to ceil(0.9 * 24)
        "beta 0.4, gamma 1: plate (22 steps)",
    ]


def test_worker_processes_grow_the_same_crystals_in_the_same_order():
    grid = dict(radius=24, betas=(0.4, 0.95), gammas=(0.0, 0.001))
    serial = morphology_map(**grid, executor="serial").crystals
    pooled = morphology_map(**grid, executor="process", workers=2).crystals
    assert [c.line for c in pooled] == [c.line for c in serial]
    for ours, theirs in zip(pooled, serial, strict=True):
        assert np.array_equal(ours.frame.ice_code, theirs.frame.ice_code)


def test_a_bad_pair_is_refused_before_any_crystal_grows():
    with pytest.raises(ParameterError, match="'beta' must be a number in"):
        morphology_map(radius=24, betas=(0.4, 1.5), gammas=(0.0,), executor="serial")


def test_figures_command_writes_the_map_and_a_line_per_crystal(tmp_path, capsys):
    assert main(["figures", "snowflake-morphology", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(QUICK.betas) * len(QUICK.gammas) + 1
    assert "beta 0.1, gamma 0.01: plate (1602 steps)" in printed  # gammas from the top row down
    assert "beta 0.4, gamma 0.01: sectored (382 steps)" in printed
    assert "beta 0.4, gamma 0.001: dendrite (518 steps)" in printed
    path = tmp_path / "snowflake-map.png"
    assert printed[-1] == f"figure: {path}"
    with Image.open(path) as image:
        assert image.format == "PNG"
    assert path.stat().st_size > 10_000
