"""Put two systems with different controls on one axis: the 2D Ising model and the toy LLM.

Each is swept at its report budget (three sizes: L spins a side; k composed steps) and measured
as the comparison report measures it (emergesim.compare.measure). The control becomes
(control - located transition) / 10-90 % width at the largest size, and the per-unit score
(magnetization; per-step accuracy) is rescaled to the largest size's fitted ends. Every size is
drawn, lighter for smaller ones: a collective transition steepens with size, while the per-step
accuracy of composed sub-skills keeps one curve.

Run: ``python two_systems_one_axis.py [--tiny] [--out FOLDER]``.
Adapt: other row KEYS (``emergesim.compare.systems()`` lists them: traffic, skills, ...), or
give a row another budget (``row.with_budget(Budget(...))``, as TINY does).
"""

import argparse
from pathlib import Path

import numpy as np

from emergesim.card import Budget
from emergesim.compare import systems
from emergesim.compare.measure import measure
from emergesim.plotting import new_figure

KEYS = ("ising", "skills")
TINY = {  # --tiny: a few seconds
    "ising": Budget("1.6:3.2:17", (4, 8, 16), reps=2, steps=60, burn_in=20),
    "skills": Budget("5:15:11", (2, 4, 8), reps=2, steps=2, burn_in=0),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("example-output/two_systems"))
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    rows = {row.key: row for row in systems()}
    ax, verdicts = new_figure(8, 5).add_subplot(), []
    for number, key in enumerate(KEYS):
        row = rows[key].with_budget(TINY[key]) if args.tiny else rows[key]
        found = measure(
            row, quick=True, out=args.out, seed=0, executor="process", workers=None, progress=False
        )
        c, b = row.comparison, found.per_unit.width_exponent
        b = "not measured" if b is None else b.text("+.2f")
        print(f"{c.title}: {found.verdict.word}; width exponent b = {b}")
        verdicts.append(f"{c.title}: {found.verdict.word}")
        largest = max(found.per_unit.transitions)
        fit = found.per_unit.transitions[largest]
        estimate, source = found.location
        if estimate is None or not fit.detected:
            print(f"  not drawn: {source}; at {c.size} = {largest:g}: {fit.reason}")
            continue
        x0, where = estimate.value, f"{estimate.text()} ({source})"
        print(f"  located at {row.x} = {where}; width {fit.width:.3g} at {c.size} {largest:g}")
        sizes = sorted(found.per_unit.transitions)
        for size, shade in zip(sizes, np.linspace(0.3, 1, len(sizes)), strict=True):
            means = found.runs[found.runs[c.size] == size].groupby(row.x)[c.per_unit].mean()
            x = (means.index.to_numpy(dtype=float) - x0) / fit.width
            y = (means.to_numpy() - fit.low) / (fit.high - fit.low)
            label = f"{row.model}: {c.per_unit}, {c.size} = {size:g}"
            ax.plot(x, y, "o-", ms=2.5, lw=1, color=f"C{number}", alpha=shade, label=label)
    ax.axvline(0, color="0.5", ls="--", lw=1)
    ax.set_title("\n".join(verdicts), fontsize=9)
    ax.set_xlabel("(control - located transition) / 10-90 % width at the largest size")
    ax.set_ylabel("per-unit score, rescaled to the largest size's fitted ends")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.figure.savefig(args.out / "one_axis.png")
    print(f"figure: {args.out / 'one_axis.png'}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work in main()
    main()
