"""Start-up: the CPU time of `emergesim --help`, `list` and `info` beside `python -c pass`.

Each command runs as a fresh process of the installed console script; its CPU time (user +
system, from the kernel's accounting of the finished child) is compared with a bare interpreter's
start in the same loop, median over repeats. Then the cost of a model lookup after the first.

Run: python benchmarks/startup.py [--quick]
"""

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL = 0.3  # seconds of CPU beyond the interpreter's own start
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import mesa (for scale)": [sys.executable, "-c", "import mesa"],
    "emergesim --help": [str(Path(sys.executable).parent / "emergesim"), "--help"],
    "emergesim list": [str(Path(sys.executable).parent / "emergesim"), "list"],
    "emergesim info traffic": [str(Path(sys.executable).parent / "emergesim"), "info", "traffic"],
}


def cpu_seconds(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"}
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    repeats = 5 if "--quick" in sys.argv else 15
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeats):  # interleaved, so a change of load hits every command alike
        for name, argv in COMMANDS.items():
            samples[name].append(cpu_seconds(argv))
    base = statistics.median(samples["python -c pass"])
    print(
        f"CPU seconds, median of {repeats}; load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores"
    )
    for name, values in samples.items():
        median = statistics.median(values)
        extra = median - base
        verdict = (
            ""
            if name.startswith(("python", "import"))
            else (f"  goal <= {GOAL} s beyond: {'met' if extra <= GOAL else 'NOT met'}")
        )
        print(f"  {name:26s} {median:6.3f} s  ({extra:+.3f} s beyond python -c pass){verdict}")

    import emergesim

    emergesim.get_model("traffic")  # the first lookup scans the installed packages
    calls = 2000
    start = time.perf_counter()
    for _ in range(calls):
        emergesim.get_model("traffic")
    print(f"  get_model after the first call: {(time.perf_counter() - start) / calls * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
