"""Item analysis for TKP (scaled) items: every option earns 1–5 points, no answer earns 0.

Per item: mean/5, sd (points, n − 1), item–rest correlation (the item against the rest of the
subtest), Cronbach's α of the subtest without the item. Per option: how many chose it, the mean
rest score of its choosers, and its point-biserial (chose-this-option against the rest score).
Consistency: Spearman's rho between the options' scores and their choosers' mean rest scores —
on a well-keyed item, better-scored options are chosen by stronger candidates (rho near 1).

Spearman is a few lines over numpy ranks (average ranks for ties); scipy would add a large
dependency for five numbers per item.

Flags (`Flag.code`, with an Indonesian message that gives the numbers):
- `possible_miskey`: an option scored ≤ 2 chosen by at least 5 % whose choosers have the highest
  mean rest score, or a higher one than the 5-point option's choosers; or the 5-point option's
  point-biserial is negative;
- `option_rarely_chosen`: an option chosen by fewer than 3 %;
- `option_dominant`: one option chosen by at least 90 %.
With fewer than 100 attempts (30) every flag carries a small-sample warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from numpy.typing import ArrayLike, NDArray

from ._arrays import (
    column_correlation,
    flat,
    optional,
    sample_variance,
    snap_zero,
    spearman,
)

BEST_SCORE = 5
MISKEY_MAX_SCORE = 2
MISKEY_MIN_SHARE = 0.05
RARE_SHARE = 0.03
DOMINANT_SHARE = 0.90
VERY_SMALL_SAMPLE = 30
SMALL_SAMPLE = 100
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    option: int | None = None  # index in the question's own option list, when about one option
    sample_warning: str | None = None


@dataclass(frozen=True)
class OptionStats:
    score: int
    chosen: int  # how many attempts chose it
    share: float | None  # of all attempts, blanks included
    mean_rest: float | None  # mean rest score of its choosers
    point_biserial: float | None


@dataclass(frozen=True)
class TkpItem:
    mean_ratio: float | None  # mean points / 5
    sd: float | None
    item_rest: float | None
    alpha_if_deleted: float | None
    consistency: float | None
    blank_share: float | None
    options: tuple[OptionStats, ...]
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class TkpSubtest:
    attempts: int
    alpha: float | None
    sample_warning: Flag | None
    items: tuple[TkpItem, ...]


def tkp_analysis(*, chosen: ArrayLike, option_scores: ArrayLike) -> TkpSubtest:
    """`chosen`: attempts × items, the index of the chosen option in the question's own option
    list (not the shuffled display order), −1 for no answer. `option_scores`: items × options,
    each option's points (1–5)."""
    scores = np.asarray(option_scores)
    if scores.ndim != 2 or not np.issubdtype(scores.dtype, np.integer):
        raise ValueError("option_scores must be a 2-D integer array (items × options)")
    if scores.size and (scores.min() < 1 or scores.max() > BEST_SCORE):
        raise ValueError(f"option scores must be 1..{BEST_SCORE}")
    k, m = scores.shape
    choices = np.asarray(chosen)
    if choices.ndim != 2 or choices.shape[1] != k or not np.issubdtype(choices.dtype, np.integer):
        raise ValueError(f"chosen must be a 2-D integer array with {k} columns")
    if choices.size and (choices.min() < -1 or choices.max() >= m):
        raise ValueError(f"chosen must be option indices 0..{m - 1}, or -1 for no answer")
    n = choices.shape[0]

    answered = choices >= 0
    marks = np.where(
        answered, np.take_along_axis(scores.T, np.where(answered, choices, 0), axis=0), 0
    ).astype(np.float64)
    totals = marks.sum(axis=1)
    rest = totals[:, None] - marks
    picked = choices[:, :, None] == np.arange(m)  # n × k × m

    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ratio = marks.mean(axis=0) / BEST_SCORE if n else np.full(k, np.nan)
        variance = sample_variance(marks)
        item_rest = column_correlation(marks, rest)
        alpha, alpha_deleted = _alphas(variance, totals, rest)
        counts = picked.sum(axis=0)  # k × m
        share = counts / n if n else np.full((k, m), np.nan)
        mean_rest = np.einsum("nko,nk->ko", picked, rest) / counts
        option_r = _option_point_biserial(picked, rest, counts)
        blank_share = (~answered).mean(axis=0) if n else np.full(k, np.nan)

    warning = _sample_warning(n)
    items = []
    for i in range(k):
        options = tuple(
            OptionStats(
                score=int(scores[i, o]),
                chosen=int(counts[i, o]),
                share=optional(share[i, o]),
                mean_rest=optional(mean_rest[i, o]),
                point_biserial=optional(option_r[i, o]),
            )
            for o in range(m)
        )
        with_choosers = [o for o in options if o.mean_rest is not None]
        consistency = (
            spearman([o.score for o in with_choosers], [o.mean_rest for o in with_choosers])
            if len(with_choosers) >= 3  # two points always give ±1, which says nothing
            else None
        )
        items.append(
            TkpItem(
                mean_ratio=optional(mean_ratio[i]),
                sd=optional(np.sqrt(variance[i])),
                item_rest=optional(item_rest[i]),
                alpha_if_deleted=optional(alpha_deleted[i]),
                consistency=consistency,
                blank_share=optional(blank_share[i]),
                options=options,
                flags=tuple(_flags(options, n, warning)),
            )
        )
    return TkpSubtest(attempts=n, alpha=optional(alpha), sample_warning=warning, items=tuple(items))


def _alphas(variance, totals, rest) -> tuple[float, NDArray[np.float64]]:
    """Cronbach's α of the subtest, and of the subtest without each item."""
    n, k = rest.shape
    if n < 2:
        return np.nan, np.full(k, np.nan)
    total_variance = float(sample_variance(totals[:, None])[0])
    alpha = (
        k / (k - 1) * (1 - variance.sum() / total_variance)
        if k >= 2 and total_variance > 0
        else np.nan
    )
    rest_variance = sample_variance(rest)
    remaining = k - 1
    if remaining < 2:
        return alpha, np.full(k, np.nan)
    deleted = remaining / (remaining - 1) * (1 - (variance.sum() - variance) / rest_variance)
    return alpha, np.where(rest_variance > 0, deleted, np.nan)


def _option_point_biserial(picked, rest, counts) -> NDArray[np.float64]:
    n = rest.shape[0]
    if n < 2:
        return np.full(counts.shape, np.nan)
    rest_centred = rest - rest.mean(axis=0)
    rest_ss = np.where(flat(rest), 0.0, np.einsum("nk,nk->k", rest_centred, rest_centred))
    picked_ss = counts * (n - counts) / n  # Σ (indicator − share)²
    cov = np.einsum("nko,nk->ko", picked, rest_centred)
    cov = snap_zero(cov, picked_ss, rest_ss[:, None])
    r = cov / np.sqrt(picked_ss * rest_ss[:, None])
    defined = (counts > 0) & (counts < n) & (rest_ss[:, None] > 0)
    return np.where(defined, np.clip(r, -1.0, 1.0), np.nan)


def _sample_warning(n: int) -> Flag | None:
    if n < VERY_SMALL_SAMPLE:
        return Flag(
            "sample_very_small",
            _(
                "Hanya %(n)s peserta: sampel sangat kecil (kurang dari %(min)s), angka-angka ini "
                "belum dapat diandalkan."
            )
            % {"n": n, "min": VERY_SMALL_SAMPLE},
        )
    if n < SMALL_SAMPLE:
        return Flag(
            "sample_small",
            _(
                "Hanya %(n)s peserta: sampel kecil (kurang dari %(min)s), baca angka-angka ini "
                "dengan hati-hati."
            )
            % {"n": n, "min": SMALL_SAMPLE},
        )
    return None


def _number(value: float, places: int = 1) -> str:
    # Django's number_format cuts the digits off; round first so 76.19 reads 76,2.
    return number_format(round(value, places), decimal_pos=places)


def _pct(share: float) -> str:
    return _number(100 * share)


def _flags(options: tuple[OptionStats, ...], n: int, warning: Flag | None) -> list[Flag]:
    if n == 0:
        return []
    caution = warning.message if warning else None
    flags: list[Flag] = []
    best = next((o for o in options if o.score == BEST_SCORE), None)
    best_index = options.index(best) if best else None

    for index, option in enumerate(options):
        if option.mean_rest is None or option.share is None:
            continue
        if option.score > MISKEY_MAX_SCORE or option.share < MISKEY_MIN_SHARE:
            continue
        above_best = (
            best is not None and best.mean_rest is not None and option.mean_rest > best.mean_rest
        )
        if above_best:
            reason = _(
                "lebih tinggi daripada pemilih opsi %(best)s (skor %(best_score)s, rata-rata "
                "%(best_mean)s)"
            ) % {
                "best": LETTERS[best_index],
                "best_score": BEST_SCORE,
                "best_mean": _number(best.mean_rest),
            }
        elif all(
            other.mean_rest is None or other.mean_rest < option.mean_rest
            for other in options
            if other is not option
        ):
            reason = _("tertinggi di antara semua opsi")
        else:
            continue
        flags.append(
            Flag(
                "possible_miskey",
                _(
                    "Opsi %(letter)s (skor %(score)s) dipilih %(share)s %% peserta (%(count)s "
                    "dari %(n)s) dengan rata-rata skor sisa %(mean)s, %(reason)s. Kunci skor "
                    "mungkin tertukar."
                )
                % {
                    "letter": LETTERS[index],
                    "score": option.score,
                    "share": _pct(option.share),
                    "count": option.chosen,
                    "n": n,
                    "mean": _number(option.mean_rest),
                    "reason": reason,
                },
                option=index,
                sample_warning=caution,
            )
        )
    if best is not None and best.point_biserial is not None and best.point_biserial < 0:
        flags.append(
            Flag(
                "possible_miskey",
                _(
                    "Opsi %(letter)s (skor %(score)s) berkorelasi negatif dengan skor sisa "
                    "(r = %(r)s): peserta yang lebih kuat justru menghindarinya. Kunci skor "
                    "mungkin salah."
                )
                % {
                    "letter": LETTERS[best_index],
                    "score": BEST_SCORE,
                    "r": _number(best.point_biserial, 2),
                },
                option=best_index,
                sample_warning=caution,
            )
        )
    for index, option in enumerate(options):
        if option.share is not None and option.share < RARE_SHARE:
            flags.append(
                Flag(
                    "option_rarely_chosen",
                    _(
                        "Opsi %(letter)s (skor %(score)s) hanya dipilih %(share)s %% peserta "
                        "(%(count)s dari %(n)s, di bawah %(min)s %%): opsi ini tidak bekerja."
                    )
                    % {
                        "letter": LETTERS[index],
                        "score": option.score,
                        "share": _pct(option.share),
                        "count": option.chosen,
                        "n": n,
                        "min": round(100 * RARE_SHARE),
                    },
                    option=index,
                    sample_warning=caution,
                )
            )
        if option.share is not None and option.share >= DOMINANT_SHARE:
            flags.append(
                Flag(
                    "option_dominant",
                    _(
                        "Opsi %(letter)s (skor %(score)s) dipilih %(share)s %% peserta "
                        "(%(count)s dari %(n)s, %(min)s %% atau lebih): hampir semua memilih "
                        "jawaban yang sama, soal ini tidak membedakan."
                    )
                    % {
                        "letter": LETTERS[index],
                        "score": option.score,
                        "share": _pct(option.share),
                        "count": option.chosen,
                        "n": n,
                        "min": round(100 * DOMINANT_SHARE),
                    },
                    option=index,
                    sample_warning=caution,
                )
            )
    return flags
