"""Flocking: Vicsek's limits, Mesa's boid rule, cell list == brute force, kernel == twin."""

import math

import networkx as nx
import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mesa.examples.basic.boid_flockers.model import BoidFlockers

try:  # Mesa 3.5 takes the example's settings as a Scenario
    from mesa.examples.basic.boid_flockers.model import BoidsScenario
except ImportError:
    BoidsScenario = None

from emergesim import ParameterError, run
from emergesim.models.flocking import FlockingModel, twin
from emergesim.models.flocking.kernels import (
    fixed_scales,
    flock_step,
    flock_step_parallel,
    grid_shape,
    nearest_image,
    wrap,
)
from emergesim.models.flocking.model import ALIGNED_WITHIN
from emergesim.plotting import save_animation, save_figure

VICSEK = dict(rule="vicsek", vision=1.0, speed=0.03)  # Vicsek et al. 1995: r = 1, v = 0.03
OTHER_WEIGHTS = dict(cohere=0.2, separate=0.4, match=0.3, speed=0.7)  # not Mesa's defaults


@pytest.mark.parametrize("seed", [0, 1])
def test_vicsek_without_noise_aligns_completely(seed):
    """eta = 0 at density 4: local averaging spreads one heading over the whole box."""
    box = {"n_agents": 100, "width": 5, "height": 5, "noise": 0}
    result = run("flocking", seed=seed, steps=50, burn_in=400, **box, **VICSEK)
    assert result.timeseries["polarization"].min() > 0.99


def test_vicsek_with_full_noise_has_random_headings():
    """eta = 2 pi: each new heading is uniform and independent of everything before, so every
    recorded phi is |sum of N independent unit vectors| / N and, exactly,
    E[phi^2] = 1/N, E[phi^4] = (2N^2 - N)/N^4, so G = 1/3 + 1/(3N); and N var(phi) is
    1 - pi/4 = 0.2146 up to O(1/N) (0.2135 at N = 100 by a 10^6-sample Monte Carlo).

    The T = 4000 records are independent, so the errors are exact: N phi^2 has standard
    deviation sqrt(1 - 1/N), its mean 0.0157; G about (2/3)/sqrt(T) = 0.0105; N var(phi)
    about 0.005. Each tolerance is five standard errors.
    """
    n, steps = 100, 4000
    result = run(
        "flocking", seed=7, n_agents=n, width=5, height=5, noise=2 * math.pi, steps=steps, **VICSEK
    )
    phi = result.timeseries["polarization"].to_numpy()
    assert n * np.mean(phi**2) == pytest.approx(1, abs=5 * math.sqrt((1 - 1 / n) / steps))
    assert result.binder() == pytest.approx(1 / 3 + 1 / (3 * n), abs=0.053)
    assert result.susceptibility() == pytest.approx(0.2135, abs=0.025)  # N = the birds


def test_vicsek_order_gives_way_to_noise_between_eta_2_and_4_5():
    """N = 400 in L = 10 (density 4): Vicsek et al.'s Fig. 2a, where v_a falls through 0.5
    near eta = 3 (the transition lies near 3-4). Noise drawn on twice the range would move the
    fall to eta ~ 1.5, half the range to ~ 6."""
    order = [
        run(
            "flocking",
            seed=3,
            n_agents=400,
            width=10,
            height=10,
            noise=eta,
            steps=300,
            burn_in=300,
            **VICSEK,
        ).observables["polarization"]
        for eta in (2.0, 4.5)
    ]
    assert order[0] > 0.6
    assert order[1] < 0.3


def test_vicsek_agents_that_all_see_each_other_align_in_one_step():
    """Within r of one another, every agent's sum runs over the same set: one new heading."""
    model = FlockingModel(
        seed=2, n_agents=30, width=10, height=10, vision=2, speed=0.5, rule="vicsek"
    )
    model.place(4 + model.rng.random((30, 2)))  # a unit square: all within 2
    mean = model.directions.sum(axis=0)
    model.step()
    assert np.all(model.directions == model.directions[0])
    assert model.directions[0] == pytest.approx(mean / np.linalg.norm(mean), abs=1e-15)
    assert model.observe()["polarization"] == pytest.approx(1, abs=1e-15)


def bird_by_bird(model):
    """x, y, hx, hy of bird 0, 1, ... (the model stores them sorted by place)."""
    return np.column_stack([model.positions, model.directions])


def mesa_boid_flockers(**settings):
    """Mesa's example with these settings: keywords up to Mesa 3.3, a Scenario from Mesa 3.5."""
    if BoidsScenario is None:
        return BoidFlockers(**settings, seed=0)
    return BoidFlockers(BoidsScenario(**settings, rng=0))


def mesa_updates(model):
    """Each of our birds' (position, direction) after Mesa's Boid.step, run on the same state."""
    names = ("width", "height", "speed", "vision", "separation", "cohere", "separate", "match")
    settings = {name: getattr(model, name) for name in names}
    mesa = mesa_boid_flockers(population_size=model.n_agents, **settings)
    boids = list(mesa.agents)
    mesa.space.agent_positions[:] = model.positions
    for boid, direction in zip(boids, model.directions, strict=True):
        boid.direction[:] = direction
    moved = []
    for boid, position, direction in zip(
        boids, model.positions.copy(), model.directions.copy(), strict=True
    ):
        boid.step()  # reads the others, still in the old state
        moved.append(np.concatenate([boid.position, boid.direction]))
        boid.position, boid.direction[:] = position, direction
    return np.array(moved)


@pytest.mark.parametrize(
    "params",
    [
        dict(n_agents=40, width=30.0, height=30.0),  # Mesa's vision 10 and separation 2
        dict(n_agents=60, width=20, height=24, vision=5, separation=1, **OTHER_WEIGHTS),
    ],
)
def test_a_boid_reading_the_same_state_steers_as_in_mesa(params):
    """Mesa activates boids one at a time; the first one reads the old state as all of ours do.
    So for every boid, our synchronous update must equal Mesa's Boid.step from that state."""
    model = FlockingModel(seed=3, **params)
    expected = mesa_updates(model)
    model.step()
    np.testing.assert_allclose(bird_by_bird(model), expected, rtol=0, atol=1e-12)


def test_serial_and_parallel_kernels_agree_on_any_number_of_threads():
    model = FlockingModel(seed=4, n_agents=3000, width=150, height=150, vision=5, noise=0.3)
    for _ in range(5):
        model.step()
    turns = model.rng.uniform(-0.15, 0.15, model.n_agents)
    threads = numba.get_num_threads()
    outcomes = []
    for kernel, n in [(flock_step, 1), (flock_step_parallel, 1), (flock_step_parallel, 2)]:
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        state, tags = model.state.copy(), model.tags.copy()
        spare_state, spare_tags = np.empty_like(state), np.empty_like(tags)
        for _ in range(20):
            kernel(state, tags, turns, spare_state, spare_tags, model.constants)
            state, spare_state, tags, spare_tags = spare_state, state, spare_tags, tags
        outcomes.append(np.column_stack([state, tags]))
    numba.set_num_threads(threads)
    assert np.array_equal(outcomes[0], outcomes[1])
    assert np.array_equal(outcomes[0], outcomes[2])


@st.composite
def configurations(draw):
    """Boxes whose vision is within 1e-9 of the cell size (or equal to it), and agents on the
    box edges, on cell boundaries and exactly one vision apart across the seam."""
    width, height = draw(st.floats(1, 60)), draw(st.floats(1, 60))
    per_side = draw(st.integers(2, 12))
    nudge = draw(st.sampled_from([-1e-9, -1e-15, 0.0, 1e-15, 1e-9]))
    vision = min(width / per_side * (1 + nudge), min(width, height) / 2)

    def coordinate(length):
        edges = [0.0, np.nextafter(length, 0), vision, 2 * vision, length - vision, length / 2]
        return st.one_of(st.floats(0, length, exclude_max=True), st.sampled_from(edges))

    n = draw(st.integers(1, 40))
    positions = np.array(
        draw(st.lists(st.tuples(coordinate(width), coordinate(height)), min_size=n, max_size=n))
    )
    if n > 1:  # bird 1 one vision to the left of bird 0, across the seam if need be
        positions[1] = (positions[0, 0] - vision) % width, positions[0, 1]
    box = np.array([width, height])
    return dict(width=width, height=height, vision=vision), np.where(positions < box, positions, 0)


@settings(max_examples=60, deadline=None)
@given(configuration=configurations(), seed=st.integers(0, 2**32))
def test_cell_list_finds_exactly_the_brute_force_neighbours(configuration, seed):
    params, positions = configuration
    model = FlockingModel(seed=seed, n_agents=len(positions), **params)
    model.place(positions)
    assert np.array_equal(model.positions, positions)
    graph = nx.Graph()
    graph.add_nodes_from(range(model.n_agents))
    for bird in model.birds:
        found = sorted(other.index for other in bird.neighbours())
        assert found == [other.index for other in twin.neighbours(bird)]
        graph.add_edges_from((bird.index, j) for j in found)
    flocks = sorted(len(c) for c in nx.connected_components(graph))
    assert sorted(model.flock_sizes().tolist()) == flocks
    twin_model = FlockingModel(seed=seed, n_agents=len(positions), backend="python", **params)
    twin_model.state[:] = model.state  # exactly (place would renormalise the directions)
    model.step()
    twin_model.step()
    assert np.array_equal(bird_by_bird(model), bird_by_bird(twin_model))


def test_observables_of_a_known_state():
    """Two pairs, one of them across the seam of the box; one bird facing the other way."""
    model = FlockingModel(seed=0, n_agents=4, width=20, height=10, vision=3)
    model.place([[1, 5], [19, 5], [10, 2], [10, 4.5]], [[1, 0], [2, 0], [0, 1], [0, -1]])
    obs = model.observe()
    assert obs["polarization"] == pytest.approx(2 / 4)
    assert obs["n_flocks"] == 2
    assert obs["largest_flock_fraction"] == 0.5
    assert obs["mean_nearest_neighbour_distance"] == pytest.approx((2 + 2 + 2.5 + 2.5) / 4)
    assert [b.index for b in model.birds[0].neighbours()] == [1]


def test_polarization_is_the_mean_of_each_birds_alignment():
    """v_a = |sum_i d_i| / N = mean_i cos(theta_i - Theta), Theta the mean heading: the per-unit
    score that all_aligned turns into all-or-nothing. Checked on uniform random headings and on
    a partly ordered state (von Mises, v_a near 0.45), where the two sides are far from 0 or 1."""
    rng = np.random.default_rng(17)
    model = FlockingModel(seed=9, n_agents=500, width=50, height=50, vision=5, noise=1.0)
    for angles in (None, rng.vonmises(2.0, 1.0, 500)):
        if angles is not None:
            model.place(directions=np.column_stack([np.cos(angles), np.sin(angles)]))
        d = model.directions
        theta, mean_heading = np.arctan2(d[:, 1], d[:, 0]), np.arctan2(*d.sum(axis=0)[::-1])
        alignment = np.cos(theta - mean_heading)
        assert model.observe()["polarization"] == pytest.approx(alignment.mean(), rel=1e-12)
    assert 0.3 < alignment.mean() < 0.6


def headings(*degrees):
    angles = np.radians(degrees)
    return np.column_stack([np.cos(angles), np.sin(angles)])


@pytest.mark.parametrize(
    ("turned", "aligned"),
    [(0, 1.0), (20, 1.0), (40, 0.0), (-40, 0.0), (180, 0.0)],
)
@pytest.mark.parametrize("base", [30.0, 175.0])  # 175: the turned bird crosses the seam at 180
def test_all_aligned_asks_every_bird_to_be_within_30_degrees(base, turned, aligned):
    """Twenty birds on one heading, one of them turned: by 20 degrees it stays within 30 of
    the mean heading (which moves ~1 degree its way), by 40 it does not."""
    model = FlockingModel(seed=0, n_agents=20, width=20, height=20, vision=3)
    model.place(directions=headings(*[base] * 19, base + turned))
    obs = model.observe()
    assert obs["all_aligned"] == aligned == model.all_aligned()
    assert obs["polarization"] >= 0.9  # the per-unit score barely notices one bird


def test_all_aligned_at_its_edges():
    assert math.degrees(ALIGNED_WITHIN) == pytest.approx(30)
    assert "30 degrees" in FlockingModel.observables["all_aligned"]
    single = FlockingModel(seed=0, n_agents=1, width=5, height=5, vision=1)
    single.place(directions=headings(123.0))
    assert single.observe()["all_aligned"] == 1.0
    pair = FlockingModel(seed=0, n_agents=2, width=5, height=5, vision=1)
    pair.place(directions=[[1, 0], [-1, 0]])  # no mean heading at all
    assert pair.observe()["all_aligned"] == 0.0 and pair.observe()["polarization"] == 0.0
    pair.place(directions=headings(0, 59.0))  # each 29.5 degrees from the mean
    assert pair.observe()["all_aligned"] == 1.0
    pair.place(directions=headings(0, 61.0))
    assert pair.observe()["all_aligned"] == 0.0


def test_all_aligned_in_runs():
    """Without noise a dense Vicsek flock ends all aligned; with full noise never. When every
    bird is aligned, v_a, the mean of their cosines, is at least cos(30 degrees)."""
    box = dict(n_agents=100, width=5, height=5, **VICSEK)
    ordered = run("flocking", seed=0, noise=0, steps=50, burn_in=400, **box)
    assert (ordered.timeseries["all_aligned"] == 1).all()
    noisy = run("flocking", seed=7, noise=2 * math.pi, steps=200, **box)
    assert (noisy.timeseries["all_aligned"] == 0).all()
    ramp = run("flocking", seed=1, noise=0.5, steps=300, burn_in=0, **box).timeseries
    aligned = ramp["all_aligned"] == 1
    assert 0 < aligned.mean() < 1
    assert (ramp.loc[aligned, "polarization"] >= math.cos(ALIGNED_WITHIN)).all()


@settings(max_examples=25, deadline=None)
@given(
    rule=st.sampled_from(["boids", "vicsek"]),
    n=st.integers(1, 80),
    speed=st.floats(0, 30),
    noise=st.sampled_from([0.0, 1.0, 2 * math.pi]),
    seed=st.integers(0, 2**32),
)
def test_birds_move_speed_along_their_new_unit_direction(rule, n, speed, noise, seed):
    model = FlockingModel(
        seed=seed, rule=rule, n_agents=n, width=40, height=25, vision=4, speed=speed, noise=noise
    )
    for _ in range(10):
        before = model.positions.copy()
        model.step()
        assert np.all((model.positions >= 0) & (model.positions < [40, 25]))
        assert np.linalg.norm(model.directions, axis=1) == pytest.approx(1, abs=1e-14)
        moved = (model.positions - before - speed * model.directions + [20, 12.5]) % [40, 25]
        assert moved - [20, 12.5] == pytest.approx(0, abs=1e-11)


def test_periodic_helpers_at_their_edges():
    assert wrap(-1e-17, 100.0) == 0.0  # -1e-17 + 100 rounds to 100, which is 0 on the torus
    assert -1e-17 % 100.0 == 100.0  # why wrap does not start with %
    assert wrap(100.0, 100.0) == 0.0
    assert wrap(-30.0, 100.0) == 70.0
    assert wrap(250.5, 100.0) == 50.5
    assert wrap(-250.0, 100.0) == 50.0
    assert nearest_image(60.0, 100.0) == -40.0
    assert nearest_image(-60.0, 100.0) == 40.0
    assert nearest_image(50.0, 100.0) == 50.0


@pytest.mark.parametrize(
    ("box", "vision", "n_agents", "cells"),
    [
        ((100, 100), 5, 200, (19, 19)),  # 100 / 5 is whole: the margin takes one cell away
        ((100, 50), 4.9, 200, (20, 10)),
        ((10, 10), 5, 10, (1, 1)),
        ((1000, 1000), 0.01, 25, (10, 10)),  # capped at CELLS_PER_AGENT = 4 per agent
    ],
)
def test_cells_are_wider_than_the_vision(box, vision, n_agents, cells):
    nx_, ny_ = grid_shape(*box, vision, n_agents)
    assert (nx_, ny_) == cells
    assert box[0] / nx_ > vision and box[1] / ny_ > vision


@pytest.mark.parametrize("n_agents", [1, 2, 100, 1023, 1024, 10**7])
def test_fixed_point_sums_stay_clear_of_overflow(n_agents):
    """n terms of at most 1 (directions) or the reach (offsets) stay below 2^62 < 2^63."""
    heading_scale, offset_scale = fixed_scales(n_agents, reach=7.0)
    assert n_agents * heading_scale <= 2**62
    assert n_agents * 7.0 * offset_scale <= 2**62
    assert heading_scale >= 2**62 / (2 * n_agents)  # and resolve 2 N 2^-62 or better


def test_offsets_of_all_candidates_fit_the_fixed_point():
    """The kernels convert a candidate's offset before knowing it is a neighbour, so every
    offset in a 3-by-3 block of cells, or across a whole small grid, must fit the reach."""
    for box, vision, n in [((100, 100), 5, 200), ((10, 30), 5, 50), ((1000, 1000), 0.01, 25)]:
        model = FlockingModel(seed=0, n_agents=n, width=box[0], height=box[1], vision=vision)
        k = model.constants[0]
        sides = np.array([k["width"] / k["nx"], k["height"] / k["ny"]])
        largest = np.minimum(2 * sides, np.array(box) / 2).max()  # |offset| to any candidate
        assert largest * k["offset_scale"] <= k["heading_scale"] * (1 + 1e-12)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(vision=60), r"'vision' must be at most half the box, min\(width, height\) / 2 = 50"),
        (dict(width=100, height=30, vision=16), r"half the box.* = 15, got 16"),
        (dict(population_size=10), r"unknown parameter 'population_size'.*allowed: rule, n_"),
    ],
)
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(ParameterError, match=message):
        FlockingModel(**params)


def test_birds_keep_their_identity_while_the_rows_are_sorted_by_place():
    """The kernel writes row r for the r-th bird of its counting sort by cell (stable), and
    each bird's state must follow its tag there."""
    model = FlockingModel(seed=5, n_agents=300, width=50, height=50, vision=5, speed=2)
    before = model.positions
    model.step()
    k = model.constants[0]
    x, y = before[model.tags].T  # where the bird now in each row was
    columns = np.minimum((x * (k["nx"] / 50)).astype(int), k["nx"] - 1)
    cells = np.minimum((y * (k["ny"] / 50)).astype(int), k["ny"] - 1) * k["nx"] + columns
    assert np.all((np.diff(cells) > 0) | ((np.diff(cells) == 0) & (np.diff(model.tags) > 0)))
    moved = (model.positions - before - 2 * model.directions + 25) % 50 - 25
    assert moved == pytest.approx(0, abs=1e-12)  # bird i moved from where bird i was


def test_placing_birds_wraps_them_into_the_box_and_refuses_nonsense():
    model = FlockingModel(seed=0, n_agents=2, width=10, height=10, vision=2)
    model.place([[-1e-17, 12.5], [3, -4]], [[3, 4], [0, -2]])
    assert model.positions.tolist() == [[0.0, 2.5], [3.0, 6.0]]
    assert model.directions.tolist() == [[0.6, 0.8], [0.0, -1.0]]
    with pytest.raises(ParameterError, match="positions must be 2 finite"):
        model.place([[0, np.nan], [1, 1]])
    with pytest.raises(ParameterError, match=r"got shape \(3, 2\)"):
        model.place(np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="non-zero"):
        model.place(directions=[[0, 0], [1, 0]])


def test_birds_are_mesa_agents_viewing_the_arrays():
    model = FlockingModel(seed=3, n_agents=50)
    assert len(model.agents) == 50
    model.step()
    bird = model.birds[7]
    assert bird.position == tuple(model.positions[7])
    assert bird.direction == tuple(model.directions[7])
    assert bird.heading == pytest.approx(math.atan2(model.directions[7, 1], model.directions[7, 0]))
    eastward = model.agents.select(lambda b: b.direction[0] > 0)
    assert len(eastward) == int((model.directions[:, 0] > 0).sum())


def test_pictures_are_drawn(tmp_path):
    result = run("flocking", seed=1, n_agents=60, steps=12, burn_in=3, frames=True)
    assert len(result.frames) == 16  # steps 0..15
    for path in (
        save_figure(result, tmp_path / "flock.png"),
        save_animation(result, tmp_path / "flock.gif", max_frames=4),
    ):
        assert path.stat().st_size > 10_000
