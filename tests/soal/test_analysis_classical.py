"""soal.analysis.classical: a worked example by hand, and every figure against a plain-Python
reference on random single-correct responses."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from soal.analysis.classical import single_correct_analysis
from soal.analysis.groups import score_groups


def test_upper_and_lower_27_percent_by_hand():
    # 10 attempts, 3 items; totals 3,3,3,2,2,1,1,1,0,0 → k = round(2.7) = 3: the upper group is the
    # three 3s, the lower group the two 0s and one of the three 1s (each 1 counts one third).
    correct = np.array(
        [
            [1, 1, 1],
            [1, 1, 1],
            [1, 1, 1],
            [1, 1, 0],
            [1, 0, 1],
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
            [0, 0, 0],
            [0, 0, 0],
        ]
    )
    result = single_correct_analysis(marks=correct * 5, max_mark=5)
    first = result.items[0]
    assert first.difficulty == pytest.approx(0.6)
    # Upper: 3 of 3 correct. Lower: the 1-scorers are right 1 time in 3 → (1/3)/3.
    assert first.discrimination == pytest.approx(1 - (1 / 3) / 3)
    assert result.items[1].discrimination == pytest.approx(1 - (1 / 3) / 3)


def test_groups_do_not_depend_on_the_order_of_tied_rows():
    scores = np.array([2.0, 1, 1, 1, 1, 0, 0, 3, 1, 1])
    groups = score_groups(scores)
    shuffled = score_groups(scores[::-1])
    assert groups.size == 3
    assert groups.upper.sum() == pytest.approx(3) and groups.lower.sum() == pytest.approx(3)
    np.testing.assert_allclose(groups.upper[::-1], shuffled.upper)
    assert groups.upper[7] == 1 and groups.upper[0] == 1
    assert groups.upper[1] == pytest.approx(1 / 6)  # one place left for six tied 1s
    assert groups.lower[5] == 1 and groups.lower[1] == pytest.approx(1 / 6)


def test_distractors_are_chosen_by_the_lower_group():
    # Four strong candidates answer A (right), four weak ones B; two in the middle pick C and D.
    chosen = np.array([[0, 0]] * 4 + [[2, 0], [3, 0]] + [[1, 1]] * 4)
    marks = (chosen == 0).astype(float)
    result = single_correct_analysis(marks=marks, chosen=chosen, option_count=4)
    options = result.items[0].options
    assert options[0].upper == 1.0 and options[0].lower == 0.0
    assert options[1].upper == 0.0 and options[1].lower == 1.0
    assert options[2].middle == pytest.approx(0.25) and options[3].middle == pytest.approx(0.25)
    assert options[2].overall == pytest.approx(0.1)
    assert result.items[0].blank.overall == 0.0


def test_kr20_and_standard_error_of_measurement():
    correct = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]])
    result = single_correct_analysis(marks=correct, max_mark=1)
    # Textbook KR-20 with p·q and the population variance of the totals 3, 2, 1, 0, 4.
    p = correct.mean(axis=0)
    kr20 = 4 / 3 * (1 - (p * (1 - p)).sum() / np.var(correct.sum(axis=1)))
    assert result.kr20 == pytest.approx(kr20)
    assert result.sd == pytest.approx(np.std(correct.sum(axis=1), ddof=1))
    assert result.sem == pytest.approx(result.sd * math.sqrt(1 - kr20))


def test_marks_other_than_zero_or_max_are_refused():
    with pytest.raises(ValueError, match="must be 0 or 5"):
        single_correct_analysis(marks=np.array([[5.0, 2.5]]), max_mark=5)
    with pytest.raises(ValueError, match="option indices"):
        single_correct_analysis(marks=np.ones((1, 1)), chosen=np.array([[7]]))


# --- a plain-Python reference, from the definitions -------------------------------------------


def _corr(a, b):
    n = len(a)
    if n < 2:
        return None
    ma, mb = Fraction(sum(a), n), Fraction(sum(b), n)
    cov = sum((u - ma) * (v - mb) for u, v in zip(a, b, strict=True))
    sa = sum((u - ma) ** 2 for u in a)
    sb = sum((v - mb) ** 2 for v in b)
    return float(cov) / math.sqrt(sa * sb) if sa and sb else None


def _group_weights(totals, k, top):
    """Fill the group from the top (or bottom) score down; a score that does not fit entirely
    shares the remaining places among everyone who has it."""
    weights = [Fraction(0)] * len(totals)
    left = k
    for level in sorted(set(totals), reverse=top):
        members = [a for a, t in enumerate(totals) if t == level]
        share = min(Fraction(1), Fraction(left, len(members)))
        for a in members:
            weights[a] = share
        left -= share * len(members)
        if left <= 0:
            break
    return weights


def reference(correct: list[list[int]], chosen: list[list[int]], options: int):
    n, items = len(correct), len(correct[0]) if correct else 0
    totals = [sum(r) for r in correct]
    result = {"kr20": None, "items": []}
    k = max(1, math.floor(0.27 * n + 0.5)) if n >= 2 else None
    upper = _group_weights(totals, k, top=True) if k else None
    lower = _group_weights(totals, k, top=False) if k else None
    for i in range(items):
        x = [r[i] for r in correct]
        item = {
            "difficulty": Fraction(sum(x), n) if n else None,
            "point_biserial": _corr(x, [t - v for t, v in zip(totals, x, strict=True)]),
            "discrimination": None,
            "rates": [],
        }
        if k:
            item["discrimination"] = (
                sum(w * v for w, v in zip(upper, x, strict=True))
                - sum(w * v for w, v in zip(lower, x, strict=True))
            ) / k
        for o in [*range(options), -1]:
            picked = [int(r[i] == o) for r in chosen]
            rates = {"overall": Fraction(sum(picked), n) if n else None}
            if k:
                middle = [1 - u - w for u, w in zip(upper, lower, strict=True)]
                rates["upper"] = sum(w * v for w, v in zip(upper, picked, strict=True)) / k
                rates["lower"] = sum(w * v for w, v in zip(lower, picked, strict=True)) / k
                rates["middle"] = (
                    sum(w * v for w, v in zip(middle, picked, strict=True)) / sum(middle)
                    if sum(middle)
                    else None
                )
            else:
                rates |= {"upper": None, "middle": None, "lower": None}
            item["rates"].append(rates)
        result["items"].append(item)
    if n >= 2 and items >= 2:
        mean = Fraction(sum(totals), n)
        var_t = sum((t - mean) ** 2 for t in totals) / (n - 1)
        if var_t:
            var_items = sum(
                Fraction(sum(r[i] for r in correct), n)
                * (1 - Fraction(sum(r[i] for r in correct), n))
                * Fraction(n, n - 1)
                for i in range(items)
            )
            kr20 = Fraction(items, items - 1) * (1 - var_items / var_t)
            result["kr20"] = kr20
            result["sem"] = math.sqrt(var_t) * math.sqrt(1 - kr20)
    return result


def close(actual, expected, where):
    if expected is None:
        assert actual is None, where
        return
    assert isinstance(actual, float) and math.isfinite(actual), where
    assert math.isclose(actual, float(expected), rel_tol=1e-9, abs_tol=1e-9), (
        where,
        actual,
        float(expected),
    )


@st.composite
def responses(draw):
    n = draw(st.integers(0, 14))
    items = draw(st.integers(1, 5))
    rows = []
    for _ in range(n):
        chosen = [draw(st.integers(-1, 3)) for _ in range(items)]
        rows.append(chosen)
    keys = [draw(st.integers(0, 3)) for _ in range(items)]
    correct = [[int(c == key) for c, key in zip(r, keys, strict=True)] for r in rows]
    return correct, rows


@given(responses())
@example(([], []))
@example(([[1, 0]], [[0, 1]]))
@example(([[1, 0], [0, 1]], [[0, 1], [1, 0]]))  # n = 2, equal totals
@example(([[1, 1], [1, 1], [1, 1]], [[0, 0], [0, 0], [0, 0]]))  # everyone right
@hypothesis_settings(max_examples=200, deadline=None)
def test_classical_figures_match_a_plain_reference(data):
    correct, chosen = data
    items = len(correct[0]) if correct else 2
    marks = np.array(correct, dtype=float).reshape(len(correct), items) * 5
    result = single_correct_analysis(
        marks=marks,
        max_mark=5,
        chosen=np.array(chosen, dtype=np.int64).reshape(len(chosen), items),
        option_count=4,
    )
    if not correct:
        assert all(i.difficulty is None and i.discrimination is None for i in result.items)
        return
    expected = reference(correct, chosen, 4)
    close(result.kr20, expected["kr20"], "kr20")
    if expected["kr20"] is not None:
        close(result.sem / 5, expected["sem"], "sem")  # marks were 5 a right answer
    for i, (item, want) in enumerate(zip(result.items, expected["items"], strict=True)):
        for name in ("difficulty", "point_biserial", "discrimination"):
            close(getattr(item, name), want[name], f"item {i}.{name}")
        for o, (rates, want_rates) in enumerate(
            zip([*item.options, item.blank], want["rates"], strict=True)
        ):
            for name in ("overall", "upper", "middle", "lower"):
                close(getattr(rates, name), want_rates[name], f"item {i} option {o}.{name}")
