"""Every script in examples/ runs at its tiny size and prints what it promises; each stays short."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emergesim.analysis import WORDS

EXAMPLES = Path(__file__).parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
MAX_LINES = 80  # lines with text, as ruff format lays them out: read in one sitting
NUMBER_WITH_INTERVAL = re.compile(r"-?\d+\.\d+ \[-?\d+\.\d+, -?\d+\.\d+\]")
VERDICT = re.compile(rf"\b({'|'.join(WORDS)})\b")

# what each example must print, and the figures (> 10 kB) it must write into its --out folder
EXPECT = {
    "locate_transition": ([NUMBER_WITH_INTERVAL, re.compile(r"b = [-+]\d")], ["transition.png"]),
    "two_systems_one_axis": ([VERDICT, NUMBER_WITH_INTERVAL], ["one_axis.png"]),
    "plugin_model": (
        [re.compile(rf"mean-field magnet .*: ({'|'.join(WORDS)}) \(")],
        ["meanfield-transition.png", "meanfield-collapse.png", "overview.png"],
    ),
    "read_store_with_polars_and_duckdb": (
        [re.compile(r"pandas, polars and DuckDB agree on \d+ mean flows")],
        [],
    ),
    "redo_report_figure": (
        [re.compile(r"verdict: " + VERDICT.pattern), NUMBER_WITH_INTERVAL],
        ["ising-transition.png", "ising-collapse.png"],
    ),
}


def test_every_example_has_its_checks():
    assert sorted(p.stem for p in SCRIPTS) == sorted(EXPECT)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_runs_at_its_tiny_size(script, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(script), "--tiny", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # anything written outside --out would land here, not in the repository
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    patterns, figures = EXPECT[script.stem]
    for pattern in patterns:
        assert pattern.search(done.stdout), (pattern.pattern, done.stdout)
    for name in figures:
        assert (out / name).stat().st_size > 10_000, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing outside --out


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_is_short_and_adaptable(script):
    text = script.read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) <= MAX_LINES, f"{script.name}: {len(lines)} lines with text"
    tree = ast.parse(text)
    assert ast.get_docstring(tree), "a module docstring: what it shows and how to adapt it"
    assert "Adapt" in ast.get_docstring(tree)
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)
    assert 'if __name__ == "__main__":' in text  # the process pool re-imports the script
    assert "--tiny" in text and "--out" in text
