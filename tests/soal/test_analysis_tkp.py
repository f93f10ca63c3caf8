"""soal.analysis.tkp: flags on simulated TKP responses, and every figure against a plain-Python
reference on random responses."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from soal.analysis.tkp import tkp_analysis


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def id_number(value: float, places: int = 1) -> str:
    """How the messages print a number in Indonesian: decimal comma."""
    return f"{value:.{places}f}".replace(".", ",")


def simulate(
    *, n: int, items: int, seed: int, miskeyed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates with a latent ability choose options with probability rising with the option's
    score times the ability (a partial-credit model); on the mis-keyed item the strong candidates
    prefer the option scored 2 instead."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n)
    scores = np.array([rng.permutation([1, 2, 3, 4, 5]) for _ in range(items)])
    chosen = np.empty((n, items), dtype=np.int64)
    for i in range(items):
        appeal = scores[i].astype(float)
        if i == miskeyed:
            appeal = np.where(scores[i] == 2, 6.0, appeal)  # what strong candidates really prefer
        logits = 0.9 * ability[:, None] * appeal[None, :]
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        chosen[:, i] = (weights.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return chosen, scores


def codes(item) -> set[str]:
    return {f.code for f in item.flags}


def test_a_miskeyed_item_is_flagged_with_its_numbers_and_well_keyed_items_are_not():
    n = 600
    chosen, scores = simulate(n=n, items=20, seed=11, miskeyed=0)
    result = tkp_analysis(chosen=chosen, option_scores=scores)

    item = result.items[0]
    two = int(np.flatnonzero(scores[0] == 2)[0])
    five = int(np.flatnonzero(scores[0] == 5)[0])
    flag = next(f for f in item.flags if f.code == "possible_miskey" and f.option == two)
    # The numbers, computed here independently of the module.
    marks = np.where(chosen >= 0, scores[np.arange(20), chosen], 0)
    rest = marks.sum(axis=1) - marks[:, 0]
    choosers_two = chosen[:, 0] == two
    choosers_five = chosen[:, 0] == five
    assert rest[choosers_two].mean() > rest[choosers_five].mean()  # the plant worked
    letter = "ABCDE"[two]
    assert f"Opsi {letter} (skor 2)" in flag.message
    assert f"dipilih {id_number(100 * choosers_two.mean())} % peserta" in flag.message
    assert f"({choosers_two.sum()} dari {n})" in flag.message
    assert f"rata-rata skor sisa {id_number(rest[choosers_two].mean())}" in flag.message
    assert f"opsi {'ABCDE'[five]} (skor 5, rata-rata {id_number(rest[choosers_five].mean())})" in (
        flag.message
    )
    assert flag.sample_warning is None
    assert item.consistency is not None and item.consistency < 0.9

    for other in result.items[1:]:
        assert "possible_miskey" not in codes(other), [f.message for f in other.flags]
        assert other.consistency == 1.0


def test_a_best_option_that_strong_candidates_avoid_is_flagged():
    # On item 0 the strong candidates pick option B (4 points), the weak ones A (5 points).
    n = 200
    rng = np.random.default_rng(3)
    scores = np.array([[5, 4, 3, 2, 1]] * 6)
    chosen = rng.integers(0, 2, size=(n, 6))
    strong = chosen[:, 1:].sum(axis=1) <= 2  # mostly option A (5 points) on the other items
    chosen[:, 0] = np.where(strong, 1, 0)
    result = tkp_analysis(chosen=chosen, option_scores=scores)
    best = result.items[0].options[0]
    assert best.point_biserial is not None and best.point_biserial < 0
    flag = next(f for f in result.items[0].flags if f.option == 0 and f.code == "possible_miskey")
    assert f"(r = {id_number(best.point_biserial, 2)})" in flag.message
    assert "Opsi A (skor 5) berkorelasi negatif" in flag.message


def fixed_item(counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """One item whose options were chosen `counts` times, next to items that vary."""
    n = sum(counts)
    rng = np.random.default_rng(5)
    first = np.repeat(np.arange(len(counts)), counts)
    others = rng.integers(0, 5, size=(n, 3))
    return np.column_stack([first, others]), np.array([[5, 4, 3, 2, 1]] * 4)


def test_an_option_chosen_by_fewer_than_three_percent_is_flagged():
    chosen, scores = fixed_item([40, 30, 20, 8, 2])
    item = tkp_analysis(chosen=chosen, option_scores=scores).items[0]
    flag = next(f for f in item.flags if f.code == "option_rarely_chosen")
    assert flag.option == 4
    assert "Opsi E (skor 1) hanya dipilih 2,0 % peserta (2 dari 100" in flag.message
    assert "di bawah 3 %" in flag.message
    assert [f.option for f in item.flags if f.code == "option_rarely_chosen"] == [4]


def test_an_option_chosen_by_three_percent_is_not_flagged_as_rare():
    chosen, scores = fixed_item([40, 30, 20, 7, 3])
    item = tkp_analysis(chosen=chosen, option_scores=scores).items[0]
    assert "option_rarely_chosen" not in codes(item)


def test_an_option_chosen_by_ninety_percent_is_flagged():
    chosen, scores = fixed_item([90, 4, 3, 3, 0])
    item = tkp_analysis(chosen=chosen, option_scores=scores).items[0]
    flag = next(f for f in item.flags if f.code == "option_dominant")
    assert flag.option == 0
    assert "Opsi A (skor 5) dipilih 90,0 % peserta (90 dari 100, 90 % atau lebih)" in flag.message
    # Option E, chosen by nobody, is rare as well.
    assert "Opsi E (skor 1) hanya dipilih 0,0 % peserta (0 dari 100" in " ".join(
        f.message for f in item.flags
    )


def test_an_option_chosen_by_eighty_nine_percent_is_not_dominant():
    chosen, scores = fixed_item([89, 5, 3, 3, 0])
    item = tkp_analysis(chosen=chosen, option_scores=scores).items[0]
    assert "option_dominant" not in codes(item)


@pytest.mark.parametrize(
    ("n", "code", "words"),
    [
        (25, "sample_very_small", "Hanya 25 peserta: sampel sangat kecil"),
        (29, "sample_very_small", "Hanya 29 peserta: sampel sangat kecil"),
        (30, "sample_small", "Hanya 30 peserta: sampel kecil"),
        (99, "sample_small", "Hanya 99 peserta: sampel kecil"),
    ],
)
def test_a_small_sample_warns_and_every_flag_carries_the_warning(n, code, words):
    chosen, scores = simulate(n=n, items=5, seed=2)
    chosen[:, 0] = 0  # everyone picks option A: a flag to carry the warning
    result = tkp_analysis(chosen=chosen, option_scores=scores)
    assert result.sample_warning.code == code
    assert words in result.sample_warning.message
    assert result.items[0].flags
    assert all(f.sample_warning == result.sample_warning.message for f in result.items[0].flags)


def test_a_hundred_attempts_carry_no_sample_warning():
    chosen, scores = simulate(n=100, items=5, seed=2)
    chosen[:, 0] = 0
    result = tkp_analysis(chosen=chosen, option_scores=scores)
    assert result.sample_warning is None
    assert all(f.sample_warning is None for f in result.items[0].flags)


def test_no_answer_scores_zero_and_counts_as_blank():
    chosen = np.array([[0, -1], [1, 0], [-1, 1], [0, 0]])
    scores = np.array([[5, 1, 2, 3, 4], [3, 5, 1, 2, 4]])
    result = tkp_analysis(chosen=chosen, option_scores=scores)
    assert result.items[0].blank_share == 0.25
    assert result.items[0].mean_ratio == pytest.approx((5 + 1 + 0 + 5) / 4 / 5)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"option scores must be 1\.\.5"):
        tkp_analysis(chosen=np.zeros((2, 1), int), option_scores=np.array([[0, 1, 2, 3, 4]]))
    with pytest.raises(ValueError, match="chosen must be option indices"):
        tkp_analysis(chosen=np.full((2, 1), 5), option_scores=np.array([[5, 4, 3, 2, 1]]))


# --- a plain-Python reference, from the definitions -------------------------------------------


def _var(values):
    mean = sum(values, Fraction(0)) / len(values)
    return sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)


def _corr(a, b):
    n = len(a)
    if n < 2:
        return None
    ma, mb = sum(a, Fraction(0)) / n, sum(b, Fraction(0)) / n
    cov = sum((u - ma) * (v - mb) for u, v in zip(a, b, strict=True))
    sa = sum((u - ma) ** 2 for u in a)
    sb = sum((v - mb) ** 2 for v in b)
    return float(cov) / math.sqrt(sa * sb) if sa and sb else None


def _ranks(values):
    ranks = []
    for v in values:
        less = sum(1 for w in values if w < v)
        same = sum(1 for w in values if w == v)
        ranks.append(Fraction(2 * less + same + 1, 2))
    return ranks


def reference(chosen: list[list[int]], scores: list[list[int]]):
    n, k, m = len(chosen), len(scores), len(scores[0])
    marks = [[scores[i][c] if c >= 0 else 0 for i, c in enumerate(row)] for row in chosen]
    totals = [sum(r) for r in marks]
    items = []
    for i in range(k):
        x = [Fraction(r[i]) for r in marks]
        rest = [Fraction(t - r[i]) for t, r in zip(totals, marks, strict=True)]
        item = {
            "mean_ratio": sum(x) / n / 5 if n else None,
            "sd": math.sqrt(_var(x)) if n >= 2 else None,
            "item_rest": _corr(x, rest),
            "alpha_if_deleted": None,
            "blank_share": Fraction(sum(1 for r in chosen if r[i] < 0), n) if n else None,
        }
        if n >= 2 and k - 1 >= 2 and _var(rest):
            kept = sum(_var([Fraction(r[j]) for r in marks]) for j in range(k) if j != i)
            item["alpha_if_deleted"] = Fraction(k - 1, k - 2) * (1 - kept / _var(rest))
        options = []
        for o in range(m):
            picked = [Fraction(int(r[i] == o)) for r in chosen]
            count = sum(1 for r in chosen if r[i] == o)
            options.append(
                {
                    "score": scores[i][o],
                    "chosen": count,
                    "share": Fraction(count, n) if n else None,
                    "mean_rest": sum(r for r, p in zip(rest, picked, strict=True) if p) / count
                    if count
                    else None,
                    "point_biserial": _corr(picked, rest),
                }
            )
        seen = [o for o in options if o["mean_rest"] is not None]
        item["consistency"] = (
            _corr(_ranks([o["score"] for o in seen]), _ranks([o["mean_rest"] for o in seen]))
            if len(seen) >= 3
            else None
        )
        item["options"] = options
        items.append(item)
    return items


def close(actual, expected, where):
    if expected is None:
        assert actual is None, where
        return
    assert isinstance(actual, float | int) and math.isfinite(actual), where
    assert math.isclose(actual, float(expected), rel_tol=1e-9, abs_tol=1e-9), (
        where,
        actual,
        float(expected),
    )


@st.composite
def tkp_responses(draw):
    n = draw(st.integers(0, 15))
    k = draw(st.integers(1, 5))
    scores = [draw(st.permutations([1, 2, 3, 4, 5])) for _ in range(k)]
    chosen = [[draw(st.integers(-1, 4)) for _ in range(k)] for _ in range(n)]
    return chosen, scores


@given(tkp_responses())
@example(([], [[1, 2, 3, 4, 5]] * 3))
@example(([[0, 0, 0]], [[1, 2, 3, 4, 5]] * 3))
@example(([[0, 1, 2], [2, 1, 0]], [[1, 2, 3, 4, 5]] * 3))  # n = 2, equal totals
@example(([[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[1, 2, 3, 4, 5]] * 3))  # nobody differs
@example(([[-1, -1], [-1, -1], [4, 4]], [[1, 2, 3, 4, 5]] * 2))  # blanks
@hypothesis_settings(max_examples=200, deadline=None)
def test_tkp_figures_match_a_plain_reference(responses):
    chosen, scores = responses
    k = len(scores)
    result = tkp_analysis(
        chosen=np.array(chosen, dtype=np.int64).reshape(len(chosen), k),
        option_scores=np.array(scores),
    )
    expected_items = reference(chosen, scores)
    assert result.attempts == len(chosen)
    for i, (item, expected) in enumerate(zip(result.items, expected_items, strict=True)):
        for name in (
            "mean_ratio",
            "sd",
            "item_rest",
            "alpha_if_deleted",
            "blank_share",
            "consistency",
        ):
            close(getattr(item, name), expected[name], f"item {i}.{name}")
        for o, (option, want) in enumerate(zip(item.options, expected["options"], strict=True)):
            assert option.score == want["score"]
            assert option.chosen == want["chosen"]
            for name in ("share", "mean_rest", "point_biserial"):
                close(getattr(option, name), want[name], f"item {i} option {o}.{name}")
        for flag in item.flags:
            assert flag.code in {"possible_miskey", "option_rarely_chosen", "option_dominant"}
            assert flag.message
