"""Read a sweep store with pandas, polars and DuckDB: it is plain Parquet, one file per run.

A sweep folder holds ``sweep.toml`` (the resolved spec) and ``runs/<key>.parquet``, one row per
finished run: the model's parameters, then replicate, seed, key, status, error and elapsed,
then every observable. This runs a small traffic sweep into a folder, then computes the mean
flow at each density three ways (emergesim.load, polars, DuckDB) and checks they agree.
Neither polars nor DuckDB needs emergesim: point them at any store (``--store FOLDER``).

Adapt: replace the query (filter on ``status = 'ok'``: failed runs are stored too, with NaN
observables), or point ``--store`` at a folder written by ``emergesim sweep ... --out FOLDER``.
"""

import argparse
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

import emergesim


def main(
    out="example-output/read_store",
    store=None,
    densities="0.05:0.6:12",
    reps=3,
    length=400,
    steps=500,
    executor="process",
):
    folder = Path(store) if store else Path(out) / "traffic-store"
    if store is None:  # a store of our own; rerunning skips the runs already there
        emergesim.sweep(
            "traffic",
            vary={"density": densities},
            fixed={"length": length},
            reps=reps,
            steps=steps,
            burn_in=steps,
            seed=3,
            out=folder,
            executor=executor,
            progress=False,
        )
    files = str(folder / "runs" / "*.parquet")

    # 1. pandas, through emergesim (the same table sweep() returned)
    runs = emergesim.load(folder)
    ok = runs[runs["status"] == "ok"]
    by_pandas = ok.groupby("density")["flow"].mean()

    # 2. polars, reading the Parquet files directly
    by_polars = (
        pl.read_parquet(files)
        .filter(pl.col("status") == "ok")
        .group_by("density")
        .agg(pl.col("flow").mean())
        .sort("density")
    )

    # 3. DuckDB, in SQL over the same files
    by_duckdb = duckdb.sql(
        f"select density, avg(flow) as flow, count(*) as runs from read_parquet('{files}') "
        "where status = 'ok' group by density order by density"
    ).df()

    print(f"{len(runs)} runs in {folder} ({len(ok)} ok), columns: {', '.join(runs.columns)}")
    print(by_duckdb.to_string(index=False, float_format="%.4f"))
    agree = (
        np.allclose(by_pandas.index, by_polars["density"].to_numpy())
        and np.allclose(by_pandas.to_numpy(), by_polars["flow"].to_numpy(), rtol=1e-12)
        and np.allclose(by_pandas.index, by_duckdb["density"])
        and np.allclose(by_pandas.to_numpy(), by_duckdb["flow"], rtol=1e-12)
    )
    gap = np.max(np.abs(by_pandas.to_numpy() - by_duckdb["flow"].to_numpy()))
    word = "agree" if agree else "DISAGREE"
    print(
        f"pandas, polars and DuckDB {word} on {len(by_pandas)} mean flows (largest gap {gap:.1e})"
    )
    peak = by_pandas.idxmax()
    print(f"the flow peaks at density {peak:g}: {by_pandas[peak]:.4f} cars per step")
    return agree


if __name__ == "__main__":  # the process pool re-imports this script: keep the work below
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="example-output/read_store", help="output folder")
    parser.add_argument("--store", help="read this sweep folder instead of running one")
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    if args.tiny:
        ok = main(
            args.out,
            args.store,
            densities="0.1:0.5:5",
            reps=2,
            length=100,
            steps=50,
            executor="serial",
        )
    else:
        ok = main(args.out, args.store)
    raise SystemExit(0 if ok else 1)
