"""The Ising rules written spin by spin, as a Mesa user would.

Spin n decides with ``uniform_py(key, n)``, and a cluster bond with the counter the kernel gives
it, so the twin follows the kernel's trajectory exactly; it is the readable statement of the
rules and the benchmark's peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emergesim.streams import uniform_py

if TYPE_CHECKING:
    from emergesim.models.ising.model import IsingModel, Spin


def step(model: IsingModel, *keys: int) -> None:
    """One sweep: Swendsen-Wang's with one key, or the checkerboard sweep with two."""
    if model.update == "swendsen_wang":
        swendsen_wang_sweep(model, *keys)
    else:
        sweep(model, keys)


def sweep(model: IsingModel, keys: tuple[int, int]) -> None:
    """Every black spin (i + j even) in site order with ``keys[0]``, then every white one."""
    for colour, key in enumerate(keys):
        for spin in model.sites:
            if spin.colour == colour:
                update(spin, key)


def update(spin: Spin, key: int) -> None:
    """Flip with the rule's probability for this spin and its neighbours' sum."""
    around = sum(other.spin for other, _ in spin.bonds())
    p = spin.model.flip_probability[(spin.spin + 1) // 2, (around + 4) // 2]
    if uniform_py(key, spin.index) < p:
        spin.flip()


def swendsen_wang_sweep(model: IsingModel, key: int) -> None:
    """Find every cluster, then flip each with probability 1/2: the cluster whose smallest
    site is n flips if ``uniform_py(key, 2 L^2 + n)`` < 1/2."""
    sites, clusters, placed = model.sites, [], set()
    for spin in sites:  # in site order, so a cluster is found from its smallest site
        if spin not in placed:
            clusters.append((spin.index, grow_cluster(spin, key)))
            placed |= clusters[-1][1]
    for first, cluster in clusters:
        if uniform_py(key, 2 * len(sites) + first) < 0.5:
            for spin in cluster:
                spin.flip()


def grow_cluster(seed: Spin, key: int) -> set[Spin]:
    """The spins joined to ``seed`` by open bonds: bond b between neighbours whose product
    has J's sign opens if ``uniform_py(key, b)`` < p_add."""
    model = seed.model
    sign = np.sign(model.coupling)
    members, frontier = {seed}, [seed]
    while frontier:
        spin = frontier.pop()
        for other, bond in spin.bonds():
            if (
                other.spin * spin.spin == sign
                and other not in members
                and uniform_py(key, bond) < model.p_add
            ):
                members.add(other)
                frontier.append(other)
    return members
