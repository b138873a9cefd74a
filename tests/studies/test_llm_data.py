"""The skills model against real arithmetic: the numbers of both figures without drawing, the
held-out comparison pinned, README's section held to what the command prints, and the command."""

import re
from pathlib import Path

import pytest
from PIL import Image

from emergesim.cli import main
from emergesim.models.skills.baselines import LOGISTIC_COMPUTE, PREDICTORS
from emergesim.studies import llm_data

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Real models: 2-shot arithmetic of 69 base LLMs"
# a number: not part of a word ("log10", "D3"), a hyphenated name ("2-digit", "Apache-2.0") or a
# citation ("arXiv:2405.10938"); ranges ("0.43-0.48") give both ends
NUMBER = re.compile(r"(?<![\w.:])(?<![A-Za-z]-)\d+(?:\.\d+)?(?!\w|\.\d|-[A-Za-z])")
CITED = {"2024"}  # the fixture's paper's year: cited, not computed

# held-out RMSE, leave one family out, on the fixture: deterministic (the fits converge to 1e-6)
PINNED_RMSE = {  # task: sub-skill k per task, shared k, logistic log10 C, logistic L - E, mean
    "add_2d": (0.260, 0.258, 0.240, 0.259, 0.472),
    "add_3d": (0.222, 0.222, 0.211, 0.222, 0.484),
    "sub_3d": (0.178, 0.179, 0.164, 0.176, 0.471),
    "mul_2d": (0.166, 0.181, 0.147, 0.165, 0.392),
    "all": (0.210, 0.213, 0.194, 0.209, 0.456),
}


@pytest.fixture(scope="module")
def scale():
    return llm_data.arithmetic_scale()


@pytest.fixture(scope="module")
def calibrated(scale):
    return llm_data.arithmetic_calibration(scale.scores)


def test_the_loss_orders_the_models_and_the_fitted_k_predicts_held_out_families(scale, calibrated):
    assert (scale.ordering["kendall_loss"] > scale.ordering["kendall_N"] + 0.1).all()
    theory_fit, fitted = scale.fits.values()
    assert fitted.rmse < theory_fit.rmse and fitted.sharpness > 3
    assert calibrated.overall[None] < calibrated.overall[1.0]
    carry = calibrated.compositions
    assert carry["long_carry"].held_out_rmse < carry["digits"].held_out_rmse


def test_a_logistic_in_compute_beats_the_sub_skill_model_on_every_task(calibrated):
    comparison = calibrated.comparison
    assert (comparison.winners == LOGISTIC_COMPUTE).all()
    assert comparison.rmse.round(3).to_dict("index") == {
        task: dict(zip(PREDICTORS, values, strict=True)) for task, values in PINNED_RMSE.items()
    }
    assert (comparison.table["n"].unstack().loc[list(PINNED_RMSE)[:-1]] == 69).all().all()
    # the figure's k-fitted held-out predictions are the comparison's shared-k ones
    assert calibrated.overall[None] == pytest.approx(comparison.rmse.loc["all", PREDICTORS[1]])


def section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    return text[start : text.index("\n## ", start)]


def test_readme_quotes_only_numbers_the_command_prints(scale, calibrated):
    """README's table is ``comparison_table`` exactly; its verdict is the study's; every other
    number in the section's text (not its code), but for small whole numbers that define
    something (k = 1, C = 6 N D, 4 tasks), is printed by ``emergesim figures llm-data``."""
    text = section()
    table = llm_data.comparison_table(calibrated)
    indented = "\n".join(f"  {line}" for line in table.splitlines())
    assert indented in text, "README's held-out table is not the one the study computes"
    flat = " ".join(text.split())
    assert calibrated.verdict in flat, f"README does not say: {calibrated.verdict}"
    printed = set(NUMBER.findall(scale.headline + "\n" + calibrated.headline))
    prose = re.sub(r"```.*?```", "", text.replace(indented, ""), flags=re.DOTALL)
    quoted = [n for n in NUMBER.findall(prose) if n not in CITED and ("." in n or int(n) >= 10)]
    assert len(quoted) > 40  # the section's numbers are all found
    missing = [n for n in quoted if n not in printed]
    assert not missing, (
        f"README quotes numbers `emergesim figures llm-data` does not print: {missing}"
    )


def bullet(text: str, title: str) -> str:
    start = text.index(f"- **{title}")
    end = text.find("\n- **", start + 1)
    return " ".join(text[start : None if end < 0 else end].split())


def test_readme_pairs_each_number_with_what_it_measures(scale, calibrated):
    """Beyond "the command prints it": each family's error and each task's two Kendall taus sit
    beside the right name."""
    text = section()
    families = re.findall(r"([A-Z][\w.-]*) \(?(\d\.\d+)", bullet(text, "Per left-out family"))
    errors = calibrated.errors[None]["all"]
    assert len(families) >= 6
    assert {name: f"{errors[name]:.3f}" for name, _ in families} == dict(families)
    taus = re.findall(r"(\d\.\d\d) vs (\d\.\d\d) \(([\w -]+)\)", bullet(text, "N or L(N, D)?"))
    labels = {label: task for task, label in llm_data.TASK_LABELS.items()}
    assert {labels[label]: (n, loss) for n, loss, label in taus} == {
        task: (f"{row['kendall_N']:.2f}", f"{row['kendall_loss']:.2f}")
        for task, row in scale.ordering.iterrows()
    }


def test_figures_command_writes_both_pngs_and_prints_each_headline(
    tmp_path, capsys, scale, calibrated
):
    assert main(["figures", "llm-data", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = ["arithmetic-scale.png", "arithmetic-calibration.png"]
    expected = [f"{names[0]}: {scale.headline}", f"{names[1]}: {calibrated.headline}"]
    expected = "\n".join(expected).splitlines()
    assert printed[: len(expected)] == expected  # what README is held to
    tasks = [line for line in printed if ", held out by family: " in line]
    assert len(tasks) == 5 and all(f"{LOGISTIC_COMPUTE} wins" in line for line in tasks)
    assert printed[len(expected) :] == [f"figure: {tmp_path / name}" for name in names]
    for name in names:
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG"
        assert (tmp_path / name).stat().st_size > 10_000
