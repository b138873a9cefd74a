"""The snowflake model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

# Plate against dendrite at beta = 0.4: the per-unit score is the share of the hexagon's cells
# that the crystal covers, the all-or-nothing one a full plate. A run grows one crystal.
CRYSTAL = Comparison(
    key="snowflake",
    title="snowflake (plate vs dendrite)",
    kind="natural",
    control="gamma",
    size="radius",
    per_unit="cover_fraction",
    all_or_nothing="full_plate",
    fixed={"beta": 0.4},
    dimension=2,
    fit_log10=True,
    quick=Budget("log:1e-4:0.3:15", (30, 60, 120), reps=1, steps=1, burn_in=10**6),
    full=Budget("log:1e-4:0.3:36", (30, 60, 120, 240), reps=1, steps=1, burn_in=10**6),
    picture={"gamma": 0.001, "radius": 100},
)

CARD = ModelCard(
    name="snowflake",
    model="emergesim.models.snowflake.model:SnowflakeModel",
    summary="Reiter's hexagonal automaton: six-fold crystals grow from one local rule.",
    params=ParamSet(
        Param(
            "alpha",
            1.0,
            "diffusion: u moves alpha/2 of the way to its neighbours' mean "
            "(<= 2 keeps every weight >= 0: stable, s stays >= 0)",
            float,
            0.0,
            2.0,
        ),
        Param(
            "beta",
            0.4,
            "background vapour (< 1): the field starts, and its edge stays, at beta",
            float,
            0.0,
            0.99,
        ),
        Param(
            "gamma",
            0.001,
            "vapour added each step to receptive cells (ice or touching ice)",
            float,
            0.0,
            1.0,
        ),
        Param(
            "radius",
            200,
            "hex distance from the seed to the edge held at beta (<= 1500: ~0.3 GB of arrays)",
            int,
            20,
            1500,
            unit="cells",
        ),
        Param(
            "stop_at",
            0.9,
            "stop when the crystal reaches this fraction of the radius",
            float,
            0.0,
            0.9,
            low_open=True,
        ),
        Param(
            "max_steps", 100_000, "stop after this many steps anyway", int, 1, 10**6, unit="steps"
        ),
    ),
    control="gamma",
    order="cover_fraction",
    observables={
        "ice_cells": "cells with s >= 1 (the crystal)",
        "crystal_radius": "largest hex distance of ice from the seed (cells)",
        "fill_fraction": "ice / cells of the full hexagon of the crystal's radius",
        "cover_fraction": "receptive cells / cells of the hexagon one ring wider (1: full plate)",
        "full_plate": "1 when every cell of the hexagon one ring wider is receptive, else 0",
        "fractal_dimension": "mass-radius dimension (2 plate, ~1.7 DLA); NaN below radius 16",
        "symmetry": "fraction of ice whose 60-degree turn about the seed is ice (1: six-fold)",
        "morphology": "0 plate (cover >= 0.75), 1 sectored, 2 dendrite (dimension < 1.8); NaN "
        "below radius 16",
    },
    default_steps=10**6,
    default_burn_in=10**6,
    scan_observables=("fill_fraction", "fractal_dimension"),
    comparisons=(CRYSTAL,),
    variants=(
        dict(alpha=1.0, beta=0.4, gamma=0.001, radius=20),
        dict(alpha=2.0, beta=0.95, gamma=0.0, radius=21),
        dict(alpha=0.5, beta=0.3, gamma=0.01, radius=23),
        dict(alpha=1.3, beta=0.65, gamma=0.0001, radius=22),
    ),
)
