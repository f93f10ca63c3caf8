"""Classical test theory for single-correct items (TWK/TIU: one option earns the mark, the
others 0).

Per item: difficulty (proportion correct), the upper–lower 27 % discrimination index
D = p(upper) − p(lower), the corrected point-biserial (the item against the rest of the subtest,
so the item does not correlate with itself), and, given the chosen options, the share of each
score group that chose each option (a working distractor draws the lower group more than the
upper). Per subtest: KR-20 and the standard error of measurement sd · √(1 − KR-20), in marks.

Score groups come from the subtest total; variances use n − 1 (KR-20 is the same with n, the
ratio does not change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._arrays import (
    as_matrix,
    column_correlation,
    flat,
    one_minus_reliability,
    optional,
    optional_list,
    sample_variance,
)
from .groups import score_groups


@dataclass(frozen=True)
class OptionChoice:
    """Share of all attempts (overall) and of each score group that chose this option."""

    overall: float | None
    upper: float | None
    middle: float | None
    lower: float | None


@dataclass(frozen=True)
class ClassicalItem:
    difficulty: float | None
    discrimination: float | None  # upper 27 % minus lower 27 %, −1..1
    point_biserial: float | None  # corrected: item against the rest of the subtest
    options: tuple[OptionChoice, ...] = ()
    blank: OptionChoice | None = None


@dataclass(frozen=True)
class ClassicalSubtest:
    attempts: int
    mean: float | None
    sd: float | None
    kr20: float | None
    sem: float | None
    items: tuple[ClassicalItem, ...]


def single_correct_analysis(
    *,
    marks: ArrayLike,
    max_mark: float = 1.0,
    chosen: ArrayLike | None = None,
    option_count: int = 5,
) -> ClassicalSubtest:
    """Analyse one subtest: `marks` attempts × items, each 0 or `max_mark`; `chosen` (optional)
    the same shape, the index of the option each attempt chose (its position in the question's own
    option list, not the shuffled display order), −1 for no answer."""
    x = as_matrix(marks)
    if not max_mark > 0:
        raise ValueError("max_mark must be positive")
    if not np.isin(x, (0.0, max_mark)).all():
        raise ValueError(f"single-correct marks must be 0 or {max_mark}")
    choices = _choices(chosen, x.shape, option_count)
    n, k = x.shape
    correct = x / max_mark
    totals = x.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        difficulty = correct.mean(axis=0) if n else np.full(k, np.nan)
        point_biserial = column_correlation(correct, totals[:, None] - x)
        groups = score_groups(totals)
        if groups is None:
            discrimination = np.full(k, np.nan)
        else:
            discrimination = (groups.upper @ correct - groups.lower @ correct) / groups.size
        option_rates = _option_rates(choices, groups, option_count) if choices is not None else None
        kr20, sem, sd = _kr20(x, totals)

    items = []
    for i, (p, d, r) in enumerate(
        zip(
            optional_list(difficulty),
            optional_list(discrimination),
            optional_list(point_biserial),
            strict=True,
        )
    ):
        options: tuple[OptionChoice, ...] = ()
        blank = None
        if option_rates is not None:
            options = tuple(option_rates[i][:option_count])
            blank = option_rates[i][option_count]
        items.append(ClassicalItem(p, d, r, options, blank))
    return ClassicalSubtest(
        attempts=n,
        mean=optional(totals.mean()) if n else None,
        sd=sd,
        kr20=kr20,
        sem=sem,
        items=tuple(items),
    )


def _choices(
    chosen: ArrayLike | None, shape: tuple[int, int], option_count: int
) -> NDArray[np.int64] | None:
    if chosen is None:
        return None
    choices = np.asarray(chosen)
    if choices.shape != shape:
        raise ValueError(f"chosen must have the marks' shape {shape}, got {choices.shape}")
    if choices.size and (
        not np.issubdtype(choices.dtype, np.integer)
        or choices.min() < -1
        or choices.max() >= option_count
    ):
        raise ValueError(f"chosen must be option indices 0..{option_count - 1}, or -1 for blank")
    return choices.astype(np.int64)


def _option_rates(choices, groups, option_count) -> list[list[OptionChoice]]:
    """For each item, one OptionChoice per option and a last one for "no answer"."""
    n, k = choices.shape
    codes = np.arange(option_count + 1)
    codes[-1] = -1
    picked = (choices[:, :, None] == codes).astype(np.float64)  # n × k × (options + blank)
    overall = picked.mean(axis=0) if n else np.full((k, option_count + 1), np.nan)
    if groups is None:
        upper = middle = lower = np.full((k, option_count + 1), np.nan)
    else:
        upper = np.einsum("n,nko->ko", groups.upper, picked) / groups.size
        lower = np.einsum("n,nko->ko", groups.lower, picked) / groups.size
        middle_weight = groups.middle.sum()
        middle = (
            np.einsum("n,nko->ko", groups.middle, picked) / middle_weight
            if middle_weight > 0
            else np.full((k, option_count + 1), np.nan)
        )
    return [
        [
            OptionChoice(*(optional(a[i, o]) for a in (overall, upper, middle, lower)))
            for o in range(option_count + 1)
        ]
        for i in range(k)
    ]


def _kr20(x: NDArray[np.float64], totals: NDArray[np.float64]):
    n, k = x.shape
    if n < 2:
        return None, None, None
    var_t = float(sample_variance(totals[:, None])[0])
    sd = np.sqrt(var_t)
    if k < 2 or flat(totals):
        return None, None, optional(sd)
    kr20 = k / (k - 1) * (1 - float(sample_variance(x).sum()) / var_t)
    sem = sd * np.sqrt(one_minus_reliability(kr20))
    return optional(kr20), optional(sem), optional(sd)
