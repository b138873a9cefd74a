"""Grokking: a network that memorises modular addition first and generalises much later.

One step is one full-batch AdamW step on the training pairs (a, b) -> (a + b) mod p; the rest of
the p^2 pairs are the test set. With weight decay the test accuracy jumps long after the training
set is memorised (Power et al. 2022) as the embedding reorganises onto a few Fourier frequencies
(Nanda et al. 2023); without it, generalisation is delayed or never comes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.grokking import network, twin
from emergesim.models.grokking.card import CARD, GENERALISED, MEMORISED
from emergesim.models.grokking.kernels import scatter_rows

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Number(RowAgent):
    """A residue a mod p (a = ``index``): a view onto its embedding row (as first operand)."""

    @property
    def embedding(self) -> np.ndarray:
        return self.model.net.embed[self.index]


class GrokkingModel(EmergenceModel):
    """Modular addition learnt by a small network: memorisation, then sudden generalisation."""

    card = CARD

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        pairs = values["p"] ** 2
        n_train = round(values["train_fraction"] * pairs)
        if not 1 <= n_train < pairs:
            raise ParameterError(
                f"train_fraction {values['train_fraction']} of {pairs} pairs leaves "
                f"{n_train} for training; both sets need at least one pair"
            )

    def __init__(self, *, seed=None, backend="numba", **params: Any) -> None:
        super().__init__(seed=seed, backend=backend, **params)
        p = self.p
        order = self.rng.permutation(p * p)
        n_train = round(self.train_fraction * p * p)
        self.train_pairs, self.test_pairs = (
            np.divmod(order[:n_train], p),
            np.divmod(order[n_train:], p),
        )
        self.net = network.init_network(p, self.width, self.rng)
        self.optimiser = network.AdamW.for_weights(self.net.weights, self.lr, self.weight_decay)
        self._scatter = scatter_rows if backend == "numba" else twin.scatter_rows
        self.train_loss, self.train_accuracy = network.mse_and_accuracy(self.net, *self._train)
        self.memorised_at = self.generalised_at = float("nan")
        self.numbers = [Number(self, a) for a in range(p)]

    @cached_property
    def _train(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.train_pairs
        return a, b, (a + b) % self.p

    @cached_property
    def _test(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.test_pairs
        return a, b, (a + b) % self.p

    def step(self) -> None:
        a, b, targets = self._train
        loss, y, grads = network.loss_and_gradients(self.net, a, b, targets, self._scatter)
        # the forward pass already scored the weights this step starts from
        self.train_loss, self.train_accuracy = loss, float(np.mean(y.argmax(axis=1) == targets))
        if self.train_accuracy >= MEMORISED and np.isnan(self.memorised_at):
            self.memorised_at = float(self.steps - 1)
        self.optimiser.update(self.net.weights, grads)

    def _test_scores(self) -> tuple[float, float]:
        """(loss, accuracy) on the held-out pairs, computed once per step."""
        if getattr(self, "_scored_step", None) != self.steps:
            self._scores = network.mse_and_accuracy(self.net, *self._test)
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

    def frame(self) -> dict[str, Any]:
        k, points = network.circle(self.net.embed[: self.p])
        return {"train": self.train_accuracy, "test": self._test_scores()[1], "k": k,
                "points": points}  # fmt: skip

    def render(self, fig: Figure, frames: Sequence[dict], steps: Sequence[int]) -> None:
        """Accuracies against training step (log axis) and the embedding on its top frequency."""
        curves, embedding = fig.subplots(1, 2, width_ratios=[1.6, 1])
        shown = np.maximum(np.asarray(steps), 1)
        curves.plot(shown, [f["train"] for f in frames], color="tab:blue", label="train")
        curves.plot(shown, [f["test"] for f in frames], color="tab:red", label="test")
        for at, label in [(self.memorised_at, "memorised"), (self.generalised_at, "generalised")]:
            if not np.isnan(at) and at <= steps[-1]:
                curves.axvline(max(at, 1), color="0.5", ls="--", lw=1)
                curves.annotate(label, (max(at, 1), 0.5), rotation=90, va="center", ha="right",
                                fontsize=8, color="0.3")  # fmt: skip
        curves.set_xscale("log")
        curves.set_xlim(1, max(shown[-1], 10))
        curves.set_ylim(-0.02, 1.02)
        curves.set_xlabel("optimiser step")
        curves.set_ylabel("accuracy")
        curves.legend(loc="upper left")
        curves.grid(alpha=0.3)
        curves.set_title("memorisation, plateau, then generalisation")
        last = frames[-1]
        points = last["points"]
        around = (last["k"] * np.arange(self.p)) % self.p  # the order on the circle
        embedding.scatter(points[:, 0], points[:, 1], c=around, cmap="twilight", s=30)
        for a in range(0, self.p, max(1, self.p // 16)):
            embedding.annotate(str(a), points[a], fontsize=7, xytext=(3, 3),
                               textcoords="offset points")  # fmt: skip
        embedding.set_aspect("equal", adjustable="datalim")
        embedding.set_xticks([])
        embedding.set_yticks([])
        embedding.set_title(f"embedding of a on its main frequency k = {last['k']}\n"
                            f"(colour: k·a mod {self.p})", fontsize=10)  # fmt: skip
        fig.suptitle(
            f"grokking (a + b) mod {self.p}: train fraction {self.train_fraction:g}, "
            f"weight decay {self.weight_decay:g}, width {self.width}, step {steps[-1]}"
        )
