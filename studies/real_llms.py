"""Real language models as observed systems in the comparison: 2-shot scores of public base models
against their training compute and their Chinchilla loss.

The scores are ObsScaling's (Ruan, Maddison & Hashimoto 2024, arXiv:2405.10938; Apache-2.0,
``data/obsscaling/NOTICE.md``), shipped unchanged. Each row of ``emergesim compare`` reads one
task, against log10 compute and against -L(N, D): IPA transliteration (exact match against BLEU
on the same outputs: a discontinuous and a continuous metric, Schaeffer et al. 2023's test on
real data), word unscrambling, the four arithmetic tasks, Persian QA, and the two benchmarks of
the table whose score has a step or knee against compute (MMLU, GSM8K; ARC-C and HellaSwag rise
as a straight line explains, tests/studies/test_real_llms.py holds that). A real model cannot
be rerun with more or fewer composed steps, so there is no size axis: the verdict says so, and
the location and the metric test are what a row measures.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from emergesim.card import Comparison
from emergesim.models.skills.baselines import compare_held_out
from emergesim.models.skills.theory import loss
from emergesim.observed import Observed

FILES = ("base_llm_emergent_capability_eval.csv", "base_llm_benchmark_eval.csv")
# our column -> (the file's column, factor to a score in [0, 1], the task)
CAPABILITIES = {  # in FILES[0]
    "ipa_exact_match": ("ipa_transliterate_2_exact_match", 1, "IPA transliteration"),
    "ipa_bleu": ("ipa_transliterate_2_bleu", 0.01, "IPA transliteration"),  # BLEU / 100
    "word_unscrambling": ("word_unscrambling_2_exact_match", 1, "word unscrambling"),
    "add_2d": ("arithmetic_2da_2_acc", 1, "2-digit addition"),
    "add_3d": ("arithmetic_3da_2_acc", 1, "3-digit addition"),
    "sub_3d": ("arithmetic_3ds_2_acc", 1, "3-digit subtraction"),
    "mul_2d": ("arithmetic_2dm_2_acc", 1, "2-digit multiplication"),
    "persian_qa": ("parsinlu_qa_2_acc", 1, "Persian QA"),  # ParsiNLU
}
BENCHMARKS = {  # in FILES[1]
    "mmlu": ("MMLU", 1, "MMLU"),
    "gsm8k": ("GSM8K", 1, "GSM8K"),
    "arc_c": ("ARC-C", 1, "ARC challenge"),
    "hellaswag": ("HellaSwag", 1, "HellaSwag"),
}
SCORES = {**CAPABILITIES, **BENCHMARKS}
COMPUTE, MINUS_LOSS = "log10_compute", "minus_loss"  # the two controls
NO_SIZE = (
    "A real model cannot be rerun with more or fewer composed steps: no size axis, so the verdict "
    "can only be inconclusive; what the row measures is where the step lies and, "
)
BOTH_METRICS = "whether it survives the continuous metric (BLEU) on the same outputs."
ONE_METRIC = "with one metric only, no metric test."


@cache
def load() -> pd.DataFrame:
    """One row per model: model, family, log10 compute (FLOPs), -L(N, D) and every score."""
    folder = resources.files(__package__).joinpath("data", "obsscaling")
    capability, benchmark = (pd.read_csv(folder.joinpath(name).open()) for name in FILES)
    table = capability.merge(benchmark, on="Model", how="inner", validate="one_to_one")
    out = pd.DataFrame({"model": table["Model"], "family": table["Model Family"]})
    out[COMPUTE] = np.log10(table["FLOPs (1E21)"] * 1e21)
    scale = table[["Model Size (B)", "Pretraining Data Size (T)"]].dropna()  # some lack D
    out[MINUS_LOSS] = pd.Series(
        -loss(scale.iloc[:, 0].to_numpy() * 1e9, scale.iloc[:, 1].to_numpy() * 1e12),
        index=scale.index,
    )
    for name, (column, factor, _) in SCORES.items():
        out[name] = table[column] * factor
    return out


def _row(key: str, per_unit: str, all_or_nothing: str, control: str = COMPUTE) -> Comparison:
    against = "compute" if control == COMPUTE else "-loss"
    what = SCORES[all_or_nothing][2]
    if per_unit != all_or_nothing:
        what = f"{what.split()[0]} exact match/BLEU"
    return Comparison(
        key=key,
        title=f"LLMs: {what} vs {against}",
        kind="real LLMs",
        size="",
        per_unit=per_unit,
        all_or_nothing=all_or_nothing,
        control=control,
        note=NO_SIZE + (BOTH_METRICS if per_unit != all_or_nothing else ONE_METRIC),
    )


TASKS = {  # row key -> (per-unit score, all-or-nothing score)
    "ipa_transliteration": ("ipa_bleu", "ipa_exact_match"),
    **{task: (task, task) for task in ("word_unscrambling", "add_2d", "add_3d", "sub_3d")},
    **{task: (task, task) for task in ("mul_2d", "persian_qa", "mmlu", "gsm8k")},
}
ROWS = tuple(
    _row(key + suffix, *scores, control)
    for control, suffix in ((COMPUTE, ""), (MINUS_LOSS, "_loss"))
    for key, scores in TASKS.items()
)


def held_out_tables() -> dict[str, pd.DataFrame]:
    """How well each model of the arithmetic scores predicts a family it was not fitted on."""
    table = compare_held_out().table
    title = (
        "Real arithmetic scores predicted for a model family left out of the fit (69 models, "
        "19 families): held-out RMSE and Kendall tau per task"
    )
    return {title: table.reset_index()}


OBSERVED = Observed(
    name="real-llms",
    summary="2-shot scores of public base LLMs (ObsScaling, Ruan et al. 2024)",
    load=load,
    group="family",
    comparisons=ROWS,
    tables=held_out_tables,
)
