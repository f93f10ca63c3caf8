"""Upper / middle / lower score groups without arbitrary tie-breaking.

The upper group is the top 27 % of attempts by score. When attempts tied on the score at the cut
would straddle it, each of them belongs to the group with the same fraction (the share of the
tied places inside the group), so the result does not depend on the order of the rows and each
group still weighs exactly k attempts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

GROUP_FRACTION = 0.27
# Scores equal to this many decimals are one score (sums of floats differ in the last bit).
SCORE_DECIMALS = 9


@dataclass(frozen=True)
class ScoreGroups:
    size: int  # k, the number of attempts each of the upper and lower groups weighs
    upper: NDArray[np.float64]  # per attempt, its membership of the upper group, 0..1
    middle: NDArray[np.float64]
    lower: NDArray[np.float64]


def score_groups(
    scores: NDArray[np.float64], fraction: float = GROUP_FRACTION
) -> ScoreGroups | None:
    """Membership weights of each attempt in the groups; None with fewer than two attempts."""
    n = len(scores)
    if n < 2:
        return None
    size = max(1, int(np.floor(fraction * n + 0.5)))
    rounded = np.round(np.asarray(scores, dtype=np.float64), SCORE_DECIMALS)
    ordered = np.sort(rounded)
    below = np.searchsorted(ordered, rounded, side="left")
    not_above = np.searchsorted(ordered, rounded, side="right")
    tied = not_above - below
    above = n - not_above
    upper = np.clip((size - above) / tied, 0.0, 1.0)
    lower = np.clip((size - below) / tied, 0.0, 1.0)
    middle = np.clip(1.0 - upper - lower, 0.0, 1.0)
    return ScoreGroups(size=size, upper=upper, middle=middle, lower=lower)
