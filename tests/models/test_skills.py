"""Skill composition: Chinchilla scale, closed forms against enumeration and Monte Carlo, the
transition's location and sharpness, U-shapes, kernel == twin, refused input."""

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from emergesim import ParameterError, run
from emergesim.models.skills import SkillsModel, theory
from emergesim.models.skills.card import METRICS
from emergesim.models.skills.world import SkillWorld
from emergesim.plotting import save_figure

DEFAULTS = SkillsModel.params.defaults()
LN2 = math.log(2)


def world(**params) -> SkillWorld:
    return SkillWorld.from_params({**DEFAULTS, **params})


def exact_match_crossing(skills: SkillWorld) -> tuple[float, float]:
    """log10 N where exact match crosses 1/2, and its slope there per decade of N."""
    x = brentq(lambda v: skills.metrics(v)["exact_match"] - 0.5, 3, 15, xtol=1e-12)
    h = 1e-4
    slope = (skills.metrics(x + h)["exact_match"] - skills.metrics(x - h)["exact_match"]) / (2 * h)
    return x, float(slope)


def max_slope(log10_n: float, tokens_per_param: float = 20.0) -> float:
    """(ln 2 / 2) gamma per ln N, as a slope per decade: the steepest possible crossing."""
    n = 10.0**log10_n
    return math.log(10) * LN2 / 2 * theory.scaling_exponent(n, tokens_per_param * n)


def walks(neighbors: np.ndarray, n_steps: int):
    """Every random walk of n_steps skills with its probability (uniform start and moves)."""
    n, degree = neighbors.shape
    for start in range(n):
        for turns in itertools.product(range(degree), repeat=n_steps - 1):
            path = [start]
            for turn in turns:
                path.append(neighbors[path[-1], turn])
            yield path, 1 / (n * degree ** (n_steps - 1))


# --- scale --------------------------------------------------------------------------------------


def test_chinchilla_beats_gopher_at_equal_compute():
    """C = 6 N D = 5.9e23 FLOPs: 70B parameters on 1.4T tokens against 280B on C / (6 N) = 350B
    tokens (Gopher's own 300B are less compute, and lose by more). Lower loss means every skill
    is likelier, so every metric favours Chinchilla; the Monte Carlo estimates agree."""
    compute = 6 * 70e9 * 1.4e12
    chinchilla = theory.loss(70e9, 1.4e12)
    gopher = theory.loss(280e9, compute / (6 * 280e9))
    assert chinchilla == pytest.approx(1.9366, abs=1e-4)
    assert chinchilla < gopher < theory.loss(280e9, 300e9)
    results = {}
    for name, n, d in [("chinchilla", 70e9, 1.4e12), ("gopher", 280e9, compute / (6 * 280e9))]:
        result = run(
            "skills",
            seed=4,
            steps=20,
            log10_params=math.log10(n),
            tokens_per_param=d / n,
            family=0,
            tasks=2000,
        )
        assert 10 ** result.observables["log10_compute"] == pytest.approx(compute)
        results[name] = result
    better, worse = results["chinchilla"].observables, results["gopher"].observables
    assert better["loss"] == pytest.approx(chinchilla) and worse["loss"] == pytest.approx(gopher)
    for metric in ("exact_match", "partial_credit", "log_likelihood"):
        assert better[metric] > worse[metric]
    assert better["edit_distance"] < worse["edit_distance"]
    standard_error = math.sqrt(0.25 / 40_000)
    assert better["exact_match_mc"] - worse["exact_match_mc"] > 5 * standard_error


def test_scaling_exponent_is_the_log_slope_of_the_reducible_loss():
    """gamma = -d ln(L - E) / d ln N at fixed D / N, between beta and alpha, falling with N."""
    n = np.logspace(4, 14, 11)
    h = 1e-6
    slope = (
        -(
            np.log(theory.reducible_loss(n * math.exp(h), 20 * n * math.exp(h)))
            - np.log(theory.reducible_loss(n, 20 * n))
        )
        / h
    )
    gamma = theory.scaling_exponent(n, 20 * n)
    np.testing.assert_allclose(gamma, slope, rtol=1e-5)
    assert np.all((gamma > theory.BETA) & (gamma < theory.ALPHA))
    assert np.all(np.diff(gamma) < 0)


# --- closed forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_skills", "n_steps"), [(6, 3), (9, 4)])
@pytest.mark.parametrize("prompting", ["direct", "few_shot"])
def test_exact_match_is_the_product_and_partial_credit_the_mean(n_skills, n_steps, prompting):
    """The closed forms equal the average over every walk of: the product of the step
    probabilities (exact match), their mean (partial credit), the sum of their complements (edit
    distance) and the sum of their logs (log-likelihood)."""
    model = SkillsModel(
        seed=0, n_skills=n_skills, k_steps=n_steps, prompting=prompting, family=3, zipf=2.0
    )
    for row, p in enumerate(model.p):
        expected = dict.fromkeys(METRICS, 0.0)
        for path, weight in walks(model.world.neighbors, n_steps):
            steps = p[path]
            expected["exact_match"] += weight * np.prod(steps)
            expected["partial_credit"] += weight * np.mean(steps)
            expected["edit_distance"] += weight * np.sum(1 - steps)
            expected["log_likelihood"] += weight * np.sum(np.log(steps))
        closed = dict(zip(METRICS, model.expected[row], strict=True))
        assert closed == pytest.approx(expected, rel=1e-10)


def test_knowledge_accuracy_is_the_zipf_geometric_sum():
    """One fact per question with d_r = 2 d r / (n + 1): accuracy is the geometric sum
    (1/n) sum_r exp(-c r), c = 2 d (L - E) / (n + 1), ~ 1 / (2 d (L - E)) for 1/n << c << 1: a
    power of the loss, hence smooth in log N: it takes 5.5 decades to rise from 10% to 90%,
    8-step exact match 4.6."""
    n, d = 1000, 0.5
    skills = world(task="knowledge", n_skills=n, difficulty=d)
    x = np.linspace(3, 12, 10)
    c = 2 * d * skills.reducible_loss(x) / (n + 1)
    geometric = np.exp(-c) * (1 - np.exp(-c * n)) / (1 - np.exp(-c)) / n
    metrics = skills.metrics(x)
    np.testing.assert_allclose(metrics["exact_match"], geometric, rtol=1e-12)
    np.testing.assert_array_equal(metrics["exact_match"], metrics["partial_credit"])
    power_law = 1 / (2 * d * skills.reducible_loss(np.array([4.0, 5.0])))
    np.testing.assert_allclose(skills.metrics([4.0, 5.0])["exact_match"], power_law, rtol=0.02)

    def decades_from_10_to_90_percent(skills):
        grid = np.linspace(3, 15, 2401)
        curve = skills.metrics(grid)["exact_match"]
        return grid[np.argmax(curve >= 0.9)] - grid[np.argmax(curve >= 0.1)]

    assert decades_from_10_to_90_percent(skills) > decades_from_10_to_90_percent(world()) + 0.5


@pytest.mark.parametrize("task", ["knowledge", "multistep", "distractor"])
@pytest.mark.parametrize("prompting", ["direct", "few_shot", "cot"])
def test_monte_carlo_agrees_with_the_closed_forms(task, prompting):
    """Over 20 seeds at 3 scales, every estimate is within 5 standard errors of its closed form,
    and the squared z-scores average about 1: the errors are as large as the standard errors say
    (the 4 metrics of a run are correlated, so the band [0.6, 1.5] is wide)."""
    z = []
    for seed, scale in itertools.product(range(20), (9.0, 10.5, 12.0)):
        model = SkillsModel(
            seed=seed,
            task=task,
            prompting=prompting,
            n_skills=200,
            k_steps=5,
            family=0,
            tasks=500,
            log10_params=scale,
        )
        for _ in range(4):
            model.step()
        mean, error = model.frame().estimates()
        z.append((mean - model.expected) / error)
    z = np.array(z)
    assert np.all(np.abs(z) < 5)
    assert 0.6 < np.mean(z**2) < 1.5


# --- the transition ------------------------------------------------------------------------------


@pytest.mark.parametrize("zipf", [0.0, 1.0, 2.0])
def test_exact_match_crossing_moves_to_larger_models_with_more_steps(zipf):
    crossings = [exact_match_crossing(world(zipf=zipf, k_steps=k))[0] for k in (1, 2, 4, 8, 16)]
    assert np.all(np.diff(crossings) > 0.8)  # each doubling of k costs about a decade


@pytest.mark.parametrize("k", [1, 2, 4, 8, 16])
def test_identical_steps_cross_where_k_d_loss_is_ln2_at_the_maximal_slope(k):
    """k steps of one difficulty d: exact match = exp(-k d (L - E)) crosses 1/2 where
    k d (L - E) = ln 2, with slope (ln 2 / 2) gamma per ln N there."""
    skills = world(zipf=0.0, k_steps=k, difficulty=0.5)
    x, slope = exact_match_crossing(skills)
    assert k * 0.5 * skills.reducible_loss(x) == pytest.approx(LN2, rel=1e-10)
    assert slope == pytest.approx(max_slope(x), rel=1e-6)


def test_identical_steps_do_not_sharpen_the_transition():
    """The maximal slope is (ln 2 / 2) gamma(N*), and gamma falls as N* grows with k."""
    slopes = [exact_match_crossing(world(zipf=0.0, k_steps=k))[1] for k in (1, 2, 4, 8, 16)]
    assert np.all(np.diff(slopes) < 0)


@pytest.mark.parametrize("zipf", [1.0, 2.0])
def test_heterogeneous_steps_sharpen_the_transition_towards_the_bound(zipf):
    """Skills of unequal difficulty: the slope at the crossing grows with k, stays below
    (ln 2 / 2) gamma and closes in on it as the chain's total difficulty concentrates."""
    ratios = []
    for k in (1, 2, 4, 8, 16):
        x, slope = exact_match_crossing(world(zipf=zipf, k_steps=k))
        ratios.append(slope / max_slope(x))
    assert np.all(np.diff(ratios) > 0)
    assert ratios[0] < 0.9 and 0.97 < ratios[-1] < 1


@pytest.mark.parametrize(("n_skills", "k"), [(6, 3), (9, 4)])
def test_slope_at_the_crossing_is_gamma_loss_em_times_solved_difficulty(n_skills, k):
    """d EM / d ln N = gamma (L - E) EM D_solved, D_solved = E[D exp(-D (L - E))] / EM the mean
    total difficulty of the solved tasks, computed here by enumerating every walk."""
    skills = world(n_skills=n_skills, k_steps=k, zipf=2.0)
    x, slope = exact_match_crossing(skills)
    reducible = float(skills.reducible_loss(x))
    solved = weighted = 0.0
    for path, weight in walks(skills.neighbors, k):
        total = skills.difficulties[path].sum()
        solved += weight * math.exp(-total * reducible)
        weighted += weight * total * math.exp(-total * reducible)
    assert solved == pytest.approx(0.5, abs=1e-10)
    n = 10.0**x
    gamma = theory.scaling_exponent(n, 20 * n)
    assert slope == pytest.approx(math.log(10) * gamma * reducible * weighted, rel=1e-6)
    assert reducible * weighted / solved < LN2


# --- prompting and task classes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompting", "skill"), [("few_shot", theory.ICL_SKILL), ("cot", theory.FORMAT_SKILL)]
)
def test_prompting_gains_grow_with_the_enabling_skill(prompting, skill):
    """Identical steps: log EM(prompted) / log EM(direct) = 1 - g q(L - E), where q is the
    in-context-learning or format skill: no gain in small models, most in large ones."""
    x = np.array([4.0, 8.0, 10.0, 12.0, 14.0])
    direct = world(zipf=0.0).metrics(x)["exact_match"]
    prompted = world(zipf=0.0, prompting=prompting).metrics(x)["exact_match"]
    q = theory.composed_skill(world().reducible_loss(x), *skill)
    np.testing.assert_allclose(
        np.log(prompted) / np.log(direct), 1 - theory.PROMPT_GAIN * q, rtol=1e-10
    )
    assert q[0] < 1e-6 and np.all(np.diff(q) > 0)


def test_distractor_is_u_shaped_under_direct_prompting_and_scales_under_cot():
    """Small models guess (chance 1/4), mid-size ones follow the distractor (below chance), large
    ones solve the chain; chain of thought removes the pull, leaving a monotone rise."""
    x = np.linspace(3, 15, 241)
    direct = world(task="distractor").metrics(x)["exact_match"]
    cot = world(task="distractor", prompting="cot").metrics(x)["exact_match"]
    bottom = np.argmin(direct)
    assert direct[0] == pytest.approx(0.25, abs=1e-6)
    assert direct[bottom] < 0.6 * direct[0] and direct[bottom] < direct[-1] - 0.5
    assert 6 < x[bottom] < 12
    assert np.all(np.diff(cot) >= 0) and cot[-1] > 0.9
    estimates = {}
    for prompting in ("direct", "cot"):
        for scale in (3.0, x[bottom], 14.0):
            result = run(
                "skills",
                seed=2,
                steps=10,
                task="distractor",
                prompting=prompting,
                log10_params=scale,
                family=0,
                tasks=2000,
            )
            estimates[prompting, scale] = result.observables["exact_match_mc"]
    error = 5 * math.sqrt(0.25 / 20_000)
    assert estimates["direct", x[bottom]] < estimates["direct", 3.0] - error
    assert estimates["direct", x[bottom]] < estimates["direct", 14.0] - error
    assert estimates["cot", 3.0] < estimates["cot", x[bottom]] < estimates["cot", 14.0]


# --- the Mesa model -----------------------------------------------------------------------------


def test_same_seed_same_observables_and_another_seed_differs():
    def estimates(seed):
        return run("skills", seed=seed, steps=5, tasks=100).observables

    assert estimates(3) == estimates(3)
    assert estimates(3)["exact_match_mc"] != estimates(4)["exact_match_mc"]
    assert estimates(3)["exact_match"] == estimates(4)["exact_match"]  # same skill graph


def test_the_window_estimate_covers_exactly_the_measured_attempts():
    """observe() reports the attempts since open_interval(), which run calls at each record, so
    the window mean over equal batches is the estimate from all attempts after the burn-in."""
    result = run("skills", seed=6, burn_in=7, steps=12, record_every=3, tasks=50)
    model = result.model
    start = SkillsModel(seed=6, tasks=50)
    for _ in range(7):
        start.step()
    measured = (model.totals[0] - start.totals[0]) / (12 * 50)
    means = [result.observables[f"{name}_mc"] for name in METRICS]
    np.testing.assert_allclose(means, measured, rtol=1e-12)


def test_agents_are_views_onto_the_arrays():
    model = SkillsModel(seed=1, n_skills=30, family=2, log10_params=11.0, tokens_per_param=5.0)
    assert len(model.agents) == 30 + 3
    skill = model.skills[7]
    assert skill.difficulty == model.world.difficulties[7]
    neighbors = [skill.neighbor(turn).index for turn in range(4)]
    assert neighbors == list(model.world.graph[7]) == model.world.neighbors[7].tolist()
    own = model.language_models[0]
    assert (own.n_params, own.n_tokens) == pytest.approx((1e11, 5e11))
    assert own.compute == pytest.approx(6 * 1e11 * 5e11)
    assert own.loss == pytest.approx(theory.loss(1e11, 5e11))
    assert own.success_probability(skill) == pytest.approx(
        math.exp(-skill.difficulty * (own.loss - theory.E))
    )
    larger = model.agents.select(lambda agent: getattr(agent, "n_params", 0) > 1e9)
    assert len(larger) == int((model.log10_n > 9).sum())


def test_exact_curve_is_the_closed_form_of_the_runs():
    params = {**DEFAULTS, "family": 0}
    values = np.array([8.0, 10.5])
    curve, _ = SkillsModel.exact_curve("exact_match_mc", "log10_params", values, params)
    for value, expected in zip(values, curve, strict=True):
        assert SkillsModel(seed=0, **{**params, "log10_params": value}).expected[0, 0] == expected
    curve, _ = SkillsModel.exact_curve("partial_credit", "tokens_per_param", [1.0, 100.0], params)
    assert curve[0] < curve[1]
    assert SkillsModel.exact_curve("exact_match", "k_steps", values, params) is None
    assert SkillsModel.exact_curve("loss", "log10_params", values, params) is None


def test_figure_of_a_distractor_run(tmp_path):
    result = run("skills", seed=0, steps=3, frames=True, task="distractor", family=4)
    path = save_figure(result, tmp_path / "skills.png")
    assert path.stat().st_size > 50_000


@pytest.mark.parametrize(
    ("n_params", "n_tokens", "message"),
    [
        (0.0, 1e9, "n_params must be > 0, got 0"),
        (-7e9, 1e9, "n_params must be > 0, got -7e"),
        (1e9, [1e9, 0.0], "n_tokens must be > 0, got 0"),
        (np.nan, 1e9, "n_params must be > 0"),
    ],
)
def test_theory_refuses_non_positive_scale(n_params, n_tokens, message):
    with pytest.raises(ParameterError, match=message):
        theory.loss(n_params, n_tokens)


def test_unknown_prompting_is_refused_by_the_theory():
    with pytest.raises(ParameterError, match="unknown prompting 'zero_shot'; allowed: direct"):
        theory.prompted_difficulty(np.ones(3), 0.5, "zero_shot")
