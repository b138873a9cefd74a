"""Parameter sweeps that resume after a crash and scale out: ``sweep`` runs, ``load`` reads.

The spec (emergesim.sweeps.spec) gives the model, the designs (emergesim.sweeps.designs) the
points, the executors (emergesim.sweeps.executors) run them, the store (emergesim.sweeps.store)
keeps every run once in a bounded number of Parquet files, and adaptive refinement
(emergesim.sweeps.adaptive) extends the range until the transition is inside it and adds points
where the order parameter changes fastest. Names are imported on first use: a worker process
imports the executors and the runner, not the store, the designs and their fits.
"""

from emergesim.lazy import lazy_exports

__all__ = ["load", "run_seed", "sweep"]
__getattr__ = lazy_exports(
    __name__,
    {"sweep": ".engine", "load": ".store", "run_seed": ".tasks"},
)
