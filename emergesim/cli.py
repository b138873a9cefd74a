"""The ``emergesim`` command line.

Heavy modules (Mesa, numba, pandas, matplotlib) are imported inside the commands that use them:
``emergesim --help``, ``list`` and ``info`` read the models' cards and start in a few hundredths
of a second. Every command that prints a result takes ``--json``; ``--quiet`` keeps the
progress and the chatter off stderr.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from emergesim.card import ModelCard
from emergesim.errors import EmergesimError, ParameterError
from emergesim.registry import available, card, get_model, get_study

if TYPE_CHECKING:
    from emergesim.model import EmergenceModel

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: fits 80 columns, shows choices, no <bool> on flags
    help="Agent-based models of natural emergence and of LLM 'emergent abilities'.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(soft_wrap=True)  # a printed path stays whole, to copy and paste
chatter = Console(stderr=True, soft_wrap=True)  # what --quiet silences
JSON = Annotated[bool, typer.Option("--json", help="Print the result as one JSON document.")]
ModelName = Annotated[str, typer.Argument(help="Model name (see `emergesim list`).")]
Params = Annotated[  # of both run and view
    list[str] | None, typer.Option("-p", "--param", help="name=value; repeat for more.")
]
# options of both run and sweep, declared once
Steps = Annotated[int | None, typer.Option(help="Measured steps (model default).")]
BurnIn = Annotated[int | None, typer.Option(help="Unmeasured steps (model default).")]
Workers = Annotated[int | None, typer.Option(help="Processes [all cores]; 1 runs in this one.")]


def _show_version(value: bool) -> None:
    if value:
        from emergesim.version import __version__

        console.print(f"emergesim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or messages on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Natural emergence and LLM 'emergent abilities', side by side."""
    chatter.quiet = quiet


def _progress() -> bool:
    return not chatter.quiet


def _print_json(data: Any) -> None:
    print(json.dumps(data, allow_nan=False))


@app.command("list")
def list_models(as_json: JSON = False) -> None:
    """List the registered models."""
    cards = [card(name) for name in available()]
    if as_json:
        _print_json([_card_dict(c, full=False) for c in cards])
        return
    table = Table("model", "what it is", "control", "order parameter")
    for c in cards:
        table.add_row(c.name, c.summary, c.control, c.order)
    console.print(table)


@app.command()
def info(model: ModelName, as_json: JSON = False) -> None:
    """Show a model's parameters and observables."""
    c = card(model)
    if as_json:
        _print_json(_card_dict(c, full=True))
        return
    console.print(f"[bold]{c.name}[/bold]: {c.summary}", soft_wrap=False)
    params = Table("parameter", "default", "allowed", "meaning", title="parameters")
    for p in c.params.values():
        allowed = f"{p.allowed()} ({p.unit})" if p.unit else p.allowed()
        params.add_row(p.name, str(p.default), allowed, p.doc)
    console.print(params)
    observables = Table("observable", "meaning", title="observables")
    for name, doc in c.observables.items():
        observables.add_row(name, doc)
    console.print(observables)
    console.print(
        f"control parameter: {c.control}   order parameter: {c.order}\n"
        f"default steps: {c.default_steps}, burn-in: {c.default_burn_in}"
    )


def _card_dict(c: ModelCard, *, full: bool) -> dict[str, Any]:
    head = {"name": c.name, "summary": c.summary, "control": c.control, "order": c.order}
    if not full:
        return head
    params = {
        name: {"default": p.default, "allowed": p.allowed(), "unit": p.unit, "doc": p.doc}
        for name, p in c.params.items()
    }
    return {
        **head,
        "params": params,
        "observables": c.observables,
        "default_steps": c.default_steps,
        "default_burn_in": c.default_burn_in,
        "version": c.version,
    }


@app.command()
def run(
    model: ModelName,
    param: Params = None,
    steps: Steps = None,
    burn_in: BurnIn = None,
    seed: Annotated[int | None, typer.Option(help="Seed in [0, 2**63); random if none.")] = None,
    record_every: Annotated[int, typer.Option(help="Record observables every N steps.")] = 1,
    max_records: Annotated[
        int, typer.Option(help="Keep at most N records: beyond, every other is dropped.")
    ] = 100_000,
    backend: Annotated[
        Literal["numba", "python"], typer.Option(help="The kernel, or the Python twin.")
    ] = "numba",
    as_json: JSON = False,
    plot: Annotated[Path | None, typer.Option(help="Save a figure (.png, .svg, .pdf).")] = None,
    animate: Annotated[Path | None, typer.Option(help="Save an animation (.gif).")] = None,
    scan: Annotated[
        str | None, typer.Option(help="Run once per value of this parameter over its range.")
    ] = None,
    scan_points: Annotated[int, typer.Option(help="Values in a --scan.")] = 21,
) -> None:
    """Run one model and print its observables (mean and std over the measured window)."""
    from emergesim import plotting
    from emergesim.runner import run as run_model
    from emergesim.runner import scan as scan_model

    cls = get_model(model)
    params = parse_params(param or [], cls)
    if plot is not None:
        plotting.check_output(plot, plotting.FIGURE_SUFFIXES)
    if animate is not None:
        plotting.check_output(animate, plotting.ANIMATION_SUFFIXES)
    options = dict(
        steps=steps,
        burn_in=burn_in,
        record_every=record_every,
        max_records=max_records,
        backend=backend,
    )
    if scan is not None:
        if animate is not None:
            raise EmergesimError("--animate cannot be combined with --scan; use --plot")
        values = scan_values(cls, scan, scan_points)
        table = scan_model(cls, scan, values, seed=seed, **options, **params)
        if plot is not None:
            plotting.save_scan(table, cls, scan, cls.params.validate(params), plot)
        if as_json:
            print(table.to_json(orient="records"))
        else:
            console.print(_scan_table(table, cls, scan))
        return
    result = run_model(cls, seed=seed, frames=bool(plot or animate), **options, **params)
    if as_json:
        print(json.dumps(result.to_dict()))
    else:
        _print_result(result)
    if plot is not None:
        plotting.save_figure(result, plot)
    if animate is not None:
        plotting.save_animation(result, animate)


@app.command()
def sweep(
    ctx: typer.Context,
    model: Annotated[
        str, typer.Argument(help="Model name, package.module:Class, or a spec file (.toml).")
    ],
    param: Annotated[
        list[str] | None, typer.Option("-p", "--param", help="Fixed name=value; repeat.")
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(help="name=start:stop:count, name=a,b,c or name=log:start:stop:count."),
    ] = None,
    reps: Annotated[int | None, typer.Option(help="Replicates of every point (default 1).")] = None,
    steps: Steps = None,
    burn_in: BurnIn = None,
    record_every: Annotated[int | None, typer.Option(help="Record every N steps [1].")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed [the stored one, or random].")] = None,
    design: Annotated[
        Literal["grid", "lhs", "sobol", "points"] | None,
        typer.Option(help="How points are chosen [grid; points with --points]."),
    ] = None,
    samples: Annotated[int | None, typer.Option(help="Points drawn by lhs or sobol.")] = None,
    points: Annotated[
        Path | None,
        typer.Option(help="A table of points (.csv, .parquet): one row a point, not crossed."),
    ] = None,
    adaptive: Annotated[
        bool,
        typer.Option(
            "--adaptive",
            help="Then extend the control's range until the transition is "
            "inside it, and add points where the order parameter changes "
            "fastest, until pinned to --tol.",
        ),
    ] = False,
    tol: Annotated[float | None, typer.Option(help="Width to pin the transition to.")] = None,
    budget: Annotated[int | None, typer.Option(help="Most runs --adaptive may add.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder that stores the runs.")] = None,
    workers: Workers = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on this Dask scheduler (tcp://host:8786).")
    ] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run on a local Dask cluster.")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run stored failed runs again.")
    ] = False,
    max_runs: Annotated[int | None, typer.Option(help="Refuse a sweep of more runs [1e6].")] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds a run may take on local processes [none].")
    ] = None,
    as_json: JSON = False,
) -> None:
    """Run a model over a grid or sample of parameters into a resumable store.

    Rerunning the same command skips the runs already stored; exit code 1 if some runs failed.
    """
    from emergesim.sweeps import sweep as run_sweep
    from emergesim.sweeps.spec import EXECUTION_KEYS, read_toml

    # The options given, each named as its keyword of sweep() and key of a spec file, so they
    # pass through unlisted; only -p (param: the spec's fixed) and --vary are parsed here.
    given = {
        name: value
        for name, value in ctx.params.items()
        if name not in ("model", "as_json")
        and not (value is None or value is False or value == ())  # not given: the defaults
    }
    execution = {name: given.pop(name) for name in EXECUTION_KEYS if name in given}
    if model.endswith(".toml"):
        if given:
            option = "--" + next(iter(given)).replace("_", "-")
            raise EmergesimError(
                f"give the sweep either in {model} or as options, not both ({option})"
            )
        spec, in_file = read_toml(Path(model))
        execution = {**in_file, **execution}  # options win
    else:
        fixed = _pairs(given.pop("param", []), "-p")
        varied = _pairs(given.pop("vary", []), "--vary")
        spec = {**given, "model": model, "fixed": fixed, "vary": varied}
    if "out" not in execution:
        raise EmergesimError("--out DIR is needed: the folder that stores the runs")
    on_dask = execution.pop("dask", False) or "scheduler" in execution
    in_here = execution.get("workers") == 1 and "timeout" not in execution  # stops no run
    executor = "dask" if on_dask else "serial" if in_here else "process"
    _on_interrupt.append(
        f"the finished runs are stored in {execution['out']}: rerun the same command to resume"
    )
    frame = run_sweep(**spec, **execution, executor=executor, progress=_progress())
    if as_json:
        counts = frame["status"].value_counts()
        ok, failed = int(counts.get("ok", 0)), int(counts.get("failed", 0))
        _print_json({"out": str(execution["out"]), "runs": len(frame), "ok": ok, "failed": failed})
    if (frame["status"] == "failed").any():
        raise typer.Exit(1)  # 1 = some runs failed, 2 = bad input


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (emergesim sweep --out).")],
    x: Annotated[str | None, typer.Option("--x", help="Control column, e.g. density.")] = None,
    y: Annotated[str, typer.Option("--y", help="Order parameter column.")] = ...,
    by: Annotated[
        str | None, typer.Option("--by", help="Size column: one fit per value, and sharpening.")
    ] = None,
    size: Annotated[
        str | None, typer.Option(help="Column holding N for chi = N var(y) [default: N = 1].")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", "--figure", help="Figure [FOLDER/analysis.png, FOLDER/<indices>.png]."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    indices: Annotated[
        Literal["sobol", "morris"] | None,
        typer.Option(help="Instead: sensitivity indices of --y over a swept table of points."),
    ] = None,
    levels: Annotated[int, typer.Option(help="Levels of the Morris design (--indices).")] = 4,
    as_json: JSON = False,
) -> None:
    """Transition location and width, susceptibility and sharpening of a stored sweep; or, with
    --indices, Sobol or Morris indices of a sweep over SALib's design (the sensitivity extra)."""
    from emergesim import plotting
    from emergesim.analysis import analyze as measure

    if indices is not None:
        extra = [o for o, v in (("--x", x), ("--by", by), ("--size", size)) if v is not None]
        if extra:
            raise EmergesimError(
                f"{extra[0]} is not for --indices: its inputs are the columns of the points swept"
            )
        _analyze_indices(folder, indices, y, plot, seed, levels, as_json)
        return
    if levels != 4:
        raise EmergesimError("--levels is for --indices morris")
    if x is None:
        raise EmergesimError("--x is needed: the control column, e.g. --x density")

    result = measure(folder, x, y, by=by, size=size, seed=seed)  # first: is it a sweep folder?
    plot = plotting.check_output(plot or Path(folder) / "analysis.png", plotting.FIGURE_SUFFIXES)
    if as_json:
        _print_json(_analysis_dict(result))
    else:
        _print_analysis(result)
    _draw_analysis(result, size, plot)
    if not as_json:
        console.print(f"figure: {plot}")


def _analyze_indices(folder, method, y, plot, seed, levels, as_json) -> None:
    """``analyze --indices``: a table of the indices with their intervals, and their bars."""
    from emergesim import plotting
    from emergesim.analysis.indices import draw_indices, indices

    options = {"seed": seed, **({"levels": levels} if method == "morris" else {})}
    if method == "sobol" and levels != 4:
        raise EmergesimError("--levels is for --indices morris")
    found = indices(method, folder, None, y, **options)  # first: is it a sweep of points?
    plot = plotting.check_output(
        plot or Path(folder) / f"{method}-indices.png", plotting.FIGURE_SUFFIXES
    )
    if as_json:
        data = {"method": method, "output": y, "confidence": found.confidence}
        data |= {"rows": found.rows, "points": found.points, "runs": found.runs}
        data["indices"] = found.table.to_dict(orient="index")
        _print_json(_finite(data))
    else:
        level = f"{found.confidence:.0%}"
        title = (
            f"{'Sobol' if method == 'sobol' else 'Morris'} indices of {y} "
            f"({found.rows} design rows, {found.points} points, {found.runs} runs)"
        )
        t = found.table
        if method == "sobol":
            heads = (f"S1 [{level} CI]", f"ST [{level} CI]")
            rows = [
                (_interval(r.S1, r.S1_conf), _interval(r.ST, r.ST_conf)) for r in t.itertuples()
            ]
        else:
            heads = ("mu", f"mu* [{level} CI]", "sigma")
            rows = [
                (f"{r.mu:.3f}", _interval(r.mu_star, r.mu_star_conf), f"{r.sigma:.3f}")
                for r in t.itertuples()
            ]
        out = Table("input", *heads, title=title)
        for name, cells in zip(t.index, rows, strict=True):
            out.add_row(name, *cells)
        console.print(out)
    fig = plotting.new_figure(max(5.0, 1.6 + 1.3 * len(found.table)), 4.2)
    draw_indices(fig.add_subplot(), found)
    fig.savefig(plot)
    if not as_json:
        console.print(f"figure: {plot}")


def _interval(value: float, half: float) -> str:
    """``0.310 [0.240, 0.380]``: an index and its interval, value +- SALib's half-width."""
    from emergesim.analysis import estimate_text

    return estimate_text(value, (value - half, value + half), ".3f")


def _print_analysis(result) -> None:
    from emergesim.analysis import estimate_text

    x, y, by = result.x, result.y, result.by
    headers = ("transition", "location [95% CI]", "width [95% CI]", "chi peak at")
    out = Table(by or "runs", *headers, title=f"{y} against {x}")
    for g, fit in result.transitions.items():
        out.add_row(
            "all" if g is None else f"{g:g}",
            _found(fit),
            estimate_text(fit.location, fit.location_ci),
            estimate_text(fit.width, fit.width_ci),
            f"{result.fluctuations[g].peak:.4g}",
        )
    console.print(out)
    for g, fit in result.transitions.items():
        console.print(f"{'all' if g is None else f'{by} = {g:g}'}: {fit.reason}")
    if result.sharpening is not None:
        sharp = result.sharpening
        console.print(
            f"width ~ {by}^b: b = {estimate_text(sharp.exponent, sharp.exponent_ci, '+.3f')} "
            f"({sharp.reading} with {by})"
        )
    if result.scaling is not None:
        for line in _scaling_lines(result.scaling):
            console.print(line)


def _draw_analysis(result, size: str | None, plot: Path) -> None:
    from emergesim import plotting

    x, y, by = result.x, result.y, result.by
    fig = plotting.new_figure(11, 4.2)
    steps, fluctuation = fig.subplots(1, 2)
    plotting.draw_steps(steps, result.runs, x, y, result.transitions, by)
    for g, chi in result.fluctuations.items():
        fluctuation.plot(
            chi.table[x],
            chi.table["chi"],
            "o-",
            ms=3,
            label="all" if g is None else f"{by} = {g:g}",
        )
    fluctuation.set_xlabel(x)
    fluctuation.set_ylabel(f"chi = {size or 1} var({y})")
    fluctuation.legend(fontsize=8)
    fluctuation.grid(alpha=0.3)
    fig.savefig(plot)


def _found(fit) -> str:
    """A detected transition's kind; otherwise no, or "cannot tell" when the data cannot."""
    if fit.detected:
        return fit.kind if fit.kind == "step" else f"knee, q = {fit.power:g}"
    return "no" if fit.conclusive else "cannot tell"


def _scaling_lines(scaling) -> list[str]:
    """Finite-size scaling, one line a measure; a measure that could not be made says why."""
    from emergesim.analysis import estimate_text

    lines = []
    for name, label in (
        ("x_inf", f"{scaling.x} at infinite size"),
        ("nu", "nu"),
        ("chi_exponent", "chi peak ~ size^(gamma/nu), gamma/nu"),
    ):
        value = getattr(scaling, name)
        if value is None:
            lines.append(f"{label}: not measured ({scaling.notes.get(name, 'no estimate')})")
        else:
            source = f" (from the {scaling.nu_from})" if name == "nu" else ""
            lines.append(f"{label} = {value.text()}{source}")
    binder = scaling.binder
    if binder is not None:
        where = (
            f"at {estimate_text(binder.location, binder.location_ci)}"
            if binder.crossed
            else (f"not found ({binder.reason})")
        )
        lines.append(f"Binder cumulant crossing {where}")
    return lines


def _analysis_dict(result) -> dict[str, Any]:
    """What ``analyze`` prints, as JSON: one entry per value of ``by`` ("all" without it)."""
    fits = {
        "all" if g is None else f"{g:g}": {
            "detected": fit.detected,
            "kind": fit.kind,
            "power": fit.power if fit.detected else None,
            "conclusive": fit.conclusive,
            "reason": fit.reason,
            "p_value": fit.p_value,
            "location": fit.location,
            "location_ci": list(fit.location_ci),
            "width": fit.width,
            "width_ci": list(fit.width_ci),
            "steepest": fit.steepest,
            "chi_peak_at": result.fluctuations[g].peak,
        }
        for g, fit in result.transitions.items()
    }
    data: dict[str, Any] = {"x": result.x, "y": result.y, "by": result.by, "transitions": fits}
    if result.sharpening is not None:
        data["width_exponent"] = result.sharpening.exponent
        data["width_exponent_ci"] = list(result.sharpening.exponent_ci)
        data["sharpening"] = result.sharpening.reading
    if result.scaling is not None:
        estimates = ("x_inf", "nu", "chi_exponent", "width_exponent")
        data["scaling"] = {
            name: None if value is None else {"value": value.value, "ci": list(value.ci)}
            for name in estimates
            for value in [getattr(result.scaling, name)]
        }
        data["scaling"]["notes"] = result.scaling.notes
    return _finite(data)


def _finite(data: Any) -> Any:
    """NaN and infinities become null: JSON has no word for them."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return None if isinstance(data, float) and not math.isfinite(data) else data


@app.command()
def compare(
    out: Annotated[Path, typer.Option(help="Folder of the report and its cached runs.")] = Path(
        "report"
    ),
    quick: Annotated[bool, typer.Option("--quick", help="Small sweeps: a few minutes.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of every sweep and bootstrap.")] = 0,
    workers: Workers = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Only this row (its key; a wrong one lists them all). Repeatable."),
    ] = None,
    as_json: JSON = False,
) -> None:
    """Sweep every system, measure its transition, write OUT/index.html and summary.json."""
    from emergesim.analysis import estimate_text
    from emergesim.compare import compare as run_comparison

    _on_interrupt.append(f"the finished runs are kept in {out}: rerun the same command to resume")
    summary = run_comparison(
        out, quick=quick, seed=seed, workers=workers, only=tuple(only or ()), progress=_progress()
    )
    if as_json:
        _print_json(_finite(summary))
        return
    table = Table("system", "location [95% CI]", "per-unit b", "metric test", "verdict")
    for d in summary["systems"].values():
        location = estimate_text(d["location"], d["location_ci"], ".3g")
        b = estimate_text(d["per_unit_width_exponent"], d["per_unit_width_exponent_ci"], "+.2f")
        jump = "" if d["progress_at_jump"] is None else f"{d['progress_at_jump']:.2f}"
        expected = "" if d["expected"] is None else f" (expected {d['expected']})"
        table.add_row(d["title"], location, b, jump, d["verdict"] + expected)
    console.print(table)
    console.print(summary["answer"])
    console.print(f"report: {Path(out) / 'index.html'}")


@app.command()
def figures(
    name: Annotated[str, typer.Argument(help="Study name (a wrong one lists them all).")],
    out: Annotated[Path, typer.Option(help="Folder for the figures (created).")] = Path("figs"),
    quick: Annotated[bool, typer.Option("--quick", help="Coarse and small: seconds.")] = False,
    as_json: JSON = False,
) -> None:
    """Regenerate a study's figures and print the numbers each one shows."""
    report = chatter.print if as_json else console.print
    paths = get_study(name).save(out, quick=quick, report=report)
    if as_json:
        _print_json([str(path) for path in paths])
    for path in [] if as_json else paths:
        console.print(f"figure: {path}")


@app.command()
def view(
    model: Annotated[
        str | None, typer.Argument(help="Model name; none: a page listing every model.")
    ] = None,
    param: Params = None,
    port: Annotated[int, typer.Option(help="Port to serve on; 0 picks a free one.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to serve on; other than 127.0.0.1, the network sees it.")
    ] = "127.0.0.1",
) -> None:
    """Watch a model live in the browser: picture, controls, observables (needs the viz extra)."""
    from emergesim.view import serve

    params: dict[str, Any] = {}
    if model is not None:
        cls = get_model(model)
        params = cls.params.validate(parse_params(param or [], cls), model=f"model '{model}'")
        cls.check_params(params)
    elif param:
        raise EmergesimError("-p needs a MODEL: emergesim view MODEL -p name=value")
    serve(model, params, host=host, port=port, report=console.print)


def _pairs(pairs: list[str], option: str) -> dict[str, str]:
    """``["name=value", ...]`` -> dict, refusing anything else."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"{option} must be given as name=value, got {pair!r}")
        if name.strip() in found:
            raise ParameterError(f"{option} {name.strip()} is given twice")
        found[name.strip()] = value.strip()
    return found


def parse_params(pairs: list[str], cls: type[EmergenceModel]) -> dict[str, Any]:
    """``["density=0.3", ...]`` -> dict of strings, checked by the model's parameters."""
    params = _pairs(pairs, "parameter")
    cls.params.validate(params, model=f"model '{cls.name}'")
    return params


def scan_values(cls: type[EmergenceModel], name: str, points: int) -> list[Any]:
    import numpy as np

    cls.params.check_names([name], model=f"model '{cls.name}'")
    p = cls.params[name]
    if p.choices is not None:
        return list(p.choices)
    if p.type not in (int, float) or p.low is None or p.high is None:
        raise ParameterError(f"cannot scan '{name}': it has no numeric range")
    if points < 2:
        raise ParameterError(f"--scan-points must be an integer >= 2, got {points}")
    values = np.linspace(p.low, p.high, points)
    if p.low_open:
        values = values[1:]
    return sorted({round(v) for v in values}) if p.type is int else values.tolist()


def _print_result(result) -> None:
    cls = type(result.model)
    shown = ", ".join(f"{k}={v}" for k, v in result.params.items())
    console.print(
        f"[bold]{cls.name}[/bold]  {shown}\nseed {result.seed}, burn-in {result.burn_in}, "
        f"{result.steps} measured steps ({len(result.timeseries)} recorded)"
    )
    table = Table("observable", "mean", "std", "meaning")
    for name, mean in result.observables.items():
        table.add_row(name, f"{mean:.6g}", f"{result.std[name]:.3g}", cls.observables[name])
    console.print(table)


def _scan_table(table, cls: type[EmergenceModel], param: str) -> Table:
    out = Table(param, *cls.observables, title=f"{cls.name}: scan over {param}")
    for row in table.itertuples(index=False):
        values = row._asdict()
        out.add_row(f"{values[param]:g}", *(f"{values[k]:.4g}" for k in cls.observables))
    return out


INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)
_on_interrupt: list[str] = []  # what a command wants said if Ctrl-C ends it


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one line on stderr and exit code 2, Ctrl-C one line and
    130, a sweep with failed runs 1."""
    args = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(app)
    _on_interrupt.clear()
    try:
        code = command.main(args=args, prog_name="emergesim", standalone_mode=False)
    except KeyboardInterrupt:  # raised outside a command (Typer turns the rest into 130)
        code = INTERRUPTED
    except Exception as error:
        # usage errors of Typer's (vendored) click carry format_message(); match on that
        is_usage = callable(getattr(error, "format_message", None))
        if "--debug" in args or not (isinstance(error, EmergesimError) or is_usage):
            raise
        message = error.format_message() if is_usage else str(error)
        if message:  # empty when the help was shown for a bare `emergesim`
            print(f"emergesim: error: {message}", file=sys.stderr)
        return 2
    if code == INTERRUPTED:
        print("; ".join(["emergesim: interrupted", *_on_interrupt]), file=sys.stderr)
    return code if isinstance(code, int) else 0


def entry() -> None:
    """Console script: exit with ``main``'s code."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
