"""The contract every generated family keeps (checked by the property tests):
exactly one option is correct, the five options are distinct, no distractor is also correct,
and the explanation's final result equals the key."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GeneratedItem:
    family: str  # registry name, e.g. "deret-aritmetika"
    aspect: str  # TIU aspect: "numerik", "verbal" or "figural"
    stem: str  # Markdown, Bahasa Indonesia
    options: tuple[str, ...]  # five option texts, in stored order (A..E)
    correct: int  # index of the correct option
    explanation: str  # Markdown worked solution, step by step; ends with the result
    answer: str  # the correct value as the explanation states it (equals options[correct])
    params: dict = field(default_factory=dict)  # the drawn rule, for the independent solver
    figure: str | None = None  # optional server-rendered SVG (figural families)
    figure_alt: str | None = None  # its text alternative
    # One sentence per option, in option order: why it is right or which mistake it comes from.
    # Optional: without it the question service writes a generic sentence.
    rationales: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable identity for de-duplication: same stem and options = same item."""
        text = "\x1f".join((self.family, self.stem, *self.options))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


Family = Callable[[random.Random], GeneratedItem]
FAMILIES: dict[str, Family] = {}


def register(name: str) -> Callable[[Family], Family]:
    def wrap(fn: Family) -> Family:
        FAMILIES[name] = fn
        return fn

    return wrap


def generate(family: str, seed: int) -> GeneratedItem:
    return FAMILIES[family](random.Random(seed))


def place(rng: random.Random, correct: str, distractors: list[str]) -> tuple[tuple[str, ...], int]:
    """Five distinct options with the key at a random position. Raises if the family produced
    fewer than four distinct distractors different from the key (a generator bug)."""
    unique = []
    for d in distractors:
        if d != correct and d not in unique:
            unique.append(d)
    if len(unique) < 4:
        raise ValueError(f"need four distinct distractors, got {unique!r} for {correct!r}")
    options = unique[:4]
    position = rng.randrange(5)
    options.insert(position, correct)
    return tuple(options), position
