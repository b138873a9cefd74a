"""Redo one figure of the comparison report with other settings: the 2D Ising row.

``emergesim compare --quick`` sweeps the Ising model at L = 8, 16, 32 with 4 replicates. This
takes the same row (its card declares it: emergesim.models.ising.card.FERROMAGNET), gives it
another budget (L = 64 added; ``--reps`` for more replicates), measures it exactly as the
report does (emergesim.compare.measure) and redraws the report's transition and collapse
figures. It prints the verdict, the located T_c and nu, and Onsager's exact values.

Adapt: pick another row by its key (``emergesim.compare.systems()`` lists them: traffic,
skills, ...) and change the Budget: control values ("start:stop:count"), sizes, replicates,
steps and burn-in. The runs are kept in OUT/runs: a rerun with more replicates adds only those;
other control values or steps need a new ``--out`` (a store refuses a changed spec).
"""

import argparse
import math
from pathlib import Path

from emergesim.card import Budget
from emergesim.compare import report, systems
from emergesim.compare.measure import measure

KNOWN = {"ising": f"Onsager: T_c = {2 / math.log(1 + math.sqrt(2)):.4f}, nu = 1"}


def main(
    out="example-output/redo_report_figure",
    key="ising",
    values="1.6:3.2:33",
    sizes=(8, 16, 32, 64),
    reps=4,
    steps=1000,
    burn_in=200,
    executor="process",
):
    out = Path(out)
    row = next(s for s in systems() if s.key == key)
    print(f"{row.comparison.title}: the report's quick budget is {row.budget(quick=True)}")
    row = row.with_budget(Budget(values, tuple(sizes), reps=reps, steps=steps, burn_in=burn_in))
    found = measure(
        row, quick=True, out=out, seed=0, executor=executor, workers=None, progress=False
    )
    print(f"verdict: {found.verdict.word} ({found.verdict.reasons['rule']})")
    if found.location is not None:
        low, high = found.location.ci
        print(
            f"located at {row.control} = {found.location.value:.4f} [{low:.4f}, {high:.4f}] "
            f"({found.location_from})"
        )
    b = found.per_unit.width_exponent
    if b is not None:
        print(f"width exponent b = {b.value:+.3f} [{b.ci[0]:+.3f}, {b.ci[1]:+.3f}]")
    nu = found.per_unit.nu
    if nu is None:
        print(f"nu: not measured ({found.per_unit.notes.get('nu')})")
    else:
        print(f"nu = {nu.value:.3f} [{nu.ci[0]:.3f}, {nu.ci[1]:.3f}] ({found.per_unit.nu_from})")
    print(KNOWN.get(key, "no exact values known for this row"))
    for path in (report.transition_figure(found, out), report.collapse_figure(found, out)):
        print(f"figure: {path}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work below
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="example-output/redo_report_figure", help="output folder")
    parser.add_argument("--reps", type=int, default=4, help="replicates at each point")
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    if args.tiny:
        main(
            args.out,
            values="1.9:2.7:9",
            sizes=(4, 8, 16),
            reps=2,
            steps=60,
            burn_in=20,
            executor="serial",
        )
    else:
        main(args.out, reps=args.reps)
