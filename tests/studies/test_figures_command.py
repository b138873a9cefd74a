"""`emergesim figures NAME`: names found through the entry point group, wrong input refused in
one line before any work."""

import pytest

from emergesim.cli import main
from emergesim.registry import studies

BUILT_IN = ["grokking-phases", "llm-claims", "llm-data", "snowflake-morphology"]


def test_unknown_study_is_one_line_naming_the_registered_ones_and_exit_2(tmp_path, capsys):
    assert main(["figures", "seed", "--out", str(tmp_path / "figs")]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"emergesim: error: unknown study 'seed'; available: {', '.join(studies())}\n"
    )
    assert set(BUILT_IN) <= set(studies())
    assert captured.out == "" and not (tmp_path / "figs").exists()


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_file_is_refused_as_the_output_folder(tmp_path, capsys, name):
    taken = tmp_path / "figs"
    taken.write_text("")
    assert main(["figures", name, "--out", str(taken), "--quick"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"emergesim: error: cannot write figures into '{taken}': it is a file, not a folder\n"
    )
    assert captured.out == ""
