"""The grokking phase map: the phase of a run from its two steps (every phase, every boundary),
a tiny grid whose cells are measured, the command that draws it, and README's numbers."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from emergesim import ParameterError
from emergesim.cli import main
from emergesim.studies import grokking_phases
from emergesim.studies.grokking_phases import (
    FAIL,
    FULL,
    GENERALISE,
    GROK,
    MEMORISE,
    QUICK,
    Grid,
    Run,
    cell_of,
    classify,
    phase_map,
)

NAN = math.nan
README = Path(__file__).parents[2] / "README.md"
# (a + b) mod 17 for 600 steps, seed 0, in under a second: each width in a different phase
TINY = Grid(17, 600, (4, 16, 64), (0.6, 0.8), (0,), 0.6)


@pytest.mark.parametrize(
    ("memorised_at", "generalised_at", "phase"),
    [
        (NAN, NAN, FAIL),  # never memorises, never generalises
        (20.0, NAN, MEMORISE),
        (NAN, 300.0, GENERALISE),  # generalises without ever memorising
        (25.0, 125.0, GROK),  # a delay of exactly 100 steps (and 5 times)
        (25.0, 124.0, GENERALISE),  # 99 steps
        (50.0, 200.0, GROK),  # exactly 4 times (and 150 steps)
        (50.0, 199.0, GENERALISE),  # under 4 times
        (10.0, 110.0, GROK),  # 100 steps, 11 times
        (100.0, 90.0, GENERALISE),  # generalised before it memorised
        (0.0, 100.0, GROK),
    ],
)
def test_a_runs_phase_follows_from_its_memorised_and_generalised_steps(
    memorised_at, generalised_at, phase
):
    assert classify(memorised_at, generalised_at) == phase


def run(phase, memorised_at=NAN, generalised_at=NAN, seed=0):
    return Run(8, 0.5, seed, 0.5, 0.2, memorised_at, generalised_at, phase)


def test_a_cell_takes_the_median_phase_of_its_seeds_and_says_how_many_agree():
    cell = cell_of([run(FAIL), run(GROK, 20, 300, 1), run(GROK, 30, 500, 2)])
    assert (cell.phase, cell.agree, cell.memorised_at, cell.generalised_at) == (GROK, 2, 25, 400)
    assert cell.label == "grok at 400 (2/3 seeds)"
    split = cell_of([run(GENERALISE, 20, 40), run(FAIL, seed=1), run(MEMORISE, 20, seed=2)])
    assert (split.phase, split.label) == (MEMORISE, "memorise only (1/3 seeds)")
    assert cell_of([run(FAIL), run(GROK, 20, 300, 1)]).phase == FAIL  # the lower median
    assert cell_of([run(GENERALISE, 20, 40)]).label == "generalise from the start at 40"


def test_a_tiny_grid_shows_each_phase_where_it_was_measured():
    found = phase_map(TINY, executor="serial")
    assert [(c.width, c.train_fraction, c.phase) for c in found.cells] == [
        (4, 0.6, FAIL),
        (16, 0.6, MEMORISE),
        (64, 0.6, GROK),
        (4, 0.8, FAIL),
        (16, 0.8, MEMORISE),
        (64, 0.8, GENERALISE),
    ]
    narrow, middle, wide = found.row(0.6)
    assert narrow.train_accuracy < 0.5 and narrow.test_accuracy < 0.2  # cannot fit the pairs
    assert middle.train_accuracy == 1 and middle.test_accuracy < 0.8  # fits, does not generalise
    assert wide.test_accuracy == 1 and wide.generalised_at >= 4 * wide.memorised_at + 100
    assert found.line(0.6) == "train fraction 0.6: 4 fail, 16 memorise only, 64 grok at 250"
    assert found.headline == (
        "smallest width that groks at train fraction 0.6: 64 (memorised at step 26, generalised "
        "at 250); width 4 gets 34% of its training pairs right and 9% of the held-out ones (fail)"
    )
    assert found.overall == (
        "over all train fractions: width 4 fails at every one; the smallest width that groks is "
        "64, at train fraction 0.6"
    )
    assert found.timing.startswith("6 runs in this process in ")


def test_worker_processes_train_the_same_runs_as_this_process():
    grid = TINY._replace(widths=(4, 64), fractions=(0.6,))
    serial = phase_map(grid, executor="serial").cells
    pooled = phase_map(grid, executor="process", workers=2).cells
    assert repr(pooled) == repr(serial)  # the same bits (NaN != NaN)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (TINY._replace(focus=0.5), "the focus train fraction 0.5 is not one of the grid's"),
        (TINY._replace(p=3, fractions=(0.05,), focus=0.05), "leaves 0 for training"),
        (TINY._replace(widths=(0, 4)), "'width' must be"),
    ],
)
def test_a_bad_grid_is_refused_before_any_run(grid, message, monkeypatch):
    monkeypatch.setattr(grokking_phases, "make_executor", None)  # no run may start
    with pytest.raises(ParameterError, match=re.escape(message)):
        phase_map(grid, executor="serial")


def test_figures_command_writes_the_map_and_its_numbers(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(grokking_phases, "QUICK", TINY)
    assert main(["figures", "grokking-phases", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("(a + b) mod 17, 600 steps a run: widths 4, 16, 64 x train")
    assert printed[1:3] == [
        "train fraction 0.6: 4 fail, 16 memorise only, 64 grok at 250",
        "train fraction 0.8: 4 fail, 16 memorise only, 64 generalise from the start at 70",
    ]
    assert printed[3].startswith("accuracy after 600 steps at train fraction 0.6 (train/test")
    assert printed[4].startswith("smallest width that groks at train fraction 0.6: 64")
    assert re.fullmatch(r"6 runs on \d+ processes in \d+ s", printed[6])
    path = tmp_path / "grokking-phases.png"
    assert printed[-1] == f"figure: {path}"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1680, 684)  # 14 x 5.7 inches
    assert path.stat().st_size > 50_000


def test_readme_quotes_the_quick_maps_row_as_the_command_prints_it():
    """The quick map's cells are independent runs with fixed seeds, so its focus row alone (10 s
    instead of 30) prints the same lines as ``figures grokking-phases --quick``; in a fresh
    process, as the command runs, so that its workers start with one BLAS thread."""
    code = (
        "from emergesim.studies.grokking_phases import QUICK, phase_map\n"
        "print(*phase_map(QUICK._replace(fractions=(QUICK.focus,))).lines, sep='\\n')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    _, row, accuracy, headline, _, _ = out.stdout.splitlines()
    readme = README.read_text()
    section = readme[readme.index("### grokking: modular addition") :]
    section = section[: section.index("\n## ")]
    for line in (row, accuracy, headline):
        assert line in section
    for part in (  # the grids, as their first printed line names them
        f"mod {QUICK.p}, {QUICK.steps} steps",
        f"widths {QUICK.widths[0]} to {QUICK.widths[-1]}",
        f"mod {FULL.p}, {FULL.steps} steps",
        f"widths {FULL.widths[0]} to {FULL.widths[-1]}",
        f"train fractions {FULL.fractions[0]:g} to {FULL.fractions[-1]:g} in steps of 0.05",
    ):
        assert part in " ".join(section.split())
    assert "![grokking phases](docs/images/grokking-phases.png)" in section
    assert (README.parent / "docs/images/grokking-phases.png").is_file()
