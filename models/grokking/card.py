"""The grokking model's card: what `emergesim list` and `info` show, read without Mesa."""

from emergesim.card import CLOCK, Budget, Comparison, ModelCard
from emergesim.params import Param, ParamSet

MEMORISED = 0.99  # train accuracy that counts as memorised
GENERALISED = 0.95  # test accuracy that counts as generalised

# Training time is the control: each run's own records, at several moduli p (p^2 pairs).
GROKKING = Comparison(
    key="grokking",
    title="grokking (training time)",
    kind="training",
    size="p",
    per_unit="test_accuracy",
    all_or_nothing="all_test_right",
    fixed={"train_fraction": 0.5, "width": 128},
    dimension=2,
    fit_log10=True,
    record_every=10,
    quick=Budget(None, (23, 31, 41), reps=3, steps=1000, burn_in=0),
    full=Budget(None, (23, 31, 41, 53), reps=8, steps=1500, burn_in=0),
    picture={"p": 31, "steps": 600, "record_every": 5},
)

CARD = ModelCard(
    name="grokking",
    model="emergesim.models.grokking.model:GrokkingModel",
    summary="Modular addition learnt by a small network: memorisation, then sudden generalisation.",
    params=ParamSet(
        Param("p", 97, "modulus: the task is (a + b) mod p", int, 3, 400),
        Param(
            "train_fraction",
            0.2,
            "share of the p^2 pairs used for training",
            float,
            0,
            1,
            low_open=True,
            high_open=True,
        ),
        Param("width", 256, "hidden units", int, 1, 4096),
        Param("weight_decay", 1.0, "AdamW decoupled weight decay", float, 0, 100),
        Param("lr", 1e-2, "AdamW learning rate", float, 0, 10, low_open=True),
    ),
    control=CLOCK,
    order="test_accuracy",
    observables={
        "train_accuracy": "share of training pairs answered right",
        "test_accuracy": "share of held-out pairs answered right",
        "all_test_right": "1 when every held-out pair is answered right, else 0",
        "train_loss": "mean squared error on the training pairs",
        "test_loss": "mean squared error on the held-out pairs",
        "weight_norm": "L2 norm of all weights",
        "fourier_concentration": "each embedding unit's share of power in its main frequency",
        "memorised_at": f"first step with train accuracy >= {MEMORISED} (NaN: not yet)",
        "generalised_at": f"first recorded step with test accuracy >= {GENERALISED} (NaN: not yet)",
    },
    default_steps=1500,
    default_burn_in=0,
    comparisons=(GROKKING,),
    variants=(dict(p=11, train_fraction=0.5, width=16),),
)
