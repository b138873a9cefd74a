"""The comparison report: `emergesim compare --quick` cold, then rerun over its cached runs.

A cold run computes every sweep into a new folder (numba's kernel cache already warm, as after
the first use); the rerun finds every run stored and only measures and redraws. Each is timed
as a fresh `emergesim` process. Goals: the cold quick report under 3 minutes on 2 cores
(issue 13); the rerun at 10 % of the cold run or less (issue 19).

Run: python benchmarks/compare.py [--full]
"""

import os
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
    command = str(Path(sys.executable).parent / "emergesim")
    quick = [] if "--full" in sys.argv else ["--quick"]
    with tempfile.TemporaryDirectory() as folder:
        argv = [command, "--quiet", "compare", *quick, "--out", str(Path(folder) / "report")]
        cold = timed(argv)
        again = timed(argv)
    label = "full" if not quick else "quick"
    print(f"emergesim compare ({label}), {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    goal = (
        f"  goal < {COLD_GOAL:.0f} s: {'met' if cold < COLD_GOAL else 'NOT met'}" if quick else ""
    )
    print(f"  cold:  {cold:6.1f} s{goal}")
    ratio = again / cold
    verdict = "met" if ratio <= RERUN_GOAL else "NOT met"
    print(f"  rerun: {again:6.1f} s = {ratio:.2f} of cold  goal <= {RERUN_GOAL}: {verdict}")


if __name__ == "__main__":
    main()
