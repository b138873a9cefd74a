"""The LLM claims study: the numbers each figure claims hold, read from the functions that
compute them (no figure drawn), README's section quotes only what the command prints, and the
command draws every figure and prints those numbers."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emergesim.cli import main
from emergesim.models.skills import theory
from emergesim.models.skills.calibration import calibrate
from emergesim.models.skills.realdata import load_scores
from emergesim.studies import llm_claims

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## The seed's LLM claims, and real models"
END = "### Real models: 2-shot arithmetic of 69 base LLMs"
# a number, with its unit if it has one (68.7B, 6.51T, 617M, 1.00x): not part of a word
# ("log10", "fig1"), a hyphenated name ("3-digit", "2-shot") or an exponent of the Chinchilla
# law ("A/N^0.34", constants of theory); ranges ("0.23-0.40") give both ends
NUMBER = re.compile(r"(?<![\w.:^])(?<![A-Za-z]-)\d+(?:\.\d+)?[MBTx]?(?!\w|\.\d|-[A-Za-z])")
CITED = {"2022", "2023"}  # the years of the papers cited: cited, not computed
DEFINED = {  # numbers that set up a claim rather than state one: emergence, the CoT tasks' sizes
    f"{llm_claims.EMERGED:g}",
    *(str(params["k_steps"]) for params, _ in llm_claims.COT_TASKS.values()),
}


@pytest.fixture(scope="module")
def claims():
    """Every figure's numbers at full resolution (closed forms; Monte Carlo at its size)."""
    return llm_claims.claims(llm_claims.FULL)


def numbers(claims, prefix: str):
    return next(value for name, value in claims.items() if name.startswith(prefix))


# --- helpers --------------------------------------------------------------------------------------


def test_crossing_interpolates_and_reports_never_as_nan():
    x = np.linspace(3.0, 6.0, 4)
    assert llm_claims.crossing(x, np.array([0.0, 0.2, 0.6, 1.0]), 0.4) == pytest.approx(4.5)
    assert llm_claims.crossing(x, np.array([0.5, 0.6, 0.7, 0.8]), 0.1) == 3.0
    assert math.isnan(llm_claims.crossing(x, np.zeros(4), 0.1))
    assert llm_claims.emergence_scale(x, np.array([0.25, 0.25, 0.45, 0.45])) == pytest.approx(4.5)


@pytest.mark.parametrize("reducible", [0.3, 0.4, 1.5])
def test_smallest_model_round_trips_and_matches_the_closed_forms(reducible):
    """Unlimited data: L - E = A / N^alpha, so N = (A / l)^(1/alpha); a fixed D adds the data
    term B / D^beta; D = r N is solved numerically and must give back the loss."""
    unlimited = llm_claims.smallest_model(reducible, llm_claims.Recipe("unlimited"))
    assert 10.0**unlimited == pytest.approx((theory.A / reducible) ** (1 / theory.ALPHA))
    fixed = llm_claims.smallest_model(reducible, llm_claims.GPT3_RECIPE)
    data_term = theory.B / 300e9**theory.BETA
    assert 10.0**fixed == pytest.approx((theory.A / (reducible - data_term)) ** (1 / theory.ALPHA))
    for r in (1.0, 20.0, 1000.0):
        n = 10.0 ** llm_claims.smallest_model(reducible, llm_claims.Recipe("", per_param=r))
        assert theory.reducible_loss(n, r * n) == pytest.approx(reducible, rel=1e-8)
        assert n > 10.0**unlimited


def test_a_loss_below_the_data_term_is_out_of_reach():
    """300B tokens leave B / D^beta = 0.251 nats however large the model."""
    assert math.isinf(llm_claims.smallest_model(0.25, llm_claims.GPT3_RECIPE))
    assert math.isfinite(llm_claims.smallest_model(0.26, llm_claims.GPT3_RECIPE))


def test_family_tokens_reproduce_wei_et_al_flops():
    """C = 6 N D with the families' published token counts gives Wei et al.'s FLOPs (within
    20%: Wei list Chinchilla at Gopher's compute, 5.0e23, against 6 N D = 5.9e23)."""
    for point in llm_claims.WEI_2022:
        flops = 6 * point.n_params * llm_claims.FAMILY_TOKENS[point.family]
        assert flops == pytest.approx(point.flops, rel=0.2)


# --- the calibrated form --------------------------------------------------------------------------


def test_the_study_uses_the_calibration_of_the_real_scores():
    """k and the sub-skill difficulties are ``calibrate(load_scores())``'s; the 8-step task is
    the fit's 3-digit addition then its 3-digit subtraction, so its accuracy is the product of
    the fit's own two predictions, and the emergence loss solves exp(-D x^k) = 0.1 (+ floor)."""
    fit = llm_claims.calibration()
    assert fit == calibrate(load_scores())
    assert 6.0 < fit.sharpness < 6.6  # "k = 6.3" in the calibration's own report
    uses = llm_claims.composite(fit, *llm_claims.MULTISTEP_TASKS)
    assert uses == {"add": 3, "carry": 2, "subtract": 3}
    loss = np.linspace(0.2, 0.8, 13)
    table = fit.at_loss(loss)
    for task in fit.decomposition:
        accuracy = llm_claims.calibrated_accuracy(fit, fit.decomposition[task], loss)
        assert accuracy == pytest.approx(table[task].to_numpy(), rel=1e-12)
    product = (table["add_3d"] * table["sub_3d"]).to_numpy()
    assert llm_claims.calibrated_accuracy(fit, uses, loss) == pytest.approx(product, rel=1e-12)
    total = llm_claims.total_difficulty(fit, uses)
    at = llm_claims.calibrated_emergence(total, fit.sharpness)
    assert math.exp(-total * at**fit.sharpness) == pytest.approx(llm_claims.EMERGED, rel=1e-9)


# --- the claims -----------------------------------------------------------------------------------


def test_knowledge_is_smooth_multistep_emergent_distractor_u_shaped(claims):
    """Changed on purpose: the multi-step task is now the calibrated 8-step arithmetic (k near
    6), not the theory's k = 1 walk, which stays as "multistep, k = 1". It emerges (below 1% up
    to some 9B, then 0.7 decades to 90%), but its sharpness is k's: one digit-add rises as fast,
    (ln ln 10 - ln ln(10/9)) / (k gamma ln 10) decades, gamma = -d ln(L - E) / d ln N; the 8
    steps only shift it. With k = 1 the 8 steps rise over 4.6 decades, at most 0.25 a decade
    against knowledge's 0.21: shifted, hardly sharper, the review's finding."""
    fig1 = numbers(claims, "fig1")
    reach = fig1.reaches_1_percent_at
    assert reach["knowledge"] == 1e3  # above 1% in the smallest model
    assert reach["multistep"] > 1e9  # near zero for six decades
    rise, steepest = fig1.rise_10_90_decades, fig1.max_rise_per_decade
    assert rise["knowledge"] > rise["multistep"] + 4
    assert steepest["multistep"] > 5 * steepest["knowledge"]
    assert fig1.shift_decades > 0.3
    assert fig1.sharpening == pytest.approx(1, abs=0.02)
    assert rise["multistep"] == pytest.approx(rise["one step"], abs=0.02)
    half = 10.0 ** fig1.half_log10_n["multistep"]
    gamma = theory.scaling_exponent(half, 20 * half)
    width = (math.log(math.log(10)) - math.log(math.log(10 / 9))) / fig1.sharpness
    assert rise["multistep"] == pytest.approx(width / (gamma * math.log(10)), rel=0.03)
    assert rise["multistep, k = 1"] == pytest.approx(4.6, abs=0.05)
    assert steepest["knowledge"] < steepest["multistep, k = 1"] < 1.3 * steepest["knowledge"]
    assert fig1.distractor_minimum < 0.6 * 0.25  # well below chance
    assert 6 < fig1.distractor_minimum_at_log10_n < 12
    assert fig1.cot_monotone
    assert set(fig1.estimates) == set(llm_claims.MONTE_CARLO)
    for key, points in fig1.estimates.items():  # Monte Carlo agrees with the closed form
        closed = np.interp(points.log10_n, fig1.log10_n, fig1.curves[key])
        assert np.mean(np.abs(points.mean - closed) <= points.two_se + 1e-9) >= 0.8
    assert fig1.headline.count(llm_claims.NO_DATA) == 2  # knowledge and distractor


def test_each_task_emerges_at_its_own_scale_under_few_shot(claims):
    """The tasks emerge over 4.5 decades, each doubling of depth costing about one; what the
    examples add waits for in-context learning, within 1.5 decades for every depth."""
    fig2 = numbers(claims, "fig2")
    scales = [fig2.emergence_log10_n[k] for k in llm_claims.DEPTHS]
    assert np.all(np.diff(scales) > 0.8)
    assert scales[-1] - scales[0] > 4.5
    helps = list(fig2.gain_from_log10_n.values())
    assert min(helps) > 9.5 and max(helps) - min(helps) < 1.5  # examples help only past ~3B
    assert max(scales[:3]) < min(helps)  # short tasks emerge before examples help at all


def test_chain_of_thought_helps_only_past_a_scale(claims):
    fig3 = numbers(claims, "fig3")
    for start, (gain, at) in zip(
        fig3.helps_from_log10_n.values(), fig3.largest_gain.values(), strict=True
    ):
        assert start > 10.5  # no help worth 2 points below ~30B
        assert gain > 0.08 and at > start + 1


def test_thresholds_fall_in_loss_with_steps_and_difficulty(claims):
    """Changed on purpose: the three uncalibrated mean difficulties (0.5, 2, 5 at k = 1) gave
    way to steps of the easiest and hardest fitted sub-skill at the fitted k, the theory's k = 1
    kept for comparison. Longer chains and harder steps still need a lower loss, but with k near
    6 only as (1 / steps)^(1/k): 16 steps at 0.64 of one step's loss, where k = 1 needs under a
    fifth of 2 steps' loss. Wei et al.'s tasks emerged at a lower loss than the calibrated band
    at their assigned steps (none inside it, where 3 of 6 lay between difficulties 2 and 5): the
    fit's own 3-digit addition emerges at a higher loss (smaller GPT-3) than GPT-3's did."""
    fig4 = numbers(claims, "fig4")
    curves = fig4.reducible_loss_at_emergence
    easy, hard = fig4.sub_skills
    assert (easy, hard) == ("add", "multiply")
    fit = llm_claims.calibration()
    assert fig4.sharpness == fit.sharpness
    for curve in (easy, hard, llm_claims.REFERENCE):
        assert np.all(np.diff(list(curves[curve].values())) < 0)
    assert all(curves[hard][s] < curves[easy][s] for s in llm_claims.THRESHOLD_STEPS)
    ratio = (1 / llm_claims.THRESHOLD_STEPS[-1]) ** (1 / fit.sharpness)
    assert fig4.loss_ratio(easy) == pytest.approx(ratio, rel=1e-6)
    reference = curves[llm_claims.REFERENCE]
    assert reference[16] < reference[2] / 5
    wei = fig4.wei_reducible_loss
    assert wei["3-digit add/subtract"] == pytest.approx(theory.reducible_loss(13e9, 300e9))
    for point in llm_claims.WEI_2022:
        assert wei[point.task] < curves[hard][int(point.steps[1])]
        assert fig4.step_difficulty_needed[point.task] > 1
    assert fig4.wei_inside_band == 0
    uses, loss, gpt3 = fig4.fitted_tasks["add_3d"]
    assert uses == 4 and loss > wei["3-digit add/subtract"] and 9 < gpt3 < math.log10(13e9)


def test_data_versus_parameters(claims):
    fig5 = numbers(claims, "fig5")
    assert fig5.loss_chinchilla < fig5.loss_gopher
    assert 10 < fig5.optimal_log10_n_at_equal_compute < math.log10(70e9)
    # ranks of the model's scores against real MMLU: two adjacent swaps, 1 - 6 * 4 / (7 * 48)
    assert fig5.rank_correlation_with_mmlu == pytest.approx(1 - 24 / 336)
    scores = fig5.model_scores
    assert scores["LLaMA 33B"] > scores["GPT-3 175B"]  # 1.4T tokens beat 5x the parameters
    multistep = fig5.named_multistep  # calibrated now: the order of the losses, any k
    assert multistep["Chinchilla 70B"] > multistep["Gopher 280B"]
    for label, score in fig5.equal_compute.items():
        assert fig5.n_params[np.argmax(score)] == pytest.approx(fig5.optimal_n), label


def test_the_10b_50b_answer(claims):
    """At 20 tokens per parameter Word in Context needs more than 50B parameters; at 1000 every
    ability of Wei et al.'s table is reached below 50B; the floor is (A / l)^(1/alpha)."""
    fig5 = numbers(claims, "fig5")
    answer = fig5.smallest_log10_n
    assert answer["Word in Context"]["20"] > math.log10(50e9)
    assert fig5.small_models_keep_abilities
    for task, sizes in answer.items():
        assert sizes["20"] > sizes["100"] > sizes["1000"] > sizes["unlimited"]
        assert sizes["1000"] < math.log10(50e9)
        loss = next(p.reducible_loss for p in llm_claims.WEI_2022 if p.task == task)
        assert 10.0 ** sizes["unlimited"] == pytest.approx((theory.A / loss) ** (1 / theory.ALPHA))


def test_gated_prompting_is_the_theory_with_the_gate_as_a_parameter():
    """Figure 6 varies the gates through ``gated_exact_match``; at the set constants it is the
    theory's few-shot and chain of thought, and without a gate direct prompting."""
    x = np.linspace(4.0, 14.0, 21)
    skills = llm_claims.world(k_steps=4)
    reducible = skills.reducible_loss(x)
    for prompting, gate in (("few_shot", theory.ICL_SKILL), ("cot", theory.FORMAT_SKILL)):
        expected = skills.metrics(x, prompting)["exact_match"]
        gated = llm_claims.gated_exact_match(skills, reducible, gate)
        assert gated == pytest.approx(expected, rel=1e-12, abs=1e-300)
    direct = llm_claims.gated_exact_match(skills, reducible, None)
    assert direct == pytest.approx(skills.metrics(x, "direct")["exact_match"], rel=1e-12)


def test_the_gates_set_the_onsets_and_the_gain_falls_short_of_wei(claims):
    """The onsets of figures 2 and 3 are those of the set gate constants; over the range tried
    they move by more than three decades, so the CoT onset near Wei et al.'s 62-68B is set, not
    predicted (and on PaLM's own 780B tokens it is far from it). At PaLM 540B a later gate means
    less gain, and even an open gate stays below PaLM's published GSM8K gain."""
    fig2, fig3, fig6 = (numbers(claims, f"fig{i}") for i in (2, 3, 6))
    math_task = llm_claims.MATH_TASK
    assert fig6.set_onset["CoT"] == pytest.approx(fig3.helps_from_log10_n[math_task], abs=0.01)
    assert fig6.set_onset["few-shot"] == pytest.approx(
        min(fig2.gain_from_log10_n.values()), abs=0.01
    )
    assert 10.5 < fig6.set_onset["CoT"] < 11.5  # near Wei et al.'s 62-68B ...
    assert fig6.set_onset["CoT, PaLM tokens"] > math.log10(150e9)  # ... but only at D = 20 N
    for key in ("few-shot", "CoT"):
        onset = fig6.onset_log10_n[key]
        assert np.all(np.isfinite(onset)) and np.all(np.diff(onset) > 0)
        assert onset[-1] - onset[0] > 3
    gain = fig6.gain_at_palm
    assert np.all(np.diff(gain) < 0)
    assert fig6.set_gain["CoT"] < fig6.set_gain["few-shot"] < gain[0] < fig6.open_gate_gain
    assert fig6.open_gate_gain < fig6.gsm8k[-1].published_gain


def test_the_cot_table_holds_wei_et_al_gsm8k_and_the_gap(claims):
    """GSM8K, standard -> chain of thought (%), PaLM 8B, 62B, 540B (Wei et al. 2022, "Chain-of-
    thought prompting elicits reasoning in large language models"); the gap is the model's gain
    minus the published one. The model's CoT never beats its own few-shot prompting."""
    fig6 = numbers(claims, "fig6")
    published = {
        row.published.model: (row.published.standard, row.published.cot) for row in fig6.gsm8k
    }
    assert published == {"PaLM 8B": (4.9, 4.1), "PaLM 62B": (9.6, 29.9), "PaLM 540B": (17.9, 56.9)}
    palm = fig6.gsm8k[-1]
    assert palm.published_gain == pytest.approx(39.0)
    assert palm.gap == pytest.approx(palm.cot - palm.direct - 39.0)
    assert palm.model_gain == pytest.approx(fig6.set_gain["CoT"])
    assert palm.gap < -30
    assert all(row.over_few_shot < 0 for row in fig6.gsm8k)
    lines = fig6.headline.splitlines()
    assert lines[-3:] == [row.line for row in fig6.gsm8k]
    assert "gap -36.6 points" in lines[-1]


# --- README ---------------------------------------------------------------------------------------


def section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    return text[start : text.index(END, start)]


def quoted(text: str) -> list[str]:
    """The numbers a text quotes, but for small whole numbers that define something (k = 1,
    4 x 2, 8 steps), ``DEFINED`` and the years of the papers cited."""
    found = NUMBER.findall(re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    return [
        n for n in found if n not in CITED | DEFINED and ("." in n or int(n.rstrip("MBTx")) >= 10)
    ]


def test_readme_quotes_only_numbers_the_command_prints(claims):
    """Every number README's section quotes is printed by `emergesim figures llm-claims` (full
    size, the default), so README fails here once the command stops printing a number it quotes;
    and the claims it states are there: k, the rise widths and slopes, the gates, the CoT gap."""
    printed_text = "\n".join(f"{name}: {claim.headline}" for name, claim in claims.items())
    printed = set(NUMBER.findall(printed_text))
    text = section()
    numbers_quoted = quoted(text)
    assert len(numbers_quoted) > 60  # the section's numbers are all found
    missing = sorted(set(numbers_quoted) - printed)
    assert not missing, (
        f"README quotes numbers `emergesim figures llm-claims` does not print: {missing}"
    )
    fig1, fig6 = numbers(claims, "fig1"), numbers(claims, "fig6")
    flat = " ".join(text.split())
    for claim in (
        f"k = {fig1.sharpness:.2f}",
        f"{fig1.rise_10_90_decades['multistep']:.2f} decades",
        f"{fig1.max_rise_per_decade['multistep']:.2f} a decade",
        llm_claims.NO_DATA,
        "set by the constant, not predicted",
        f"| {fig6.gsm8k[-1].gap:+.1f} |",
    ):
        assert claim in flat, f"README does not say: {claim}"
    for link in (
        "fig1-task-classes.png",
        "fig5-data-vs-parameters.png",
        "fig6-prompting-gates.png",
    ):
        assert f"(docs/images/{link})" in text
        assert (README.parent / "docs" / "images" / link).is_file()


# --- the command ---------------------------------------------------------------------------------


def test_figures_command_writes_every_png_and_prints_the_computed_numbers(tmp_path, capsys):
    """Six figures, one headline each; figure 6's is followed by its GSM8K table."""
    out = tmp_path / "figs"
    assert main(["figures", "llm-claims", "--out", str(out), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    quick = llm_claims.claims(llm_claims.QUICK)
    headlines = "\n".join(f"{name}: {claim.headline}" for name, claim in quick.items())
    assert printed == headlines.splitlines() + [
        f"figure: {out / name}" for name in llm_claims.FIGURES
    ]
    for name in llm_claims.FIGURES:
        path = out / name
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.width > 700 and image.height > 300
        assert path.stat().st_size > 30_000
    assert "10B-50B question: yes" in printed[4]
    assert len(llm_claims.FIGURES) == 6 and printed[5].startswith("fig6-prompting-gates.png: ")
    assert printed[9].startswith("  PaLM 540B: published 17.9 -> 56.9 (+39.0); model ")
