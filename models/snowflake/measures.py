"""Shape measures of a crystal on the hexagonal lattice and the morphology label built on them.

The label follows Reiter's description of his crystals (Chaos, Solitons & Fractals 23:1111,
2005): plates fill their hexagon, holes and ridges included; stellar dendrites are branched and
fractal; between them lie broad-armed stars and sectored plates, filled near the centre but not
out to the corners.
"""

from __future__ import annotations

import numpy as np

MORPHOLOGIES = ("plate", "sectored", "dendrite")  # observable code = index: 0, 1, 2
PLATE_COVER = 0.75  # a plate covers at least this share of its hexagon
DENDRITE_DIMENSION = 1.8  # a dendrite's mass-radius dimension is below this
SMALLEST_MEASURED = 16  # below this crystal radius the dimension is not measured (NaN)


def mass_radius_dimension(mass_by_distance: np.ndarray, crystal_radius: int) -> float:
    """Slope of log M(r) against log(r + 1/2) for r from crystal_radius/8 to crystal_radius/2.

    M(r) counts the crystal's cells within hex distance r of the seed (``mass_by_distance[d]``
    counts those at distance d). They cover the hexagon of radius r + 1/2, so a filled plate
    gives 2 (within 0.01, and 0.001 from radius 60), and a diffusion-limited aggregate ~1.7
    (Witten & Sander 1981). The
    window skips the lattice scale near the seed and the outer part still growing.
    """
    if crystal_radius < SMALLEST_MEASURED:
        return float("nan")
    r = np.arange(crystal_radius // 8, crystal_radius // 2 + 1)
    x = np.log(r + 0.5)
    y = np.log(np.cumsum(mass_by_distance)[r])
    x -= x.mean()
    return float(x @ (y - y.mean()) / (x @ x))  # least-squares slope


def morphology_code(cover: float, dimension: float) -> float:
    """0 plate, 1 sectored, 2 dendrite (an index into MORPHOLOGIES); NaN for a crystal too small
    to measure (its dimension is NaN).

    ``cover`` is the share of the hexagon one ring wider than the crystal taken by receptive
    cells (the crystal, its enclosed holes and the ring of cells touching it): a plate covers at
    least PLATE_COVER of it. Otherwise a crystal whose mass-radius dimension is below
    DENDRITE_DIMENSION is a dendrite, and one filled near its centre (dimension near 2) but not out
    to its corners is sectored: a broad-armed star or a sectored plate.
    """
    if np.isnan(dimension):
        return float("nan")
    if cover >= PLATE_COVER:
        return 0.0
    return 2.0 if dimension < DENDRITE_DIMENSION else 1.0
