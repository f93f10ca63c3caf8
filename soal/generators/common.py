"""Helpers shared by the numeric families: Indonesian number formats and assembling an item
whose options each carry the sentence that explains them."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from .base import GeneratedItem, place


def angka(n: int | Fraction) -> str:
    """An integer with Indonesian thousands separators (12.500); a fraction as a/b."""
    if isinstance(n, Fraction):
        if n.denominator != 1:
            return f"{n.numerator}/{n.denominator}"
        n = n.numerator
    sign = "-" if n < 0 else ""
    return sign + f"{abs(int(n)):,}".replace(",", ".")


def rupiah(n: int) -> str:
    return "Rp" + angka(n)


def pecahan(value: Fraction | int) -> str:
    """Simplest form: 3/4, 2, -5/6 (no thousands separators inside fractions)."""
    value = Fraction(value)
    if value.denominator == 1:
        return angka(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def akar(coefficient: int, radicand: int) -> str:
    """coefficient·√radicand in simplest form: 6√2, √5, 7 (when the root is whole)."""
    outside = coefficient
    inside = radicand
    k = 2
    while k * k <= inside:
        while inside % (k * k) == 0:
            inside //= k * k
            outside *= k
        k += 1
    if inside == 1:
        return angka(outside)
    return ("" if outside == 1 else angka(outside)) + f"√{inside}"


def squarefree(n: int) -> bool:
    return n > 1 and all(n % (k * k) for k in range(2, math.isqrt(n) + 1))


def jam(minutes: int) -> str:
    """A clock time the Indonesian way: pukul 09.45."""
    minutes %= 24 * 60
    return f"pukul {minutes // 60:02d}.{minutes % 60:02d}"


def build(
    rng: random.Random,
    *,
    family: str,
    stem: str,
    key: str,
    key_why: str,
    wrong: list[tuple[str, str]],
    steps: list[str],
    params: dict,
    aspect: str = "numerik",
) -> GeneratedItem:
    """Place the key among the first four distinct mistakes and write the worked explanation:
    numbered steps, then a last line that states the result."""
    why = {}
    for text, reason in wrong:
        why.setdefault(text, reason)
    options, correct = place(rng, key, [text for text, _reason in wrong])
    rationales = tuple(key_why if i == correct else why[text] for i, text in enumerate(options))
    body = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    return GeneratedItem(
        family=family,
        aspect=aspect,
        stem=stem,
        options=options,
        correct=correct,
        explanation=f"{body}\n\nJadi, jawabannya **{key}**.",
        answer=key,
        params=params,
        rationales=rationales,
    )


def near_misses(value: int, fmt=angka, step: int = 1) -> list[tuple[str, str]]:
    """Last-resort distractors: a slip in the final step (used only when a family's typical
    mistakes coincide with each other or with the key)."""
    return [
        (fmt(value + d * step), "Angka ini hasil salah hitung pada langkah terakhir.")
        for d in (1, -1, 2, -2, 3, -3)
    ]
