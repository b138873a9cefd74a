"""The comparison's figures, ``index.html`` (self-contained) and ``summary.json``.

The report opens with the method's calibration, the ground-truth rows whose verdict is known
(the model declares it: ``Comparison.expect``), then every other system, scored the same way.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps

from emergesim.analysis import Scaling, draw_collapse, estimate_text
from emergesim.analysis.bootstrap import Estimate
from emergesim.compare import cache as caching
from emergesim.compare.cache import Cache
from emergesim.compare.measure import Finding
from emergesim.compare.systems import System
from emergesim.errors import EmergesimError
from emergesim.plotting import draw_steps, new_figure
from emergesim.runner import run

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SUMMARY, INDEX = "summary.json", "index.html"
MANIFEST = ".written-by-emergesim.json"  # each file the report wrote -> its SHA-256


def summary(findings: Sequence[Finding], meta: dict[str, Any]) -> dict[str, Any]:
    """Every number the report shows, per system; ``verdict`` is one of analysis.WORDS."""
    systems = {}
    for f in findings:
        s, c = f.system, f.system.comparison
        systems[s.key] = {
            "title": c.title,
            "kind": c.kind,
            "model": s.model,
            "control": s.control,
            "fitted_against": s.x,
            "size": c.size or None,
            "sizes": [float(v) for v in sorted(f.per_unit.transitions)],
            "per_unit": c.per_unit,
            "all_or_nothing": c.all_or_nothing,
            "runs": _count_runs(f),
            "verdict": f.verdict.word,
            "expected": c.expect,
            "reasons": f.verdict.reasons,
            **_estimate("location", f.location.estimate),
            "location_from": f.location.source,
            **_scaling("per_unit", f.per_unit),
            "per_unit_nu_from": f.per_unit.nu_from,
            **_scaling("all_or_nothing", f.all_or_nothing),
            "progress_at_jump": None if f.sensitivity is None else f.sensitivity.progress_at_jump,
        }
    return {**meta, "systems": systems, "answer": answer(findings)}


def _count_runs(f: Finding) -> int:
    if f.system.over_time:  # a training run contributes many records
        return f.runs.groupby([f.system.comparison.size, "replicate"]).ngroups
    return len(f.runs)


def _estimate(name: str, estimate: Estimate | None) -> dict[str, Any]:
    if estimate is None:
        return {name: None, f"{name}_ci": None}
    return {name: estimate.value, f"{name}_ci": list(estimate.ci)}


def _scaling(prefix: str, result: Scaling) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("width_exponent", "chi_exponent", "relative_shift", "x_inf", "nu"):
        out.update(_estimate(f"{prefix}_{name}", getattr(result, name)))
    return out


def answer(findings: Sequence[Finding]) -> str:
    """The seed's question, answered from the verdicts; the calibration first."""
    calibration = [f for f in findings if f.system.comparison.expect is not None]

    def checked_against(f: Finding) -> str:
        expect = f.system.comparison.expect
        return "as expected" if f.verdict.word == expect else f"expected {expect}"

    checked = "; ".join(
        f"{f.system.comparison.title}: {f.verdict.word} ({checked_against(f)})" for f in calibration
    )
    others = [f for f in findings if f.system.comparison.expect is None]
    groups = {}
    for f in others:
        groups.setdefault(f.verdict.word, []).append(f.system.comparison.title)
    found = "; ".join(f"{word}: {', '.join(titles)}" for word, titles in groups.items())
    return f"Calibration on systems with a known answer: {checked or 'none'}. Then: {found}."


def observed_tables(
    findings: Sequence[Finding], cache: Cache | None = None
) -> dict[str, pd.DataFrame]:
    """The tables of every observed source among the rows, by title (``cache``: kept there,
    by the source's table and code)."""
    sources = {f.system.observed.name: f.system.observed for f in findings if f.system.observed}
    cache = cache or Cache(Path(), enabled=False)
    found = {}
    for source in sources.values():
        if source.tables is None:
            continue
        key = cache.key(
            "tables",
            source=source.name,
            table=caching.table_digest(source.load()) if cache.enabled else "",
            code=caching.code(source.tables.__module__),
            versions=caching.versions("numpy", "scipy", "pandas"),
        )
        found.update(cache.get("tables", key, lambda source=source: dict(source.tables())))
    return found


def planned(rows: Sequence[System]) -> list[str]:
    """The files ``write`` writes for these rows (a row observed in the world has one size and
    no model: no collapse to draw, its picture is its data)."""
    names = ["overview.png", SUMMARY, INDEX]
    for s in rows:
        kinds = ("picture",) if s.observed is not None else ("transition", "collapse", "picture")
        names += [f"{s.key}-{kind}.png" for kind in kinds]
    return names


def check_free(out: Path, rows: Sequence[System]) -> None:
    """Refuse, before any work, to overwrite a file of ``out`` that a report did not write or
    that was changed since (MANIFEST holds the hash of each file as a report wrote it)."""
    if out.exists() and not out.is_dir():
        raise EmergesimError(f"the output folder '{out}' is a file; choose another")
    written = _manifest(out)
    for name in planned(rows):
        path = out / name
        if path.exists() and written.get(name) != _sha256(path):
            raise EmergesimError(
                f"'{path}' was not written by emergesim compare, or was changed since; move it "
                "away or choose another output folder"
            )
    caching.check_free(out)  # <out>/cache holds emergesim's files only


def write(
    findings: Sequence[Finding],
    out: Path,
    meta: dict[str, Any],
    seed: int,
    cache: Cache | None = None,
) -> dict[str, Any]:
    """Write the figures, summary.json and index.html; return the summary with the tables.
    ``cache``: each figure is drawn only when what it draws changed (emergesim.compare.cache)."""
    out.mkdir(parents=True, exist_ok=True)
    cache = cache or Cache(out, enabled=False)
    files = _Files(out)
    keys = [f.key for f in findings]
    drawn = _drawn(cache, {"overview": keys if all(keys) else None}, lambda: overview(findings))
    figures = {"overview": files.png("overview", drawn)}
    for f in findings:
        drawn = {"picture": lambda f=f: observed_picture(f)}
        if f.system.observed is None:
            drawn = {
                "transition": lambda f=f: transition_figure(f),
                "collapse": lambda f=f: collapse_figure(f),
                "picture": lambda f=f: picture(f, seed),
            }
        for kind, draw in drawn.items():
            name = f"{f.system.key}-{kind}"
            inputs = _picture_inputs(f, seed) if kind == "picture" and f.system.card else f.key
            figures[name] = files.png(name, _drawn(cache, {kind: inputs or None}, draw))
    data = summary(findings, meta)
    tables = observed_tables(findings, cache)
    data["tables"] = {title: table.to_dict("records") for title, table in tables.items()}
    files.text(SUMMARY, json.dumps(data, indent=2, default=_json))
    files.text(INDEX, page(findings, data, figures, tables))
    return data


class _Files:
    """The report's files, each recorded in MANIFEST with its hash as soon as it is written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.hashes = _manifest(out)

    def figure(self, name: str, fig: Figure) -> Path:
        return self._save(f"{name}.png", fig.savefig)

    def png(self, name: str, data: bytes) -> Path:
        """``name``.png holding ``data``: left as it is when it holds them already."""
        path, known = self.out / f"{name}.png", self.hashes.get(f"{name}.png")
        if known == hashlib.sha256(data).hexdigest() and path.exists() and _sha256(path) == known:
            return path
        return self._save(f"{name}.png", lambda path: path.write_bytes(data))

    def text(self, name: str, text: str) -> Path:
        return self._save(name, lambda path: path.write_text(text, encoding="utf-8"))

    def _save(self, name: str, write: Callable[[Path], object]) -> Path:
        path = self.out / name
        write(path)
        self.hashes[name] = _sha256(path)
        (self.out / MANIFEST).write_text(json.dumps(self.hashes, indent=1, sort_keys=True))
        return path


def _drawn(cache: Cache, inputs: dict[str, Any], draw: Callable[[], Figure]) -> bytes:
    """The PNG of ``draw()``, from the cache when drawn before from the same ``inputs`` (a
    figure kind -> what decides it; None: not known, always drawn)."""

    def png() -> bytes:
        buffer = io.BytesIO()
        draw().savefig(buffer, format="png")
        return buffer.getvalue()

    if any(value is None for value in inputs.values()):
        return png()
    key = cache.key(
        "figures",
        inputs=inputs,
        code=[
            caching.code("emergesim.analysis", "emergesim.plotting"),
            caching.module_code(__name__),
        ],
        versions=caching.versions("numpy", "pandas", "matplotlib"),
    )
    return cache.get("figures", key, png, suffix="png", dump=bytes, load=bytes)


def _picture_inputs(f: Finding, seed: int) -> dict[str, Any]:
    """What decides a model's picture: the model, its version and code, the run's parameters
    (steps and frames among them) and seed."""
    s, c = f.system, f.system.comparison
    module = s.card.model.partition(":")[0]
    return {
        "model": s.model,
        "version": s.card.version,
        "model_code": [caching.code(module), caching.package_code(module)],
        "params": {**c.fixed, **c.picture},
        "seed": seed,
    }


def _manifest(out: Path) -> dict[str, str]:
    """File name -> hash of the files a report wrote into ``out`` (none known: empty)."""
    try:
        hashes = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return hashes if isinstance(hashes, dict) else {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def overview(findings: Sequence[Finding]) -> Figure:
    """Every simulated system's per-unit score at its largest size, rescaled to its fitted ends,
    against the control's distance from the located transition, in widths (an observed row's
    scatter of single systems has its own figure)."""
    fig = new_figure(8, 5)
    ax = fig.add_subplot()
    for number, f in enumerate(findings):
        size = max(f.per_unit.transitions)
        fit = f.per_unit.transitions[size]
        if f.location.estimate is None or not fit.detected or f.system.observed is not None:
            continue
        c = f.system.comparison
        largest = f.runs[f.runs[f.system.size] == size]
        means = largest.groupby(f.system.x)[c.per_unit].mean()
        x = (np.asarray(means.index, dtype=float) - f.location.estimate.value) / fit.width
        y = (means.to_numpy() - fit.low) / (fit.high - fit.low)
        ax.plot(x, y, "o-", ms=3, lw=1, color=f"C{number % 10}", label=f"{c.title} ({c.per_unit})")
    ax.axvline(0, color="0.5", ls="--", lw=1)
    ax.set_xlabel("(control - located transition) / 10-90 % width at the largest size")
    ax.set_ylabel("per-unit score, rescaled to its fitted ends")
    ax.set_title("every transition on one axis")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # some system was located
        ax.legend(fontsize=7)
    return fig


def transition_figure(f: Finding) -> Figure:
    """Both scores against the control at every size, with their fitted curves."""
    s, c = f.system, f.system.comparison
    fig = new_figure(11, 4.2)
    left, right = fig.subplots(1, 2)
    for ax, result in ((left, f.per_unit), (right, f.all_or_nothing)):
        draw_steps(ax, f.runs, s.x, result.y, result.transitions, s.size)
        b = result.width_exponent
        trend = "not measured" if b is None else b.text("+.2f")
        title = f"width ~ {c.size}^b, b = {trend}" if c.size else "one size: no width exponent"
        ax.set_title(f"{result.y}: {title}", fontsize=9)
    fig.suptitle(f"{c.title}: {f.verdict.word}")
    return fig


def collapse_figure(f: Finding) -> Figure:
    """The per-unit score of every size on one rescaled axis (finite-size scaling)."""
    fig = new_figure(6, 4.2)
    ax = fig.add_subplot()
    draw_collapse(ax, f.per_unit)
    nu, x_inf = f.per_unit.nu, f.per_unit.x_inf
    fitted = ""
    if nu is not None:
        fitted = (
            f"\nnu = {nu.text('.3g')}, {f.system.x}_inf = {x_inf.value:.4g} ({f.per_unit.nu_from})"
        )
    fig.suptitle(f"{f.system.comparison.title}: data collapse{fitted}", fontsize=9)
    return fig


def picture(f: Finding, seed: int) -> Figure:
    """The model's own picture of one run near its transition."""
    c = f.system.comparison
    result = run(f.system.model, seed=seed, frames=True, **{**c.fixed, **c.picture})
    fig = new_figure()
    result.model.render(fig, result.frames, result.frame_steps)
    return fig


def observed_picture(f: Finding) -> Figure:
    """Every observed system's two scores against the control, coloured by its group (family),
    with the fitted step or knee of each."""
    s, c = f.system, f.system.comparison
    group = s.observed.group
    scores = (f.per_unit, f.all_or_nothing)[: 1 if c.per_unit == c.all_or_nothing else 2]
    fig = new_figure(5.5 * len(scores) + 1.5, 4.6)
    axes = fig.subplots(1, len(scores), sharex=True, squeeze=False)[0]
    for ax, result in zip(axes, scores, strict=True):
        for i, (name, rows) in enumerate(f.runs.groupby(group)):  # 20 colours x 3 markers
            style = dict(color=colormaps["tab20"](i % 20), marker="os^"[i // 20 % 3])
            ax.scatter(rows[s.x], rows[result.y], s=16, label=name, **style)
        (fit,) = result.transitions.values()  # an observed table is one size
        found = "no step or knee"
        if fit.detected:
            x = np.linspace(f.runs[s.x].min(), f.runs[s.x].max(), 200)
            ax.plot(x, fit.curve(x), color="black", lw=1.5, label=f"fitted {fit.kind}")
            ax.axvline(fit.location, color="0.5", ls="--", lw=1)
            found = f"{fit.kind} at {estimate_text(fit.location, fit.location_ci, '.4g')}"
        ax.set_xlabel(s.x)
        ax.set_ylabel(result.y)
        ax.set_title(f"{result.y}: {found}", fontsize=9)
        ax.grid(alpha=0.3)
    axes[-1].legend(
        fontsize=6,
        ncols=2,
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        title=group,
        title_fontsize=7,
    )
    fig.suptitle(f"{c.title}: {f.verdict.word}")
    return fig


def page(
    findings: Sequence[Finding],
    data: dict[str, Any],
    figures: dict[str, Path],
    tables: dict[str, pd.DataFrame],
) -> str:
    def image(key: str) -> str:
        encoded = base64.b64encode(figures[key].read_bytes()).decode()
        return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(key)}">'

    def value(number, ci) -> str:
        return "-" if number is None else estimate_text(number, ci, ".3g")

    rows = []
    for f in findings:
        d = data["systems"][f.system.key]
        cells = [
            d["title"],
            d["kind"],
            f"{d['per_unit']} / {d['all_or_nothing']}",
            f"{value(d['location'], d['location_ci'])} ({d['location_from']})",
            value(d["per_unit_width_exponent"], d["per_unit_width_exponent_ci"]),
            value(d["per_unit_chi_exponent"], d["per_unit_chi_exponent_ci"]),
            value(d["per_unit_nu"], d["per_unit_nu_ci"])
            + ("" if d["per_unit_nu_from"] is None else f" ({d['per_unit_nu_from']})"),
            value(d["all_or_nothing_width_exponent"], d["all_or_nothing_width_exponent_ci"]),
            value(d["all_or_nothing_relative_shift"], d["all_or_nothing_relative_shift_ci"]),
            "-" if d["progress_at_jump"] is None else f"{d['progress_at_jump']:.2f}",
            d["verdict"] + ("" if d["expected"] is None else f" (expected {d['expected']})"),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>")
    sections = "".join(
        f"<h2>{html.escape(f.system.comparison.title)}: {f.verdict.word}</h2>"
        f"<p>{html.escape(f.verdict.reasons['rule'])}. {html.escape(f.system.comparison.note)}</p>"
        + "".join(
            image(f"{f.system.key}-{name}")
            for name in ("transition", "collapse", "picture")
            if f"{f.system.key}-{name}" in figures
        )
        for f in findings
    )
    extra = "".join(
        f"<h2>{html.escape(title)}</h2>"
        f"{table.to_html(index=False, float_format=lambda v: f'{v:.3f}')}"
        for title, table in tables.items()
    )
    head = [
        "system",
        "kind",
        "per-unit / all-or-nothing score",
        "location [95% CI]",
        "per-unit width exponent b",
        "per-unit chi exponent",
        "nu (from)",
        "all-or-nothing b",
        "all-or-nothing shift (widths per e-fold)",
        "per-unit progress at the all-or-nothing jump",
        "verdict",
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emergesim: natural vs LLM emergence</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}}
img{{max-width:100%;display:block;margin:1em 0}}table{{border-collapse:collapse;font-size:90%}}
td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left}}</style></head><body>
<h1>Natural emergence and LLM "emergent abilities", side by side</h1>
<p>{html.escape(data["answer"])}</p>
<p>Every system is swept over its control at several sizes ({
        "quick" if data["quick"] else "full"
    } settings, seed {data["seed"]}, {data["elapsed_seconds"]:.0f} s) and scored twice: by a
per-unit score (the plain mean over its units) and an all-or-nothing score (1 only when every
unit succeeds). The verdict is the same test for every row: <b>collective</b> when the per-unit
transition sharpens with size (width exponent b's 95 % interval below 0) and its susceptibility
peak grows (chi exponent above 0); <b>composition</b> when the per-unit score does not sharpen
while the all-or-nothing score sharpens or shifts; <b>crossover</b> when neither sharpens nor
shifts; <b>inconclusive</b> when the intervals cannot tell; <b>no transition</b> when neither
score has a step or knee in the swept range. Intervals are bootstrap intervals over runs. The
metric test (Schaeffer et al. 2023) reads how far the per-unit score has risen, from its low to
its high end, where the all-or-nothing score jumps: near 1 the jump only composes a rise already
made; well below 1 it is abrupt on both metrics. Real language models enter as observed rows:
one size each, so their verdict cannot read sharpening, and the location and the metric test are
what they measure.</p>
<table><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>{"".join(rows)}</table>
{image("overview")}{sections}{extra}</body></html>
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
