"""Generated TIU item families. Each family is a function `generate(rng) -> GeneratedItem` that
draws a rule from a seeded random source, computes the key from the rule, builds four
distractors from that family's typical mistakes and writes the worked explanation.

Families register themselves in `FAMILIES` (see `base.register`); `soal.services.generation`
turns generated items into ordinary draft questions for review.
"""

from .base import FAMILIES, GeneratedItem, generate, register

# Importing a family module registers its families.
from . import numeric  # noqa: F401  isort: skip

__all__ = ["FAMILIES", "GeneratedItem", "generate", "register"]

# Importing a family module registers it.
from . import figural, syllogism  # noqa: F401
