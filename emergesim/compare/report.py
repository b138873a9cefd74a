"""The comparison's figures, ``index.html`` (self-contained) and ``summary.json``."""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emergesim.analysis import logistic
from emergesim.analysis.transitions import RISE_10_90
from emergesim.compare.measure import Finding
from emergesim.plotting import draw_steps, new_figure
from emergesim.runner import run

COLOURS = {"traffic": "tab:red", "flocking": "tab:blue", "snowflake": "tab:cyan",
           "skills": "tab:purple", "grokking": "tab:green"}  # fmt: skip


def summary(findings: Sequence[Finding], meta: dict[str, Any]) -> dict[str, Any]:
    """Every number the report shows, per system."""
    systems = {}
    for f in findings:
        s, t, sh, se = f.system, f.transition, f.sharpening, f.sensitivity
        systems[s.key] = {
            "title": s.title,
            "kind": s.kind,
            "model": s.model,
            "control": s.control,
            "fitted_against": s.x,
            "order": s.order,
            "size": s.size,
            "sizes": [float(v) for v in sorted(sh.transitions)],
            "runs": f.runs.groupby([s.size, "replicate"]).ngroups if s.over_time else len(f.runs),
            "detected": t.detected,
            "location": t.location,
            "location_ci": list(t.location_ci),
            "width": t.width,
            "width_ci": list(t.width_ci),
            "sharpening_exponent": sh.exponent,
            "sharpening_ci": list(sh.exponent_ci),
            "sharpens": sh.sharpens,
            "progress_at_jump": se.progress_at_jump,
            "survives_continuous_metric": se.survives,
            "verdict": f.label,
            "reasons": f.reasons,
        }
    return {**meta, "systems": systems, "answer": answer(findings)}


def answer(findings: Sequence[Finding]) -> str:
    """The seed's question, answered from the two tests behind every verdict."""

    def names(keep) -> str:
        return ", ".join(f.system.title for f in findings if keep(f)) or "none"

    return (
        f"Sharpen with size (or with composed steps k): {names(lambda f: f.sharpening.sharpens)}. "
        f"Survive a continuous metric: {names(lambda f: f.sensitivity.survives)}. "
        "Collective by both tests: "
        f"{names(lambda f: f.sharpening.sharpens and f.sensitivity.survives)}. "
        "Announced by a continuous metric that had mostly risen before the jump, so a product of "
        f"composition and the choice of metric: {names(lambda f: not f.sensitivity.survives)}."
    )


def write(findings: Sequence[Finding], out: Path, meta: dict[str, Any], seed: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    figures = {"overview": overview(findings, out / "overview.png")}
    for f in findings:
        figures[f"{f.system.key}-transition"] = transition_figure(f, out)
        figures[f"{f.system.key}-picture"] = picture(f, out, seed)
    data = summary(findings, meta)
    (out / "summary.json").write_text(json.dumps(data, indent=2, default=_json))
    (out / "index.html").write_text(page(findings, data, figures))


def overview(findings: Sequence[Finding], path: Path) -> Path:
    """Every system's order parameter, rescaled to its fitted plateaus, against its control
    divided by the fitted transition point (for the LLM, N / N_c)."""
    fig = new_figure(8, 5)
    ax = fig.add_subplot()
    for f in findings:
        s, t = f.system, f.transition
        largest = f.runs[f.runs[s.size] == max(f.sharpening.transitions)]
        means = largest.groupby(s.x)[s.order].mean()
        x = np.asarray(means.index, dtype=float)
        logarithmic = s.log_control or s.fit_log10
        ratio = 10 ** (x - t.location) if logarithmic else x / t.location
        y = (means.to_numpy() - t.low) / (t.high - t.low)
        ax.plot(ratio, y, "o-", ms=3.5, color=COLOURS.get(s.key), label=f"{s.title} ({s.order})")
    ax.axvline(1, color="0.5", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("control / fitted transition point   (LLM: N / N_c)")
    ax.set_ylabel("order parameter, rescaled to its fitted plateaus")
    ax.set_title("natural and LLM transitions on one axis (largest size of each)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.savefig(path)
    return path


def transition_figure(f: Finding, out: Path) -> Path:
    """The order parameter against the control at every size, with the fitted steps; and the
    continuous against the discontinuous metric at the largest size."""
    s = f.system
    fig = new_figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    draw_steps(left, f.runs, s.x, s.order, f.sharpening.transitions, s.size)
    exponent = f.sharpening.exponent
    left.set_title(f"{s.title}: a step at each {s.size}, width ~ size^{exponent:+.2f}", fontsize=9)
    se = f.sensitivity
    for fit, name, style in [
        (se.discontinuous, "discontinuous", "-"),
        (se.continuous, "continuous", "--"),
    ]:
        x = np.linspace(*left.get_xlim(), 300)
        right.plot(x, logistic(x, 0, 1, fit.location, fit.width / RISE_10_90), style, label=name)
    right.axvline(se.discontinuous.location, color="0.5", lw=1)
    right.set_xlabel(s.x)
    right.set_ylabel("share of the fitted rise")
    right.set_title(f"metric sensitivity: {se.progress_at_jump:.0%} of the continuous rise "
                    f"before the jump", fontsize=9)  # fmt: skip
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    path = out / f"{s.key}-transition.png"
    fig.savefig(path)
    return path


def picture(f: Finding, out: Path, seed: int) -> Path:
    """The model's own picture of one run near its transition."""
    s = f.system
    result = run(s.model, seed=seed, frames=True, **s.picture)
    fig = new_figure()
    result.model.render(fig, result.frames, result.frame_steps)
    path = out / f"{s.key}-picture.png"
    fig.savefig(path)
    return path


def page(findings: Sequence[Finding], data: dict[str, Any], figures: dict[str, Path]) -> str:
    def image(key: str) -> str:
        encoded = base64.b64encode(figures[key].read_bytes()).decode()
        return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(key)}">'

    def ci(pair) -> str:
        return f"[{pair[0]:.3g}, {pair[1]:.3g}]"

    rows = []
    for f in findings:
        d = data["systems"][f.system.key]
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in [
                    f.system.title,
                    f.system.kind,
                    f.system.x,
                    f"{d['location']:.3g} {ci(d['location_ci'])}",
                    f"{d['width']:.3g} {ci(d['width_ci'])}",
                    f"{d['sharpening_exponent']:+.2f} {ci(d['sharpening_ci'])}",
                    f"{d['progress_at_jump']:.0%}",
                    d["verdict"],
                ]
            )
            + "</tr>"
        )
    sections = "".join(
        f"<h2>{html.escape(f.system.title)}</h2><p>{html.escape(f.reasons)}</p>"
        f"{image(f'{f.system.key}-transition')}{image(f'{f.system.key}-picture')}"
        for f in findings
    )
    head = ["system", "kind", "control", "location [95% CI]", "width (10-90%)",
            "width exponent b", "continuous rise before jump", "verdict"]  # fmt: skip
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emergesim: natural vs LLM emergence</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}}
img{{max-width:100%;display:block;margin:1em 0}}table{{border-collapse:collapse;font-size:90%}}
td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left}}</style></head><body>
<h1>Natural emergence and LLM "emergent abilities", side by side</h1>
<p>{html.escape(data["answer"])}</p>
<p>Each system was swept over its control at {len(next(iter(data["systems"].values()))["sizes"])}
or more sizes ({"quick" if data["quick"] else "full"} settings, seed {data["seed"]},
{data["elapsed_seconds"]:.0f} s). Location and width come from a logistic fit at the largest size
(width: the 10-90% rise), with 95% bootstrap intervals over replicates (grokking's control is
training time: each run's records, taken every few optimiser steps, are its points); b is the
exponent of width ~ size^b (negative: the step sharpens); the last numeric column is how much of a
continuous metric's rise precedes the discontinuous metric's midpoint (Schaeffer et al. 2023).</p>
<table><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>{"".join(rows)}</table>
{image("overview")}{sections}</body></html>
"""


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value)} to JSON")


def finite(data: Any) -> bool:
    """True when every number in a nested summary is finite."""
    if isinstance(data, dict):
        return all(finite(v) for v in data.values())
    if isinstance(data, list):
        return all(finite(v) for v in data)
    if isinstance(data, float):
        return math.isfinite(data)
    return True
