"""The flocking model's card: what `emergesim list` and `info` show, read without Mesa."""

import math

from emergesim.card import Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

RULES = ("boids", "vicsek")
TWO_PI = 2 * math.pi  # the largest noise: a uniformly random new heading


def at_density_4(*birds: int) -> tuple[dict[str, float], ...]:
    """Flocks of these sizes in boxes that keep Vicsek's density N / L^2 = 4."""
    return tuple({"n_agents": n, "width": (n / 4) ** 0.5, "height": (n / 4) ** 0.5} for n in birds)


# Vicsek's flock at density 4, r = 1, v = 0.3: the box grows with the birds.
FLOCK = Comparison(
    key="flocking",
    title="flock (Vicsek)",
    kind="natural",
    size="n_agents",
    per_unit="polarization",
    all_or_nothing="all_aligned",
    fixed={"rule": "vicsek", "vision": 1.0, "speed": 0.3},
    quick=Budget(
        "0.5:5.5:21",
        at_density_4(100, 400, 1600),
        reps=3,
        steps=300,
        burn_in=300,
    ),
    full=Budget(
        "0.25:6:24",
        at_density_4(100, 400, 1600, 3200),
        reps=6,
        steps=2000,
        burn_in=1000,
    ),
    record_every=5,
    picture={"n_agents": 400, "width": 10.0, "height": 10.0, "noise": 2.0},
)

CARD = ModelCard(
    name="flocking",
    model="emergesim.models.flocking.model:FlockingModel",
    summary="Flocking (boids or Vicsek) in a periodic box: global order from local alignment.",
    params=ParamSet(
        Param("rule", "boids", "boids (Reynolds, as Mesa's example) or vicsek", str, choices=RULES),
        Param("n_agents", 100, "number of birds (Mesa: population_size)", int, 1, 1e7),
        Param("width", 100.0, "width of the periodic box", float, 0, 1e9, low_open=True),
        Param("height", 100.0, "height of the periodic box", float, 0, 1e9, low_open=True),
        Param("speed", 1.0, "distance moved per step (Vicsek: v)", float, 0, 1e9),
        Param("vision", 10.0, "neighbours are within it (Vicsek: r)", float, 0, 1e9, low_open=True),
        Param("separation", 2.0, "boids: neighbours closer than this push away", float, 0, 1e9),
        Param("cohere", 0.03, "boids: weight of steering to the neighbours", float, 0, 1e9),
        Param("separate", 0.015, "boids: weight of steering from close ones", float, 0, 1e9),
        Param("match", 0.05, "boids: weight of matching their directions", float, 0, 1e9),
        Param("noise", 0.0, "eta: headings turn by U(-eta/2, eta/2)", float, 0, TWO_PI, unit="rad"),
    ),
    control="noise",
    order="polarization",
    observables={
        "polarization": "Vicsek order parameter v_a = |sum of unit headings| / N",
        "all_aligned": "1 when every bird heads within 30 degrees of the mean heading, else 0",
        "n_flocks": "flocks: connected groups of the 'within vision' graph (a loner is one)",
        "largest_flock_fraction": "fraction of the birds in the largest flock",
        "mean_nearest_neighbour_distance": "mean distance to the nearest other bird (N = 1: NaN)",
    },
    default_steps=500,
    default_burn_in=200,
    scan_observables=("polarization", "largest_flock_fraction"),
    comparisons=(FLOCK,),
    variants=(
        dict(n_agents=40, width=30.0, height=20.0, vision=6.0),
        dict(n_agents=40, width=30.0, height=20.0, vision=6.0, noise=1.0),
        dict(n_agents=60, width=8.0, height=8.0, noise=2.0, rule="vicsek", vision=1.0, speed=0.03),
        dict(n_agents=50, width=10.0, height=6.0, vision=2.9, speed=0.7, rule="vicsek"),
        dict(n_agents=25, width=10.0, height=10.0, vision=4.0, speed=3.0),  # 2 x 2 cells
        dict(n_agents=1, width=5.0, height=5.0, vision=1.0, noise=0.5),
    ),
)
