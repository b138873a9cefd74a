"""Grokking: a network that memorises modular addition first and generalises much later.

One step is one full-batch AdamW step on the training pairs (a, b) -> (a + b) mod p; the rest of
the p^2 pairs are the test set. With weight decay the test accuracy jumps long after the training
set is memorised (Power et al. 2022) as the embedding reorganises onto a few Fourier frequencies
(Nanda et al. 2023); without it, generalisation is delayed or never comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.grokking import kernels, network, twin
from emergesim.models.grokking.card import CARD, GENERALISED, MEMORISED


@dataclass(frozen=True)
class GrokkingFrame:
    """What a picture needs of one step: both accuracies and the embedding on its main
    frequency ``k`` (the residues as points on a circle)."""

    train: float
    test: float
    k: int
    points: np.ndarray


class Number(RowAgent):
    """A residue a mod p (a = ``index``): a view onto its embedding row (as first operand)."""

    @property
    def embedding(self) -> np.ndarray:
        return self.model.net.embed[self.index]


class GrokkingModel(EmergenceModel):
    """Modular addition learnt by a small network: memorisation, then sudden generalisation."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run: the hidden layer of a whole set, (pairs, width) float64 twice
        over (h and h^2; the training step's gradient holds four), with its (pairs, p) outputs,
        the larger of the held-out and the training set; then the weights, their gradients and
        AdamW's moments (~15 p width floats) and the pairs. Measured (peak RSS growth, 2 steps):
        659 MB at p = 200, width = 1024; 1.55 GB at p = 400, width = 512."""
        p, width = values["p"], values["width"]
        train = round(values["train_fraction"] * p * p)
        test = p * p - train
        sets = max(test * (2 * width + p), train * (4 * width + 3 * p))
        return 8 * (sets + 15 * p * width + 4 * p * p)

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        pairs = values["p"] ** 2
        n_train = round(values["train_fraction"] * pairs)
        if not 1 <= n_train < pairs:
            raise ParameterError(
                f"train_fraction {values['train_fraction']} of {pairs} pairs leaves "
                f"{n_train} for training; both sets need at least one pair"
            )

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        super().__init__(seed=seed, backend=backend, **kwargs)
        p = self.p
        order = self.rng.permutation(p * p)
        n_train = round(self.train_fraction * p * p)
        self.train_pairs, self.test_pairs = (
            np.divmod(order[:n_train], p),
            np.divmod(order[n_train:], p),
        )
        self.net = network.init_network(p, self.width, self.rng)
        self.optimiser = network.AdamW.for_weights(self.net.weights, self.lr, self.weight_decay)
        self.train_loss, self.train_accuracy = network.mse_and_accuracy(
            self.net, *self._train, self._sums
        )
        self.memorised_at = self.generalised_at = float("nan")
        self.add_row_agents(Number, p)  # made when first asked for

    @property
    def numbers(self) -> list[Number]:
        """The residues as Mesa agents, ``numbers[a]`` residue a (``row_agents``)."""
        return self.row_agents

    @cached_property
    def _train(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.train_pairs
        return a, b, (a + b) % self.p

    @cached_property
    def _test(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.test_pairs
        return a, b, (a + b) % self.p

    def step(self) -> None:
        # full batch: no random draws; the forward pass scored the weights the step started from
        self.train_loss, self.train_accuracy = self.advance()
        if self.train_accuracy >= MEMORISED and np.isnan(self.memorised_at):
            self.memorised_at = float(self.steps - 1)

    def kernel_step(self) -> tuple[float, float]:
        """The training step with the numba kernels' sums."""
        return self._train_step(kernels.ARITHMETIC)

    @property
    def _sums(self) -> network.Arithmetic:
        """The backend's sums (the kernels' or the twin's: the same bits)."""
        return kernels.ARITHMETIC if self.backend == "numba" else twin.ARITHMETIC

    def _train_step(self, sums: network.Arithmetic) -> tuple[float, float]:
        """One full-batch AdamW step with ``sums`` (the kernel's or the twin's; the rest is
        shared); returns the loss and accuracy of the weights it started from."""
        a, b, targets = self._train
        loss, y, grads = network.loss_and_gradients(self.net, a, b, targets, sums)
        self.optimiser.update(self.net.weights, grads)
        return loss, float(np.mean(y.argmax(axis=1) == targets))

    def _test_scores(self) -> tuple[float, float]:
        """(loss, accuracy) on the held-out pairs, computed once per step."""
        if getattr(self, "_scored_step", None) != self.steps:
            self._scores = network.mse_and_accuracy(self.net, *self._test, self._sums)
            self._scored_step = self.steps
        return self._scores

    def _generalised_at(self) -> float:
        """``generalised_at``, counting the current step if it is the first to generalise."""
        if np.isnan(self.generalised_at) and self._test_scores()[1] >= GENERALISED:
            return float(self.steps)
        return self.generalised_at

    def open_interval(self) -> None:
        """Take ``generalised_at`` here: it is the first step at which an interval opened (in a
        run: the window's opening or a record) with the test set generalised. Scoring the held-out
        pairs at every step to find the exact step would cost more than the training step."""
        self.generalised_at = self._generalised_at()

    def observe(self) -> dict[str, float]:
        """Train scores refer to the weights before the last step (the forward pass of that step
        measured them for free); test scores to the current weights."""
        test_loss, test_accuracy = self._test_scores()
        return {
            "train_accuracy": self.train_accuracy,
            "test_accuracy": test_accuracy,
            "all_test_right": float(test_accuracy == 1.0),  # its all-or-nothing counterpart
            "train_loss": self.train_loss,
            "test_loss": test_loss,
            "weight_norm": float(np.sqrt(sum(np.sum(w**2) for w in self.net.weights))),
            "fourier_concentration": network.fourier_concentration(self.net.embed[: self.p]),
            "memorised_at": self.memorised_at,
            "generalised_at": self._generalised_at(),
        }

    def frame(self) -> GrokkingFrame:
        k, points = network.circle(self.net.embed[: self.p])
        return GrokkingFrame(self.train_accuracy, self._test_scores()[1], k, points)
