"""Real language models as observed rows of the comparison: the shipped table, and what each row
measures on it."""

import math
from pathlib import Path

import pytest

from emergesim.analysis import estimate_text
from emergesim.analysis.transitions import transition
from emergesim.cli import main
from emergesim.compare import compare, systems
from emergesim.studies.real_llms import COMPUTE, OBSERVED, load


def test_the_table_is_obsscaling_joined_with_compute_and_loss():
    table = load()
    assert len(table) == 84 and table["family"].nunique() == 25
    llama = table.set_index("model").loc["meta-llama/Llama-2-7b-hf"]
    assert llama[COMPUTE] == pytest.approx(math.log10(84e21))  # FLOPs (1E21) = 84
    chinchilla = 1.69 + 406.4 / 7e9**0.34 + 410.7 / 2e12**0.28  # Hoffmann et al. 2022
    assert llama["minus_loss"] == pytest.approx(-chinchilla)
    assert llama["ipa_bleu"] == pytest.approx(0.2723879164406593)  # BLEU 27.24, as a share
    assert table["ipa_bleu"].max() <= 1 and table["ipa_exact_match"].max() <= 1


def test_every_row_is_observed_with_one_size_and_says_why():
    rows = {s.key: s for s in systems() if s.observed is OBSERVED}
    assert len(rows) == len(OBSERVED.comparisons) >= 3
    for s in rows.values():
        assert s.comparison.size == "" and "no size axis" in s.comparison.note


def test_ipa_transliteration_jumps_in_exact_match_and_rises_in_bleu(tmp_path):
    keys = ("ipa_transliteration", "gsm8k")
    report = compare(tmp_path, rows=systems(keys), progress=False)
    summary = report["systems"]
    ipa = summary["ipa_transliteration"]
    assert ipa["verdict"] == "inconclusive"
    assert ipa["reasons"]["rule"].startswith("one size only")
    low, high = ipa["location_ci"]  # BLEU's step: between 1e23 and 1e24 FLOPs
    assert 23 < low < ipa["location"] < high < 24
    assert ipa["progress_at_jump"] == pytest.approx(0.088, abs=0.001)  # exact match comes early
    assert summary["gsm8k"]["progress_at_jump"] is None  # one metric: no metric test
    for key in keys:
        assert (tmp_path / f"{key}-picture.png").stat().st_size > 30_000
    (held_out,) = report["tables"].values()  # the model comparison on real scores, in the report
    pooled = {r["predictor"]: r["rmse"] for r in held_out if r["task"] == "all"}
    assert min(pooled, key=pooled.get) == "logistic in log10 C"
    assert pooled["logistic in log10 C"] == pytest.approx(0.194, abs=5e-4)
    assert "logistic in log10 C" in (tmp_path / "index.html").read_text()
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    location = estimate_text(ipa["location"], ipa["location_ci"], ".3g")
    assert f"BLEU steps up at log10 compute {location}" in readme  # README quotes what it printed
    assert f"BLEU has made {ipa['progress_at_jump']:.2f} of its rise" in readme


@pytest.mark.parametrize("score", ["arc_c", "hellaswag"])
def test_benchmarks_left_out_rise_as_a_line_explains(score):
    table = load().dropna(subset=[COMPUTE, score])
    assert not transition(table, COMPUTE, score, seed=0).detected


def test_an_unknown_row_is_one_line_naming_the_rows(tmp_path, capsys):
    assert main(["compare", "--only", "nope", "--out", str(tmp_path / "r")]) == 2
    line = capsys.readouterr().err.strip()
    assert "unknown comparison 'nope'; available: flocking, " in line and "\n" not in line
    assert "ipa_transliteration" in line
    assert not (tmp_path / "r").exists()
