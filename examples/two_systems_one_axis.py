"""Put two systems with different controls on one axis: the 2D Ising model and the toy LLM.

Each is swept at its report budget (three sizes: L spins a side; k composed steps) and measured
as the comparison report measures it (emergesim.compare.measure). The control becomes
(control - located transition) / its 10-90 % width at the largest size (the location is a
step's midpoint or a knee's onset), and the per-unit score (magnetization; per-step accuracy)
is rescaled to the largest size's fitted ends, so both go from 0 to 1. Every size is drawn,
lighter for smaller ones: a collective transition steepens with size, while the per-step
accuracy of composed sub-skills keeps one curve whatever the number of steps.

Adapt: pass other row keys (``--systems traffic skills``; ``emergesim.compare.systems()`` lists
them), or change a row's budget with ``row.with_budget(Budget(...))`` as redo_report_figure.py does.
"""

import argparse
from pathlib import Path

import numpy as np

from emergesim.card import Budget
from emergesim.compare import systems
from emergesim.compare.measure import measure
from emergesim.plotting import new_figure


def main(
    out="example-output/two_systems", keys=("ising", "skills"), budgets=None, executor="process"
):
    out, budgets = Path(out), budgets or {}
    fig = new_figure(8, 5)
    ax, verdicts = fig.add_subplot(), []
    for number, key in enumerate(keys):
        row = next(s for s in systems() if s.key == key)
        row = row.with_budget(budgets[key]) if key in budgets else row
        found = measure(
            row, quick=True, out=out, seed=0, executor=executor, workers=None, progress=False
        )
        c, largest = row.comparison, max(found.per_unit.transitions)
        fit = found.per_unit.transitions[largest]
        b = found.per_unit.width_exponent
        b = "not measured" if b is None else f"{b.value:+.2f} [{b.ci[0]:+.2f}, {b.ci[1]:+.2f}]"
        print(f"{c.title}: {found.verdict.word}; width exponent b = {b}")
        verdicts.append(f"{c.title}: {found.verdict.word}")
        if found.location is None or not fit.detected:
            print(f"  not drawn: {found.location_from}; at {c.size} = {largest:g}: {fit.reason}")
            continue
        low, high = found.location.ci
        where = f"{found.location.value:.4g} [{low:.4g}, {high:.4g}] ({found.location_from})"
        print(f"  located at {row.x} = {where}; width {fit.width:.3g} at {c.size} {largest:g}")
        sizes = sorted(found.per_unit.transitions)
        for size, shade in zip(sizes, np.linspace(0.3, 1, len(sizes)), strict=True):
            means = found.runs[found.runs[c.size] == size].groupby(row.x)[c.per_unit].mean()
            x = (means.index.to_numpy(dtype=float) - found.location.value) / fit.width
            y = (means.to_numpy() - fit.low) / (fit.high - fit.low)
            ax.plot(
                x,
                y,
                "o-",
                ms=2.5,
                lw=1,
                color=f"C{number}",
                alpha=shade,
                label=f"{row.model}: {c.per_unit}, {c.size} = {size:g}",
            )
    ax.axvline(0, color="0.5", ls="--", lw=1)
    ax.set_title("\n".join(verdicts), fontsize=9)
    ax.set_xlabel("(control - located transition) / 10-90 % width at the largest size")
    ax.set_ylabel("per-unit score, rescaled to the largest size's fitted ends")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.savefig(out / "one_axis.png")
    print(f"figure: {out / 'one_axis.png'}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work below
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="example-output/two_systems", help="output folder")
    parser.add_argument("--systems", nargs=2, default=["ising", "skills"], help="two row keys")
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    tiny = {
        "ising": Budget("1.6:3.2:17", (4, 8, 16), reps=2, steps=60, burn_in=20),
        "skills": Budget("5:15:11", (2, 4, 8), reps=2, steps=2, burn_in=0),
    }
    main(args.out, args.systems, tiny if args.tiny else None, "serial" if args.tiny else "process")
