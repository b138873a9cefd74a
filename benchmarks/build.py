"""Building a model: seconds and memory against the size of its arrays, and the first agents.

Run: python benchmarks/build.py [--quick]

A model holds its arrays only; its Mesa agents (a RowAgent per row) are made when first asked
for (``EmergenceModel.add_row_agents``). Each measurement runs in a fresh process
(``build.py --one MODEL N``) so that peak memory is its own: the child imports the model,
builds a small one (one-time costs: the card, the memory check), resets its peak RSS
(/proc/self/clear_refs), then builds the measured model: wall and CPU seconds, peak RSS above
the RSS before, and the ``nbytes`` of the model's numpy arrays. At ``AGENTS_AT`` it then asks for
``model.agents`` and measures that the same way: what each agent costs when someone asks, and
what every build cost before. Flocking at Vicsek's density 4 (``at_density_4``), traffic at the
default density 0.2 (length 5 N); medians over repeats, interleaved so that load on a shared
machine falls on every size alike. Goal (issue 19): 10^6 birds in under 2 s and within 2x of
their arrays.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MB = 2**20
SIZES = {"flocking": [10**6, 10**7], "traffic": [10**6, 10**7, 10**8]}
AGENTS_AT = 10**6  # where the first ``model.agents`` is measured too
GOAL_SECONDS, GOAL_RATIO = 2.0, 2.0  # 10^6 birds (issue 19)
BYTES_PER_ROW = {"flocking": 200, "traffic": 120}  # peak, with margin: sizes that cannot fit skip
FIRST_BEFORE = (  # issue 19, before agents were made on demand (10^6 birds, Mesa 3.3)
    "before: 10^6 birds built in 6 s (5.0 s CPU for the agents), +463 MB for the agents"
)


def power(n: int) -> str:
    return f"10^{len(str(n)) - 1}"


def params(model: str, n: int) -> dict:
    if model == "flocking":
        from emergesim.models.flocking.card import at_density_4

        return {**at_density_4(n)[0], "vision": 1.0}  # Vicsek's r = 1
    return {"length": 5 * n, "density": 0.2}


def status(field: str) -> int:
    """A field of /proc/self/status in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak() -> bool:
    """Set the peak RSS (VmHWM) to the current RSS; False where Linux does not let us."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measured(action):
    """(result, wall s, CPU s, peak bytes above the RSS before)."""
    before = status("VmRSS")
    reset_peak()
    w, c = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    return result, wall, cpu, status("VmHWM") - before


def one(model: str, n: int) -> dict:
    """The child: build one model (and ask for its agents at AGENTS_AT); a JSON line."""
    from emergesim.errors import ParameterError
    from emergesim.registry import get_model

    cls = get_model(model)
    cls(seed=0, collect=False, **params(model, 1000))  # one-time costs, out of the measure
    try:
        built, wall, cpu, peak = measured(lambda: cls(seed=1, collect=False, **params(model, n)))
    except ParameterError as refused:  # emergesim's memory check: it would not fit
        return {"refused": str(refused)}
    arrays = sum(v.nbytes for v in vars(built).values() if isinstance(v, np.ndarray))
    row = {"wall": wall, "cpu": cpu, "peak": peak, "arrays": arrays, "rows": built.count_agents()}
    row["peak_reset"] = reset_peak()
    if n == AGENTS_AT:
        agents, wall, cpu, peak = measured(lambda: built.agents)
        row |= {"agents_wall": wall, "agents_cpu": cpu, "agents_peak": peak}
        row["agents"] = len(agents)
    return row


def child(model: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", model, str(n)], check=True, capture_output=True
    ).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


def fits(model: str, n: int) -> bool:
    from emergesim.memory import available_memory

    room = available_memory()
    return room is None or BYTES_PER_ROW[model] * n < 0.6 * room[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, no 10^8")
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))))
        return
    repeats = 1 if args.quick else 3
    runs = [(m, n) for m, sizes in SIZES.items() for n in sizes if n < 10**8 or not args.quick]
    samples: dict[tuple[str, int], list[dict]] = {run: [] for run in runs}
    skipped = {run: "would not fit" for run in runs if not fits(*run)}
    for r in range(repeats):
        for run in runs:
            if run in skipped or (run[1] >= 10**8 and r > 0):  # 10^8: once
                continue
            sample = child(*run)
            if "refused" in sample:
                skipped[run] = sample["refused"]
            else:
                samples[run].append(sample)
    print(
        f"build seconds and peak memory above the import, median of {repeats} fresh processes; "
        f"load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, Mesa {__import__('mesa').__version__}"
    )
    print(
        f"{'model':>9} {'rows':>6} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'arrays MB':>10} "
        f"{'peak / arrays':>14} {'agents made':>12}"
    )
    medians = {
        point: {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        for point, rows in samples.items()
        if rows
    }
    for model, n in samples:
        if (model, n) in skipped:
            print(f"{model:>9} {power(n):>6}  skipped: {skipped[model, n]}")
            continue
        med = medians[model, n]
        print(
            f"{model:>9} {power(n):>6} {med['wall']:7.2f} {med['cpu']:6.2f} "
            f"{med['peak'] / MB:8.0f} {med['arrays'] / MB:10.0f} "
            f"{med['peak'] / med['arrays']:13.2f}x {'none':>12}"
        )
        if model == "flocking" and n == AGENTS_AT:
            ok = med["wall"] < GOAL_SECONDS and med["peak"] <= GOAL_RATIO * med["arrays"]
            goal = f"under {GOAL_SECONDS:g} s and within {GOAL_RATIO:g}x of the arrays"
            print(f"{'':>9} goal at 10^6 birds, {goal}: {'met' if ok else 'NOT met'}")
    print(f"\nthe first model.agents at {power(AGENTS_AT)} rows (made at once, as Mesa makes them)")
    print(
        f"{'model':>9} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'bytes/agent':>12} "
        f"{'us/agent':>9}"
    )
    for (model, n), med in medians.items():
        if n != AGENTS_AT:
            continue
        print(
            f"{model:>9} {med['agents_wall']:7.2f} {med['agents_cpu']:6.2f} "
            f"{med['agents_peak'] / MB:8.0f} {med['agents_peak'] / n:12.0f} "
            f"{med['agents_cpu'] / n * 1e6:9.2f}"
        )
    print(FIRST_BEFORE)
    if not all(row.get("peak_reset", True) for rows in samples.values() for row in rows):
        print("note: /proc/self/clear_refs not writable: peaks include the import's own")


if __name__ == "__main__":
    main()
