"""Adaptive refinement bisects the interval where the order parameter changes fastest."""

from sweep_toys import Step

from emergesim.sweeps import sweep


def adaptive(**kwargs):
    return sweep(
        Step,
        vary={"x": "0:1:5"},
        reps=2,
        seed=1,
        adaptive=True,
        executor="serial",
        progress=False,
        **kwargs,
    )


def test_a_sharp_step_is_pinned_by_bisection():
    """Step at 0.37, grid 0, 0.25, ..., 1: the steepest interval [0.25, 0.5] halves each round
    toward 0.37 until it is no wider than tol = 0.01 (0.25 / 2**5 = 0.0078): five midpoints."""
    table = adaptive(tol=0.01, budget=100)
    added = table["x"].iloc[10::2].tolist()
    assert added == [0.375, 0.3125, 0.34375, 0.359375, 0.3671875]
    assert len(table) == 20 and table["key"].is_unique


def test_the_budget_caps_the_runs_added():
    table = adaptive(tol=0.01, budget=5)  # two points of two replicates fit, not three
    assert table["x"].iloc[10:].tolist() == [0.375, 0.375, 0.3125, 0.3125]


def test_every_slice_is_refined_on_its_own():
    table = sweep(
        Step,
        vary={"x": "0:1:5", "threshold": [0.37, 0.8]},
        seed=1,
        adaptive=True,
        tol=0.1,
        budget=100,
        executor="serial",
        progress=False,
    )
    added = table.iloc[10:]
    assert added.loc[added["threshold"] == 0.37, "x"].tolist() == [0.375, 0.3125]
    assert added.loc[added["threshold"] == 0.8, "x"].tolist() == [0.875, 0.8125]


def test_a_pinned_transition_adds_nothing():
    assert len(adaptive(tol=0.25, budget=100)) == 10
