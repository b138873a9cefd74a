"""Sweep a model over its control at several sizes and locate its transition.

Traffic on a ring road (Nagel-Schreckenberg) jams above a critical density. This sweeps the
density at three road lengths into a resumable store (rerun it: finished runs are skipped),
fits the jammed fraction's step or knee at each length (emergesim.analyze), and prints where it
sits with its 95 % interval and how its width scales with length (width ~ length^b; b < 0:
the transition sharpens as the system grows). The figure shows each length's runs and fit.

Adapt: change MODEL, CONTROL, ORDER, SIZE and the values below (``emergesim info MODEL`` lists a
model's parameters and observables). Run ``python locate_transition.py --help``.
"""

import argparse
from pathlib import Path

import emergesim
from emergesim.plotting import draw_steps, new_figure

MODEL, CONTROL, ORDER, SIZE = "traffic", "density", "jammed_fraction", "length"
FIXED = {"vmax": 5, "p_slow": 0.1}


def main(
    out="example-output/locate_transition",
    sizes=(200, 800, 3200),
    values="0.04:0.5:47",
    reps=3,
    steps=300,
    burn_in=300,
    executor="process",
):
    out = Path(out)
    runs = emergesim.sweep(
        MODEL,
        vary={CONTROL: values, SIZE: list(sizes)},
        fixed=FIXED,
        reps=reps,
        steps=steps,
        burn_in=burn_in,
        seed=1,
        out=out / "runs",
        executor=executor,
        progress=False,
    )
    print(f"{len(runs)} runs of {MODEL} stored in {out / 'runs'}")
    found = emergesim.analyze(out / "runs", CONTROL, ORDER, by=SIZE)
    for size, fit in found.transitions.items():
        if not fit.detected:
            print(f"{SIZE} {size:g}: no transition ({fit.reason})")
            continue
        low, high = fit.location_ci
        print(
            f"{SIZE} {size:g}: {fit.kind} of {ORDER} at {CONTROL} = {fit.location:.4f} "
            f"[{low:.4f}, {high:.4f}], 10-90 % width {fit.width:.4f}"
        )
    sharp = found.sharpening
    low, high = sharp.exponent_ci
    print(
        f"width ~ {SIZE}^b: b = {sharp.exponent:+.3f} [{low:+.3f}, {high:+.3f}] "
        f"({sharp.reading} with {SIZE})"
    )
    if found.scaling is not None:  # three or more sizes: extrapolate to infinite size
        x_inf = found.scaling.x_inf
        print(
            f"{CONTROL} at infinite {SIZE}: "
            + (
                f"{x_inf.value:.4f} [{x_inf.ci[0]:.4f}, {x_inf.ci[1]:.4f}]"
                if x_inf
                else f"not measured ({found.scaling.notes.get('nu')})"
            )
        )
    fig = new_figure(7, 4.5)
    ax = fig.add_subplot()
    for n, fit in enumerate(f for f in found.transitions.values() if f.detected):
        ax.axvspan(*fit.location_ci, color="C1", alpha=0.2, label=None if n else "located, 95 %")
    draw_steps(ax, found.runs, CONTROL, ORDER, found.transitions, SIZE)  # legend included
    ax.set_title(
        f"{MODEL}: {ORDER} against {CONTROL}, b = {sharp.exponent:+.2f} [{low:+.2f}, {high:+.2f}]",
        fontsize=10,
    )
    fig.savefig(out / "transition.png")
    print(f"figure: {out / 'transition.png'}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work below
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="example-output/locate_transition", help="output folder")
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    if args.tiny:
        main(
            args.out,
            sizes=(100, 200),
            values="0.04:0.5:12",
            reps=2,
            steps=60,
            burn_in=60,
            executor="serial",
        )
    else:
        main(args.out)
