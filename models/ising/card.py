"""The Ising model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

UPDATES = ("heat_bath", "metropolis", "swendsen_wang")

# Ground truth for the comparison's verdicts. The ferromagnet has a critical point (Onsager's
# T_c, nu = 1): its verdict must be "collective". Without coupling every spin is independent,
# m = tanh(h/T) at every L, while P(all up) = ((1 + m)/2)^N only moves to higher field as N
# grows: composition, the negative control for an all-or-nothing score.
FERROMAGNET = Comparison(
    key="ising",
    title="2D Ising model (Onsager T_c = 2.269)",
    kind="ground truth",
    size="size",
    per_unit="magnetization",
    all_or_nothing="all_up",
    fixed={"update": "swendsen_wang", "coupling": 1.0, "field": 0.0},
    dimension=2,
    quick=Budget("1.6:3.2:33", (8, 16, 32), reps=4, steps=1000, burn_in=200),
    full=Budget("1.6:3.2:49", (8, 16, 32, 64), reps=6, steps=2000, burn_in=300),
    picture={"size": 128, "temperature": 2.27, "steps": 200},
    expect="collective",
)
INDEPENDENT_SPINS = Comparison(
    key="independent_spins",
    title="independent spins (J = 0), swept in field",
    kind="ground truth",
    control="field",
    size="size",
    per_unit="magnetization_signed",
    all_or_nothing="all_up",
    fixed={"update": "heat_bath", "coupling": 0.0, "temperature": 1.0, "start": "random"},
    dimension=2,
    quick=Budget("-3:6:37", (4, 8, 16), reps=3, steps=200, burn_in=5),
    full=Budget("-3:6:73", (4, 8, 16, 32), reps=8, steps=1000, burn_in=5),
    picture={"size": 64, "field": 0.5, "steps": 50},
    expect="composition",
)

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
    comparisons=(FERROMAGNET, INDEPENDENT_SPINS),
    variants=tuple(  # odd and antiferromagnetic: frustrated bonds; a field where allowed
        dict(
            size=size,
            coupling=coupling,
            field=field,
            update=update,
            temperature=2.4,
            start="random",
        )
        for size, coupling in ((7, -1.0), (8, 1.0))
        for update, field in (("heat_bath", 0.3), ("metropolis", 0.3), ("swendsen_wang", 0.0))
    ),
)
