"""Real per-model arithmetic scores: the fixture shipped in ``data/`` and how it was derived.

The scores are 2-shot accuracies of 69 public base models on four arithmetic tasks of 2000 open
questions each, with each model's size and training tokens, from Ruan, Maddison & Hashimoto
(2024), "Observational Scaling Laws and the Predictability of Language Model Performance",
arXiv:2405.10938 (github.com/ryoungj/ObsScaling, Apache-2.0; ``data/NOTICE.md``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from emergesim.errors import EmergesimError

FIXTURE = "arithmetic.csv"
SOURCE_FILES = ("base_llm_benchmark_eval.csv", "base_llm_emergent_capability_eval.csv")
SCALE_COLUMNS = {  # source column -> our column, with the factor to a plain count
    "Model Size (B)": ("n_params", 1e9),
    "Pretraining Data Size (T)": ("n_tokens", 1e12),
}
TASK_COLUMNS = {  # our task name -> source column (2-shot accuracy)
    "add_2d": "arithmetic_2da_2_acc",  # a + b, both in [0, 100)
    "add_3d": "arithmetic_3da_2_acc",  # a + b, both in [0, 1000)
    "sub_3d": "arithmetic_3ds_2_acc",  # a - b, both in [0, 1000)
    "mul_2d": "arithmetic_2dm_2_acc",  # a * b, both in [0, 100)
}
TASKS = tuple(TASK_COLUMNS)
COLUMNS = ["Model", "Model Family", *SCALE_COLUMNS, *TASK_COLUMNS.values()]


def load_scores() -> pd.DataFrame:
    """The fixture, one row per model: model, family, n_params, n_tokens and the four tasks."""
    with resources.files(__package__).joinpath("data", FIXTURE).open() as handle:
        table = pd.read_csv(handle)
    scores = pd.DataFrame({"model": table["Model"], "family": table["Model Family"]})
    for column, (name, unit) in SCALE_COLUMNS.items():
        scores[name] = table[column] * unit
    for task, column in TASK_COLUMNS.items():
        scores[task] = table[column]
    return scores


def derive_fixture(source: str | Path, out: str | Path) -> Path:
    """Write the fixture from the source folder (the two CSVs of ObsScaling's eval_results).

    The tables are joined on Model; the models that have a size, a token count and all four
    arithmetic scores are kept, in the order of the capability table, with the values unchanged.
    """
    source = Path(source)
    missing = [name for name in SOURCE_FILES if not (source / name).is_file()]
    if missing:
        raise EmergesimError(f"cannot derive the fixture: {', '.join(missing)} not in '{source}'")
    benchmarks, capabilities = (pd.read_csv(source / name) for name in SOURCE_FILES)
    joined = capabilities.merge(benchmarks, on="Model", how="inner", validate="one_to_one")
    joined[COLUMNS].dropna().to_csv(out, index=False)
    return Path(out)
