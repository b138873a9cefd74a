"""Parameter sweeps that resume after a crash and scale out: ``sweep`` runs, ``load`` reads.

The spec (emergesim.sweeps.spec) gives the model, the designs (emergesim.sweeps.designs) the
points, the executors (emergesim.sweeps.executors) run them, the store (emergesim.sweeps.store)
keeps every run once in a bounded number of Parquet files, and adaptive refinement
(emergesim.sweeps.adaptive) extends the range until the transition is inside it and adds points
where the order parameter changes fastest.
"""

from emergesim.sweeps.engine import sweep
from emergesim.sweeps.store import load
from emergesim.sweeps.tasks import run_seed

__all__ = ["load", "run_seed", "sweep"]
