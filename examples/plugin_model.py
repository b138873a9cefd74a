"""Write a plug-in model and add it to the comparison: a mean-field (Curie-Weiss) magnet.

Its card declares a row of ``emergesim compare``; ``check_model`` holds it to the contract; it is
registered as a package would be. Run: ``python plugin_model.py [--tiny] [--out FOLDER]``.
Adapt: ``step``, ``observe``, the budgets.
"""

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import emergesim
from emergesim.card import Budget, Comparison, ModelCard
from emergesim.compare import System, compare
from emergesim.testing import check_model

ROW = Comparison(
    key="meanfield",
    title="mean-field magnet (plug-in; exact T_c = 1)",
    kind="natural",
    size="n_spins",  # the control is the card's: temperature
    per_unit="magnetization",
    all_or_nothing="all_aligned",
    quick=Budget("0.5:1.5:41", (64, 256, 1024), reps=4, steps=400, burn_in=200),
    full=Budget("0.5:1.5:81", (64, 256, 1024, 4096), reps=8, steps=1000, burn_in=500),
)
TINY = Budget("0.5:1.5:21", (16, 64, 256), reps=2, steps=100, burn_in=50)  # --tiny: seconds
ENTRY = "meanfield = __main__:MeanFieldMagnet"  # a package's: "mypackage.magnet:MeanFieldMagnet"


@dataclass(frozen=True)
class MeanSpin:  # the state; immutable, so that frame() may hand it out as the picture frame
    m: float


class MeanFieldMagnet(emergesim.EmergenceModel):
    card = ModelCard(
        name="meanfield",
        summary="Curie-Weiss magnet: N spins, each coupled to the mean of all (T_c = 1).",
        params=emergesim.ParamSet(
            emergesim.Param("n_spins", 256, "N spins, all coupled to all", int, 2, 10**7),
            emergesim.Param("temperature", 1.0, "T in units of J", float, 0, 5, low_open=True),
        ),
        control="temperature",
        order="magnetization",
        observables={"magnetization": "|m|", "m2": "m^2", "m4": "m^4", "all_aligned": "|m| = 1"},
        comparisons=(ROW,),
        variants=(dict(n_spins=16),),  # what check_model runs
    )
    now = MeanSpin(1.0)  # all spins up at the start

    def step(self):  # heat bath: every spin redrawn, up with probability 1 / (1 + exp(-2 m / T))
        up = self.rng.random(self.n_spins) < 1 / (1 + math.exp(-2 * self.now.m / self.temperature))
        self.now = MeanSpin(2 * float(up.mean()) - 1)  # the mean of the spins, each +1 or -1

    def observe(self):
        m = self.now.m
        return {"magnetization": abs(m), "m2": m**2, "m4": m**4, "all_aligned": float(abs(m) == 1)}

    def frame(self):
        return self.now

    def render(self, fig, frames, steps):
        fig.add_subplot(xlabel="step", ylabel="m").plot(steps, [f.m for f in frames])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("example-output/plugin_model"))
    parser.add_argument("--tiny", action="store_true")  # a few seconds, for the tests
    args = parser.parse_args()
    check_model(MeanFieldMagnet)  # the contract every model keeps (emergesim.testing)
    info = args.out / "plugin" / "meanfield_example-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: meanfield-example\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[emergesim.models]\n{ENTRY}\n")
    sys.path.insert(0, str(info.parent))  # registered as pip registers a package's entry point
    row = System(MeanFieldMagnet.card, ROW).with_budget(TINY if args.tiny else ROW.quick)
    s = compare(args.out, quick=True, rows=(row,), progress=False)["systems"]["meanfield"]
    print(f"{ROW.title}: {s['verdict']} ({s['reasons']['rule']}); report in {args.out}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work in main()
    main()
