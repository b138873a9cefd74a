"""The comparison report: natural and LLM emergence measured on the same axes.

``compare`` runs each system's declared sweep (emergesim.compare.systems) through the sweep
engine, resumably, into ``out/runs``; measures every transition (emergesim.compare.measure); and
writes ``out/index.html`` and ``out/summary.json`` (emergesim.compare.report). Training curves,
fits and figures are kept in ``out/cache`` (emergesim.compare.cache): a rerun from the same
inputs makes no run and no fit again, and only copies the figures it drew before.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console

from emergesim.compare import report
from emergesim.compare.cache import Cache
from emergesim.compare.measure import Finding, measure
from emergesim.compare.systems import System, systems
from emergesim.sweeps.executors import check_workers

__all__ = ["Finding", "System", "compare", "systems"]


def compare(
    out: str | Path = "report",
    *,
    quick: bool = False,
    seed: int = 0,
    rows: tuple[System, ...] | None = None,
    only: tuple[str, ...] = (),
    executor: str = "process",
    workers: int | None = None,
    progress: bool = True,
    cache: bool = True,
) -> dict[str, Any]:
    """Run, measure and report every system (``rows``: every registered comparison; ``only``:
    just the rows with these keys); return the summary written to summary.json. ``cache``:
    keep and reuse training curves, fits and figures in ``out/cache``."""
    check_workers(workers)  # bad input is refused before any sweep starts
    out = Path(out)
    rows = systems(only) if rows is None else rows
    report.check_free(out, rows)
    console = Console(stderr=True, quiet=not progress)
    sweep_options = {"executor": executor, "workers": workers, "progress": progress}
    kept = Cache(out, enabled=cache)
    start = time.perf_counter()
    findings = []
    for number, system in enumerate(rows, 1):
        title = system.comparison.title
        console.print(f"[bold]{number}/{len(rows)} {title}[/bold] ({system.model})")
        found = measure(system, quick=quick, out=out, seed=seed, cache=kept, **sweep_options)
        findings.append(found)
    console.print("writing the report")
    meta = {"quick": quick, "seed": seed, "elapsed_seconds": time.perf_counter() - start}
    return report.write(findings, out, meta, seed, kept)
