"""Sweep a model over its control at several sizes and locate its transition.

Traffic on a ring road (Nagel-Schreckenberg) jams above a critical density. This sweeps the
density at three road lengths into a resumable store (a rerun skips the finished runs), fits
the jammed fraction's step or knee at each length (emergesim.analyze), and prints where it sits,
with its 95 % interval, and how its width scales with length (width ~ length^b; b < 0: the
transition sharpens as the road grows). The figure shows each length's runs and fit.

Run: ``python locate_transition.py [--tiny] [--out FOLDER]``.
Adapt: change MODEL, CONTROL, ORDER, SIZE, FIXED and the budgets (``emergesim info MODEL`` lists
a model's parameters and observables).
"""

import argparse
from pathlib import Path

import emergesim
from emergesim.analysis import estimate_text
from emergesim.card import Budget
from emergesim.plotting import draw_steps, new_figure

MODEL, CONTROL, ORDER, SIZE = "traffic", "density", "jammed_fraction", "length"
FIXED = {"vmax": 5, "p_slow": 0.1}
FULL = Budget("0.04:0.5:47", (200, 800, 3200), reps=3, steps=300, burn_in=300)
TINY = Budget("0.04:0.5:12", (100, 200), reps=2, steps=60, burn_in=60)  # --tiny: seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("example-output/locate_transition"))
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    budget, store = TINY if args.tiny else FULL, args.out / "runs"
    runs = emergesim.sweep(
        MODEL,
        vary={CONTROL: budget.values, SIZE: list(budget.sizes)},
        fixed=FIXED,
        reps=budget.reps,
        steps=budget.steps,
        burn_in=budget.burn_in,
        seed=1,
        out=store,
        progress=False,
    )
    print(f"{len(runs)} runs of {MODEL} stored in {store}")
    found = emergesim.analyze(store, CONTROL, ORDER, by=SIZE)
    for size, fit in found.transitions.items():
        if fit.detected:
            where = f"{ORDER} at {CONTROL} = {estimate_text(fit.location, fit.location_ci, '.4f')}"
            print(f"{SIZE} {size:g}: {fit.kind} of {where}, 10-90 % width {fit.width:.4f}")
        else:
            print(f"{SIZE} {size:g}: no transition ({fit.reason})")
    sharp = found.sharpening
    b = estimate_text(sharp.exponent, sharp.exponent_ci, "+.3f")
    print(f"width ~ {SIZE}^b: b = {b} ({sharp.reading} with {SIZE})")
    if found.scaling is not None:  # three or more sizes: extrapolate to infinite size
        x_inf, why = found.scaling.x_inf, found.scaling.notes.get("nu")
        where = f"not measured ({why})" if x_inf is None else x_inf.text(".4f")
        print(f"{CONTROL} at infinite {SIZE}: {where}")

    fig = new_figure(7, 4.5)
    ax = fig.add_subplot()
    for n, fit in enumerate(f for f in found.transitions.values() if f.detected):
        ax.axvspan(*fit.location_ci, color="C1", alpha=0.2, label=None if n else "located, 95 %")
    draw_steps(ax, found.runs, CONTROL, ORDER, found.transitions, SIZE)  # legend included
    ax.set_title(f"{MODEL}: {ORDER} against {CONTROL}, b = {b}", fontsize=10)
    fig.savefig(args.out / "transition.png")
    print(f"figure: {args.out / 'transition.png'}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work in main()
    main()
