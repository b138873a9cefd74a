"""Skill composition: a toy LLM whose multi-step abilities "emerge" with scale."""

from emergesim.models.skills.calibration import calibrate
from emergesim.models.skills.model import LanguageModel, Skill, SkillsModel
from emergesim.models.skills.realdata import load_scores

__all__ = ["LanguageModel", "Skill", "SkillsModel", "calibrate", "load_scores"]
