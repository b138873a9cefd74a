"""``sweep``: check the spec, open the store, run what is missing, refine, report."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd

from emergesim.model import EmergenceModel
from emergesim.sweeps import adaptive as refine
from emergesim.sweeps import designs
from emergesim.sweeps.executors import make_executor
from emergesim.sweeps.progress import Report
from emergesim.sweeps.spec import resolve_spec
from emergesim.sweeps.store import FolderStore, MemoryStore, read_stored
from emergesim.sweeps.tasks import Task


def sweep(
    model: str | type[EmergenceModel],
    *,
    out: str | os.PathLike | None = None,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    **spec_args: Any,
) -> pd.DataFrame:
    """Run ``model`` at every point of a design, ``reps`` times each -> one row per run.

    The other keywords are the spec's, passed to ``emergesim.sweeps.spec.resolve_spec``:
    ``vary``, ``fixed``, ``reps`` (1), ``steps`` and ``burn_in`` (the model's defaults),
    ``record_every`` (1), ``seed`` (the stored one, else a fresh one), ``design`` ("grid"),
    ``samples``, ``adaptive``, ``tol``, ``budget``, ``model_version``. ``vary`` maps parameters
    to values: a list, or text as on the command line (``"0.02:0.6:30"``,
    ``"log:1e9:1e12:20"``, ``"0,0.25,0.5"``; emergesim.sweeps.designs). ``fixed`` holds
    parameters that do not vary; the rest keep the model's defaults. ``adaptive`` with ``tol``
    and ``budget`` refines the control parameter (emergesim.sweeps.adaptive); ``design`` "lhs"
    or "sobol" draws ``samples`` points instead of a grid. ``points`` (instead of ``vary``) is a
    table of explicit points, one row a point: a DataFrame or a .csv or .parquet file
    (``emergesim.analysis.saltelli_points`` and ``morris_points`` make SALib's designs).

    With ``out``, runs are stored in that folder (emergesim.sweeps.store) and a rerun skips those
    done (failed ones too, unless ``retry_failed``); without it, nothing is written.
    ``executor`` is "process" (``workers`` local processes, default all cores), "serial" or
    "dask" (a LocalCluster of ``workers`` processes, or the scheduler at ``scheduler``);
    ``timeout`` (seconds) fails a run that takes longer, on "process" only. A run
    that raises is a row with status "failed" and its error; the others go on. Every problem
    with the arguments raises EmergesimError before any run starts.
    """
    folder = None if out is None else Path(out)
    stored = None if folder is None else read_stored(folder)  # its only read
    if spec_args.get("seed") is None and stored is not None:
        spec_args["seed"] = stored.seed
    spec = resolve_spec(model, **spec_args)  # resolved and checked once, here
    tasks = spec.tasks()
    pool = make_executor(executor, workers, scheduler, timeout)
    with ExitStack() as stack:
        store = MemoryStore(spec) if folder is None else FolderStore(folder, spec, stored)
        stack.callback(store.close)
        where = "kept in memory" if folder is None else f"in {folder}"
        report = stack.enter_context(Report(spec, where, pool.describe(), progress))
        stack.enter_context(pool)

        def run(batch: list[Task]) -> None:
            """Run what of ``batch`` is not stored yet (or failed, with ``retry_failed``)."""
            statuses = store.statuses()
            redo = {None, "failed"} if retry_failed else {None}
            pending = [t for t in batch if statuses.get(t.key) in redo]
            kept_failed = 0 if retry_failed else sum(statuses.get(t.key) == "failed" for t in batch)
            report.add(len(batch), len(batch) - len(pending), kept_failed)
            for record in pool.map(pending):
                store.write(record)
                report.advance(record)

        run(tasks)
        refined = None if spec.adaptive is None else _refine(spec, store, tasks, run)
        frame = store.frame(t.key for t in tasks)
    report.summary(frame, refined)
    return frame


def _refine(spec, store, tasks: list[Task], run) -> refine.Round:
    """Extend the range while a transition runs off it, then add midpoints, until every slice
    is bracketed and pinned or the budget is spent; ``tasks`` grows with the runs added. The
    last round's look at the slices is what the summary reports."""
    cls = spec.cls
    control = cls.params[cls.control]
    others = [name for name in spec.vary if name != cls.control]
    grid = [point[cls.control] for point in spec.points]
    first = (float(min(grid)), float(max(grid)))  # the same in every slice of a grid
    axis = designs.parse_values(control, spec.vary[cls.control], design=spec.design)
    log = isinstance(axis, designs.Range) and axis.log
    tol, added = spec.adaptive.tol, 0
    while True:
        table = store.frame(t.key for t in tasks)
        found = refine.survey(table, control, cls.order, others, tol, first=first, log=log)
        points = found.next_points((spec.adaptive.budget - added) // spec.reps)
        if not points:
            return found
        batch = spec.tasks(points)
        added += len(batch)
        tasks.extend(batch)
        run(batch)
