"""Grokking: the phases are measured, the gradients are right, kernel == twin."""

import os
import subprocess
import sys

import numpy as np
import pytest

from emergesim import ParameterError, run
from emergesim.models.grokking import GrokkingModel, network
from emergesim.models.grokking.kernels import ARITHMETIC

SMALL = dict(p=31, train_fraction=0.5, width=128)


def test_memorisation_comes_first_and_generalisation_later():
    result = run("grokking", seed=0, steps=400, record_every=10, **SMALL)
    table = result.timeseries
    perfect_train = table.loc[table["train_accuracy"] == 1.0, "step"].min()
    generalised = result.model.generalised_at
    assert result.model.memorised_at <= 50
    assert perfect_train < generalised <= 400
    assert table["test_accuracy"].iloc[-1] >= 0.95
    at_memorisation = table.loc[table["step"] >= perfect_train, "test_accuracy"].iloc[0]
    assert at_memorisation < 0.5  # a plateau: memorised, not yet generalised


def test_without_weight_decay_the_recipe_does_not_generalise_in_the_same_budget():
    """The CPU recipe after Power et al. 2022 (p = 97, fraction 0.2): >= 0.95 test accuracy near
    step 550 with weight decay 1; with none, not within 800 steps."""
    budget = dict(steps=800, record_every=50, seed=0)
    grokked = run("grokking", **budget)
    assert grokked.model.generalised_at <= 800
    assert grokked.model.memorised_at < 50
    plain = run("grokking", weight_decay=0.0, **budget)
    assert np.isnan(plain.model.generalised_at)
    assert plain.model.memorised_at < 50  # it memorises just as fast
    assert plain.timeseries["test_accuracy"].max() < 0.5


def test_fourier_concentration_rises_as_the_network_groks():
    series = run("grokking", seed=0, steps=400, record_every=10, **SMALL).timeseries
    concentration = series["fourier_concentration"]
    assert concentration.iloc[-1] > 0.9 and concentration.iloc[0] < 0.5


def test_all_test_right_waits_for_the_last_held_out_pair():
    """The all-or-nothing counterpart of test_accuracy, over the same pairs: 1 only once every
    held-out pair is right, so it comes after 'generalised' (>= 0.95 of them right); a network
    that memorises without generalising (p = 11, width 64) never gets there."""
    result = run("grokking", seed=0, steps=200, record_every=5, **SMALL)
    table = result.timeseries
    perfect = table["test_accuracy"] == 1
    assert table["all_test_right"].tolist() == perfect.astype(float).tolist()
    assert table["all_test_right"].iloc[0] == 0 and table["all_test_right"].iloc[-1] == 1
    first = table.loc[perfect, "step"].min()
    assert result.model.generalised_at < first  # rows at >= 0.95 but < 1 scored 0
    tiny = dict(p=11, train_fraction=0.5, width=64)
    stuck = run("grokking", seed=0, steps=300, record_every=10, **tiny).timeseries
    assert stuck["train_accuracy"].iloc[-1] == 1 and (stuck["all_test_right"] == 0).all()


def test_gradients_match_finite_differences():
    model = GrokkingModel(seed=3, p=5, train_fraction=0.6, width=4)
    a, b, targets = model._train
    net = model.net
    _, _, grads = network.loss_and_gradients(net, a, b, targets, ARITHMETIC)
    rng = np.random.default_rng(0)
    h = 1e-6
    for weights, grad in zip(net.weights, grads, strict=True):
        for index in zip(*(rng.integers(0, n, 6) for n in weights.shape), strict=True):
            saved = weights[index]
            weights[index] = saved + h
            up = network.loss_and_gradients(net, a, b, targets, ARITHMETIC)[0]
            weights[index] = saved - h
            down = network.loss_and_gradients(net, a, b, targets, ARITHMETIC)[0]
            weights[index] = saved
            assert grad[index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-10)


def test_first_adamw_step_is_a_signed_step_after_decay():
    """At t = 1 Adam's bias-corrected step is lr * g / (|g| + eps): the sign of g times lr."""
    w = np.array([[1.0, -2.0, 0.5]])
    g = np.array([[0.3, -4.0, 0.0]])
    optimiser = network.AdamW.for_weights([w], lr=0.1, weight_decay=0.5)
    optimiser.update([w], [g])
    decayed = np.array([1.0, -2.0, 0.5]) * (1 - 0.1 * 0.5)
    assert w[0] == pytest.approx(decayed - 0.1 * np.sign([0.3, -4.0, 0.0]), abs=1e-6)


def test_fourier_measures_on_a_known_embedding():
    """Units that are pure waves over a have all their power at one frequency; projected on it,
    the numbers sit on a circle in the order k * a mod p."""
    p, k = 13, 3
    a = np.arange(p)
    embedding = np.stack([np.cos(2 * np.pi * k * a / p), np.sin(2 * np.pi * k * a / p)], axis=1)
    assert network.fourier_concentration(embedding) == pytest.approx(1.0)
    found, points = network.circle(embedding)
    assert found == k
    assert np.linalg.norm(points, axis=1) == pytest.approx(np.ones(p))
    order = np.argsort(np.arctan2(points[:, 1], points[:, 0]) % (2 * np.pi))
    assert ((k * order) % p).tolist() == sorted((k * a) % p)
    random = np.random.default_rng(0).normal(size=(97, 256))
    assert network.fourier_concentration(random) < 0.15


def test_numbers_are_agents_viewing_the_embedding():
    model = GrokkingModel(seed=1, p=7, train_fraction=0.5, width=8)
    assert len(model.agents) == 7
    assert model.numbers[3].embedding is not None
    assert np.array_equal(model.numbers[3].embedding, model.net.embed[3])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(p=3, train_fraction=0.01), "leaves 0 for training"),
    ],
)
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(ParameterError, match=message):
        GrokkingModel(**params)


def test_the_same_bits_on_one_blas_thread_and_on_two():
    """A Dask worker runs numpy on one BLAS thread, the main process on all: the training sums
    are the model's own (network.Arithmetic), so both give the same records."""
    script = (
        "import emergesim; r = emergesim.run('grokking', seed=3, steps=30, record_every=10); "
        "print(r.timeseries.to_numpy().tobytes().hex())"  # the default size: BLAS threads it
    )
    printed = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for threads in ("1", "2")
    }
    assert len(printed) == 1
