"""What a person sees of a sweep: a progress bar while it runs, a summary at the end.

Both go to stderr, so that stdout stays free for whatever a script pipes; a terminal shows the
bar live, a log file gets its final state once.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from emergesim.sweeps.adaptive import Steepest
from emergesim.sweeps.spec import SweepSpec

SHOWN_FAILURES = 3


class Report:
    """The bar (runs done/total, failures, elapsed, ETA) and the closing summary."""

    def __init__(self, spec: SweepSpec, where: str, executor: str, show: bool) -> None:
        self.spec = spec
        self.where = where  # "in <folder>" or "kept in memory"
        self.executor = executor  # "on 2 processes", ...
        self.show = show
        self.console = Console(stderr=True, soft_wrap=True)  # a long path stays on its line
        self.ran = 0
        self.stored = 0  # found in the store, not run again
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            TextColumn("{task.fields[failed]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not show,
        )
        self._task = self._bar.add_task(spec.cls.name, total=0, failed="")
        self._failed = 0
        self._start = time.perf_counter()

    def __enter__(self) -> Report:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def add(self, runs: int, stored: int, stored_failed: int) -> None:
        """``runs`` more runs, of which ``stored`` are done already."""
        self.stored += stored
        task = self._bar.tasks[0]
        self._count_failures(stored_failed)
        self._bar.update(self._task, total=(task.total or 0) + runs, advance=stored)

    def advance(self, record: dict[str, Any]) -> None:
        self.ran += 1
        self._count_failures(record["status"] == "failed")
        self._bar.advance(self._task)

    def _count_failures(self, failed: int) -> None:
        self._failed += failed
        label = f"[red]{self._failed} failed" if self._failed else ""
        self._bar.update(self._task, failed=label)

    def summary(self, frame: pd.DataFrame, intervals: list[Steepest]) -> None:
        if not self.show:
            return
        spec, say = self.spec, self.console.print
        seconds = time.perf_counter() - self._start
        points = f"{len(frame) // spec.reps} points x {spec.reps} replicates"
        say(f"[bold]{spec.cls.name}[/bold]: {len(frame)} runs ({points}) {escape(self.where)}")
        stored = f"; {self.stored} were already stored" if self.stored else ""
        say(f"ran {self.ran} {self.executor} in {seconds:.1f} s{stored}")
        failed = frame[frame["status"] == "failed"]
        say(f"{len(frame) - len(failed)} ok, {len(failed)} failed")
        names = [*spec.vary, "replicate"]
        for row in failed.head(SHOWN_FAILURES).itertuples(index=False):
            at = " ".join(f"{n}={getattr(row, n)}" for n in names)
            say(f"  [red]failed[/red] {escape(at)}: {escape(str(row.error))}")
        if len(failed) > SHOWN_FAILURES:
            say(f"  and {len(failed) - SHOWN_FAILURES} more (see the 'error' column)")
        if len(failed):
            say("rerun with --retry-failed to run the failed ones again")
        for interval in intervals:
            where = ", ".join(f"{k}={v}" for k, v in interval.where.items())
            say(
                f"{spec.cls.order} changes fastest between {spec.cls.control} "
                f"{interval.low:g} and {interval.high:g}" + (f" ({where})" if where else "")
            )
