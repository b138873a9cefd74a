"""Write a plug-in model and add it to the comparison: a mean-field (Curie-Weiss) magnet.

N spins, each coupled to the mean m of all; every step all spins are redrawn at once by heat
bath, up with probability 1 / (1 + exp(-2 m / T)); the exact critical point is T_c = 1. The
card declares a row of ``emergesim compare`` (per-unit score |m|, all-or-nothing score "every
spin aligned", size N); the script runs that row (emergesim.compare.compare with a System built
from the card: sweep, measures, report) and prints what the method finds, whatever it is.
A package registers its model under the entry point group ``emergesim.models`` (pyproject.toml:
``meanfield = "mypackage.magnet:MeanFieldMagnet"``); ``register`` does that for this script.
Adapt: change the rules in ``step``, the observables in ``observe``, and the row's budgets.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import emergesim
from emergesim.card import Budget, Comparison, ModelCard
from emergesim.compare import System, compare

ROW = Comparison(
    key="meanfield",
    title="mean-field magnet (plug-in; exact T_c = 1)",
    kind="natural",
    control="temperature",
    size="n_spins",
    per_unit="magnetization",
    all_or_nothing="all_aligned",
    picture={"n_spins": 1024, "steps": 300},
    quick=Budget("0.5:1.5:41", (64, 256, 1024), reps=4, steps=400, burn_in=200),
    full=Budget("0.5:1.5:81", (64, 256, 1024, 4096), reps=8, steps=1000, burn_in=500),
)


PARAMS = emergesim.ParamSet(
    emergesim.Param("n_spins", 256, "N spins, all coupled to all", int, 2, 10**7),
    emergesim.Param("temperature", 1.0, "T in units of J", float, 0, 5, low_open=True),
)
OBSERVABLES = {
    "magnetization": "|m|, m = mean spin",
    "m2": "m^2",
    "m4": "m^4",
    "all_aligned": "1 when every spin points the same way",
}


class MeanFieldMagnet(emergesim.EmergenceModel):
    card = ModelCard(
        name="meanfield",
        summary="Curie-Weiss magnet (T_c = 1).",
        params=PARAMS,
        control="temperature",
        order="magnetization",
        observables=OBSERVABLES,
        default_steps=400,
        default_burn_in=200,
        comparisons=(ROW,),
    )

    def __init__(self, *, seed=None, backend="numba", **params):
        super().__init__(seed=seed, backend=backend, **params)
        self.spins = np.ones(self.n_spins, dtype=np.int8)  # all up

    def step(self):
        up = 1 / (1 + np.exp(-2 * self.spins.mean() / self.temperature))
        self.spins = np.where(self.rng.random(self.n_spins) < up, 1, -1).astype(np.int8)

    def observe(self):
        m = float(self.spins.mean())
        return {"magnetization": abs(m), "m2": m**2, "m4": m**4, "all_aligned": float(abs(m) == 1)}

    def frame(self):
        return self.spins.mean()

    def render(self, fig, frames, steps):
        title = f"N = {self.n_spins} spins at T = {self.temperature}"
        fig.add_subplot(xlabel="step", ylabel="m, the mean spin", title=title).plot(steps, frames)


def register(folder: Path) -> None:
    """What installing a package with the entry point does (importlib.metadata finds it)."""
    info = folder / "meanfield_example-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: meanfield-example\nVersion: 0\n")
    entry = "meanfield = __main__:MeanFieldMagnet"  # "module:Class" of the model
    (info / "entry_points.txt").write_text(f"[emergesim.models]\n{entry}\n")
    sys.path.insert(0, str(folder))


def main(out="example-output/plugin_model", budget=None, executor="process"):
    register(Path(out) / "plugin")
    row = System(MeanFieldMagnet.card, ROW).with_budget(budget or ROW.quick)
    found = compare(out, quick=True, rows=(row,), executor=executor, progress=False)
    s = found["systems"]["meanfield"]
    print(f"{ROW.title}: {s['verdict']} ({s['reasons']['rule']})")
    if s["location"] is not None:
        low, high = s["location_ci"]
        print(
            f"located at T = {s['location']:.4f} [{low:.4f}, {high:.4f}] "
            f"({s['location_from']}); exact T_c = 1"
        )
    b, ci = s["per_unit_width_exponent"], s["per_unit_width_exponent_ci"]
    b = "not measured" if b is None else f"{b:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"
    print(f"width ~ N^b: b = {b}")
    print(f"report: {Path(out) / 'index.html'}; figure: {Path(out) / 'meanfield-transition.png'}")


if __name__ == "__main__":  # the process pool re-imports this script: keep the work below
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="example-output/plugin_model", help="output folder")
    parser.add_argument("--tiny", action="store_true", help="a few seconds, for the tests")
    args = parser.parse_args()
    if args.tiny:
        main(args.out, Budget("0.5:1.5:21", (16, 64, 256), reps=2, steps=100, burn_in=50), "serial")
    else:
        main(args.out)
