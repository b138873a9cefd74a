"""Pins: what each registered model records, bit for bit, as recorded on commit e1215a8
(grokking's timeseries again at its version 2).

A change to the run contract (how ``run`` opens the window, records, summarises an interval)
must not move a single bit of any model's records: the window means below are compared exactly
and the whole timeseries through a SHA-256 of its columns and values. Each case runs with
``record_every`` 1 and 3 (an interval observable then spans three steps), with a burn-in; one
grokking case generalises during its burn-in, the snowflake stops itself mid-window.

The numbers depend on the numerical libraries (numpy, numba) and the machine. A model whose
trajectory changes on purpose bumps its card's version; re-record then with
``python tests/contract/test_pins.py``, which prints PINS.
"""

import hashlib

import pytest

import emergesim

SEED = 11
GROKKING = dict(p=23, train_fraction=0.6, width=64, lr=0.02)
CASES = {  # case: (model, run arguments, observables whose means are pinned)
    "traffic": (
        "traffic",
        dict(steps=40, burn_in=7, length=120, density=0.35),
        ("flow", "n_jams", "jam_speed"),
    ),
    "skills": (
        "skills",
        dict(steps=10, burn_in=2, n_skills=40, tasks=30, family=2),
        ("exact_match", "exact_match_mc", "partial_credit_mc", "log_likelihood_mc"),
    ),
    "grokking": (
        "grokking",
        dict(steps=80, burn_in=11, **GROKKING),
        ("test_accuracy", "memorised_at", "generalised_at"),
    ),
    "grokking_in_burn_in": (
        "grokking",
        dict(steps=5, burn_in=70, **GROKKING),
        ("test_accuracy", "memorised_at", "generalised_at"),
    ),
    "ising": (
        "ising",
        dict(steps=20, burn_in=5, size=12, temperature=2.3),
        ("magnetization", "energy"),
    ),
    "snowflake": (
        "snowflake",
        dict(steps=400, burn_in=3, radius=20, gamma=0.01),
        ("ice_cells", "cover_fraction", "fractal_dimension"),
    ),
    "flocking": (
        "flocking",
        dict(steps=20, burn_in=3, n_agents=40, width=30.0, height=30.0, vision=5.0, noise=0.5),
        ("polarization", "n_flocks"),
    ),
}
PINS = {
    ("traffic", 1): (
        {"flow": 0.4364583333333334, "n_jams": 8.275, "jam_speed": -0.8001055194805193},
        "0664f94cc3f956a414bc85772f7bdfe46e0c9c6d01e1b6da6edb9e5fec699325",
    ),
    ("traffic", 3): (
        {
            "flow": 0.43653846153846154,
            "n_jams": 8.461538461538462,
            "jam_speed": -0.7677956495806502,
        },
        "d035716b437cbdb3f1fd9d14f105bc66274a931419e7105dc8e8c58463164b7a",
    ),
    ("skills", 1): (
        {
            "exact_match": 0.1853060957391735,
            "exact_match_mc": 0.2066666666666667,
            "partial_credit_mc": 0.8191666666666666,
            "log_likelihood_mc": -1.7630963968781166,
        },
        "7e24181ca2c7b6d0b7b368b3affccd3baed6fdcee698b6eb2065153254a49e1d",
    ),
    ("skills", 3): (
        {
            "exact_match": 0.18530609573917353,
            "exact_match_mc": 0.21481481481481482,
            "partial_credit_mc": 0.8208333333333333,
            "log_likelihood_mc": -1.7581646810995253,
        },
        "1a924ff655b7d8076d3a8c9e1bf8c7757fc7bedd6cbc40aafbf3cd0fd9d21837",
    ),
    ("grokking", 1): (
        {"test_accuracy": 0.5970518867924529, "memorised_at": 20.0, "generalised_at": 61.0},
        "4280f825874cfdd5bcb171706ad829b4d00b3fc67b1b48dcb2c40d937b15036e",
    ),
    ("grokking", 3): (
        {"test_accuracy": 0.6006894049346879, "memorised_at": 20.0, "generalised_at": 62.0},
        "bcbc3c4e5ecc5f4d58277bfac5028880e8fbc74c3ab7ed70d2153674351bc716",
    ),
    ("grokking_in_burn_in", 1): (
        {"test_accuracy": 1.0, "memorised_at": 20.0, "generalised_at": 70.0},
        "c579f8e1f825aba8a0bbe3a0485c4685239d9615d8b3b6656c5c919f2e9b0cbf",
    ),
    ("grokking_in_burn_in", 3): (
        {"test_accuracy": 1.0, "memorised_at": 20.0, "generalised_at": 70.0},
        "6639ee748738ac55d5a2d65f5ee758dba29cab33670695bc90787d61086e2d3e",
    ),
    ("ising", 1): (
        {"magnetization": 0.8618055555555555, "energy": -1.5736111111111113},
        "599746bd21748358c212778ce55185542d4adb6f344f35e3beabbb92dc06128f",
    ),
    ("ising", 3): (
        {"magnetization": 0.8842592592592594, "energy": -1.6296296296296295},
        "26be47dfc52684ff6a9efc1d51af8611708838b9cfcff892540408494e1a9acb",
    ),
    ("snowflake", 1): (
        {
            "ice_cells": 200.775,
            "cover_fraction": 0.7991158112861714,
            "fractal_dimension": 1.9772747345261938,
        },
        "cf75a939b02d5b40f9ca9e810bb1f522fa5a6283b79a4533fd3b9841bd5e0990",
    ),
    ("snowflake", 3): (
        {
            "ice_cells": 203.125,
            "cover_fraction": 0.8016324660092827,
            "fractal_dimension": 1.9758437042067918,
        },
        "c2206d301d3258a9f0cf26a181c29aba2be46438dc41c085f5d2a1e7bfec1f03",
    ),
    ("flocking", 1): (
        {"polarization": 0.1062290009885726, "n_flocks": 3.55},
        "546f2e3a3f05ce2ba0d7fbae0faeea0cb83b4ef667658f59d0e6be50a9eeb2e5",
    ),
    ("flocking", 3): (
        {"polarization": 0.10999301326647189, "n_flocks": 4.166666666666667},
        "156cac2aa72d7c0b51d5faa5a50177deaa0dbc0a6f8a5ddd9000d100a688c31d",
    ),
}


def measure(case: str, record_every: int) -> tuple[dict[str, float], str]:
    """The pinned means and the digest of the whole timeseries (column names and values)."""
    model, args, shown = CASES[case]
    result = emergesim.run(model, record_every=record_every, seed=SEED, **args)
    table = result.timeseries
    digest = hashlib.sha256(repr(list(table.columns)).encode() + table.to_numpy().tobytes())
    return {name: result.observables[name] for name in shown}, digest.hexdigest()


@pytest.mark.parametrize("record_every", [1, 3])
@pytest.mark.parametrize("case", list(CASES))
def test_records_are_pinned(case, record_every):
    means, digest = measure(case, record_every)
    pinned_means, pinned_digest = PINS[case, record_every]
    assert means == pytest.approx(pinned_means, rel=0, abs=0, nan_ok=True)
    assert digest == pinned_digest


def test_every_registered_model_is_pinned():
    assert {model for model, _, _ in CASES.values()} == set(emergesim.available())


if __name__ == "__main__":
    print("PINS = {")
    for case in CASES:
        for every in (1, 3):
            means, digest = measure(case, every)
            print(f"    ({case!r}, {every}): (\n        {means!r},\n        {digest!r},\n    ),")
    print("}")
