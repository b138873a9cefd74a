"""Flocking on a periodic box: Reynolds' boids or the Vicsek model, one Mesa model.

``rule="boids"`` steers each bird by cohesion, separation and alignment within ``vision``, with
the parameter names and defaults of Mesa's own example (mesa.examples.basic.boid_flockers);
``rule="vicsek"`` turns each agent to the mean heading of the agents within ``vision`` (the
radius r), plus a uniform angle in [-noise/2, noise/2] (Vicsek et al., PRL 75:1226, 1995).
Either way every agent then moves ``speed`` along its new heading, and global
order emerges from local alignment. "Within" is distance <= vision, as in Mesa (Vicsek writes
< r: the same up to a set of measure zero).

The update is synchronous: every agent decides from the previous state, as in Vicsek's paper.
Mesa's example updates agents one at a time in a fresh random order (``shuffle_do``), so a boid
there already sees the new direction and position of those activated before it: news can cross
a flock within one step, and the outcome depends on the activation order. For an agent reading
the same state our boid rule is Mesa's (the tests check it against Mesa's own Boid.step). What
the order changes, at Mesa's defaults after 300 steps over 12 seeds: alignment alike (v_a
0.69 +- 0.19 in Mesa, 0.63 +- 0.23 here), flocks denser in Mesa (mean nearest-neighbour
distance 0.67 against 0.91). Two more differences: initial directions here are random unit
vectors (Mesa draws vectors in [-1, 1]^2, unnormalised until a boid first meets a neighbour),
and ``noise`` may also be given to boids (0 = Mesa's rule).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa.space import ContinuousSpace
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from emergesim.errors import ParameterError
from emergesim.model import EmergenceModel, RowAgent
from emergesim.models.flocking import twin
from emergesim.models.flocking.card import CARD
from emergesim.models.flocking.kernels import (
    PARALLEL_FROM,
    flock_sizes,
    flock_step,
    flock_step_auto,
    grid_shape,
    neighbours_of,
    pack_constants,
    wrap,
)

FRAME_AGENTS = 2000  # pictures show at most this many agents
# all_aligned: a bird is aligned when its heading is within this angle (inclusive) of the
# flock's mean heading, the direction of the sum of all unit headings: 30 degrees
ALIGNED_WITHIN = math.pi / 6
NO_TURNS = np.empty(0)  # the noise angles when the noise is zero: nothing is drawn


@dataclass(frozen=True)
class FlockFrame:
    """What a picture needs from one step: some agents, and two whole-flock observables."""

    positions: np.ndarray  # (k, 2) float32, k <= FRAME_AGENTS
    directions: np.ndarray  # (k, 2) float32 unit vectors
    polarization: float
    largest_flock_fraction: float


class Bird(RowAgent):
    """Bird ``index``: a view onto its row of the model's state."""

    @property
    def row(self) -> int:
        """Where the bird is stored: the kernel keeps the rows sorted by place."""
        return int(self.model.rows()[self.index])

    @property
    def position(self) -> tuple[float, float]:
        x, y = self.model.state[self.row, :2]
        return float(x), float(y)

    @position.setter
    def position(self, value: tuple[float, float]) -> None:
        """Move the bird to ``value`` (periodic box): how it flies, how Mesa's space moves it."""
        (x, y), model = value, self.model
        model.state[self.row, :2] = wrap(x, model.width), wrap(y, model.height)

    @property
    def direction(self) -> tuple[float, float]:
        """Unit vector of the heading."""
        hx, hy = self.model.state[self.row, 2:]
        return float(hx), float(hy)

    @property
    def heading(self) -> float:
        """Heading angle in radians, in [-pi, pi]."""
        hx, hy = self.direction
        return math.atan2(hy, hx)

    def neighbours(self) -> list[Bird]:
        """The other birds within vision, by row (a cell-list query: O(N), for inspection)."""
        model = self.model
        rows = neighbours_of(self.row, model.state, model.constants)
        return [model.birds[tag] for tag in model.tags[rows]]

    def fly(self, direction: tuple[float, float]) -> None:
        """Take the decided unit direction and move ``speed`` along it (periodic box)."""
        (x, y), (hx, hy), speed = self.position, direction, self.model.speed
        self.position = x + speed * hx, y + speed * hy
        self.model.state[self.row, 2:] = hx, hy


class FlockingModel(EmergenceModel):
    """Flocking (boids or Vicsek) in a periodic box: global order from local alignment."""

    card = CARD
    twin = staticmethod(twin.step)

    @classmethod
    def peak_bytes(cls, values: Mapping[str, Any]) -> int:
        """Peak bytes of a run: the state, tags and their double buffers, the kernels' cell list
        and cell-ordered copies, and ``observe()``'s copies, k-d tree and union-find, ~170 B a
        bird, 8 more with noise (the turns), and 16 B a cell of the grid (at most 4 a bird).
        Measured (peak RSS growth, 2 steps, 0.01 birds per unit area): 19 MB for 10^5 birds,
        183 MB for 10^6."""
        n = values["n_agents"]
        nx, ny = grid_shape(values["width"], values["height"], values["vision"], n)
        return (168 + (8 if values["noise"] else 0)) * n + 16 * nx * ny

    @classmethod
    def check_params(cls, values: Mapping[str, Any]) -> None:
        """The vision must fit in half the box, so each pair has one nearest periodic image."""
        half = min(values["width"], values["height"]) / 2
        if values["vision"] > half:
            raise ParameterError(
                f"parameter 'vision' must be at most half the box, min(width, height) / 2 = "
                f"{half:g}, got {values['vision']:g}"
            )

    def __init__(self, *, seed=None, backend="numba", **kwargs: Any) -> None:
        super().__init__(seed=seed, backend=backend, **kwargs)
        n, box = self.n_agents, np.array([self.width, self.height])
        positions = self.rng.random((n, 2)) * box % box  # % maps a rounded-up edge to 0
        angles = self.rng.uniform(-np.pi, np.pi, n)
        # rows of x, y, hx, hy, a bird's whole state in one cache line; row r holds bird
        # tags[r], and the kernel keeps the rows sorted by place (see kernels)
        self.state = np.column_stack([positions, np.cos(angles), np.sin(angles)])
        self.tags = np.arange(n)
        self._next_state, self._next_tags = np.empty_like(self.state), np.empty_like(self.tags)
        self._rows = np.arange(n)  # rows()[bird] = its row; recomputed when the tags move
        self.constants = pack_constants(self.parameters)  # what the kernels need to know
        self._kernel = flock_step_auto if n >= PARALLEL_FROM else flock_step
        self.add_row_agents(Bird, n)  # made when first asked for

    @property
    def birds(self) -> list[Bird]:
        """The birds as Mesa agents, ``birds[i]`` bird i (``row_agents``)."""
        return self.row_agents

    def step(self) -> None:
        half = self.noise / 2
        turns = self.rng.uniform(-half, half, self.n_agents) if self.noise else NO_TURNS
        self.advance(turns)

    def kernel_step(self, turns: np.ndarray) -> None:
        """One synchronous step of every bird; ``turns`` as in ``twin.step``."""
        self._kernel(
            self.state, self.tags, turns, self._next_state, self._next_tags, self.constants
        )
        self.state, self._next_state = self._next_state, self.state
        self.tags, self._next_tags = self._next_tags, self.tags
        self._rows = None

    def rows(self) -> np.ndarray:
        """The row of each bird in ``state`` (the inverse of ``tags``)."""
        if self._rows is None:
            self._rows = np.empty_like(self.tags)
            self._rows[self.tags] = np.arange(self.tags.size)
        return self._rows

    @property
    def positions(self) -> np.ndarray:
        """(N, 2) positions, bird by bird (a copy; ``place`` sets them)."""
        return self.state[self.rows(), :2]

    @property
    def directions(self) -> np.ndarray:
        """(N, 2) unit directions, bird by bird (a copy; ``place`` sets them)."""
        return self.state[self.rows(), 2:]

    def place(
        self, positions: ArrayLike | None = None, directions: ArrayLike | None = None
    ) -> None:
        """Set the birds' positions (wrapped into the box) and directions (normalised), bird by
        bird: an initial condition of one's own."""
        rows = self.rows()
        if positions is not None:
            positions = self._checked("positions", positions)
            box = np.array([self.width, self.height])
            positions = positions % box
            self.state[rows, :2] = np.where(positions < box, positions, 0.0)  # see kernels.wrap
        if directions is not None:
            directions = self._checked("directions", directions)
            norms = np.linalg.norm(directions, axis=1, keepdims=True)
            if not norms.all():
                raise ParameterError("directions must be non-zero vectors")
            self.state[rows, 2:] = directions / norms

    def make_space(self) -> ContinuousSpace:
        """The box as Mesa's periodic ContinuousSpace, every bird at its position."""
        space = ContinuousSpace(self.width, self.height, torus=True)
        with warnings.catch_warnings():  # Mesa warns that a bird has a pos: it always has one
            warnings.filterwarnings("ignore", "Agent .* is being placed", UserWarning)
            for bird in self.birds:
                space.place_agent(bird, bird.pos)
        self._placed = self.positions
        return space

    def sync_space(self, space: ContinuousSpace) -> None:
        """Move the birds that moved since the last access: the space keeps a copy of the
        positions for its neighbour queries."""
        positions = self.positions
        for i in np.flatnonzero((positions != self._placed).any(axis=1)):
            space.move_agent(self.birds[i], self.birds[i].pos)
        self._placed = positions

    def _checked(self, name: str, values: ArrayLike) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if values.shape != (self.n_agents, 2) or not np.isfinite(values).all():
            raise ParameterError(
                f"{name} must be {self.n_agents} finite (x, y) pairs, got shape {values.shape}"
            )
        return values

    def flock_sizes(self) -> np.ndarray:
        """Number of birds in each flock (connected group of the 'within vision' graph)."""
        return flock_sizes(self.state, self.constants)

    def polarization(self) -> float:
        """Vicsek's v_a: the length of the mean unit direction (summed bird by bird, so both
        backends, which store the birds in different orders, agree to the last bit)."""
        return polarization_of(self.directions)

    def all_aligned(self) -> float:
        """1.0 when every bird heads within ALIGNED_WITHIN of the mean heading, else 0.0."""
        return all_aligned_of(self.directions)

    def observe(self) -> dict[str, float]:
        sizes = self.flock_sizes()
        directions = self.directions  # one copy, bird by bird, for both heading observables
        return {
            "polarization": polarization_of(directions),
            "all_aligned": all_aligned_of(directions),
            "n_flocks": float(sizes.size),
            "largest_flock_fraction": float(sizes.max()) / self.n_agents,
            "mean_nearest_neighbour_distance": self.mean_nearest_neighbour_distance(),
        }

    def mean_nearest_neighbour_distance(self) -> float:
        """Periodic nearest-neighbour distances from a k-d tree (scipy): O(N log N)."""
        if self.n_agents == 1:
            return float("nan")
        positions = self.positions  # bird by bird, as in polarization
        distances, _ = cKDTree(positions, boxsize=(self.width, self.height)).query(positions, k=2)
        return float(distances[:, 1].mean())

    def frame(self) -> FlockFrame:
        shown = self.state[self.rows()[:FRAME_AGENTS]]  # the same birds in every frame
        return FlockFrame(
            shown[:, :2].astype(np.float32),
            shown[:, 2:].astype(np.float32),
            self.polarization(),
            float(self.flock_sizes().max()) / self.n_agents,
        )


def polarization_of(directions: np.ndarray) -> float:
    """v_a = |sum_i d_i| / N for the (N, 2) unit headings d_i.

    It is the plain mean over the birds of each bird's own alignment: with u the unit vector of
    the mean heading Theta (u = sum_i d_i / |sum_i d_i|), |sum_i d_i| = (sum_i d_i) . u, so
    v_a = mean_i d_i . u = mean_i cos(theta_i - Theta). ``all_aligned`` is its all-or-nothing
    counterpart over the same birds.
    """
    return float(np.linalg.norm(directions.sum(axis=0))) / len(directions)


def all_aligned_of(directions: np.ndarray) -> float:
    """1.0 when every bird's heading is within ALIGNED_WITHIN of the mean heading, else 0.0.

    Where ``polarization`` averages cos(theta_i - Theta) over the birds, this asks every one of
    them to be aligned. Headings that cancel exactly have no mean heading: 0.0. One bird is its
    own mean: 1.0. The angle comes from atan2(|cross|, dot), accurate at any angle and blind to
    the seam at +-pi; vectorised, O(N).
    """
    total = directions.sum(axis=0)
    if not total.any():
        return 0.0
    cross = directions[:, 0] * total[1] - directions[:, 1] * total[0]
    angles = np.arctan2(np.abs(cross), directions @ total)
    return float(np.all(angles <= ALIGNED_WITHIN))
