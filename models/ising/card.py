"""The Ising model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import ModelCard
from emergesim.params import Param, ParamSet

UPDATES = ("heat_bath", "metropolis", "swendsen_wang")

CARD = ModelCard(
    name="ising",
    model="emergesim.models.ising.model:IsingModel",
    summary="The 2D Ising model: spins order below Onsager's critical temperature.",
    params=ParamSet(
        Param("size", 64, "L: an L x L periodic lattice (4096: 16 MB of spins)", int, 2, 4096),
        Param(
            "temperature",
            2.27,
            "T (Onsager's T_c = 2.269 J); a --scan spans (0, 5], to 2.2 T_c",
            float,
            0,
            5,
            unit="J/k_B",
            low_open=True,
        ),
        Param("coupling", 1.0, "J: > 0 ferro-, < 0 antiferromagnet, 0 free spins", float, -10, 10),
        Param("field", 0.0, "h: the external field; > 0 favours up", float, -10, 10),
        Param(
            "update",
            "heat_bath",
            "a sweep of heat-bath or Metropolis flips on a checkerboard, or of Swendsen-Wang "
            "cluster flips (field 0 only; fast near T_c)",
            str,
            choices=UPDATES,
        ),
        Param(
            "start",
            "up",
            "initial spins: all up (below T_c no domains to dissolve) or random",
            str,
            choices=("up", "random"),
        ),
    ),
    control="temperature",
    order="magnetization",
    observables={
        "magnetization": "|m|, m = mean spin",
        "magnetization_signed": "m, the mean spin",
        "energy": "energy per spin, field term included",
        "m2": "m^2: its mean gives the susceptibility N (<m2> - <|m|>^2) / T",
        "m4": "m^4: with m2, the Binder cumulant 1 - <m4> / (3 <m2>^2)",
        "all_up": "1 when every spin is +1, else 0",
    },
    default_steps=1000,
    default_burn_in=500,
    scan_observables=("magnetization", "energy"),
)
