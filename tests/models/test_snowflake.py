"""Reiter's snowflake: exact consequences of the rules, kernel == twin, the shape measures, the
morphologies of Reiter's (beta, gamma) pairs, refused input."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergesim import run
from emergesim.models.snowflake import SnowflakeModel, kernels
from emergesim.models.snowflake.lattice import (
    hex_distance,
    hexagon_cells,
    nearest_cell,
    position,
    row_half_width,
    to_axial,
    to_offset,
    turn,
)
from emergesim.models.snowflake.measures import mass_radius_dimension
from emergesim.models.snowflake.render import frame_of
from emergesim.plotting import new_figure

AXIAL_STEPS = np.array([[1, 0], [1, -1], [0, -1], [-1, 0], [-1, 1], [0, 1]])


def grow(**params):
    model = SnowflakeModel(**params)
    while model.running:
        model.step()
    return model


def rings(model):
    """Hex distance of every cell of the model's arrays from the seed."""
    return hex_distance(*np.indices(model.water.data.shape), model.centre)


def ice_set(model):
    return {tuple(c) for c in np.argwhere(model.water.data >= 1.0)}


# --- the lattice ---------------------------------------------------------------------------------


@pytest.mark.parametrize("centre", [10, 11])
def test_row_spans_are_the_hexagons_of_hex_distance(centre):
    distance = hex_distance(*np.indices((2 * centre + 1,) * 2), centre)
    for rho in range(centre + 1):
        assert (distance <= rho).sum() == hexagon_cells(rho)
        for i in range(centre - rho, centre + rho + 1):
            half = row_half_width(i - centre, rho, centre)
            assert np.flatnonzero(distance[i] <= rho).tolist() == list(
                range(centre - half, centre + half + 1)
            )


@pytest.mark.parametrize("centre", [6, 7])
def test_coordinates_follow_mesa_hexgrid(centre):
    """Mesa's HexGrid neighbours are the six axial steps, one unit apart in the plane, and points
    within a cell's hexagon map back to the cell."""
    from mesa.discrete_space import HexGrid

    grid = HexGrid((2 * centre + 1,) * 2, random=np.random.default_rng(0))
    for cell in grid.all_cells:
        i, j = cell.coordinate
        q, r = to_axial(i, j, centre)
        assert to_offset(q, r, centre) == (i, j)
        x, y = position(i, j, centre)
        steps = set()
        for neighbour in cell.neighborhood:
            nq, nr = to_axial(*neighbour.coordinate, centre)
            steps.add((nq - q, nr - r))
            nx, ny = position(*neighbour.coordinate, centre)
            assert np.hypot(nx - x, ny - y) == pytest.approx(1.0)
        if len(cell.neighborhood) == 6:
            assert steps == {tuple(s) for s in AXIAL_STEPS}
        near = nearest_cell(np.array([x + 0.45, x - 0.2]), np.array([y, y + 0.45]), centre)
        assert near[0].tolist() == [i, i] and near[1].tolist() == [j, j]


# --- exact consequences of the rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha", "beta", "gamma"), [(1.0, 0.4, 0.001), (2.0, 0.95, 0.0), (0.3, 0.2, 0.01)]
)
def test_first_step_by_hand(alpha, beta, gamma):
    """From the seed (s = 1, receptive with its six neighbours) one step gives: the seed
    1 + gamma; a neighbour (three receptive neighbours of its own) beta + gamma + alpha beta / 4;
    the second ring loses alpha beta / 12 per receptive neighbour (1 at its corners, 2 between);
    everything farther stays exactly beta."""
    model = SnowflakeModel(alpha=alpha, beta=beta, gamma=gamma, radius=20)
    model.step()
    s, d = model.water.data, rings(model)
    c = model.centre
    assert s[c, c] == pytest.approx(1 + gamma, rel=1e-15)
    np.testing.assert_allclose(s[d == 1], beta + gamma + alpha * beta / 4, rtol=1e-15)
    second = np.sort(s[d == 2])
    np.testing.assert_allclose(second[:6], beta - alpha * beta / 6, rtol=1e-15)
    np.testing.assert_allclose(second[6:], beta - alpha * beta / 12, rtol=1e-15)
    assert np.all(s[(d >= 3) & (d <= 20)] == beta)


def test_without_vapour_nothing_grows_and_the_run_stops():
    """beta = gamma = 0: no water to diffuse and none added, so the first step is a fixed point
    (and the model stops after it)."""
    model = SnowflakeModel(beta=0.0, gamma=0.0, radius=20)
    start = model.water.data.copy()
    model.step()
    assert np.array_equal(model.water.data, start)
    assert not model.running
    assert model.ice_cells == 1 and len(model.agents) == 1
    assert run("snowflake", beta=0.0, gamma=0.0, radius=20).model.steps == 1


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 0.0), (0.5, 0.3), (2.0, 0.9)])
def test_gamma_one_grows_a_full_hexagon_one_ring_per_step(alpha, beta):
    """gamma >= 1: every receptive cell gains at least 1 a step, so it freezes; the crystal after
    t steps is exactly the hexagon of radius t, whatever alpha and beta."""
    model = SnowflakeModel(alpha=alpha, beta=beta, gamma=1.0, radius=40, stop_at=0.9)
    while model.running:
        model.step()
        t = model.steps
        assert model.crystal_radius == t
        assert model.ice_cells == hexagon_cells(t)
        assert ice_set(model) == {tuple(c) for c in np.argwhere(rings(model) <= t)}
    obs = model.observe()
    assert obs["fill_fraction"] == 1.0 and obs["cover_fraction"] == 1.0
    assert obs["fractal_dimension"] == pytest.approx(2.0, abs=0.003)
    assert model.morphology == "plate"


@pytest.mark.parametrize(("beta", "gamma"), [(0.5, 0.0), (0.4, 0.002)])
def test_diffusion_conserves_water(beta, gamma):
    """Diffusion moves water between cells and adds none: while the disturbance has not reached
    the edge ring (held at beta), the total changes by exactly gamma per receptive cell."""
    model = SnowflakeModel(beta=beta, gamma=gamma, radius=60)
    checked = 0
    while model.reach < model.radius - 1:
        total, receptive = model.water.data.sum(), np.count_nonzero(model.receptive.data)
        model.step()
        assert model.water.data.sum() - total == pytest.approx(gamma * receptive, abs=1e-9)
        checked += 1
    assert checked >= 20


@settings(max_examples=15, deadline=None)
@given(alpha=st.floats(0, 2), beta=st.floats(0, 0.99), gamma=st.floats(0, 0.05))
def test_rules_keep_their_invariants(alpha, beta, gamma):
    """Ice never melts (a receptive cell's water never falls); s stays >= 0 (alpha <= 2 makes
    the diffusion a weighted mean); the crystal stays connected, since only cells touching ice
    can freeze; the agents are the ice."""
    model = SnowflakeModel(alpha=alpha, beta=beta, gamma=gamma, radius=20)
    for _ in range(40):
        held = model.water.data.copy()
        receptive = model.receptive.data.copy()
        model.step()
        water = model.water.data
        assert np.all(water >= 0)
        assert np.all(water[receptive] >= held[receptive])
    ice = ice_set(model)
    assert {agent.pos for agent in model.agents} == ice
    assert all(agent.frozen_at <= model.steps and agent.water >= 1 for agent in model.agents)
    assert _connected(ice, model.centre)


def _connected(cells, centre):
    seen, todo = {(centre, centre)}, [(centre, centre)]
    while todo:
        q, r = to_axial(*todo.pop(), centre)
        for dq, dr in AXIAL_STEPS:
            cell = to_offset(q + dq, r + dr, centre)
            if cell in cells and cell not in seen:
                seen.add(cell)
                todo.append(cell)
    return seen == cells


def test_crystal_keeps_the_twelve_symmetries_bit_for_bit():
    """The rules, the seed and the hexagonal domain have the lattice's twelve symmetries, and
    the kernel adds each cell's neighbours in an order-free way: the field is invariant under
    turns by 60 degrees and mirrors exactly, not just to rounding."""
    model = SnowflakeModel(beta=0.4, gamma=0.001, radius=60)
    for _ in range(700):
        model.step()
    assert model.crystal_radius > 20
    s, c = model.water.data, model.centre
    i, j = np.nonzero(rings(model) <= model.radius)
    q, r = to_axial(i, j, c)
    for sixths in range(1, 6):
        assert np.array_equal(s[to_offset(*turn(q, r, sixths), c)], s[i, j])
    assert np.array_equal(s[to_offset(r, q, c)], s[i, j])  # mirror: swap two cube coordinates
    assert model.observe()["symmetry"] == 1.0


def test_symmetry_score_counts_turned_ice_exactly():
    """Nudge one neighbour of the seed so that it freezes first: the crystal loses its six-fold
    symmetry, and the score (kept up to date step by step) equals a count from scratch."""
    model = SnowflakeModel(beta=0.4, gamma=0.001, radius=40)
    c = model.centre
    model.water.data[c - 1, c] = 0.9995  # a receptive neighbour: it freezes in the next step
    for _ in range(300):
        model.step()
    ice = ice_set(model)
    turned = sum(to_offset(*turn(*to_axial(i, j, c)), c) in ice for i, j in ice)
    score = model.observe()["symmetry"]
    assert score == turned / len(ice)
    assert score < 0.95


# --- kernel == twin, active region, threads ------------------------------------------------------


def test_sweeping_only_the_disturbed_hexagon_is_exact():
    """The same model forced to sweep the whole domain from the start ends bit-for-bit equal."""
    lean = SnowflakeModel(beta=0.5, gamma=0.0005, radius=60)
    full = SnowflakeModel(beta=0.5, gamma=0.0005, radius=60)
    full.reach = full.radius - 2
    swept = 0
    for _ in range(400):
        lean.step()
        full.step()
        swept += lean.active_radius < full.active_radius
    assert 20 < swept < 400  # the lean sweep did skip the far field for a while
    assert np.array_equal(lean.water.data, full.water.data)
    assert np.array_equal(lean.frozen_at, full.frozen_at)


def test_serial_and_parallel_sweeps_agree_on_any_number_of_threads():
    model = SnowflakeModel(beta=0.4, gamma=0.001, radius=70)
    for _ in range(300):
        model.step()
    threads = numba.get_num_threads()
    results = []
    for sweep, n in [(kernels.sweep, 1), (kernels.sweep_parallel, 1), (kernels.sweep_parallel, 2)]:
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        after, free_after = np.zeros_like(model.water.data), np.zeros_like(model._free)
        frozen = np.zeros_like(model._frozen_in_row)
        sweep(
            model.water.data,
            model._free,
            after,
            free_after,
            model.receptive.data,
            1 / 12,
            0.001,
            model.centre,
            69,
            frozen,
        )
        results.append((after, free_after, frozen))
    numba.set_num_threads(threads)
    for other in results[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(results[0], other, strict=True))


# --- shape measures and morphologies -------------------------------------------------------------


def test_fractal_dimension_of_plate_needles_and_dla():
    """Mass-radius dimension: 2 for a filled hexagon, 1 for six one-cell needles, and near the
    1.71 of diffusion-limited aggregates (Witten & Sander 1981; effective ~1.67 below a
    million particles). Clusters of 2000 particles measure ~1.65 on average, one cluster
    scattering by ~0.05, so the mean of twelve is held to 1.67 +- 0.08."""
    plate = np.array([1] + [6 * d for d in range(1, 121)])
    needles = np.array([1] + [6] * 120)
    assert mass_radius_dimension(plate, 120) == pytest.approx(2.0, abs=1e-3)
    assert mass_radius_dimension(needles, 120) == pytest.approx(1.0, abs=0.03)
    dimensions = [
        mass_radius_dimension(*diffusion_limited_aggregate(2000, rng))
        for rng in np.random.default_rng(11).spawn(12)
    ]
    assert np.mean(dimensions) == pytest.approx(1.67, abs=0.08)
    assert np.isnan(mass_radius_dimension(plate, 15))  # too small to measure


@numba.njit(cache=True)
def diffusion_limited_aggregate(particles, rng):
    """An on-lattice DLA cluster on the hexagonal lattice (axial coordinates): walkers start on
    the hexagon 5 cells beyond the cluster, are restarted when they stray twice as far, and
    stick on touching it. Returns the cells at each hex distance and the cluster's radius."""
    limit = 400
    stuck = np.zeros((2 * limit + 1, 2 * limit + 1), dtype=np.bool_)
    stuck[limit, limit] = True
    mass = np.zeros(limit + 1, dtype=np.int64)
    mass[0] = 1
    radius = 0
    for _ in range(particles - 1):
        launch = radius + 5
        q = r = 0
        walking = False
        while True:
            if not walking:  # a random cell of the launch hexagon: corner k, then t steps on
                k, t = int(6 * rng.random()), int(launch * rng.random())
                q = launch * AXIAL_STEPS[k, 0] + t * AXIAL_STEPS[(k + 2) % 6, 0]
                r = launch * AXIAL_STEPS[k, 1] + t * AXIAL_STEPS[(k + 2) % 6, 1]
                walking = True
            k = int(6 * rng.random())  # (numba's rng.integers is 10x slower)
            q += AXIAL_STEPS[k, 0]
            r += AXIAL_STEPS[k, 1]
            d = max(abs(q), abs(r), abs(q + r))
            if d > 2 * launch + 10:
                walking = False
                continue
            touching = False
            for n in range(6):
                touching |= stuck[limit + q + AXIAL_STEPS[n, 0], limit + r + AXIAL_STEPS[n, 1]]
            if touching:
                stuck[limit + q, limit + r] = True
                mass[d] += 1
                radius = max(radius, d)
                break
    return mass, radius


@pytest.mark.parametrize(
    ("beta", "gamma", "morphology"),
    [
        (0.35, 0.0, "dendrite"),  # fern-like stellar dendrite
        (0.4, 0.001, "dendrite"),  # stellar dendrites with broad arms
        (0.4, 0.002, "dendrite"),
        (0.8, 0.002, "sectored"),  # broad six-armed star
        (0.95, 0.0, "plate"),  # hexagonal plate with ridged texture
        (0.1, 0.01, "plate"),  # large gamma: plate
    ],
)
def test_reiters_pairs_give_his_morphologies(beta, gamma, morphology):
    """Reiter (2005) at a modest radius; every crystal stays six-fold."""
    model = grow(beta=beta, gamma=gamma, radius=60)
    assert model.crystal_radius == model.stop_radius == 54
    assert model.morphology == morphology
    assert model.observe()["symmetry"] == 1.0


def test_full_plate_is_one_only_when_the_whole_wider_hexagon_is_receptive():
    """The all-or-nothing counterpart of cover_fraction, over the same cells. gamma = 1 grows a
    full hexagon a ring a step: a full plate at every step. Reiter's fern-like dendrite
    (beta 0.35, gamma 0) is one only while the crystal is the lone seed. Reiter's large-gamma
    plate (0.1, 0.01) is labelled a plate (cover >= 0.75) but is no full plate."""
    plate = run("snowflake", beta=0.1, gamma=1.0, radius=30, burn_in=0).timeseries
    assert (plate["full_plate"] == 1).all() and (plate["cover_fraction"] == 1).all()
    for beta, gamma in [(0.35, 0.0), (0.1, 0.01)]:
        growth = run("snowflake", beta=beta, gamma=gamma, radius=40, burn_in=0).timeseries
        full = growth["cover_fraction"] == 1
        assert growth["full_plate"].tolist() == full.astype(float).tolist()
        assert full.iloc[0] and not full.iloc[-1]  # both answers occur
    dendrite = grow(beta=0.35, gamma=0.0, radius=40).observe()
    assert dendrite["full_plate"] == 0 and dendrite["morphology"] == 2
    broad = grow(beta=0.1, gamma=0.01, radius=40).observe()
    assert broad["full_plate"] == 0 and broad["morphology"] == 0
    assert 0.75 <= broad["cover_fraction"] < 1
    assert grow(beta=0.1, gamma=1.0, radius=30).observe()["full_plate"] == 1


# --- the run, agents, pictures -------------------------------------------------------------------


def test_a_run_grows_one_crystal_and_reports_it():
    """By default the growth is burn-in: the run stops itself at stop_at * radius and reports
    the final crystal; with burn_in=0 it records every step of the growth instead."""
    result = run("snowflake", seed=3, radius=40, stop_at=0.5)
    model = result.model
    assert not model.running and model.crystal_radius == 20
    assert result.observables == model.observe()
    assert model.observe()["morphology"] == 2  # a small dendrite
    assert len(result.timeseries) == 1 and result.steps == 0
    assert run("snowflake", seed=3, radius=40, stop_at=0.5).to_dict() == result.to_dict()
    growth = run("snowflake", seed=3, burn_in=0, radius=40, stop_at=0.5)
    assert growth.steps == len(growth.timeseries) == model.steps
    assert growth.timeseries["crystal_radius"].is_monotonic_increasing
    assert growth.timeseries.iloc[-1].drop("step").to_dict() == pytest.approx(model.observe())
    capped = run("snowflake", radius=40, max_steps=10)
    assert capped.model.steps == 10 and capped.model.crystal_radius < 20


def test_ice_cells_are_agents_viewing_the_arrays():
    model = SnowflakeModel(beta=0.4, gamma=0.002, radius=30)
    for _ in range(150):
        model.step()
    assert len(model.agents) == model.ice_cells == len(ice_set(model))
    tip = max(model.agents, key=lambda agent: agent.distance)
    assert tip.distance == model.crystal_radius
    assert tip.water == model.water.data[tip.pos]
    assert model.frozen_at[tip.pos] == tip.frozen_at > 0
    assert len(model.agents.select(lambda agent: agent.frozen_at == 0)) == 1  # the seed


def test_frames_are_small_and_render_on_both_canvases(tmp_path):
    model = SnowflakeModel(beta=0.4, gamma=0.002, radius=30)
    frames, steps = [frame_of(model)], [0]
    for _ in range(200):
        model.step()
        if model.steps % 50 == 0:
            frames.append(model.frame())
            steps.append(model.steps)
    last = frames[-1]
    assert last.ice_code.dtype == np.uint8
    assert last.ice_code.shape == (2 * model.crystal_radius + 1,) * 2
    mass = last.mass_by_distance()
    assert np.array_equal(mass, model._mass_by_distance[: len(mass)])
    crop = slice(last.corner, last.corner + last.ice_code.shape[0])
    water = model.water.data[crop, crop]
    ice = water >= 1
    assert np.array_equal(~np.isnan(last.ice_water()), ice)
    np.testing.assert_allclose(last.ice_water()[ice], water[ice], atol=(last.high - last.low) / 500)
    for size in [(12, 5.5, 150), (9, 4.2, 72)]:
        fig = new_figure(*size)
        model.render(fig, frames, steps)
        fig.savefig(tmp_path / "flake.png")
        assert len(fig.axes) >= 3
