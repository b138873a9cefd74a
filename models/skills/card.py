"""The skills model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

TASKS = ("knowledge", "multistep", "distractor")
PROMPTINGS = ("direct", "few_shot", "cot")
METRICS = ("exact_match", "partial_credit", "edit_distance", "log_likelihood")
DEGREE = 4  # neighbours of every skill: enough choice for walks, few enough to stay local
SCALE_RANGE = (3.0, 15.0)  # log10 N the model allows, and the widest a figure shows

# The toy LLM in the comparison: k composed steps, each right with a probability that rises
# smoothly with scale. Per-step accuracy (partial credit) is the same curve for every k; exact
# match, p^k, moves to larger models as k grows: composition, by construction.
COMPOSITION = Comparison(
    key="skills",
    title="multi-step ability of a toy LLM",
    kind="LLM",
    control="log10_params",
    size="k_steps",
    per_unit="partial_credit_mc",
    all_or_nothing="exact_match_mc",
    fixed={"task": "multistep", "family": 0, "tasks": 200},
    quick=Budget("5:15:21", (2, 4, 8), reps=3, steps=5, burn_in=0),
    full=Budget("4:15:45", (1, 2, 4, 8, 16), reps=8, steps=20, burn_in=0),
    picture={"k_steps": 8},
    expect="composition",
)

CARD = ModelCard(
    name="skills",
    model="emergesim.models.skills.model:SkillsModel",
    summary="Skill composition: multi-step abilities of a toy LLM emerge with scale.",
    params=ParamSet(
        Param(
            "log10_params",
            10.0,
            "log10 of the language model's parameter count N",
            float,
            *SCALE_RANGE,
            unit="log10 parameters",
        ),
        Param(
            "tokens_per_param",
            20.0,
            "training tokens per parameter D/N (Chinchilla: ~20)",
            float,
            0,
            1e6,
            low_open=True,
            unit="tokens/parameter",
        ),
        Param(
            "task",
            "multistep",
            "knowledge (one fact), multistep (k composed steps) or "
            "distractor (multiple choice with a cheaper wrong skill)",
            str,
            choices=TASKS,
        ),
        Param(
            "prompting",
            "direct",
            "direct, few_shot (in-context examples) or cot (chain of thought)",
            str,
            choices=PROMPTINGS,
        ),
        Param(
            "k_steps",
            8,
            "skills composed in a multistep or distractor task (knowledge: 1)",
            int,
            1,
            64,
        ),
        Param(
            "difficulty",
            0.5,
            "mean skill difficulty d: a skill is right with exp(-d(L-E))",
            float,
            0,
            100,
            low_open=True,
        ),
        Param(
            "zipf",
            1.0,
            "Zipf exponent: the skill of frequency rank r has difficulty ~ r^zipf (0: all equal)",
            float,
            0,
            4,
        ),
        Param(
            "n_skills",
            1000,
            f"skills on the skill graph (random, {DEGREE}-regular)",
            int,
            DEGREE + 1,
            20_000,
        ),
        Param("n_choices", 4, "options of a distractor question", int, 2, 26),
        Param("tasks", 250, "tasks attempted per language model per step", int, 1, 100_000),
        Param(
            "family",
            12,
            "more language models, evenly spaced in log10 N across the transition (for the figure)",
            int,
            0,
            100,
        ),
        Param(
            "graph_seed",
            0,
            "seed of the skill graph and difficulty ranks (the same skills for every run seed)",
            int,
            0,
            2**32 - 1,
        ),
    ),
    control="log10_params",
    order="exact_match",
    observables={
        "exact_match": "closed form: P(answer right): every step right (distractor: right option)",
        "partial_credit": "closed form: expected share of the task's steps done right",
        "edit_distance": "closed form: expected number of wrong steps",
        "log_likelihood": "closed form: expected log-probability of the reference steps (nats)",
        **{
            f"{name}_mc": f"Monte Carlo estimate of {name} (attempts since the previous record)"
            for name in METRICS
        },
        "loss": "Chinchilla loss L(N, D) of the language model (nats/token)",
        "log10_compute": "log10 of the training compute 6 N D (FLOPs)",
    },
    default_steps=200,
    scan_observables=("exact_match_mc", "partial_credit_mc"),
    comparisons=(COMPOSITION,),
    variants=tuple(
        dict(task=task, prompting=prompting, n_skills=40, k_steps=4, family=3, tasks=60)
        for task in ("knowledge", "multistep", "distractor")
        for prompting in ("direct", "few_shot", "cot")
    ),
)
