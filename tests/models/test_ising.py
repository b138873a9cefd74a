"""2D Ising: exact enumeration, Onsager's solution, the limits, kernel == twin, bad input."""

import json
import math
import subprocess
import sys

import numba
import numpy as np
import pytest

from emergesim import ParameterError, run
from emergesim.models.ising import IsingModel
from emergesim.models.ising import exact as onsager
from emergesim.models.ising.kernels import checkerboard_sweep, checkerboard_sweep_parallel
from emergesim.models.ising.model import flip_probabilities
from emergesim.plotting import new_figure

UPDATES = ("heat_bath", "metropolis", "swendsen_wang")
BATCHES = 20


def jackknife(samples, statistic=np.mean):
    """``statistic`` of the samples (one row per sweep) and its standard error, by the
    jackknife over BATCHES consecutive batches: batches much longer than the autocorrelation
    time are independent. For the mean this is the batch-means error."""
    batches = np.array_split(np.asarray(samples), BATCHES)
    left_out = [statistic(np.concatenate(batches[:k] + batches[k + 1 :])) for k in range(BATCHES)]
    return statistic(np.asarray(samples)), math.sqrt((BATCHES - 1) * np.var(left_out))


def binder(result):
    """U = 1 - <m^4> / (3 <m^2>^2) over a run, and its error."""
    moments = result.timeseries[["m2", "m4"]].to_numpy()
    return jackknife(moments, lambda x: 1 - x[:, 1].mean() / (3 * x[:, 0].mean() ** 2))


def enumerate_states(size, temperature, coupling, field):
    """Exact <energy per spin> and <|m|>: a Boltzmann sum over all 2^(L^2) states."""
    n = size * size
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    spins = (2 * bits - 1).reshape(-1, size, size)
    bonds = sum((spins * np.roll(spins, -1, axis)).sum((1, 2)) for axis in (1, 2))
    total = spins.sum((1, 2))
    energy = -coupling * bonds - field * total
    weight = np.exp(-(energy - energy.min()) / temperature)
    weight /= weight.sum()
    return weight @ energy / n, weight @ np.abs(total) / n


@pytest.mark.parametrize("size", [3, 4])
@pytest.mark.parametrize(
    ("update", "coupling", "field"),
    [
        ("metropolis", 1, 0),
        ("metropolis", 1, 0.3),
        ("metropolis", -1, 0.3),
        ("heat_bath", 1, 0),
        ("heat_bath", 1, 0.3),
        ("swendsen_wang", 1, 0),
        ("swendsen_wang", -1, 0),
    ],
)
def test_long_runs_reproduce_the_exact_boltzmann_averages(size, update, coupling, field):
    """3 x 3 (odd: same-coloured neighbours across the seam, which frustrate J < 0) and 4 x 4
    at T = 2.5, enumerated.

    20000 sweeps give errors of about 0.008 (energy) and 0.003 (|m|); the means must lie within
    5 errors, and the errors below 0.015, so that a wrong rule cannot hide in them (a factor 2
    in dE moves the energy by 0.5; Wolff clusters stopped at L^2 flips moved it by 0.3).
    """
    result = run(
        "ising",
        seed=2,
        size=size,
        temperature=2.5,
        coupling=coupling,
        field=field,
        update=update,
        steps=20_000,
        burn_in=100,
    )
    exact = enumerate_states(size, 2.5, coupling, field)
    for name, expected in zip(("energy", "magnetization"), exact, strict=True):
        mean, error = jackknife(result.timeseries[name])
        assert error < 0.015
        assert abs(mean - expected) < 5 * error, (name, mean, expected, error)


@pytest.mark.parametrize(("field", "temperature"), [(0.5, 1.0), (-1.0, 2.5), (3.0, 4.0)])
def test_independent_spins_have_mean_tanh_h_over_t(field, temperature):
    """J = 0: every spin is +1 with probability (1 + tanh(h/T)) / 2, alone.

    A heat-bath sweep redraws every spin from that law, so the 2000 sweeps are independent
    samples of m, each of variance (1 - tanh^2) / N: the mean must lie within 4 of its
    standard errors, sqrt((1 - tanh^2) / (N 2000)) ~ 7e-4 at N = 32^2.
    """
    result = run(
        "ising",
        seed=7,
        size=32,
        coupling=0.0,
        field=field,
        temperature=temperature,
        update="heat_bath",
        steps=2000,
        burn_in=1,
    )
    m = math.tanh(field / temperature)
    error = math.sqrt((1 - m**2) / (32**2 * 2000))
    assert result.observables["magnetization_signed"] == pytest.approx(m, abs=4 * error)
    assert result.observables["energy"] == pytest.approx(-field * m, abs=4 * abs(field) * error)


def test_all_independent_spins_are_up_with_the_product_probability():
    """J = 0, N = 9: P(all up) = ((1 + tanh(h/T)) / 2)^9 = 0.3191 at h/T = 1; 4000 independent
    sweeps estimate it to a binomial error of 0.0074, and we allow 4 of them."""
    result = run(
        "ising",
        seed=8,
        size=3,
        coupling=0.0,
        field=1.0,
        temperature=1.0,
        update="heat_bath",
        steps=4000,
        burn_in=1,
    )
    p = ((1 + math.tanh(1.0)) / 2) ** 9
    assert p == pytest.approx(0.3191, abs=1e-4)
    assert result.observables["all_up"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 4000))
    exact, _ = IsingModel.exact_curve("all_up", "field", np.array([1.0]), result.params)
    assert exact[0] == pytest.approx(p)


@pytest.mark.parametrize(
    ("update", "field"), [("metropolis", 0.5), ("heat_bath", 0.25), ("swendsen_wang", 0)]
)
def test_near_zero_temperature_the_ground_state_stays(update, field):
    """T = 0.01: flipping a spin of the all-up state costs dE = 8 + 2h >= 8, so it happens with
    probability exp(-800), 0 in floating point: the energy stays exactly -2J - h and |m| 1.
    (Swendsen-Wang joins the whole lattice into one cluster and flips it half the time.)"""
    result = run(
        "ising",
        seed=3,
        size=16,
        temperature=0.01,
        field=field,
        update=update,
        steps=100,
        burn_in=200,
    )
    series = result.timeseries
    assert (series.magnetization == 1).all()
    assert (series.energy == -2 - field).all()
    if field:
        assert (series.all_up == 1).all()


@pytest.mark.parametrize("update", ["heat_bath", "swendsen_wang"])
def test_at_infinite_temperature_the_spins_are_independent_and_unbiased(update):
    """Only J/T enters the rules, so T = 5 with J = 1e-6 is T = 5e6 at J = 1. Every sweep then
    redraws every spin as a fair coin (Metropolis would flip them all, every sweep: excluded).
    Then <m^2> = 1/N exactly, var(m^2) ~ 2/N^2, and the bond sum per spin has mean 0 and
    variance 2/N; over 2000 sweeps at N = 256 the bounds are 4 standard errors."""
    n, sweeps = 16**2, 2000
    result = run(
        "ising",
        seed=5,
        size=16,
        temperature=5.0,
        coupling=1e-6,
        update=update,
        steps=sweeps,
        burn_in=1,
    )
    assert n * result.observables["m2"] == pytest.approx(1, abs=4 * math.sqrt(2 / sweeps))
    assert result.observables["energy"] / 1e-6 == pytest.approx(
        0, abs=4 * math.sqrt(2 / (n * sweeps))
    )


@pytest.mark.parametrize("update", UPDATES)
def test_onsager_spontaneous_magnetization_and_energy_below_t_c(update):
    """T = 2.0 = 0.88 T_c, L = 32: Yang's |m| = 0.911319, Onsager's energy -1.745565.

    Below T_c the finite-size corrections are exponentially small in L: means over many runs at
    L = 16, 32 and 64 agree with the exact values to 2e-4, below the statistical errors of
    20000 sweeps, 3e-4 to 9e-4. The means must lie within 5 of those errors.
    """
    assert onsager.spontaneous_magnetization(0.5) == pytest.approx(0.911319, abs=1e-6)
    assert onsager.energy(0.5) == pytest.approx(-1.745565, abs=1e-6)
    result = run(
        "ising", seed=11, size=32, temperature=2.0, update=update, steps=20_000, burn_in=500
    )
    for name, exact in (
        ("magnetization", onsager.spontaneous_magnetization(0.5)),
        ("energy", onsager.energy(0.5)),
    ):
        mean, error = jackknife(result.timeseries[name])
        assert error < 0.0015
        assert abs(mean - exact) < 5 * error, (name, mean, exact, error)


def test_binder_cumulants_of_two_sizes_cross_near_t_c():
    """U = 1 - <m^4> / (3 <m^2>^2) tends to 2/3 below T_c and to 0 above as L grows, and the
    curves of all L cross at T_c = 2.269. So U(16) > U(8) at T = 2.1 and U(16) < U(8) at
    T = 2.45. With 20000 Swendsen-Wang sweeps the gaps, +0.012 and -0.11, are 15 and 24
    jackknife errors of the difference; we ask for 4."""

    def cumulant(size, temperature):
        result = run(
            "ising",
            seed=9,
            size=size,
            temperature=temperature,
            update="swendsen_wang",
            steps=20_000,
            burn_in=200,
        )
        return binder(result)

    for temperature, sign in ((2.1, 1), (2.45, -1)):
        (small, e_small), (large, e_large) = cumulant(8, temperature), cumulant(16, temperature)
        assert sign * (large - small) > 4 * math.hypot(e_small, e_large)


def test_exact_curves():
    """Yang's |m| and Onsager's energy: the values at T_c, and the limits T -> 0 and T -> inf."""
    t = np.array([0.1, 2.0, 1 / onsager.K_C, 2.3, 1e3])
    params = IsingModel.params.defaults()
    m, label = IsingModel.exact_curve("magnetization", "temperature", t, params)
    assert "Onsager/Yang" in label
    assert m[[0, 1, 3, 4]] == pytest.approx([1, 0.911319, 0, 0], abs=1e-6)
    energy, _ = IsingModel.exact_curve("energy", "temperature", t, params)
    assert energy[2] == pytest.approx(-math.sqrt(2), abs=1e-12)
    assert energy[[0, 4]] == pytest.approx([-2, -2 * math.tanh(1e-3)], rel=1e-5)
    free = {**params, "coupling": 0.0, "field": 0.5}
    m, _ = IsingModel.exact_curve("magnetization_signed", "temperature", t, free)
    assert m == pytest.approx(np.tanh(0.5 / t))
    m, _ = IsingModel.exact_curve(
        "magnetization_signed", "field", np.array([-1.0, 2.0]), {**free, "temperature": 2.0}
    )
    assert m == pytest.approx(np.tanh([-0.5, 1.0]))
    assert (
        IsingModel.exact_curve("magnetization", "temperature", t, {**params, "field": 0.1}) is None
    )
    assert IsingModel.exact_curve("m4", "temperature", t, params) is None


def test_serial_and_parallel_sweeps_agree_on_any_number_of_threads():
    """For even L the sites of one colour are independent, so the rows may be shared."""
    start = np.random.default_rng(1).choice(np.array([-1, 1], dtype=np.int8), size=(64, 64))
    flip = flip_probabilities("heat_bath", 1.0, 0.1, 2.3)
    threads = numba.get_num_threads()
    outcomes = []
    for kernel, n in [
        (checkerboard_sweep, 1),
        (checkerboard_sweep_parallel, 1),
        (checkerboard_sweep_parallel, 2),
    ]:
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        spins = start.copy()
        for t in range(30):
            kernel(spins, (977 * t, 977 * t + 1), flip)
        outcomes.append(spins)
    numba.set_num_threads(threads)
    assert np.array_equal(outcomes[0], outcomes[1]) and np.array_equal(outcomes[0], outcomes[2])
    assert not np.array_equal(outcomes[0], start)


def test_odd_lattices_are_never_swept_in_parallel():
    """An odd periodic lattice joins same-coloured sites across the seam: threads would race."""
    assert IsingModel(size=129)._sweep is checkerboard_sweep
    assert IsingModel(size=128)._sweep is checkerboard_sweep_parallel


def test_observables_of_known_states():
    model = IsingModel(size=4, coupling=-1.0, field=0.5)
    assert model.observe() == dict(
        magnetization=1.0, magnetization_signed=1.0, energy=2.0 - 0.5, m2=1.0, m4=1.0, all_up=1.0
    )
    i, j = np.indices((4, 4))
    model.spins[:] = np.where((i + j) % 2, 1, -1)  # the antiferromagnet's ground state
    assert model.observe() == dict(
        magnetization=0.0, magnetization_signed=0.0, energy=-2.0, m2=0.0, m4=0.0, all_up=0.0
    )
    model.spins[:] = np.where(i < 2, 1, -1)  # two stripes: 8 of 32 bonds broken, m = 0
    before = model.spins.copy()
    assert model.observe()["energy"] == -model.coupling * (32 - 2 * 8) / 16
    assert model.observe() == model.observe() and np.array_equal(model.spins, before)  # pure


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(update="swendsen_wang", field=0.1), r"'field' must be 0 with update 'swendsen_wang'"),
    ],
)
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(ParameterError, match=message):
        IsingModel(**params)


def test_spins_are_mesa_agents_made_when_first_asked_for():
    model = IsingModel(seed=3, size=5, start="random")
    assert model._row_agents is None  # see tests/contract/test_lazy_agents.py
    assert len(model.agents) == 25
    spin = model.sites[7]
    assert spin.pos == (1, 2) and spin.spin == model.spins[1, 2] and spin.colour == 1
    assert [other.pos for other, _ in spin.bonds()] == [(1, 3), (2, 2), (1, 1), (0, 2)]
    down = model.agents.select(lambda s: s.spin < 0)
    assert len(down) == int((model.spins < 0).sum())


def test_frames_crop_the_picture_but_not_the_observables():
    result = run("ising", seed=6, size=600, start="random", steps=2, burn_in=0, frames=True)
    model, last = result.model, result.frames[-1]
    assert last.spins.shape == (512, 512)
    assert np.array_equal(last.spins, model.spins[:512, :512])
    assert (last.magnetization, last.energy) == (
        model.observe()["magnetization"],
        model.observe()["energy"],
    )
    fig = new_figure()
    model.render(fig, result.frames, result.frame_steps)
    assert "L = 600" in fig.get_suptitle() and len(fig.axes) == 3


def test_the_command_line_reproduces_onsager_at_t_2():
    """`emergesim run ising -p size=64 -p temperature=2.0 --steps 2000 --burn-in 1000 --json`,
    as README shows it: |m| within 0.01 of Yang's 0.91132. At T = 2 the finite-size shift at
    L = 64 is below 1e-4 and 2000 heat-bath sweeps leave an error near 1e-3."""
    command = "run ising -p size=64 -p temperature=2.0 --steps 2000 --burn-in 1000 --seed 0 --json"
    out = subprocess.run(
        [sys.executable, "-m", "emergesim", *command.split()],
        capture_output=True,
        text=True,
        check=True,
    )
    magnetization = json.loads(out.stdout)["observables"]["magnetization"]
    yang = (1 - math.sinh(2 / 2.0) ** -4) ** (1 / 8)
    assert abs(magnetization - yang) < 0.01
