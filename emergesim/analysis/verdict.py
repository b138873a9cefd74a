"""The verdict: one rule, applied the same way to every system, that names its transition.

It reads the finite-size scaling (``scaling``) of two scores over the same sizes (the number of
units that interact or compose): the per-unit score P, a plain mean over units, and the
all-or-nothing score A, 1 only when every unit succeeds. Each interval is read by
``bootstrap.trend`` as "yes", "no" (it lies within ``tolerance`` = delta of no change) or
"undecided", never turning "undecided" into "no":

    sharpens   width exponent b (width ~ L^b):  yes if high < 0;  no if low > -delta
    grows      gamma/nu (chi_max ~ L^gamma/nu):  yes if low > 0;   no if high < delta
    shifts     location shift in mean widths per e-fold of L:
               yes if the interval excludes 0;  no if it lies inside (-delta, delta)

(each "no" test is made first). A score with a detected transition at fewer than two sizes
reads "undecided" on sharpens and shifts; one with none at any size reads "no" on both when
every size's negative is conclusive (nothing there to move), else "undecided". Then, in this
order:

    no transition   neither P nor A has a transition at any size, every negative conclusive
    collective      P sharpens and P grows
    composition     P sharpens = no, and A sharpens or A shifts
    crossover       P sharpens = no, A sharpens = no and A shifts = no
    inconclusive    everything else: an interval that cannot tell, readings that disagree
                    (P sharpens while its susceptibility peak does not grow), or one size
                    only (an observed system: real models cannot be rerun at another size)

Why "P does not sharpen" needs b's whole interval above -delta, not just an interval that holds
0 while the collective test fails: an interval like [-0.8, +0.3] holds 0 and also b = -1/nu of a
critical point; reading it as "no" would report an undecided measurement as a negative. Why a
shift counts for composition: if a unit succeeds with p = exp(-c N^-a), all k units succeed with
p^k = exp(-k c N^-a), the same curve in ln N moved by ln(k) / a and no steeper, so
composition can move A without sharpening it; a crossover moves neither. delta = 0.1 means a
width shrinking by less than 10 % per e-fold of size, a peak growing slower than L^0.1, a step
moving by less than a tenth of its width per e-fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emergesim.analysis.bootstrap import TOLERANCE, Estimate, trend
from emergesim.analysis.scaling import Scaling

WORDS = ("collective", "composition", "crossover", "inconclusive", "no transition")


@dataclass(frozen=True)
class Verdict:
    """One of ``WORDS``, and the numbers and readings behind it (intervals as [low, high])."""

    word: str
    reasons: dict[str, Any]


def verdict(per_unit: Scaling, all_or_nothing: Scaling, *, tolerance: float = TOLERANCE) -> Verdict:
    """The verdict on a system from the scaling of its per-unit and all-or-nothing scores."""
    p, a = _read(per_unit, tolerance), _read(all_or_nothing, tolerance)
    if p["transition"] == a["transition"] == "no":
        word, rule = "no transition", "neither score has a step or knee at any size"
    elif len(per_unit.transitions) == len(all_or_nothing.transitions) == 1:
        word = "inconclusive"
        rule = "one size only: whether a score sharpens or shifts with size cannot be measured"
    elif p["sharpens"] == "yes" and p["grows"] == "yes":
        word, rule = "collective", "the per-unit score sharpens and its fluctuations grow"
    elif p["sharpens"] == "no" and "yes" in (a["sharpens"], a["shifts"]):
        word = "composition"
        rule = "the per-unit score does not sharpen; the all-or-nothing score sharpens or shifts"
    elif p["sharpens"] == "no" and a["sharpens"] == "no" and a["shifts"] == "no":
        word, rule = "crossover", "neither score sharpens, and the all-or-nothing one stays put"
    else:
        word, rule = "inconclusive", "the intervals cannot tell, or the readings disagree"
    reasons = {"rule": rule, "tolerance": tolerance, "by": per_unit.by}
    return Verdict(word, {**reasons, "per_unit": p, "all_or_nothing": a})


def _read(result: Scaling, tolerance: float) -> dict[str, Any]:
    """A score's numbers, and the three readings of them (see the module)."""
    out: dict[str, Any] = {
        "y": result.y,
        "detected_sizes": list(result.sizes),
        "not_detected": {
            f"{size:g}": t.reason for size, t in result.transitions.items() if not t.detected
        },
    }
    for name, estimate in (
        ("width_exponent", result.width_exponent),
        ("chi_exponent", result.chi_exponent),
        ("shift_in_widths", result.relative_shift),
    ):
        out[name] = None if estimate is None else estimate.value
        out[f"{name}_ci"] = None if estimate is None else list(estimate.ci)
    out["grows"] = _trend(result.chi_exponent, +1, tolerance)
    if result.sizes:
        out["transition"] = "yes"
        out["sharpens"] = _trend(result.width_exponent, -1, tolerance)
        out["shifts"] = _trend(result.relative_shift, 0, tolerance)
    else:
        conclusive = all(t.conclusive for t in result.transitions.values())
        out["transition"] = out["sharpens"] = out["shifts"] = "no" if conclusive else "undecided"
    return out


def _trend(estimate: Estimate | None, direction: int, tolerance: float) -> str:
    return "undecided" if estimate is None else trend(estimate.ci, direction, tolerance)
