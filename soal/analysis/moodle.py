"""Moodle's quiz statistics, computed from a response matrix.

Definitions follow Moodle's quiz statistics report (mod/quiz/report/statistics and
question/classes/statistics/questions/calculator.php), checked against the expected values of
Moodle's own test suite (tests/soal/fixtures/moodle_oracle/):

- per item, with marks x, attempt totals t and "other marks" o = t − x (all variances and
  covariances with n − 1): facility = mean(x) / max mark; sd = sd(x) / max mark; discrimination
  index = 100 · cov(x, o) / √(var x · var o); discriminative efficiency = 100 · cov(x, o) / covmax,
  covmax being the covariance of sorted x paired with sorted o; intended weight = 100 · max mark /
  Σ max marks; effective weight = 100 · √cov(x, t) / Σ √cov(xⱼ, t) over items with cov(xⱼ, t) ≥ 0
  (None for an item whose covariance with the total is negative);
- per test: mean, median, sd of t; skewness k3/k2^1.5 and kurtosis k4/k2² from the unbiased
  k-statistics (n > 2 and n > 3); coefficient of internal consistency (Cronbach's α in %)
  = 100 · p/(p − 1) · (1 − Σ var xᵢ / var t); error ratio = 100 · √(1 − CIC/100); standard error =
  error ratio · sd / 100. As in Moodle, CIC and what follows it need n > 2 and p > 1.

Totals are the sums of the item marks (as Moodle's question statistics use), which is what
reproduces Moodle's expected figures; a stored, rounded total is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._arrays import as_matrix, flat, one_minus_reliability, optional, optional_list, snap_zero


@dataclass(frozen=True)
class ItemStats:
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    intended_weight: float | None
    effective_weight: float | None
    # The ingredients, in marks², for anyone checking the figures by hand.
    mark_variance: float | None
    other_mark_variance: float | None
    covariance: float | None
    covariance_max: float | None
    covariance_with_total: float | None


@dataclass(frozen=True)
class QuizStats:
    attempts: int
    items: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class MoodleStatistics:
    quiz: QuizStats
    items: tuple[ItemStats, ...]


def max_marks_vector(max_marks: ArrayLike, items: int) -> NDArray[np.float64]:
    vector = np.asarray(max_marks, dtype=np.float64)
    if vector.ndim == 0:
        vector = np.full(items, float(vector))
    if vector.shape != (items,):
        raise ValueError(f"max_marks must be one number or {items} numbers, got {vector.shape}")
    if not np.isfinite(vector).all() or (vector < 0).any():
        raise ValueError("max_marks must be finite and not negative")
    return vector


def quiz_statistics(marks: ArrayLike, max_marks: ArrayLike) -> MoodleStatistics:
    """All of Moodle's figures for a matrix of marks (attempts × items) and each item's max mark."""
    x = as_matrix(marks)
    p = x.shape[1]
    maxima = max_marks_vector(max_marks, p)
    totals = x.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = _item_columns(x, totals, maxima)
        quiz = _quiz(totals, columns["mark_variance"], p)
    rows = zip(*(optional_list(columns[f]) for f in ItemStats.__dataclass_fields__), strict=True)
    items = tuple(ItemStats(*row) for row in rows)
    return MoodleStatistics(quiz=quiz, items=items)


def _item_columns(
    x: NDArray[np.float64], totals: NDArray[np.float64], maxima: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    n, p = x.shape
    nan = np.full(p, np.nan)
    weight_sum = maxima.sum()
    intended = 100 * maxima / weight_sum if weight_sum > 0 else nan
    if n == 0:
        return dict.fromkeys(ItemStats.__dataclass_fields__, nan) | {"intended_weight": intended}

    mean_x = x.mean(axis=0)
    facility = np.where(maxima > 0, mean_x / maxima, np.nan)
    if n < 2:
        columns = dict.fromkeys(ItemStats.__dataclass_fields__, nan)
        return columns | {"facility": facility, "intended_weight": intended}

    others = totals[:, None] - x
    flat_x, flat_o, flat_t = flat(x), flat(others), flat(totals)
    dx = x - mean_x
    mean_o = others.mean(axis=0)
    do = others - mean_o
    dt = totals - totals.mean()
    ddof = n - 1

    var_x = np.where(flat_x, 0.0, np.einsum("ij,ij->j", dx, dx) / ddof)
    var_o = np.where(flat_o, 0.0, np.einsum("ij,ij->j", do, do) / ddof)
    var_t = 0.0 if flat_t else float(dt @ dt) / ddof
    no_spread = flat_x | flat_o
    cov = np.where(no_spread, 0.0, snap_zero(np.einsum("ij,ij->j", dx, do) / ddof, var_x, var_o))
    # The largest covariance these marks could have: both sorted the same way.
    sorted_dx = np.sort(x, axis=0) - mean_x
    sorted_do = np.sort(others, axis=0) - mean_o
    cov_max = np.where(no_spread, 0.0, np.einsum("ij,ij->j", sorted_dx, sorted_do) / ddof)
    cov_t = dt @ x / ddof
    cov_t = np.where(flat_x | flat_t, 0.0, snap_zero(cov_t, var_x, np.full(p, var_t)))

    discrimination = np.where(no_spread, np.nan, 100 * cov / np.sqrt(var_x * var_o))
    efficiency = np.where(cov_max > 0, 100 * cov / cov_max, np.nan)

    counted = cov_t >= 0
    root_sum = np.sqrt(cov_t[counted]).sum()
    if root_sum > 0:
        effective = np.where(counted, 100 * np.sqrt(np.where(counted, cov_t, 0)) / root_sum, np.nan)
    else:
        effective = nan

    return {
        "facility": facility,
        "sd": np.where(maxima > 0, np.sqrt(var_x) / maxima, np.nan),
        "discrimination_index": discrimination,
        "discriminative_efficiency": efficiency,
        "intended_weight": intended,
        "effective_weight": effective,
        "mark_variance": var_x,
        "other_mark_variance": var_o,
        "covariance": cov,
        "covariance_max": cov_max,
        "covariance_with_total": cov_t,
    }


def _quiz(totals: NDArray[np.float64], mark_variance: NDArray[np.float64], p: int) -> QuizStats:
    n = len(totals)
    figures: dict[str, float | None] = dict.fromkeys(
        ("mean", "median", "sd", "skewness", "kurtosis", "cic", "error_ratio", "standard_error")
    )
    if n >= 1:
        figures["mean"] = optional(totals.mean())
        figures["median"] = optional(np.median(totals))
    if n >= 2:
        spread = not flat(totals)
        deviations = totals - totals.mean() if spread else np.zeros(n)
        m2 = float(np.mean(deviations**2))
        k2 = n * m2 / (n - 1)
        sd = np.sqrt(k2)
        figures["sd"] = optional(sd)
        if n > 2 and spread:
            m3 = float(np.mean(deviations**3))
            m4 = float(np.mean(deviations**4))
            k3 = n * n * m3 / ((n - 1) * (n - 2))
            figures["skewness"] = optional(k3 / k2**1.5)
            if n > 3:
                k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
                figures["kurtosis"] = optional(k4 / (k2 * k2))
            if p > 1:
                cic = 100 * p / (p - 1) * (1 - float(mark_variance.sum()) / k2)
                error_ratio = 100 * np.sqrt(one_minus_reliability(cic / 100))
                figures["cic"] = optional(cic)
                figures["error_ratio"] = optional(error_ratio)
                figures["standard_error"] = optional(error_ratio * sd / 100)
    return QuizStats(attempts=n, items=p, **figures)
