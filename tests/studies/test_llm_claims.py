"""The LLM claims study: the numbers each figure claims hold, read from the functions that
compute them (no figure drawn), and the command draws every figure and prints those numbers."""

import itertools
import math

import numpy as np
import pytest
from PIL import Image

from emergesim.cli import main
from emergesim.models.skills import theory
from emergesim.studies import llm_claims


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


# --- the claims -----------------------------------------------------------------------------------


def test_knowledge_is_smooth_multistep_emergent_distractor_u_shaped(claims):
    fig1 = numbers(claims, "fig1")
    knowledge, multistep, *_ = fig1.reaches_1_percent_at
    assert fig1.reaches_1_percent_at[knowledge] == 1e3  # above 1% in the smallest model
    assert fig1.reaches_1_percent_at[multistep] > 1e8  # near zero for five decades
    rise = fig1.rise_10_90_decades
    assert rise[knowledge] > rise[multistep] + 0.5
    steepest = fig1.max_rise_per_decade
    assert steepest[multistep] > steepest[knowledge]
    assert fig1.distractor_minimum < 0.6 * 0.25  # well below chance
    assert 6 < fig1.distractor_minimum_at_log10_n < 12
    assert fig1.cot_monotone


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
    """Longer chains and harder steps need a lower loss (about 1 / (k d): 16 steps need under
    a fifth of 2 steps' loss); the real tasks emerge at a lower loss than the default world's
    tasks of the steps assigned to them, so their steps are harder than the default's."""
    fig4 = numbers(claims, "fig4")
    curves = fig4.reducible_loss_at_emergence
    for d in llm_claims.DIFFICULTIES:
        assert np.all(np.diff(list(curves[d].values())) < 0)
    for easier, harder in itertools.pairwise(llm_claims.DIFFICULTIES):
        assert all(curves[harder][k] < curves[easier][k] for k in curves[easier])
    default = curves[llm_claims.DEFAULTS["difficulty"]]
    assert default[16] < default[2] / 5
    wei = fig4.wei_reducible_loss
    assert wei["3-digit add/subtract"] == pytest.approx(theory.reducible_loss(13e9, 300e9))
    for point in llm_claims.WEI_2022:
        assert wei[point.task] < default[int(point.steps[1])] / 2
    assert fig4.wei_between_difficulties == 3


def test_data_versus_parameters(claims):
    fig5 = numbers(claims, "fig5")
    assert fig5.loss_chinchilla < fig5.loss_gopher
    assert 10 < fig5.optimal_log10_n_at_equal_compute < math.log10(70e9)
    # ranks of the model's scores against real MMLU: two adjacent swaps, 1 - 6 * 4 / (7 * 48)
    assert fig5.rank_correlation_with_mmlu == pytest.approx(1 - 24 / 336)
    scores = fig5.model_scores
    assert scores["LLaMA 33B"] > scores["GPT-3 175B"]  # 1.4T tokens beat 5x the parameters


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


# --- the command ---------------------------------------------------------------------------------


def test_figures_command_writes_every_png_and_prints_the_computed_numbers(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["figures", "llm-claims", "--out", str(out), "--quick"]) == 0
    printed = capsys.readouterr().out.splitlines()
    quick = llm_claims.claims(llm_claims.QUICK)
    assert printed == [f"{name}: {claim.headline}" for name, claim in quick.items()] + [
        f"figure: {out / name}" for name in llm_claims.FIGURES
    ]
    for name in llm_claims.FIGURES:
        path = out / name
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.width > 700 and image.height > 300
        assert path.stat().st_size > 30_000
    assert "10B-50B question: yes" in printed[4]
