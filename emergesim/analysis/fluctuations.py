"""Fluctuations of an order parameter phi: susceptibility and Binder cumulant.

    chi = N (<phi^2> - <phi>^2)          G = 1 - <phi^4> / (3 <phi^2>^2)

Averages run over replicates at one control value (a sweep) or over the measured window of one
run (its time series). Near a continuous transition chi peaks and the Binder curves of different
sizes cross (Binder 1981): G = 0 for Gaussian fluctuations around phi = 0 (disorder) and 2/3 for
a sharp nonzero phi (order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergesim.errors import EmergesimError


def susceptibility(phi: np.ndarray, n: float) -> float:
    """N times the variance of phi (population variance)."""
    phi = np.asarray(phi, dtype=float)
    return float(n * phi.var())


def binder(phi: np.ndarray) -> float:
    """Binder's fourth-order cumulant of phi."""
    phi = np.asarray(phi, dtype=float)
    second = np.mean(phi**2)
    return float(1 - np.mean(phi**4) / (3 * second**2)) if second > 0 else float("nan")


@dataclass(frozen=True)
class Fluctuations:
    """chi and G at each control value, and where chi peaks."""

    table: pd.DataFrame  # columns: x, chi, binder, runs
    peak: float
    peak_chi: float


def fluctuations(table: pd.DataFrame, x: str, y: str, size: str | float) -> Fluctuations:
    """chi and G of ``y`` over the replicates at each value of ``x``; N is the column ``size``
    (e.g. the number of agents) or a number."""
    missing = [c for c in (x, y, size) if isinstance(c, str) and c not in table.columns]
    if missing:
        raise EmergesimError(f"no column '{missing[0]}' in the runs")
    rows = []
    for value, group in table.groupby(x):
        n = group[size].iloc[0] if isinstance(size, str) else size
        phi = group[y].dropna().to_numpy()
        rows.append(
            {x: value, "chi": susceptibility(phi, n), "binder": binder(phi), "runs": phi.size}
        )
    out = pd.DataFrame(rows)
    k = int(out["chi"].idxmax())
    return Fluctuations(out, peak=float(out.loc[k, x]), peak_chi=float(out.loc[k, "chi"]))


def binder_crossing(table: pd.DataFrame, x: str, y: str, by: str) -> float:
    """The x where the Binder curves of the two extreme sizes (column ``by``) cross, by linear
    interpolation between sampled points; NaN if they do not cross."""
    sizes = sorted(table[by].unique())
    if len(sizes) < 2:
        raise EmergesimError(f"a Binder crossing needs at least two values of '{by}'")
    curves = [
        fluctuations(table[table[by] == s], x, y, 1.0).table.set_index(x)["binder"]
        for s in (sizes[0], sizes[-1])
    ]
    diff = (curves[1] - curves[0]).dropna()
    signs = np.sign(diff.to_numpy())
    k = np.flatnonzero(signs[:-1] * signs[1:] < 0)
    if k.size == 0:
        return float("nan")
    i = k[0]
    x0, x1 = diff.index[i], diff.index[i + 1]
    d0, d1 = diff.iloc[i], diff.iloc[i + 1]
    return float(x0 - d0 * (x1 - x0) / (d1 - d0))
