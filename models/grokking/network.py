"""A two-layer network that groks modular addition, trained full batch with AdamW.

Recipe (after Power et al. 2022 and Nanda et al. 2023): inputs one-hot a and b,
hidden layer ``h = E[a] + E[p + b]`` (the first weight matrix as an embedding, no bias),
activation ``h^2``, output ``h^2 @ W``, mean squared error against one-hot targets (averaged over
examples and classes), initial weights normal with std 0.5 / (2 width)^(1/3), and AdamW with
betas (0.9, 0.98), eps 1e-8 and decoupled weight decay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

BETAS = (0.9, 0.98)
EPS = 1e-8


class Arithmetic(NamedTuple):
    """The sums whose order decides the bits, in the kernel's (numba) or the twin's (numpy)
    versions, which add in the same order. Not BLAS's ``@``: OpenBLAS splits a product's sums
    by its thread count, so a run gave other bits on a one-thread Dask worker than in the
    main process."""

    scatter_rows: Callable  # out[rows[i]] += values[i] for every i, in order
    matmul: Callable  # a @ b, each entry summed from 0.0 over the inner index in order


@dataclass
class Network:
    embed: np.ndarray  # (2p, width): rows 0..p-1 embed a, rows p..2p-1 embed b
    out: np.ndarray  # (width, p)

    @property
    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.embed, self.out


def init_network(p: int, width: int, rng: np.random.Generator) -> Network:
    std = 0.5 / (2 * width) ** (1 / 3)
    return Network(rng.normal(0, std, (2 * p, width)), rng.normal(0, std, (width, p)))


def hidden(net: Network, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    p = net.out.shape[1]
    return net.embed[a] + net.embed[p + b]


def logits(net: Network, a: np.ndarray, b: np.ndarray, sums: Arithmetic) -> np.ndarray:
    h = hidden(net, a, b)
    return sums.matmul(h * h, net.out)


def loss_and_gradients(
    net: Network, a: np.ndarray, b: np.ndarray, targets: np.ndarray, sums: Arithmetic
) -> tuple[float, np.ndarray, list[np.ndarray]]:
    """MSE loss, the logits, and the gradients of (embed, out)."""
    p = net.out.shape[1]
    h = hidden(net, a, b)
    z = h * h
    y = sums.matmul(z, net.out)
    residual = y - one_hot(targets, p)
    loss = float(np.mean(residual**2))
    d_y = 2 * residual / residual.size
    d_out = sums.matmul(np.ascontiguousarray(z.T), d_y)
    d_h = 2 * h * sums.matmul(d_y, np.ascontiguousarray(net.out.T))
    d_embed = np.zeros_like(net.embed)
    sums.scatter_rows(d_embed, a, d_h)
    sums.scatter_rows(d_embed, p + b, d_h)
    return loss, y, [d_embed, d_out]


def mse_and_accuracy(
    net: Network, a: np.ndarray, b: np.ndarray, targets: np.ndarray, sums: Arithmetic
) -> tuple[float, float]:
    y = logits(net, a, b, sums)
    loss = float(np.mean((y - one_hot(targets, y.shape[1])) ** 2))
    return loss, float(np.mean(y.argmax(axis=1) == targets))


def one_hot(targets: np.ndarray, p: int) -> np.ndarray:
    return np.eye(p)[targets]


@dataclass
class AdamW:
    """Decoupled weight decay (Loshchilov & Hutter 2019), as torch.optim.AdamW computes it."""

    lr: float
    weight_decay: float
    moments: list[tuple[np.ndarray, np.ndarray]]
    t: int = 0

    @classmethod
    def for_weights(cls, weights, lr: float, weight_decay: float) -> AdamW:
        return cls(lr, weight_decay, [(np.zeros_like(w), np.zeros_like(w)) for w in weights])

    def update(self, weights, gradients) -> None:
        self.t += 1
        b1, b2 = BETAS
        first_fix, second_fix = 1 - b1**self.t, 1 - b2**self.t
        for w, g, (m, v) in zip(weights, gradients, self.moments, strict=True):
            w *= 1 - self.lr * self.weight_decay
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            w -= self.lr * (m / first_fix) / (np.sqrt(v / second_fix) + EPS)


def fourier_power(embedding: np.ndarray) -> np.ndarray:
    """Power of each hidden unit's weights over a (rows of a (p, width) embedding) at the
    frequencies 1..(p-1)//2: shape ((p-1)//2, width). Frequencies k and p - k carry the same
    cos/sin pair, so they are added together."""
    p = embedding.shape[0]
    spectrum = np.abs(np.fft.fft(embedding, axis=0)) ** 2
    half = (p - 1) // 2
    return spectrum[1 : half + 1] + spectrum[p - half :][::-1]


def fourier_concentration(embedding: np.ndarray) -> float:
    """How much each hidden unit is a single wave over a: the share of a unit's power in its
    strongest frequency, averaged over units weighted by their power. A grokked network of this
    kind gives every unit one frequency (Gromov 2023), so this goes to 1; a random embedding gives
    about H_m / m for m = (p-1)/2 frequencies (0.09 at p = 97)."""
    power = fourier_power(embedding)
    return float(power.max(axis=0).sum() / power.sum())


def circle(embedding: np.ndarray) -> tuple[int, np.ndarray]:
    """The strongest frequency k and each number's embedding projected on its (cos, sin) pair:
    after grokking the numbers sit on a circle, in the order of k * a mod p."""
    p = embedding.shape[0]
    k = int(np.argmax(fourier_power(embedding).sum(axis=1))) + 1
    angle = 2 * np.pi * k * np.arange(p) / p
    basis = np.stack([np.cos(angle), np.sin(angle)])  # (2, p)
    directions = basis @ embedding  # (2, width): the two directions in hidden space
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return k, embedding @ directions.T
