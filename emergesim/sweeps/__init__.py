"""Parameter sweeps that resume after a crash and scale out: ``sweep`` runs, ``load`` reads.

The spec (emergesim.sweep.spec) gives the model, the designs (emergesim.sweep.designs) the
points, the executors (emergesim.sweep.executors) run them, the store (emergesim.sweep.store)
keeps one Parquet file per run, and adaptive refinement (emergesim.sweep.adaptive) adds points
where the order parameter changes fastest.
"""

from emergesim.sweep.engine import sweep
from emergesim.sweep.store import load
from emergesim.sweep.tasks import run_seed

__all__ = ["load", "run_seed", "sweep"]
