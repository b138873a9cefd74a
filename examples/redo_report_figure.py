"""Redo one figure of the comparison report with other settings: the 2D Ising row.

``emergesim compare --quick`` sweeps the Ising model at L = 8, 16, 32. This takes the same row,
gives it another budget (L = 64 added), measures it as the report does (emergesim.compare.measure),
redraws the report's transition and collapse figures and prints the verdict, the located T_c and
nu, and Onsager's exact values.

Run: ``python redo_report_figure.py [--tiny] [--out FOLDER]``.
Adapt: another KEY (``emergesim.compare.systems()`` lists the rows: traffic, skills, ...) and the
budget (control values "start:stop:count", sizes, replicates, steps, burn-in). The runs are kept
in OUT/runs: a rerun with more replicates adds only those; other values or steps need a new OUT.
"""

import argparse
import math
from pathlib import Path

from emergesim.card import Budget
from emergesim.compare import report, systems
from emergesim.compare.measure import measure

KEY = "ising"
FULL = Budget("1.6:3.2:33", (8, 16, 32, 64), reps=4, steps=1000, burn_in=200)
TINY = Budget("1.9:2.7:9", (4, 8, 16), reps=2, steps=60, burn_in=20)  # --tiny: seconds
KNOWN = {"ising": f"Onsager: T_c = {2 / math.log(1 + math.sqrt(2)):.4f}, nu = 1"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("example-output/redo_report_figure"))
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    row = next(s for s in systems() if s.key == KEY)
    print(f"{row.comparison.title}: the report's quick budget is {row.budget(quick=True)}")
    row = row.with_budget(TINY if args.tiny else FULL)
    found = measure(
        row, quick=True, out=args.out, seed=0, executor="process", workers=None, progress=False
    )
    print(f"verdict: {found.verdict.word} ({found.verdict.reasons['rule']})")
    estimate, source = found.location
    if estimate is not None:
        print(f"located at {row.control} = {estimate.text('.4f')} ({source})")
    scaled = found.per_unit  # the finite-size scaling of the per-unit score
    if scaled.width_exponent is not None:
        print(f"width exponent b = {scaled.width_exponent.text('+.3f')}")
    if scaled.nu is None:
        print(f"nu: not measured ({scaled.notes.get('nu')})")
    else:
        print(f"nu = {scaled.nu.text('.3f')} ({scaled.nu_from})")
    print(KNOWN.get(KEY, "no exact values known for this row"))
    figures = {"transition": report.transition_figure, "collapse": report.collapse_figure}
    for kind, draw in figures.items():
        path = args.out / f"{KEY}-{kind}.png"
        draw(found).savefig(path)
        print(f"figure: {path}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work in main()
    main()
