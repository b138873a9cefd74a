"""Closed forms of the skill-composition model: scale -> loss -> skills -> task metrics.

Pure functions of numbers and arrays, so that the Mesa model, its tests and later calibration
against real benchmark scores share one statement of the mathematics (sources cited below).

Scale. A language model with N parameters trained on D tokens has the Chinchilla loss
L(N, D) = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022); only the reducible part L - E can
be bought with scale.

Skills. A skill of difficulty d is exercised correctly with probability p = exp(-d (L - E)). This
is Schaeffer, Miranda & Koyejo's (2023) per-token model p = exp(-(N / c)^-alpha) with their power
law in N replaced by the Chinchilla reducible loss, so that training data counts as well as size.
Real models' arithmetic scores rise far more steeply in the loss than this: calibration.py fits
p = exp(-d (L - E)^k) to 69 of them and finds k near 6 (k = 1 is this form).

Tasks. A task chains n skills, each right or wrong independently (Okawa et al. 2023): exact match
is the product of the step probabilities, partial credit their mean, edit distance (the number of
wrong steps) the sum of their complements, and log-likelihood of the reference answer the sum of
their logs.

Transition. With direct prompting a task of total difficulty D (the sum over its steps) is solved
with probability exp(-D (L - E)), and d(L - E) / d ln N = -gamma (L - E), where
gamma = -d ln(L - E) / d ln N (``scaling_exponent``). Averaged over tasks,
d EM / d ln N = gamma (L - E) EM D_solved, where D_solved = E[D exp(-D (L - E))] / EM is the mean
difficulty of the solved tasks. Since -ln EM is concave in L - E and 0 at 0,
(L - E) D_solved <= -ln EM, with equality when every task is equally hard. So where exact match
crosses 1/2 its slope in ln N is (gamma / 2) (L - E) D_solved <= (ln 2 / 2) gamma. For k identical
steps of difficulty d the bound is reached: exact match crosses 1/2 where k d (L - E) = ln 2,
at larger N for larger k, but the slope stays (ln 2 / 2) gamma; longer chains move the transition
without sharpening it (gamma even falls slowly with N). What sharpens it is averaging: when skills
differ in difficulty, a benchmark mixes easy and hard tasks, which spreads its rise over more
decades; the total difficulty of a k-step task concentrates about its mean as k grows (relative
spread ~ 1/sqrt(k)), so the slope climbs towards the bound.

Prompting, direct: each step keeps its own difficulty d, d' = d.

Prompting, few-shot: examples in the prompt remove a share g = PROMPT_GAIN of every step's
difficulty, but only as far as the model can learn in context, itself a composed skill of 4 steps
of difficulty 1 (``ICL_SKILL``): d' = d (1 - g q_icl) with q_icl = exp(-4 (L - E)). Small models
cannot use the examples, so few-shot gains appear with scale.

Prompting, chain of thought: the steps are written out, which removes the same share g as far as
the model keeps the format, a composed skill of 4 steps of difficulty 2 (``FORMAT_SKILL``, learnt
after in-context learning): d' = d (1 - g q_format) with q_format = exp(-8 (L - E)). And since the
model answers from its own written steps, a distractor no longer pulls it
(``distractor_probability`` is 0), which turns U-shaped tasks into scaling ones. (In this form
chain of thought never hurts; that real small models do worse with it is left out.)

Task classes. Knowledge: one fact per question; facts differ in difficulty along Zipf's law
(``zipf_difficulties``), so accuracy grows smoothly, as a power of the loss. Multistep: a random
walk of k skills on the skill graph, scored by exact match: emergent. Distractor: a multiple-choice
question with ``n_choices`` options whose right answer needs the k-step chain, while one skill of
the mean difficulty (cheaper than the chain) leads to a wrong option: the model answers right if
the chain succeeds; otherwise it picks the distractor's option if it has that skill, and guesses
uniformly if not. Accuracy q + (1 - q)(1 - p_distractor) / n_choices starts at chance, falls below
it in mid-size models that have the distractor but not the chain, and rises at scale: U-shaped
(Wei et al. 2022, "Inverse scaling can become U-shaped").
"""

from __future__ import annotations

import numpy as np

from emergesim.errors import ParameterError
from emergesim.models.skills.card import PROMPTINGS

E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. (2022)

PROMPT_GAIN = 0.5  # share of a step's difficulty that examples or written-out steps remove
ICL_SKILL = (4, 1.0)  # in-context learning: (composed steps, difficulty of each)
FORMAT_SKILL = (4, 2.0)  # keeping the chain-of-thought format: (composed steps, difficulty)


def reducible_loss(n_params, n_tokens):
    """L(N, D) - E in nats per token; N and D must be positive."""
    n_params, n_tokens = _positive("n_params", n_params), _positive("n_tokens", n_tokens)
    return A / n_params**ALPHA + B / n_tokens**BETA


def loss(n_params, n_tokens):
    """The Chinchilla loss L(N, D) in nats per token."""
    return E + reducible_loss(n_params, n_tokens)


def scaling_exponent(n_params, n_tokens):
    """gamma = -d ln(L - E) / d ln N along a family trained on a fixed number of tokens per
    parameter: the mean of alpha and beta weighted by the two loss terms, falling from near alpha
    towards beta as the data term comes to dominate."""
    n_params, n_tokens = _positive("n_params", n_params), _positive("n_tokens", n_tokens)
    params_term, data_term = A / n_params**ALPHA, B / n_tokens**BETA
    return (ALPHA * params_term + BETA * data_term) / (params_term + data_term)


def zipf_difficulties(n_skills: int, exponent: float, mean: float) -> np.ndarray:
    """Difficulties of skills ranked r = 1..n by how often they occur in training text.

    Zipf's law puts the frequency of the r-th skill at r^-exponent; a skill seen f times less
    often is taken to be f times harder, so d_r is proportional to r^exponent, scaled to the given
    mean. Exponent 0 makes every skill equally hard (Schaeffer's single-difficulty model).
    """
    weights = np.arange(1, n_skills + 1, dtype=float) ** exponent
    return mean * weights / weights.mean()


def composed_skill(reducible, steps: int, difficulty: float):
    """Probability that all ``steps`` independent sub-skills of one difficulty are right."""
    return np.exp(-steps * difficulty * reducible)


def prompted_difficulty(difficulty, reducible, prompting: str, gate=None):
    """A step's effective difficulty under a prompting style (module docstring, Prompting).

    ``reducible`` is one value per language model (shape (m,)); ``difficulty`` one per skill
    (shape (n,)); the result has shape (m, n). ``gate`` (composed steps, difficulty of each)
    replaces the style's gate skill, an assumption whose effect a study may vary.
    """
    if prompting not in PROMPTINGS:
        raise ParameterError(f"unknown prompting {prompting!r}; allowed: {', '.join(PROMPTINGS)}")
    reducible = np.asarray(reducible, dtype=float)[..., None]
    if prompting == "direct":
        enabled = np.zeros_like(reducible)
    else:
        gate = gate or (ICL_SKILL if prompting == "few_shot" else FORMAT_SKILL)
        enabled = composed_skill(reducible, *gate)
    return np.asarray(difficulty, dtype=float) * (1 - PROMPT_GAIN * enabled)


def distractor_probability(difficulty: float, reducible, prompting: str):
    """Probability that the distractor (one skill of the mean difficulty) pulls the answer;
    0 under chain of thought, where the model answers from its written steps."""
    pull = np.exp(-difficulty * np.asarray(reducible, dtype=float))
    return np.zeros_like(pull) if prompting == "cot" else pull


def walk_metrics(log_p, neighbors, n_steps: int) -> dict[str, np.ndarray]:
    """Expected metrics of a task that is a random walk of ``n_steps`` skills.

    ``log_p`` holds log p for every language model (rows) and skill (columns); ``neighbors`` is
    the (n, degree) neighbour table of a regular skill graph. The walk starts at a uniform skill
    and moves to a uniform neighbour; on a regular graph the uniform distribution is stationary,
    so every step is a uniform skill and partial credit is the mean of p. Exact match is the
    expected product of p along the walk: with w_1 = p and w_{j+1}(s) = p(s) mean_{t ~ s} w_j(t),
    the probability that a walk of j steps from s is right throughout, it is mean_s w_n(s).
    """
    log_p = np.asarray(log_p, dtype=float)
    p = np.exp(log_p)
    chain = p
    for _ in range(n_steps - 1):
        chain = p * chain[..., neighbors].mean(axis=-1)
    partial = p.mean(axis=-1)
    return {
        "exact_match": chain.mean(axis=-1),
        "partial_credit": partial,
        "edit_distance": n_steps * (1 - partial),
        "log_likelihood": n_steps * log_p.mean(axis=-1),
    }


def multiple_choice_accuracy(chain, p_distractor, n_choices: int):
    """Right if the chain succeeds; else a wrong pick if the distractor pulls, else a guess."""
    return chain + (1 - chain) * (1 - p_distractor) / n_choices


def _positive(name: str, values):
    values = np.asarray(values, dtype=float)
    bad = values[~(values > 0)]
    if bad.size:
        raise ParameterError(f"{name} must be > 0, got {bad.flat[0]:g}")
    return values
