"""Is the sub-skill model worth its assumptions? Its held-out error against simpler predictors.

Every predictor is fitted per task on the training families and predicts the held-out family,
one family at a time, through ``calibration.held_out_predictions`` (the same folds, rows and
metric for all):

- ``sub-skill, k per task``: exp(-D (L - E)^k), the sub-skill model of one task; only the task's
  total difficulty D = sum_s c_s d_s and its k can be told apart from one task's scores.
- ``sub-skill, shared k``: ``calibrate`` as it is, all tasks at once (the ``long_carry``
  sub-skills and one k): not per task, shown for comparison.
- ``logistic in log10 C``: 1 / (1 + exp(-s (log10 C - m))), C = 6 N D the training FLOPs.
- ``logistic in L - E``: 1 / (1 + exp(s ((L - E) - m))), L - E the Chinchilla reducible loss.
- ``constant``: the training models' mean accuracy.

The logistics have two parameters, location m and slope s, as the per-task sub-skill model has
(D and k). No upper asymptote: every task is answered 99.9-100 % right by its best models, so an
asymptote below 1 would be a third parameter the data do not ask for (fitted in [0.5, 1], it
settles at 1 and leaves the held-out RMSEs unchanged to 3 decimals). No floor: the answers are
open numbers (chance is near 0). Fits are least squares in accuracy, bounded, from several
starts, the best kept: deterministic.

Metrics over every held-out prediction of a task (one per model): RMSE in accuracy and Kendall's
tau-b between predicted and real accuracy (ties corrected). The constant's tau only reflects how
the training mean moves with the family left out (a good family left out lowers it: negative).
Row ``all``: the four tasks pooled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy

from emergesim.errors import ParameterError
from emergesim.models.skills import theory
from emergesim.models.skills.calibration import (
    DECOMPOSITIONS,
    calibrate,
    check_scores,
    held_out_predictions,
)
from emergesim.models.skills.realdata import load_scores

SUB_SKILL, SHARED_K = "sub-skill, k per task", "sub-skill, shared k"
LOGISTIC_COMPUTE, LOGISTIC_LOSS, CONSTANT = "logistic in log10 C", "logistic in L - E", "constant"
PREDICTORS = (SUB_SKILL, SHARED_K, LOGISTIC_COMPUTE, LOGISTIC_LOSS, CONSTANT)
PER_TASK = (SUB_SKILL, LOGISTIC_COMPUTE, LOGISTIC_LOSS, CONSTANT)  # the contenders
ALL = "all"  # the tasks pooled
SLOPE_STARTS = (0.3, 1.0, 3.0)  # times the slope that spans the training range once
LOCATION_QUANTILES = (0.25, 0.5, 0.75)  # of the training x
SLOPE_BOUNDS = (1e-3, 1e3)  # per unit of x, as a multiple of 1 / (training range of x)
LOCATION_MARGIN = 1.0  # the location within the training range of x widened by its width


@dataclass(frozen=True)
class Logistic:
    """Accuracy 1 / (1 + exp(-slope (x - location))) along x = log10 C, or along x = -(L - E)
    (``axis``: "compute" or "loss"), so accuracy rises with x and slope > 0."""

    axis: str
    location: float
    slope: float
    rmse: float  # over the fitted scores

    def __call__(self, n_params, n_tokens) -> np.ndarray:
        x = scale_axis(self.axis, n_params, n_tokens)
        return scipy.special.expit(self.slope * (x - self.location))


def scale_axis(axis: str, n_params, n_tokens) -> np.ndarray:
    """log10 (6 N D) for ``axis="compute"``, -(L(N, D) - E) for ``axis="loss"``."""
    n_params, n_tokens = np.asarray(n_params, float), np.asarray(n_tokens, float)
    if axis == "compute":
        return np.log10(6 * n_params * n_tokens)
    if axis == "loss":
        return -np.asarray(theory.reducible_loss(n_params, n_tokens), dtype=float)
    raise ParameterError(f"unknown axis {axis!r}; allowed: compute, loss")


def fit_logistic(scores: pd.DataFrame, task: str, axis: str) -> Logistic:
    """Least-squares logistic of ``task``'s accuracy along ``axis`` (see ``Logistic``), from
    the 9 starts of ``LOCATION_QUANTILES`` x ``SLOPE_STARTS``; missing scores are skipped."""
    check_scores(scores, [task])
    seen = scores[task].notna().to_numpy()
    x = scale_axis(axis, scores["n_params"], scores["n_tokens"])[seen]
    y = scores[task].to_numpy(dtype=float)[seen]
    if len(y) <= 2:
        raise ParameterError(f"{len(y)} scores of {task!r} cannot fit a logistic's 2 parameters")
    width = max(float(np.ptp(x)), 1e-9)
    low = np.array([x.min() - LOCATION_MARGIN * width, SLOPE_BOUNDS[0] / width])
    high = np.array([x.max() + LOCATION_MARGIN * width, SLOPE_BOUNDS[1] / width])

    def residuals(p):
        return scipy.special.expit(p[1] * (x - p[0])) - y

    best = None
    for quantile in LOCATION_QUANTILES:
        for slope in SLOPE_STARTS:
            start = np.array([np.quantile(x, quantile), slope * 4 / width])
            fit = scipy.optimize.least_squares(residuals, start, bounds=(low, high))
            if best is None or fit.cost < best.cost:
                best = fit
    location, slope = best.x
    return Logistic(axis, float(location), float(slope), float(np.sqrt(np.mean(best.fun**2))))


Predict = Callable[[pd.DataFrame], pd.DataFrame]


def fitter(predictor: str, tasks: list[str], decomposition: str = "long_carry"):
    """``fit(train) -> predict(test)`` of one of ``PREDICTORS`` over ``tasks`` (a column each),
    for ``calibration.held_out_predictions``."""
    if predictor not in PREDICTORS:
        raise ParameterError(f"unknown predictor {predictor!r}; allowed: {', '.join(PREDICTORS)}")

    def scale(test: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return test["n_params"].to_numpy(float), test["n_tokens"].to_numpy(float)

    def fit(train: pd.DataFrame) -> Predict:
        if predictor == SHARED_K:
            table = DECOMPOSITIONS[decomposition]
            joint = calibrate(train, decomposition={task: table[task] for task in tasks})
            return lambda test: joint.predict(*scale(test))[tasks]
        if predictor == SUB_SKILL:  # one sub-skill per task: D (as d, used once) and k
            each = {task: calibrate(train, decomposition={task: {task: 1}}) for task in tasks}
            return lambda test: pd.DataFrame(
                {task: one.predict(*scale(test))[task].to_numpy() for task, one in each.items()}
            )
        if predictor == CONSTANT:
            means = {task: float(train[task].mean()) for task in tasks}
            return lambda test: pd.DataFrame({t: np.full(len(test), m) for t, m in means.items()})
        axis = "compute" if predictor == LOGISTIC_COMPUTE else "loss"
        curves = {task: fit_logistic(train, task, axis) for task in tasks}
        return lambda test: pd.DataFrame({t: c(*scale(test)) for t, c in curves.items()})

    return fit


@dataclass(frozen=True)
class Comparison:
    """Held-out (leave one family out) error of each of ``PREDICTORS`` on each task.

    ``table``: index (task, predictor), tasks then ``ALL`` (the tasks pooled); columns ``rmse``
    (in accuracy), ``kendall`` (tau-b of predicted with real accuracy) and ``n`` (scores).
    ``predictions``: predictor -> model, family and a column per task, each family predicted by
    the fit on the others.
    """

    tasks: tuple[str, ...]
    table: pd.DataFrame
    predictions: dict[str, pd.DataFrame]

    @property
    def rmse(self) -> pd.DataFrame:
        """Held-out RMSE, task (rows, then ``all``) x predictor (columns)."""
        return self.table["rmse"].unstack()[list(PREDICTORS)].loc[[*self.tasks, ALL]]

    @property
    def kendall(self) -> pd.DataFrame:
        return self.table["kendall"].unstack()[list(PREDICTORS)].loc[[*self.tasks, ALL]]

    @property
    def winners(self) -> pd.Series:
        """Per task (and ``all``): the predictor of ``PER_TASK`` with the lowest held-out RMSE.
        The shared-k calibration is not a contender: it is not fitted per task."""
        return self.rmse[list(PER_TASK)].idxmin(axis=1)


def compare_held_out(
    scores: pd.DataFrame | None = None,
    *,
    tasks: Iterable[str] | None = None,
    decomposition: str = "long_carry",
) -> Comparison:
    """Every predictor on every task, each family predicted from a fit on the others (see the
    module's docstring). ``tasks`` default to the decomposition's (the four arithmetic tasks);
    ``decomposition`` is the shared-k calibration's."""
    scores = load_scores() if scores is None else scores
    if decomposition not in DECOMPOSITIONS:
        raise ParameterError(
            f"unknown decomposition {decomposition!r}; allowed: {', '.join(DECOMPOSITIONS)}"
        )
    tasks = list(DECOMPOSITIONS[decomposition] if tasks is None else tasks)
    if not tasks:
        raise ParameterError("no tasks given; pick at least one")
    check_scores(scores, tasks)  # a task the scores lack: named with the ones they have
    outside = [task for task in tasks if task not in DECOMPOSITIONS[decomposition]]
    if outside:
        raise ParameterError(
            f"tasks {outside} are not in decomposition {decomposition!r}; "
            f"allowed: {', '.join(DECOMPOSITIONS[decomposition])}"
        )
    predictions = {
        predictor: held_out_predictions(scores, fitter(predictor, tasks, decomposition))
        for predictor in PREDICTORS
    }
    real = scores[tasks]
    rows = {}
    for predictor, predicted in predictions.items():
        for task in [*tasks, ALL]:
            columns = tasks if task == ALL else [task]
            y = real.loc[predicted.index, columns].to_numpy(float).ravel()
            guess = predicted[columns].to_numpy(float).ravel()
            seen = ~np.isnan(y)
            rows[task, predictor] = {
                "rmse": float(np.sqrt(np.mean((guess[seen] - y[seen]) ** 2))),
                "kendall": float(scipy.stats.kendalltau(guess[seen], y[seen]).statistic),
                "n": int(seen.sum()),
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["task", "predictor"]
    return Comparison(tuple(tasks), table, predictions)
