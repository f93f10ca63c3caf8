"""Numerical helpers shared by the analysis modules.

Undefined figures travel as NaN inside the vectorised code and become None at the edge
(`optional`), the one place a number leaves this package.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

# A spread this small relative to the values' magnitude is floating-point noise, not variance:
# marks are given to a few decimals, so totals that agree to 1e-9 are the same total (summing
# 0.1 + 0.2 and 0.3 must not make a "varying" total).
FLAT_TOLERANCE = 1e-9
# A correlation this close to zero is rounding error in a covariance that is exactly zero; snapping
# it keeps signs (negative covariance, negative point-biserial) from flipping on noise.
ZERO_CORRELATION = 1e-10
RELIABILITY_NOISE = 1e-12


def as_matrix(values: ArrayLike, *, name: str = "marks") -> NDArray[np.float64]:
    matrix = np.asarray(values, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (attempts × items), got {matrix.ndim}-D")
    if not np.isfinite(matrix).all():
        raise ValueError(f"{name} must be finite numbers")
    return matrix


def flat(values: NDArray[np.float64], axis: int = 0) -> NDArray[np.bool_]:
    """Per column (axis=0) or for a vector: True where all values are equal, up to noise."""
    if values.shape[axis] == 0:
        return np.ones(np.delete(values.shape, axis), dtype=bool) if values.ndim > 1 else True
    spread = np.ptp(values, axis=axis)
    scale = np.maximum(1.0, np.max(np.abs(values), axis=axis))
    return spread <= FLAT_TOLERANCE * scale


def snap_zero(
    covariance: NDArray[np.float64],
    variance_a: NDArray[np.float64],
    variance_b: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Covariances whose correlation is within rounding of zero become exactly zero."""
    with np.errstate(invalid="ignore"):
        bound = ZERO_CORRELATION * np.sqrt(variance_a * variance_b)
    return np.where(np.abs(covariance) <= bound, 0.0, covariance)


def one_minus_reliability(reliability: float) -> float:
    """1 − α, for error ratios and standard errors. α ≤ 1 holds exactly (Cauchy–Schwarz), so a
    negative or vanishing residue is rounding from an α that is exactly 1 (perfectly parallel
    items): return 0 rather than a square root of noise."""
    residual = 1.0 - reliability
    return 0.0 if residual < RELIABILITY_NOISE else residual


def optional(value: float | np.floating) -> float | None:
    """A finite number as a Python float; NaN/inf (an undefined figure) as None."""
    number = float(value)
    return number if math.isfinite(number) else None


def optional_list(values: NDArray[np.float64]) -> list[float | None]:
    return [optional(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def column_correlation(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pearson correlation of matching columns of two n × k arrays; NaN where undefined
    (fewer than two rows, or a column with no spread)."""
    n = a.shape[0]
    if n < 2:
        return np.full(a.shape[1:], np.nan)
    da = a - a.mean(axis=0)
    db = b - b.mean(axis=0)
    var_a = np.einsum("n...,n...->...", da, da)
    var_b = np.einsum("n...,n...->...", db, db)
    cov = snap_zero(np.einsum("n...,n...->...", da, db), var_a, var_b)
    undefined = flat(a) | flat(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var_a * var_b)
    return np.where(undefined, np.nan, np.clip(r, -1.0, 1.0))


def average_ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ranks 1..n, ties sharing their average rank (what Spearman's rho needs)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    # Start of each run of equal values, then the mean of the 1-based positions in each run.
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    run_ranks = (starts + 1 + ends) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(run_ranks, ends - starts)
    return ranks


def spearman(a: ArrayLike, b: ArrayLike) -> float | None:
    """Spearman's rho (Pearson correlation of average ranks); None if either side has no spread."""
    ra = average_ranks(np.asarray(a, dtype=np.float64))
    rb = average_ranks(np.asarray(b, dtype=np.float64))
    if len(ra) < 2:
        return None
    r = column_correlation(ra[:, None], rb[:, None])[0]
    return optional(r)


def sample_variance(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Column variances with n − 1; exactly zero for flat columns, NaN when n < 2."""
    n = matrix.shape[0]
    if n < 2:
        return np.full(matrix.shape[1:], np.nan)
    centred = matrix - matrix.mean(axis=0)
    variance = np.einsum("n...,n...->...", centred, centred) / (n - 1)
    return np.where(flat(matrix), 0.0, variance)
