"""Skill composition: a toy LLM whose multi-step abilities "emerge" with scale."""

from emergesim.models.skills.model import LanguageModel, Skill, SkillsModel

__all__ = ["LanguageModel", "Skill", "SkillsModel"]
