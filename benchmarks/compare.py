"""The comparison report: `emergesim compare --quick` cold, then rerun over its cached runs.

A cold run computes every sweep into a new folder (numba's kernel cache already warm, as after
the first use); the rerun finds every run stored, and its training curves, fits and figures in
the folder's cache (emergesim.compare.cache), and only writes the report. Each is timed as a
fresh `emergesim --quiet compare --quick --out <folder>` process: ``--repeats`` cold runs (each
into a new folder, default 2), each followed by ``--reruns`` reruns in its folder (default 3);
the medians are printed, and the ratio of the median rerun to the median cold run. Goals: the
cold quick report under 3 minutes on 2 cores (issue 13); the rerun at 10 % of the cold run or
less (issue 19).

Run: python benchmarks/compare.py [--full] [--repeats N] [--reruns N]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLD_GOAL = 180.0  # seconds, --quick on 2 cores
RERUN_GOAL = 0.10  # rerun / cold


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full report, not --quick")
    parser.add_argument("--repeats", type=int, default=2, help="cold runs, each a new folder")
    parser.add_argument("--reruns", type=int, default=3, help="reruns after each cold run")
    args = parser.parse_args()
    command = str(Path(sys.executable).parent / "emergesim")
    quick = [] if args.full else ["--quick"]
    colds, reruns = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            argv = [command, "--quiet", "compare", *quick, "--out", str(Path(folder) / "report")]
            colds.append(timed(argv))
            reruns += [timed(argv) for _ in range(args.reruns)]
    cold, again = statistics.median(colds), statistics.median(reruns)
    label = "full" if not quick else "quick"
    print(f"emergesim compare ({label}), {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    goal = (
        f"  goal < {COLD_GOAL:.0f} s: {'met' if cold < COLD_GOAL else 'NOT met'}" if quick else ""
    )
    runs = ", ".join(f"{t:.1f}" for t in colds)
    print(f"  cold:  {cold:6.1f} s (median of {len(colds)}: {runs}){goal}")
    ratio = again / cold
    verdict = "met" if ratio <= RERUN_GOAL else "NOT met"
    runs = ", ".join(f"{t:.2f}" for t in reruns)
    print(f"  rerun: {again:6.2f} s (median of {len(reruns)}: {runs})")
    print(f"  compare --{label} rerun against cold: {ratio:.3f}  goal <= {RERUN_GOAL}: {verdict}")


if __name__ == "__main__":
    main()
