"""The comparison report: natural and LLM emergence measured on the same axes.

``compare`` runs each system's built-in sweep (emergesim.compare.systems) through the sweep
engine, resumably, into ``out/runs``; measures every transition (emergesim.compare.measure); and
writes ``out/index.html`` and ``out/summary.json`` (emergesim.compare.report).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console

from emergesim.compare import report
from emergesim.compare.measure import Finding, measure
from emergesim.compare.systems import SYSTEMS, System

__all__ = ["SYSTEMS", "Finding", "System", "compare"]


def compare(
    out: str | Path = "report",
    *,
    quick: bool = False,
    seed: int = 0,
    systems: tuple[System, ...] = SYSTEMS,
    executor: str = "process",
    workers: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run, measure and report every system; return the summary written to summary.json."""
    out = Path(out)
    console = Console(stderr=True, quiet=not progress)
    start = time.perf_counter()
    findings = []
    for number, system in enumerate(systems, 1):
        console.print(f"[bold]{number}/{len(systems)} {system.title}[/bold] ({system.model})")
        findings.append(
            measure(
                system,
                quick=quick,
                out=out,
                seed=seed,
                executor=executor,
                workers=workers,
                progress=progress,
            )
        )
    console.print("writing the report")
    meta = {"quick": quick, "seed": seed, "elapsed_seconds": time.perf_counter() - start}
    report.write(findings, out, meta, seed)
    return report.summary(findings, meta)
