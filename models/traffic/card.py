"""The traffic model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import ModelCard
from emergesim.params import Param, ParamSet

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
        "n_jams": "clusters of standing cars in consecutive cells (one alone counts)",
        "jam_speed": "jam-front speed over the recording interval, cells/step, < 0 = upstream",
    },
    default_steps=500,
    default_burn_in=200,
    scan_observables=("flow", "jammed_fraction"),
)
