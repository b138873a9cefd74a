"""The traffic model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

# Jams: the per-unit score is the share of standing cars, the all-or-nothing one a ring where
# every car stands. Length 200 to 3200 cells at the same densities.
JAMS = Comparison(
    key="traffic",
    title="traffic jam",
    kind="natural",
    size="length",
    per_unit="jammed_fraction",
    all_or_nothing="all_jammed",
    fixed={"vmax": 5, "p_slow": 0.1},
    quick=Budget("0.04:0.5:47", (200, 800, 3200), reps=3, steps=300, burn_in=300),
    full=Budget("0.02:0.6:59", (250, 1000, 4000, 16000), reps=8, steps=2000, burn_in=1000),
    picture={"density": 0.2, "length": 400},
)

CARD = ModelCard(
    name="traffic",
    model="emergesim.models.traffic.model:TrafficModel",
    summary="Nagel-Schreckenberg traffic on a ring road: jams emerge with no bottleneck.",
    params=ParamSet(
        Param("length", 1000, "cells on the ring (a cell ~ 7.5 m)", int, 2, 1e9, unit="cells"),
        Param("density", 0.2, "cars per cell", float, 0.0, 1.0, unit="cars/cell"),
        Param("vmax", 5, "speed limit (5 ~ 135 km/h)", int, 1, 1000, unit="cells/step"),
        Param("p_slow", 0.25, "probability that a moving car slows by one", float, 0.0, 1.0),
    ),
    control="density",
    order="jammed_fraction",
    observables={
        "flow": "cars passing a point per step: density * mean speed",
        "mean_speed": "mean speed of the cars (cells/step)",
        "jammed_fraction": "fraction of cars standing still (v = 0)",
        "all_jammed": "1 when every car stands still (v = 0), else 0; NaN with no cars",
        "n_jams": "clusters of standing cars in consecutive cells (one alone counts)",
        "jam_speed": "jam-front speed over the recording interval, cells/step, < 0 = upstream",
    },
    default_steps=500,
    default_burn_in=200,
    scan_observables=("flow", "jammed_fraction"),
    comparisons=(JAMS,),
    variants=(
        dict(length=300, density=0.3, vmax=5, p_slow=0.25),
        dict(length=97, density=0.6, vmax=3, p_slow=0.5),
        dict(length=50, density=1.0, vmax=2, p_slow=0.1),
        dict(length=40, density=0.025, vmax=9, p_slow=0.9),
    ),
)
