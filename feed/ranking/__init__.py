"""Ranking core: features, topic models, personal models, blending, explanations and
metrics over arrays and dataclasses. No Django here."""
