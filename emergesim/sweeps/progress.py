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

from emergesim.sweeps.adaptive import Bracket, Round
from emergesim.sweeps.spec import SweepSpec

SHOWN_FAILURES = 3
PUSH_EVERY = 0.1  # seconds: rich redraws the bar ten times a second


class Report:
    """The bar (runs done/total, failures, elapsed, ETA) and the closing summary.

    The bar is brought up to date at most every PUSH_EVERY seconds and when the sweep ends:
    a rich update costs as much as a tiny run's bookkeeping. Not shown, there is no bar."""

    def __init__(self, spec: SweepSpec, where: str, executor: str, show: bool) -> None:
        self.spec = spec
        self.where = where  # "in <folder>" or "kept in memory"
        self.executor = executor  # "on 2 processes", ...
        self.show = show
        self.console = Console(stderr=True, soft_wrap=True)  # a long path stays on its line
        self.ran = 0
        self.stored = 0  # found in the store, not run again
        self._total = 0
        self._failed = 0
        self._pushed_at = 0.0  # time.monotonic() of the bar's last update
        self._bar = _progress_bar(self.console) if show else None
        if self._bar is not None:
            self._task = self._bar.add_task(spec.cls.name, total=0, failed="")
        self._start = time.perf_counter()

    def __enter__(self) -> Report:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._push()
            self._bar.stop()

    def add(self, runs: int, stored: int, stored_failed: int) -> None:
        """``runs`` more runs, of which ``stored`` are done already (``stored_failed`` failed)."""
        self._total += runs
        self.stored += stored
        self._failed += stored_failed
        self._push()

    def advance(self, record: dict[str, Any]) -> None:
        self.ran += 1
        self._failed += record["status"] == "failed"
        if self._bar is not None and time.monotonic() - self._pushed_at > PUSH_EVERY:
            self._push()

    def _push(self) -> None:
        if self._bar is None:
            return
        label = f"[red]{self._failed} failed" if self._failed else ""
        done = self.stored + self.ran
        self._bar.update(self._task, total=self._total, completed=done, failed=label)
        self._pushed_at = time.monotonic()

    def summary(self, frame: pd.DataFrame, refined: Round | None = None) -> None:
        """Runs, failures and, for an adaptive sweep, each slice's range and steepest interval."""
        if not self.show:
            return
        spec, say = self.spec, self.console.print
        seconds = time.perf_counter() - self._start
        points = f"{len(frame) // spec.reps} points x {spec.reps} replicates"
        say(f"[bold]{spec.cls.name}[/bold]: {len(frame)} runs ({points}) {escape(self.where)}")
        repeats = len(spec.points) - len(frame) // spec.reps if spec.design == "points" else 0
        if repeats > 0:
            rows = (
                "1 row of the points table repeats"
                if repeats == 1
                else (f"{repeats} rows of the points table repeat")
            )
            say(f"{rows} an earlier one: one point, run once")
        stored = f"; {self.stored} were already stored" if self.stored else ""
        say(f"ran {self.ran} {self.executor} in {seconds:.1f} s{stored}")
        failed = frame[frame["status"] == "failed"]
        say(f"{len(frame) - len(failed)} ok, {len(failed)} failed")
        names = [*spec.varied, "replicate"]
        for row in failed.head(SHOWN_FAILURES).itertuples(index=False):
            at = " ".join(f"{n}={getattr(row, n)}" for n in names)
            say(f"  [red]failed[/red] {escape(at)}: {escape(str(row.error))}")
        if len(failed) > SHOWN_FAILURES:
            say(f"  and {len(failed) - SHOWN_FAILURES} more (see the 'error' column)")
        if len(failed):
            say("rerun with --retry-failed to run the failed ones again")
        if refined is None:
            return
        control = spec.cls.control
        for interval, bracket in zip(refined.intervals, refined.brackets, strict=True):
            where = ", ".join(f"{k}={v}" for k, v in interval.where.items())
            at = f" ({escape(where)})" if where else ""
            for line in _bracket_lines(bracket, control):
                say(line + at)
            say(
                f"{spec.cls.order} changes fastest between {control} "
                f"{interval.low:g} and {interval.high:g}{at}"
            )


def _progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


def _bracket_lines(bracket: Bracket, control: str) -> list[str]:
    """Whether the range was extended, and why the transition still runs off it if it does:
    without them, a location at the sweep's end would read as the transition's."""
    lines = []
    if bracket.extended:
        low, high = bracket.last
        lines.append(f"extended {control} to {low:g}..{high:g} to bracket the transition")
    if bracket.runs_off:
        why = [f"{control} reached its bound {bound:g}" for bound in bracket.bounds]
        why += ["budget spent"] if bracket.budget_spent else []
        lines.append(f"the transition is not bracketed: {'; '.join(why)}")
    return lines
