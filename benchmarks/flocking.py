"""Flocking speed: our boids against Mesa's own example, and the cost per agent-step.

Run: python benchmarks/flocking.py [--quick]

Mesa's mesa.examples.basic.boid_flockers and our FlockingModel run the configurations of the ABM
framework comparison (JuliaDynamics/ABMFrameworksComparison): Flocking-small, 200 birds in
100 x 100 with vision 5, and Flocking-large, 400 birds in 150 x 150 with vision 15; both 100
steps, speed 1, separation 1, cohere 0.03, separate 0.015, match 0.05. Each repeat builds both
models from a fresh seed and times 100 steps (building excluded, as the comparison's Mesa script
does; it is timed apart). Repeats alternate between the two, so load on a shared machine falls on
both alike; medians of wall time and of CPU time (this process only) are printed. Agents.jl 6.2
was reported 159x (small) and 59.5x (large) faster than Mesa 3.2.

Then the cost per agent-step from 10^3 to 10^6 birds at Flocking-large's density (steps 1 to 20
from a random start; the kernel runs on one thread below kernels.PARALLEL_FROM birds whatever
the thread count), and flock labelling by our union-find against networkx on the same states.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import networkx as nx
import numba
import numpy as np
from mesa.examples.basic.boid_flockers.model import BoidFlockers
from scipy.spatial import cKDTree

from emergesim.models.flocking import FlockingModel

SHARED = dict(speed=1.0, separation=1.0, cohere=0.03, separate=0.015, match=0.05)
CONFIGS = {  # name: (birds, side of the box, vision)
    "Flocking-small": (200, 100.0, 5.0),
    "Flocking-large": (400, 150.0, 15.0),
}
AGENTS_JL = {"Flocking-small": 159, "Flocking-large": 59.5}  # times faster than Mesa 3.2
GOALS = {"Flocking-small": 300, "Flocking-large": 150}  # ours, times faster than Mesa (issue 4)
STEPS = 100


def build_mesa(n: int, side: float, vision: float, seed: int) -> BoidFlockers:
    return BoidFlockers(
        population_size=n, width=side, height=side, vision=vision, seed=seed, **SHARED
    )


def build_ours(n: int, side: float, vision: float, seed: int) -> FlockingModel:
    return FlockingModel(
        seed=seed, n_agents=n, width=side, height=side, vision=vision, collect=False, **SHARED
    )


def build_twin(n: int, side: float, vision: float, seed: int) -> FlockingModel:
    return FlockingModel(
        seed=seed,
        n_agents=n,
        width=side,
        height=side,
        vision=vision,
        backend="python",
        collect=False,
        **SHARED,
    )


def timed(build, config, seed: int, steps: int = STEPS):
    """(build wall, wall and CPU per STEPS steps) in seconds, and the model after ``steps``."""
    w0 = time.perf_counter()
    model = build(*config, seed)
    w1, c1 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    scale = STEPS / steps
    return (w1 - w0, (time.perf_counter() - w1) * scale, (time.process_time() - c1) * scale), model


def polarization(directions: np.ndarray) -> float:
    unit = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    return float(np.linalg.norm(unit.mean(axis=0)))


def compare_with_mesa(repeats: int, twin_steps: int) -> None:
    """Mesa and ours alternate, ``repeats`` times; the twin (brute force in Python, the rules'
    readable statement) runs ``twin_steps`` steps once, scaled to 100."""
    print(
        f"{'config':>15} {'peer':>6} {'build ms':>9} {'100 steps ms':>13} {'CPU ms':>8} "
        f"{'Mesa / peer':>12} {'(CPU)':>7} {'(with build)':>13} {'v_a at 100':>11}"
    )
    for name, config in CONFIGS.items():
        samples, order = {"Mesa": [], "ours": []}, {"Mesa": [], "ours": []}
        for seed in range(repeats):
            for peer, build in (("Mesa", build_mesa), ("ours", build_ours)):
                sample, model = timed(build, config, seed)
                samples[peer].append(sample)
                order[peer].append(polarization(np.array([b.direction for b in model.agents])))
        times = {
            peer: [statistics.median(c) for c in zip(*s, strict=True)]
            for peer, s in samples.items()
        }
        times["twin"] = timed(build_twin, config, 0, twin_steps)[0]
        mesa = times["Mesa"]
        for peer in ("Mesa", "twin", "ours"):
            build_s, steps_s, cpu_s = times[peer]
            with_build = (mesa[0] + mesa[1]) / (build_s + steps_s)
            va = statistics.mean(order[peer]) if peer in order else float("nan")
            print(
                f"{name:>15} {peer:>6} {build_s * 1e3:9.2f} {steps_s * 1e3:13.2f} "
                f"{cpu_s * 1e3:8.2f} {mesa[1] / steps_s:11.2f}x {mesa[2] / cpu_s:6.2f}x "
                f"{with_build:12.2f}x {va:11.2f}"
            )
        against_twin = times["twin"][2] / times["ours"][2]
        print(
            f"{'':>15} kernel against the twin (CPU): {against_twin:.0f}x; Agents.jl 6.2 was "
            f"{AGENTS_JL[name]}x faster than Mesa 3.2, goal here {GOALS[name]}x"
        )


def cost_per_agent_step(sizes: list[int], steps: int) -> None:
    """Wall ns per agent-step on one thread and on all, and CPU ns on one thread (which a
    shared machine disturbs less)."""
    threads = numba.get_num_threads()
    wall, cpu = {}, {}  # (birds, threads) -> ns per agent-step
    for n in sizes:
        side = 150.0 * np.sqrt(n / 400)
        for t in (1, threads):
            numba.set_num_threads(t)
            model = build_ours(n, side, 15.0, seed=1)
            w, c = time.perf_counter(), time.process_time()
            for _ in range(steps):
                model.step()
            wall[n, t] = (time.perf_counter() - w) / steps / n * 1e9
            cpu[n, t] = (time.process_time() - c) / steps / n * 1e9
    numba.set_num_threads(threads)
    print(f"\ncost per agent-step at fixed density (400 per 150 x 150, vision 15), steps 1-{steps}")
    print(
        f"{'birds':>9} {'wall ns, 1 thr':>15} {'/ 10^4':>7} {'CPU ns, 1 thr':>14} {'/ 10^4':>7} "
        f"{f'wall ns, {threads} thr':>15} {'/ 10^4':>7}"
    )
    for n in sizes:
        print(
            f"{n:>9} {wall[n, 1]:15.0f} {wall[n, 1] / wall[10_000, 1]:7.2f} {cpu[n, 1]:14.0f} "
            f"{cpu[n, 1] / cpu[10_000, 1]:7.2f} {wall[n, threads]:15.0f} "
            f"{wall[n, threads] / wall[10_000, threads]:7.2f}"
        )


def flock_labelling(sizes: list[int], repeats: int) -> None:
    print("\nflocks (connected components of the 'within vision' graph), same states")
    print(f"{'birds':>9} {'union-find ms':>14} {'networkx ms':>12} {'networkx / ours':>16}")
    for n in sizes:
        model = build_ours(n, 150.0 * np.sqrt(n / 400), 15.0, seed=2)
        for _ in range(50):
            model.step()
        ours, theirs = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            sizes_ours = model.flock_sizes()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            pairs = cKDTree(model.positions, boxsize=(model.width, model.height)).query_pairs(
                model.vision, output_type="ndarray"
            )
            graph = nx.Graph()
            graph.add_nodes_from(range(n))
            graph.add_edges_from(pairs)
            sizes_nx = sorted(len(c) for c in nx.connected_components(graph))
            theirs.append(time.perf_counter() - start)
        assert sorted(sizes_ours.tolist()) == sizes_nx, "union-find and networkx disagree"
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"{n:>9} {a * 1e3:14.2f} {b * 1e3:12.2f} {b / a:15.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, numba threads: {numba.get_num_threads()}")
    compare_with_mesa(repeats=3 if args.quick else 11, twin_steps=2 if args.quick else 10)
    sizes = [1_000, 10_000, 100_000] + ([] if args.quick else [1_000_000])
    cost_per_agent_step(sizes, steps=5 if args.quick else 20)
    flock_labelling([1_000, 10_000], repeats=3 if args.quick else 7)


if __name__ == "__main__":
    main()
