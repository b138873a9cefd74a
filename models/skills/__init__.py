"""Skill composition: a toy LLM whose multi-step abilities "emerge" with scale."""

from emergesim.lazy import lazy_exports

__getattr__ = lazy_exports(
    __name__,
    {
        "LanguageModel": ".model",
        "Skill": ".model",
        "SkillsModel": ".model",
        "calibrate": ".calibration",
        "compare_held_out": ".baselines",
        "load_scores": ".realdata",
    },
)
__all__ = [
    "LanguageModel",
    "Skill",
    "SkillsModel",
    "calibrate",
    "compare_held_out",
    "load_scores",
]
