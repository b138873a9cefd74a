"""Regenerate benchmarks/README.md: run every benchmark and write down what each printed.

Run: python benchmarks/report.py [--quick] [--only NAME ...]

Each benchmark runs as a fresh process, ``python benchmarks/SCRIPT.py ARGS``, one after the
other. Its section of README.md holds the script's docstring (what it measures, against which
peer, and the goal), the command, when it ran, how long it took, the load average before and
after, and what it printed, verbatim: a figure in README.md is one a command printed. ``--only``
reruns the named benchmarks and keeps the other sections as they are; ``--quick`` passes
``--quick`` on (rough figures, in minutes). The header says the machine and the versions of
emergesim and of the peers it is measured against.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import re
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from timing import load

HERE = Path(__file__).parent
README = HERE / "README.md"
BENCHMARKS = {  # name: (script, arguments), in the order of README.md
    "traffic": ("traffic", []),
    "flocking": ("flocking", []),
    "snowflake": ("snowflake", []),
    "skills": ("skills", []),
    "ceilings": ("ceilings", []),
    "threads": ("threads", []),
    "build": ("build", []),
    "startup": ("startup", []),
    "sweep": ("sweep", []),
    "store-1e6": ("sweep", ["--store-only", "--store-runs", "1000000"]),
    "compare": ("compare", []),
}
PEERS = "emergesim mesa numpy numba scipy pandas pyarrow dask distributed polars duckdb SALib"
SECTION = re.compile(r"<!-- benchmark: (\S+) -->\n.*?<!-- end: \1 -->\n", re.S)
INTRO = """\
# Benchmarks

Each script runs emergesim beside a peer (Mesa, numpy, a Python twin of the same rules, the
machine's own limits) on the same problem, in one process or side by side, and prints medians of
repeats and their ratios. CI never runs them and no test asserts a time. This file is written by
`python benchmarks/report.py`, which runs every script below and copies what it printed; each
section says when it ran and how loaded the machine was (a shared machine gives noisier figures).
Run them from the repository root after `pip install -e ".[test]"`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick on: rough figures")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="rerun these, keep others")
    args = parser.parse_args()
    kept = {m[1]: m[0] for m in SECTION.finditer(README.read_text())} if args.only else {}
    sections = []
    for name in BENCHMARKS:
        if args.only and name not in args.only and name in kept:
            sections.append(kept[name])
        else:
            sections.append(section(name, quick=args.quick))
        README.write_text("\n".join([INTRO, machine(), *sections]))  # each as it comes
    print(f"wrote {README}")


def section(name: str, *, quick: bool) -> str:
    """Run one benchmark and return its section of README.md."""
    script, arguments = BENCHMARKS[name]
    path = HERE / f"{script}.py"
    command = [sys.executable, str(path), *arguments, *(["--quick"] if quick else [])]
    shown = " ".join(["python", f"benchmarks/{script}.py", *command[2:]])
    print(f"running {shown}", flush=True)
    before, start = load(), time.time()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds, after = time.time() - start, load()
    printed = done.stdout.rstrip()
    if done.returncode:
        printed += f"\n(exit code {done.returncode})\n{done.stderr.rstrip()}"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(start))
    return (
        f"<!-- benchmark: {name} -->\n## {name}\n\n{described(path)}\n\n```\n{shown}\n```\n\n"
        f"Ran {when} in {seconds:.0f} s; load average {before} before, {after} after:\n\n"
        f"```\n{printed}\n```\n<!-- end: {name} -->\n"
    )


def described(path: Path) -> str:
    """The script's docstring, without its "Run:" line."""
    text = ast.get_docstring(ast.parse(path.read_text())) or ""
    kept = "\n".join(line for line in text.splitlines() if not line.startswith("Run:"))
    return re.sub(r"\n{3,}", "\n\n", kept).strip()


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if "model name" in line),
        platform.processor() or platform.machine(),
    )
    memory = next((line.split()[1] for line in _lines("/proc/meminfo") if "MemTotal" in line), "")
    size = f", {int(memory) / 2**20:.0f} GiB" if memory else ""
    cores = f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable)"
    versions = ", ".join(f"{name} {_version(name)}" for name in PEERS.split())
    return (
        f"Machine: {cpu}, {cores}{size}; {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}. Versions: {versions}.\n"
    )


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


if __name__ == "__main__":
    main()
