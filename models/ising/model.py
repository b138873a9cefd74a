"""The 2D Ising model on a periodic L x L square lattice (Ising 1925, Onsager 1944).

Spins s = +-1 with energy H = -J sum_<ij> s_i s_j - h sum_i s_i (k_B = 1). One step is one
sweep, and keeps the Boltzmann distribution exp(-H/T). With b the sum of a spin's four
neighbours, flipping it costs dE = 2 s (J b + h):

- ``heat_bath`` (Glauber): the black sites (i + j even), then the white, each spin drawn
  afresh, +1 with probability 1 / (1 + exp(-2 (J b + h) / T)) whatever it was: that is, flipped
  with probability 1 / (1 + exp(dE/T)).
- ``metropolis``: the same order, each spin flipped with probability min(1, exp(-dE/T)). A flip
  that costs nothing always happens, so at J = h = 0 every spin flips every sweep and m never
  mixes; the heat bath, the default, has no such case.
- ``swendsen_wang``: bonds that their two spins satisfy (J s_i s_j > 0) open with probability
  1 - exp(-2 |J| / T), and every cluster they join flips whole with probability 1/2 (Swendsen &
  Wang, PRL 58:86, 1987): near T_c a sweep decorrelates the lattice, where single flips slow
  down as L^2.17. Zero field only, as the clusters ignore it. Wolff's one-cluster update is not
  offered: to make its step a sweep it must flip clusters until L^2 spins have, and stopping
  on the sizes drawn biases the state (on 3 x 3 the energy came out 0.3 too low).

The single-spin rules flip with a probability read from a table of ten (``flip_probabilities``),
computed once here for the kernel and the twin alike, so they share one kernel. Odd L is
allowed: the periodic lattice is then not bipartite, and the sweep stays exact by updating one
spin at a time (see ``kernels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa.discrete_space import OrthogonalVonNeumannGrid
from mesa.discrete_space.cell_agent import FixedCell
from scipy.special import expit

from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.ising import exact, twin
from emergesim.models.ising.card import CARD
from emergesim.models.ising.kernels import (
    PARALLEL_FROM,
    checkerboard_sweep,
    checkerboard_sweep_parallel,
    swendsen_wang_sweep,
)
from emergesim.streams import draw_key

FRAME_CELLS = 512  # pictures show at most the top-left 512 x 512 spins


@dataclass(frozen=True)
class IsingFrame:
    """What a picture needs from one step: the spins shown, and the whole lattice's |m| and
    energy per spin."""

    spins: np.ndarray  # int8, at most FRAME_CELLS x FRAME_CELLS
    magnetization: float
    energy: float


class Spin(RowAgent, FixedCell):
    """Site ``index`` = i L + j: a view onto ``model.spins[i, j]``; in its cell of
    ``model.space`` once that is built."""

    @property
    def position(self) -> tuple[int, int]:
        """(i, j): a spin keeps its site."""
        return divmod(self.index, self.model.size)

    @property
    def spin(self) -> int:
        return int(self.model.spins[self.pos])

    @property
    def colour(self) -> int:
        """0 black (i + j even), 1 white: the two halves of a sweep."""
        return sum(self.pos) % 2

    def bonds(self) -> list[tuple[Spin, int]]:
        """The four neighbours (right, below, left, above), each with the number of the bond
        to it: bond 2n joins site n to its right neighbour, 2n + 1 to the one below."""
        (i, j), size, sites = self.pos, self.model.size, self.model.sites
        right, below = sites[i * size + (j + 1) % size], sites[(i + 1) % size * size + j]
        left, above = sites[i * size + (j - 1) % size], sites[(i - 1) % size * size + j]
        return [
            (right, 2 * self.index),
            (below, 2 * self.index + 1),
            (left, 2 * left.index),
            (above, 2 * above.index + 1),
        ]

    def flip(self) -> None:
        self.model.spins[self.pos] *= -1


class IsingModel(EmergenceModel):
    """The 2D Ising model: spins order below Onsager's critical temperature."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run, per spin: 1 (int8) and 2 of ``observe()``'s temporaries, 5 more
        of Swendsen-Wang's scratch; a random start draws 8 B a spin of indices first. Measured
        (peak RSS growth, 2 steps, L = 4096): 35 MB heat bath, 114 MB Swendsen-Wang."""
        per_spin = 3 + (5 if values["update"] == "swendsen_wang" else 0)
        if values["start"] == "random":
            per_spin = max(per_spin, 9)
        return per_spin * values["size"] ** 2

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        """Swendsen-Wang clusters ignore the field, so that rule needs h = 0."""
        if values["update"] == "swendsen_wang" and values["field"] != 0:
            raise ParameterError(
                f"parameter 'field' must be 0 with update 'swendsen_wang' (its clusters ignore "
                f"the field), got {values['field']:g}; use heat_bath or metropolis"
            )

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        """The spins, and what every sweep of the update rule reuses: Swendsen-Wang's bond
        probability and scratch arrays, or the flip probabilities and the checkerboard kernel."""
        super().__init__(seed=seed, backend=backend, **kwargs)
        n = self.size
        if self.start == "up":
            self.spins = np.ones((n, n), dtype=np.int8)
        else:
            self.spins = self.rng.choice(np.array([-1, 1], dtype=np.int8), size=(n, n))
        self.add_row_agents(Spin, n * n)  # made when first asked for: at L = 4096, gigabytes
        if self.update == "swendsen_wang":
            self.p_add = float(-np.expm1(-2 * abs(self.coupling) / self.temperature))
            self._scratch = np.empty(n * n, dtype=np.int32), np.zeros(n * n, dtype=bool)
        else:
            self.flip_probability = flip_probabilities(
                self.update, self.coupling, self.field, self.temperature
            )
            parallel = n >= PARALLEL_FROM and n % 2 == 0  # see kernels: odd L is serial
            self._sweep = checkerboard_sweep_parallel if parallel else checkerboard_sweep

    def step(self) -> None:
        if self.update == "swendsen_wang":
            self.advance(draw_key(self.rng))
        else:
            self.advance(draw_key(self.rng), draw_key(self.rng))  # the black, the white half

    def kernel_step(self, *keys: int) -> None:
        """One sweep: Swendsen-Wang's with one key, the checkerboard's with two (``twin.step``)."""
        if self.update == "swendsen_wang":
            sign = int(np.sign(self.coupling))
            swendsen_wang_sweep(self.spins, *keys, self.p_add, sign, *self._scratch)
        else:
            self._sweep(self.spins, keys, self.flip_probability)

    @property
    def sites(self) -> list[Spin]:
        """The spins as Mesa agents, ``sites[i * L + j]`` at (i, j) (``row_agents``)."""
        return self.row_agents

    def make_space(self) -> OrthogonalVonNeumannGrid:
        """The periodic lattice as Mesa's grid, each spin in its cell, whose neighbourhood is the
        four spins it is coupled to. Like the agents, it is built when first asked for."""
        grid = OrthogonalVonNeumannGrid(
            (self.size, self.size), torus=True, capacity=1, random=self.random
        )
        for spin in self.sites:
            spin.cell = grid[spin.pos]
        return grid

    def observe(self) -> dict[str, float]:
        spins, n = self.spins, self.spins.size
        total = int(spins.sum(dtype=np.int64))
        # every bond once: each spin with the one below it and the one to its right
        bonds = sum(int((spins * np.roll(spins, -1, axis)).sum(dtype=np.int64)) for axis in (0, 1))
        m = total / n
        return {
            "magnetization": abs(m),
            "magnetization_signed": m,
            "energy": (-self.coupling * bonds - self.field * total) / n,
            "m2": m**2,
            "m4": m**4,
            "all_up": float(total == n),
        }

    def frame(self) -> IsingFrame:
        """The top-left FRAME_CELLS x FRAME_CELLS spins, with |m| and energy of them all."""
        now = self.observe()
        shown = self.spins[:FRAME_CELLS, :FRAME_CELLS].copy()
        return IsingFrame(shown, now["magnetization"], now["energy"])

    @classmethod
    def exact_curve(
        cls, observable: str, control: str, values: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, str] | None:
        """Against temperature at h = 0, J > 0: Yang's |m| and Onsager's energy of the
        infinite lattice. At J = 0 (independent spins, any L): m = tanh(h/T), energy -h m and
        P(all up) = ((1 + m) / 2)^N, against temperature or field."""
        x = np.asarray(values, dtype=float)
        coupling, field = params["coupling"], params["field"]
        if control == "temperature" and coupling > 0 and field == 0:
            k = coupling / x
            curves = {
                "magnetization": exact.spontaneous_magnetization(k),
                "energy": coupling * exact.energy(k),
            }
            label = "Onsager/Yang, infinite lattice"
        elif control in ("temperature", "field") and coupling == 0:
            h, t = (x, params["temperature"]) if control == "field" else (field, x)
            m = np.tanh(h / t)
            curves = {
                "magnetization_signed": m,
                "energy": -h * m,
                "all_up": ((1 + m) / 2) ** (params["size"] ** 2),
            }
            label = "independent spins (J = 0), exact"
        else:
            return None
        return (curves[observable], label) if observable in curves else None


def flip_probabilities(
    update: str, coupling: float, field: float, temperature: float
) -> np.ndarray:
    """p[a, b]: the probability that a spin s = 2a - 1 whose neighbours sum to 2b - 4 flips.

    dE = 2 s (J b + h). Metropolis: min(1, exp(-dE/T)), written exp(-max(dE, 0) / T), which
    cannot overflow; heat bath (Glauber): 1 / (1 + exp(dE/T)).
    """
    s = np.array([[-1], [1]])
    around = np.arange(-4, 5, 2)
    d_e = 2 * s * (coupling * around + field)
    if update == "metropolis":
        return np.exp(-np.maximum(d_e, 0) / temperature)
    return expit(-d_e / temperature)
