"""The ``emergesim`` command line."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from emergesim.errors import EmergesimError, ParameterError
from emergesim.model import EmergenceModel
from emergesim.registry import available, get_model

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Agent-based models of natural emergence and of LLM 'emergent abilities'.",
)
console = Console(soft_wrap=True)  # a printed path stays whole, to copy and paste


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Natural emergence and LLM 'emergent abilities', side by side."""


@app.command("list")
def list_models() -> None:
    """List the registered models."""
    table = Table("model", "what it is", "control", "order parameter")
    for name in available():
        cls = get_model(name)
        table.add_row(name, cls.summary(), cls.control, cls.order)
    console.print(table)


@app.command()
def info(model: Annotated[str, typer.Argument(help="Model name (see `emergesim list`).")]) -> None:
    """Show a model's parameters and observables."""
    cls = get_model(model)
    console.print(f"[bold]{cls.name}[/bold]: {cls.summary()}")
    params = Table("parameter", "default", "allowed", "unit", "meaning", title="parameters")
    for p in cls.params.values():
        params.add_row(p.name, str(p.default), p.allowed(), p.unit, p.doc)
    console.print(params)
    observables = Table("observable", "meaning", title="observables")
    for name, doc in cls.observables.items():
        observables.add_row(name, doc)
    console.print(observables)
    console.print(
        f"control parameter: {cls.control}   order parameter: {cls.order}   "
        f"default steps: {cls.default_steps}, burn-in: {cls.default_burn_in}"
    )


@app.command()
def run(
    model: Annotated[str, typer.Argument(help="Model name (see `emergesim list`).")],
    param: Annotated[
        list[str] | None, typer.Option("-p", "--param", help="name=value; repeat for more.")
    ] = None,
    steps: Annotated[int | None, typer.Option(help="Measured steps (model default).")] = None,
    burn_in: Annotated[int | None, typer.Option(help="Unmeasured steps (model default).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (>= 0); random if not given.")] = None,
    record_every: Annotated[int, typer.Option(help="Record observables every N steps.")] = 1,
    backend: Annotated[str, typer.Option(help="numba (fast) or python (the twin).")] = "numba",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Save a figure (.png, .svg, .pdf).")] = None,
    animate: Annotated[Path | None, typer.Option(help="Save an animation (.gif).")] = None,
    scan: Annotated[
        str | None, typer.Option(help="Run once per value of this parameter over its range.")
    ] = None,
    scan_points: Annotated[int, typer.Option(help="Values in a --scan.")] = 21,
) -> None:
    """Run one model and print its observables (mean and std over the measured window)."""
    from emergesim import plotting
    from emergesim.run import run as run_model
    from emergesim.run import scan as scan_model

    cls = get_model(model)
    params = parse_params(param or [], cls)
    if plot is not None:
        plotting.check_output(plot, plotting.FIGURE_SUFFIXES)
    if animate is not None:
        plotting.check_output(animate, plotting.ANIMATION_SUFFIXES)
    options = dict(steps=steps, burn_in=burn_in, record_every=record_every, backend=backend)
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
    steps: Annotated[int | None, typer.Option(help="Measured steps (model default).")] = None,
    burn_in: Annotated[int | None, typer.Option(help="Unmeasured steps (model default).")] = None,
    record_every: Annotated[
        int | None, typer.Option(help="Record every N steps (default 1).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Sweep seed (default: the stored one, or random).")
    ] = None,
    design: Annotated[str | None, typer.Option(help="grid (default), lhs or sobol.")] = None,
    samples: Annotated[int | None, typer.Option(help="Points drawn by lhs or sobol.")] = None,
    adaptive: Annotated[
        bool,
        typer.Option(
            "--adaptive",
            help="Then add control points where the order parameter "
            "changes fastest, until pinned to --tol.",
        ),
    ] = False,
    tol: Annotated[float | None, typer.Option(help="Width to pin the transition to.")] = None,
    budget: Annotated[int | None, typer.Option(help="Most runs --adaptive may add.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder that stores the runs.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes (default: all cores); 1 runs in this process.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on this Dask scheduler (tcp://host:8786).")
    ] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run on a local Dask cluster.")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run stored failed runs again.")
    ] = False,
) -> None:
    """Run a model over a grid or sample of parameters into a resumable store.

    Rerunning the same command skips the runs already stored; exit code 1 if some runs failed.
    """
    from emergesim.sweep import sweep as run_sweep
    from emergesim.sweep.spec import read_toml

    given = dict(param=param, vary=vary, reps=reps, steps=steps, burn_in=burn_in,
                 record_every=record_every, seed=seed, design=design, samples=samples,
                 adaptive=adaptive or None, tol=tol, budget=budget)  # fmt: skip
    given = {k: v for k, v in given.items() if v is not None}
    if model.endswith(".toml"):
        if given:
            option = "--" + next(iter(given)).replace("_", "-")
            raise EmergesimError(
                f"give the sweep either in {model} or as options, not both ({option})"
            )
        spec, execution = read_toml(Path(model))
    else:
        spec = {k: v for k, v in given.items() if k not in ("param", "vary")}
        spec.update(model=model, fixed=_pairs(param or [], "-p"), vary=_pairs(vary or [], "--vary"))
        execution = {}
    given_here = dict(out=out, workers=workers, scheduler=scheduler, dask=dask or None,
                      retry_failed=retry_failed or None)  # fmt: skip
    execution.update({k: v for k, v in given_here.items() if v is not None})  # options win
    if "out" not in execution:
        raise EmergesimError("--out DIR is needed: the folder that stores the runs")
    on_dask = execution.pop("dask", False) or "scheduler" in execution
    executor = "dask" if on_dask else "serial" if execution.get("workers") == 1 else "process"
    try:
        frame = run_sweep(**spec, **execution, executor=executor)
    except KeyboardInterrupt:
        print(f"emergesim: interrupted; the finished runs are stored in {execution['out']}: "
              "rerun the same command to resume", file=sys.stderr)  # fmt: skip
        raise SystemExit(130) from None
    if (frame["status"] == "failed").any():
        raise SystemExit(1)  # main() lets this through: 1 = some runs failed, 2 = bad input


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (emergesim sweep --out).")],
    x: Annotated[str, typer.Option("--x", help="Control column, e.g. density.")],
    y: Annotated[str, typer.Option("--y", help="Order parameter column.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Size column: one fit per value, and sharpening.")
    ] = None,
    size: Annotated[
        str | None, typer.Option(help="Column holding N for chi = N var(y) [default: N = 1].")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Figure [default: FOLDER/analysis.png].")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
) -> None:
    """Transition location and width, susceptibility and sharpening of a stored sweep."""
    from emergesim import plotting
    from emergesim.analysis import analyze as measure

    plot = plotting.check_output(plot or Path(folder) / "analysis.png", plotting.FIGURE_SUFFIXES)
    result = measure(folder, x, y, by=by, size=size, seed=seed)
    out = Table(by or "runs", "transition", "location [95% CI]", "width [95% CI]", "steepest",
                "chi peak at", title=f"{y} against {x}")  # fmt: skip
    for g, fit in result.transitions.items():
        out.add_row(
            "all" if g is None else f"{g:g}",
            "yes" if fit.detected else f"no (p = {fit.p_value:.2g})",
            f"{fit.location:.4g} [{fit.location_ci[0]:.4g}, {fit.location_ci[1]:.4g}]",
            f"{fit.width:.4g} [{fit.width_ci[0]:.4g}, {fit.width_ci[1]:.4g}]",
            f"{fit.steepest:.4g}",
            f"{result.fluctuations[g].peak:.4g}",
        )
    console.print(out)
    if result.sharpening is not None:
        sharp = result.sharpening
        low, high = sharp.exponent_ci
        console.print(
            f"width ~ {by}^b: b = {sharp.exponent:+.3f} [{low:+.3f}, {high:+.3f}] "
            f"({'sharpens' if sharp.sharpens else 'does not sharpen'} with {by}); "
            f"Binder curves cross at {x} = {result.binder_crossing:.4g}"
        )
    fig = plotting.new_figure(11, 4.2)
    steps, fluctuation = fig.subplots(1, 2)
    plotting.draw_steps(steps, result.runs, x, y, result.transitions, by)
    for g, chi in result.fluctuations.items():
        fluctuation.plot(chi.table[x], chi.table["chi"], "o-", ms=3,
                         label="all" if g is None else f"{by} = {g:g}")  # fmt: skip
    fluctuation.set_xlabel(x)
    fluctuation.set_ylabel(f"chi = {size or 1} var({y})")
    fluctuation.legend(fontsize=8)
    fluctuation.grid(alpha=0.3)
    fig.savefig(plot)
    console.print(f"figure: {plot}")


@app.command()
def compare(
    out: Annotated[Path, typer.Option(help="Folder of the report and its cached runs.")] = Path(
        "report"
    ),
    quick: Annotated[bool, typer.Option("--quick", help="Small sweeps: a few minutes.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of every sweep and bootstrap.")] = 0,
    workers: Annotated[int | None, typer.Option(help="Processes [all cores].")] = None,
) -> None:
    """Sweep every system, measure its transition, write OUT/index.html and summary.json."""
    from emergesim.compare import compare as run_comparison

    summary = run_comparison(out, quick=quick, seed=seed, workers=workers)
    table = Table("system", "location", "width", "width exponent b", "verdict")
    for numbers in summary["systems"].values():
        table.add_row(numbers["title"], f"{numbers['location']:.4g}", f"{numbers['width']:.3g}",
                      f"{numbers['sharpening_exponent']:+.2f}", numbers["verdict"])  # fmt: skip
    console.print(table)
    console.print(summary["answer"])
    console.print(f"report: {Path(out) / 'index.html'}")


def _figure_sets() -> dict[str, Any]:
    """Name -> function(out, *, quick) -> list of the paths written; one line per set."""
    from emergesim.models.skills.datafigures import save_data_figures
    from emergesim.models.skills.seed import save_seed_figures

    return {"seed": partial(save_seed_figures, report=console.print), "data": save_data_figures}


@app.command()
def figures(
    name: Annotated[
        str,
        typer.Argument(
            help="Figure set: seed (the seed's LLM claims) or data (the skills model against "
            "real models' arithmetic)."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Folder for the figures (created).")] = Path("figs"),
    quick: Annotated[bool, typer.Option("--quick", help="Coarse and small: seconds.")] = False,
) -> None:
    """Regenerate a set of figures and print the numbers each one shows."""
    sets = _figure_sets()
    if name not in sets:
        raise EmergesimError(f"unknown figure set '{name}'; allowed: {', '.join(sets)}")
    for path in sets[name](out, quick=quick):
        console.print(f"figure: {path}")


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
    if name not in cls.params:
        raise ParameterError(
            f"cannot scan unknown parameter '{name}' of model '{cls.name}'; "
            f"allowed: {', '.join(cls.params)}"
        )
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


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one line on stderr and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="emergesim", standalone_mode=False)
    except Exception as error:
        # usage errors of Typer's (vendored) click carry format_message(); match on that
        is_usage = callable(getattr(error, "format_message", None))
        if "--debug" in args or not (isinstance(error, EmergesimError) or is_usage):
            raise
        message = error.format_message() if is_usage else str(error)
        if message:  # empty when the help was shown for a bare `emergesim`
            print(f"emergesim: error: {message}", file=sys.stderr)
        return 2
    return 0


def entry() -> None:
    """Console script: exit with ``main``'s code."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
