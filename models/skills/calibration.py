"""The skills model against real arithmetic scores: sub-skill difficulties fitted to 69 models.

A model's scale is its Chinchilla reducible loss L(N, D) - E (``theory.reducible_loss``); a task
is right when each of its sub-skills is, as in ``theory.composed_skill``, so a task using skill s
``c_s`` times is right with probability prod_s exp(-c_s d_s (L - E)^k). The theory has k = 1
(``sharpness=1``). The real scores rise about six times more steeply in ln(L - E) than that
(fitted k near 6), so k is fitted unless given. With k != 1 a difficulty is in nats^-k; the loss
at which a skill alone is right half the time, ``Calibration.half_loss``, reads more easily.

No chance floor: the answers are open numbers, and the smallest models' 0-3 % (OPT-125m: 2.3 % on
2-digit multiplication) costs at most 0.03 in accuracy. The scores are 2-shot; the fitted
difficulties are those of 2-shot prompting (theory's few-shot discount is a toy and not used).
Fits are least squares in accuracy, the unit the errors are reported in.

Decompositions (``DECOMPOSITIONS``, the assumptions under test): ``digits`` has independent
sub-skills only, one per digit column (add, subtract) or digit pair (multiply: 4 products, the
sums of the partial products folded in). ``column_carry`` adds a carry at every column that can
receive one (one in a 2-digit sum, two in a 3-digit one), which puts 3-digit addition at most
twice as hard as 2-digit addition. ``long_carry`` adds instead one carry that only 3-digit sums
and differences need: a carry (or borrow) carried on across a middle column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy  # submodules load on first use: a sweep worker importing the model skips them

from emergesim.errors import ParameterError
from emergesim.models.skills import theory
from emergesim.models.skills.realdata import load_scores

Decomposition = Mapping[str, Mapping[str, int]]  # task -> sub-skill -> times used

DECOMPOSITIONS: dict[str, Decomposition] = {
    "digits": {
        "add_2d": {"add": 2},
        "add_3d": {"add": 3},
        "sub_3d": {"subtract": 3},
        "mul_2d": {"multiply": 4},
    },
    "column_carry": {
        "add_2d": {"add": 2, "carry": 1},
        "add_3d": {"add": 3, "carry": 2},
        "sub_3d": {"subtract": 3, "carry": 2},
        "mul_2d": {"multiply": 4},
    },
    "long_carry": {
        "add_2d": {"add": 2},
        "add_3d": {"add": 3, "carry": 1},
        "sub_3d": {"subtract": 3, "carry": 1},
        "mul_2d": {"multiply": 4},
    },
}
SHARPNESS_STARTS = (1.0, 3.0, 6.0, 10.0)  # local minima in k are common; start from each
SHARPNESS_BOUNDS = (0.1, 30.0)
LOG_DIFFICULTY_BOUND = 50.0  # |ln d|: d = e^-50 is a sub-skill the data never need
MAX_EXPONENT = 100.0  # where a decomposition allows any ratio of difficulties
SCALE_AND_NAME = ("model", "family", "n_params", "n_tokens")  # a score table's other columns


@dataclass(frozen=True)
class Calibration:
    """Fitted sub-skill difficulties; ``predict`` gives every task's accuracy at any (N, D)."""

    decomposition: Decomposition
    difficulties: dict[str, float]  # sub-skill -> d, in nats^-sharpness
    sharpness: float  # k: -ln p = d (L - E)^k
    families: tuple[str, ...]  # the families fitted
    rmse: float  # root mean square error in accuracy over the fitted scores

    @property
    def half_loss(self) -> dict[str, float]:
        """Reducible loss (nats) at which each sub-skill alone is right half the time."""
        return {
            skill: float((np.log(2) / d) ** (1 / self.sharpness))
            for skill, d in self.difficulties.items()
        }

    def at_loss(self, reducible) -> pd.DataFrame:
        """Expected accuracy of every task (columns) at reducible losses L - E (nats)."""
        counts, _ = _counts(self.decomposition)
        difficulty = np.array(list(self.difficulties.values()))
        accuracy = _accuracy(np.atleast_1d(reducible), counts, difficulty, self.sharpness)
        return pd.DataFrame(accuracy, columns=list(self.decomposition))

    def predict(self, n_params, n_tokens) -> pd.DataFrame:
        """Expected accuracy of every task (columns) for models of N parameters, D tokens."""
        return self.at_loss(theory.reducible_loss(n_params, n_tokens))


def calibrate(
    scores: pd.DataFrame | None = None,
    *,
    families: Iterable[str] | None = None,
    decomposition: str | Decomposition = "long_carry",
    sharpness: float | None = None,
) -> Calibration:
    """Fit sub-skill difficulties (and k unless ``sharpness`` is given) to measured accuracies.

    ``scores`` has columns family, n_params, n_tokens and one per task of the decomposition
    (default: ``load_scores()``, the real arithmetic scores); ``families`` picks the rows to fit
    (default: all). Missing scores (NaN) are skipped.
    """
    scores = load_scores() if scores is None else scores
    decomposition = _decomposition(decomposition)
    rows = _rows(scores, families)
    tasks = list(decomposition)
    check_scores(rows, tasks)
    if sharpness is not None and not sharpness > 0:
        raise ParameterError(f"sharpness must be > 0, got {sharpness:g}")
    counts, skills = _counts(decomposition)
    reducible = theory.reducible_loss(rows["n_params"], rows["n_tokens"])
    observed = rows[tasks].to_numpy(dtype=float)
    seen = ~np.isnan(observed)
    free = sharpness is None
    n_free = len(skills) + free
    if seen.sum() <= n_free:
        raise ParameterError(
            f"{seen.sum()} scores cannot fit {n_free} parameters; pick more models or families"
        )

    def residuals(x):
        k = x[-1] if free else sharpness
        predicted = _accuracy(reducible, counts, np.exp(x[: len(skills)]), k)
        return (predicted - observed)[seen]

    best = None
    for k in SHARPNESS_STARTS if free else (sharpness,):
        # start where the typical model gets a typical task half right
        d = np.log(2) / (counts.sum(axis=1).mean() * np.median(reducible**k))
        start = np.r_[np.full(len(skills), np.log(d)), [k] * free]
        low = np.r_[np.full(len(skills), -LOG_DIFFICULTY_BOUND), [SHARPNESS_BOUNDS[0]] * free]
        high = np.r_[np.full(len(skills), LOG_DIFFICULTY_BOUND), [SHARPNESS_BOUNDS[1]] * free]
        fit = scipy.optimize.least_squares(residuals, start, bounds=(low, high))
        if best is None or fit.cost < best.cost:
            best = fit
    return Calibration(
        decomposition=decomposition,
        difficulties=dict(zip(skills, np.exp(best.x[: len(skills)]).tolist(), strict=True)),
        sharpness=float(best.x[-1]) if free else float(sharpness),
        families=tuple(rows["family"].unique()),
        rmse=float(np.sqrt(np.mean(best.fun**2))),
    )


def folds(
    scores: pd.DataFrame, held_out: Iterable[str] | None = None
) -> list[tuple[list[str], list[str]]]:
    """The (training families, held-out families) of each fit: every family alone in turn
    (leave one family out) with ``held_out=None``, else the one split ``held_out`` against the
    rest. A family is never on both sides of a split."""
    known = list(scores["family"].unique())
    groups = [[family] for family in known] if held_out is None else [list(held_out)]
    splits = []
    for group in groups:
        _rows(scores, group)  # refuses unknown or no families
        train = [family for family in known if family not in group]
        if not train:
            raise ParameterError("every family is held out; leave at least one to fit")
        splits.append((train, group))
    return splits


Fit = Callable[[pd.DataFrame], Callable[[pd.DataFrame], pd.DataFrame]]


def held_out_predictions(
    scores: pd.DataFrame, fit: Fit, *, held_out: Iterable[str] | None = None
) -> pd.DataFrame:
    """Predictions of each family by ``fit`` on the other families only (``folds``): the one
    place every held-out evaluation (``predict_held_out``, ``baselines.compare_held_out``) runs.

    ``fit(train)`` gets the training rows and returns a function of the held-out rows giving one
    column per task. Returns model, family and those columns, in the order of ``scores``.
    """
    predictions = []
    for train_families, test_families in folds(scores, held_out):
        train, test = _rows(scores, train_families), _rows(scores, test_families)
        predicted = pd.DataFrame(fit(train)(test)).set_axis(test.index)
        predictions.append(pd.concat([test[["model", "family"]], predicted], axis=1))
    return pd.concat(predictions).loc[lambda table: table.index.sort_values()]


def predict_held_out(
    scores: pd.DataFrame | None = None, *, held_out: Iterable[str] | None = None, **options
) -> pd.DataFrame:
    """Accuracies of the ``held_out`` families predicted by a calibration on all the others.

    With ``held_out=None`` every family is held out in turn (leave one family out), so every
    model is predicted by a fit that never saw its family. Returns model, family and one column
    per task; ``options`` go to ``calibrate``.
    """
    scores = load_scores() if scores is None else scores

    def fit(train: pd.DataFrame) -> Callable[[pd.DataFrame], pd.DataFrame]:
        calibration = calibrate(train, **options)
        return lambda test: calibration.predict(test["n_params"], test["n_tokens"])

    return held_out_predictions(scores, fit, held_out=held_out)


def rmse_by_family(scores: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """Root mean square error in accuracy per family (rows) and task, and over all tasks."""
    tasks = [task for task in predicted.columns if task not in ("model", "family")]
    errors = (predicted[tasks] - scores.loc[predicted.index, tasks]) ** 2
    errors["family"] = predicted["family"]
    table = errors.groupby("family", sort=False)[tasks].mean() ** 0.5
    table["all"] = errors.groupby("family", sort=False)[tasks].apply(lambda e: e.stack().mean())
    table["all"] **= 0.5
    table.insert(0, "models", errors.groupby("family", sort=False).size())
    return table


@dataclass(frozen=True)
class Composition:
    """One task's accuracy predicted from another's, on the same model: acc_t = acc_s^exponent.

    A model's scale cancels: with total difficulties D_s and D_t, -ln acc = D (L - E)^k for both,
    so exponent = D_t / D_s, whatever the model, its loss or k.
    """

    decomposition: str
    exponent: float  # fitted within the range the decomposition allows
    allowed: tuple[float, float]  # D_t / D_s over all non-negative difficulties
    rmse: float  # over all models, exponent fitted to all
    held_out_rmse: float  # each family predicted with the exponent fitted to the others


def composition(
    scores: pd.DataFrame | None = None,
    *,
    decomposition: str = "long_carry",
    source: str = "add_2d",
    target: str = "add_3d",
) -> Composition:
    """How well the decomposition predicts ``target`` from each model's own ``source`` score.

    Under ``digits`` 3-digit addition is 2-digit addition to the power 3/2 (three digit-adds
    against two); ``column_carry`` allows 3/2 to 2; ``long_carry`` any power from 3/2 up.
    """
    scores = load_scores() if scores is None else scores
    table = _decomposition(decomposition)
    for task in (source, target):
        if task not in table:
            raise ParameterError(
                f"unknown task {task!r} for decomposition {decomposition!r}; "
                f"allowed: {', '.join(table)}"
            )
    check_scores(scores, [source, target])
    allowed = _ratio_range(table[source], table[target])
    rows = scores.dropna(subset=[source, target])

    def fit(subset: pd.DataFrame) -> float:
        x, y = subset[source].to_numpy(), subset[target].to_numpy()
        if allowed[0] == allowed[1]:
            return allowed[0]
        bounds = (allowed[0], min(allowed[1], MAX_EXPONENT))
        return scipy.optimize.minimize_scalar(
            lambda r: np.sum((x**r - y) ** 2), bounds=bounds, method="bounded"
        ).x

    def fit_power(train: pd.DataFrame) -> Callable[[pd.DataFrame], dict]:
        power = fit(train)
        return lambda test: {target: test[source].to_numpy() ** power}

    held_out = held_out_predictions(rows, fit_power)[target].to_numpy()
    exponent = fit(rows)
    target_scores = rows[target].to_numpy()
    return Composition(
        decomposition=decomposition,
        exponent=float(exponent),
        allowed=allowed,
        rmse=float(np.sqrt(np.mean((rows[source].to_numpy() ** exponent - target_scores) ** 2))),
        held_out_rmse=float(np.sqrt(np.mean((held_out - target_scores) ** 2))),
    )


def ordering(scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """How well N alone and L(N, D) order the models' accuracies: rank correlations per task.

    Kendall's tau (concordant minus discordant pairs over all pairs, ties corrected: tau-b) and
    Spearman's rho, of accuracy with N and with -(L - E) (lower loss, higher expected accuracy).
    """
    scores = load_scores() if scores is None else scores
    tasks = task_columns(scores)
    check_scores(scores, tasks)
    axes = {
        "N": scores["n_params"],
        "loss": -theory.reducible_loss(scores["n_params"], scores["n_tokens"]),
    }
    rows = {}
    for task in tasks:
        seen = scores[task].notna()
        rows[task] = {
            f"{name}_{axis}": float(measure(values[seen], scores.loc[seen, task]).statistic)
            for name, measure in (
                ("kendall", scipy.stats.kendalltau),
                ("spearman", scipy.stats.spearmanr),
            )
            for axis, values in axes.items()
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _accuracy(reducible, counts, difficulty, sharpness):
    """prod_s exp(-c_s d_s (L - E)^k), (models, tasks), from loss (models,), counts (tasks,
    skills) and difficulties (skills,)."""
    scale = np.asarray(reducible, dtype=float)[:, None, None] ** sharpness
    return theory.composed_skill(scale, counts[None], difficulty[None, None]).prod(axis=-1)


def _counts(decomposition: Decomposition) -> tuple[np.ndarray, list[str]]:
    """The (tasks, skills) matrix of how often each task uses each sub-skill, and the skills."""
    skills = list(dict.fromkeys(skill for uses in decomposition.values() for skill in uses))
    counts = np.array([[uses.get(skill, 0) for skill in skills] for uses in decomposition.values()])
    return counts.astype(float), skills


def _ratio_range(source: Mapping[str, int], target: Mapping[str, int]) -> tuple[float, float]:
    """Range of sum_s c_t,s d_s / sum_s c_s,s d_s over d >= 0: between the per-skill ratios."""
    skills = set(source) | set(target)
    ratios = [target.get(s, 0) / source[s] if source.get(s) else np.inf for s in skills]
    return float(min(ratios)), float(max(ratios))


def _decomposition(decomposition: str | Decomposition) -> Decomposition:
    if isinstance(decomposition, str):
        if decomposition not in DECOMPOSITIONS:
            raise ParameterError(
                f"unknown decomposition {decomposition!r}; allowed: {', '.join(DECOMPOSITIONS)}"
            )
        return DECOMPOSITIONS[decomposition]
    for task, uses in decomposition.items():
        if not uses or any(not (isinstance(c, int) and c > 0) for c in uses.values()):
            raise ParameterError(
                f"task {task!r} must use at least one sub-skill, each a positive whole number "
                f"of times, got {dict(uses)}"
            )
    return decomposition


def task_columns(scores: pd.DataFrame) -> list[str]:
    """The score table's task columns: all but model, family, n_params and n_tokens."""
    return [column for column in scores.columns if column not in SCALE_AND_NAME]


def _rows(scores: pd.DataFrame, families: Iterable[str] | None) -> pd.DataFrame:
    """The rows of the given families (all when None), refusing unknown or no families."""
    if families is None:
        return scores
    families, known = list(families), set(scores["family"])
    unknown = [f for f in families if f not in known]
    if unknown or not families:
        raise ParameterError(
            f"unknown families {unknown}; allowed: {', '.join(sorted(known))}"
            if unknown
            else "no families given; pick at least one"
        )
    return scores[scores["family"].isin(families)]


def check_scores(scores: pd.DataFrame, tasks: Iterable[str]) -> None:
    """Refuse tasks the scores lack (naming those they have) and accuracies outside [0, 1]."""
    missing = [task for task in tasks if task not in scores.columns]
    if missing:
        raise ParameterError(
            f"no scores for tasks {missing}; the scores have tasks "
            f"{', '.join(task_columns(scores))}"
        )
    values = scores[list(tasks)].to_numpy(dtype=float)
    bad = values[~np.isnan(values) & ((values < 0) | (values > 1))]
    if bad.size:
        raise ParameterError(f"accuracies must be in [0, 1], got {bad[0]:g}")
