"""Read a sweep store with pandas, polars and DuckDB: it is plain Parquet (runs/*.parquet).

A sweep folder holds ``sweep.toml`` (the resolved spec) and ``runs/*.parquet`` (a run's own
file, then part files its runs are compacted into), one row per finished run: the parameters,
replicate, seed, key, status, error and elapsed, then every observable. This sweeps traffic into
such a folder, computes the mean flow at each density with emergesim.load, polars and DuckDB,
and checks that they agree.

Run: ``python read_store_with_polars_and_duckdb.py [--tiny] [--out FOLDER]``.
Adapt: replace the queries (keep ``status = 'ok'``: failed runs are stored too, with NaN
observables), or set STORE to a folder of ``emergesim sweep ... --out FOLDER``: polars and DuckDB
read it without emergesim.
"""

import argparse
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

import emergesim

STORE = None  # a sweep folder to read; None: sweep one into OUT/traffic-store
FULL = {"vary": {"density": "0.05:0.6:12"}, "reps": 3, "steps": 500, "burn_in": 500}
TINY = {"vary": {"density": "0.1:0.5:5"}, "reps": 2, "steps": 50, "burn_in": 50}  # seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("example-output/read_store"))
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    folder = Path(STORE or args.out / "traffic-store")
    if STORE is None:  # rerunning skips the runs already stored
        spec = TINY if args.tiny else FULL  # the road keeps its default length, 1000 cells
        emergesim.sweep("traffic", **spec, seed=3, out=folder, progress=False)
    files = str(folder / "runs" / "*.parquet")

    runs = emergesim.load(folder)  # 1. pandas, through emergesim (the table sweep() returns)
    ok = runs[runs["status"] == "ok"]
    by_pandas = ok.groupby("density")["flow"].mean()
    by_polars = (  # 2. polars, reading the Parquet files directly
        pl.read_parquet(files)
        .filter(pl.col("status") == "ok")
        .group_by("density")
        .agg(pl.col("flow").mean())
        .sort("density")
    )
    by_duckdb = duckdb.sql(  # 3. DuckDB, in SQL over the same files
        f"select density, avg(flow) as flow, count(*) as runs from read_parquet('{files}') "
        "where status = 'ok' group by density order by density"
    ).df()

    print(f"{len(runs)} runs in {folder} ({len(ok)} ok), columns: {', '.join(runs.columns)}")
    print(by_duckdb.to_string(index=False, float_format="%.4f"))
    agree = all(
        np.allclose(other["density"], by_pandas.index)
        and np.allclose(other["flow"], by_pandas, rtol=1e-12)
        for other in (by_polars, by_duckdb)
    )
    gap = np.max(np.abs(by_pandas.to_numpy() - by_duckdb["flow"].to_numpy()))
    word, n = "agree" if agree else "DISAGREE", len(by_pandas)
    print(f"pandas, polars and DuckDB {word} on {n} mean flows (largest gap {gap:.1e})")
    peak = by_pandas.idxmax()
    print(f"the flow peaks at density {peak:g}: {by_pandas[peak]:.4f} cars per step")
    return agree


if __name__ == "__main__":  # the process pool re-imports this script: keep the work in main()
    raise SystemExit(0 if main() else 1)
