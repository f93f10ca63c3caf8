"""soal.scoring is pure: property-based tests over random items and choices."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from soal.scoring import (
    FrozenItem,
    FrozenOption,
    Threshold,
    choice_score,
    principle_profile,
    threshold_results,
    totals,
    weakest,
)

CODES = ["asas-a", "asas-b", "sq-c", "jk-d"]


@st.composite
def scaled_item(draw, key):
    scores = draw(st.permutations([1, 2, 3, 4, 5]))
    options = tuple(
        FrozenOption(
            i,
            s,
            upholds=tuple(draw(st.lists(st.sampled_from(CODES), max_size=2))),
            violates=tuple(draw(st.lists(st.sampled_from(CODES), max_size=2))),
        )
        for i, s in enumerate(scores)
    )
    return FrozenItem(
        key,
        "TKP",
        draw(st.sampled_from(["pelayanan-publik", "jejaring-kerja"])),
        options,
        section=draw(st.sampled_from(["S1", "S2"])),
    )


@st.composite
def single_item(draw, key):
    n = draw(st.integers(2, 5))
    right = draw(st.integers(0, n - 1))
    options = tuple(FrozenOption(i, 5 if i == right else 0) for i in range(n))
    return FrozenItem(key, draw(st.sampled_from(["TWK", "TIU"])), "x", options, section="S3")


@st.composite
def exam(draw):
    n = draw(st.integers(1, 30))
    items = [draw(st.one_of(scaled_item(str(i)), single_item(str(i)))) for i in range(n)]
    choices = {
        item.key: draw(st.one_of(st.none(), st.integers(0, len(item.options) - 1)))
        for item in items
    }
    return items, choices


@given(exam())
def test_totals_within_bounds(data):
    items, choices = data
    result = totals(items, choices)
    assert 0 <= result.total <= result.maximum == sum(i.best_score for i in items)
    assert sum(result.by_section.values()) == result.total == sum(result.by_subtest.values())
    tkp = [i for i in items if i.subtest == "TKP"]
    answered_tkp = [i for i in tkp if choices[i.key] is not None]
    assert result.by_subtest.get("TKP", 0) >= len(answered_tkp)  # every TKP answer earns >= 1


@given(exam())
def test_scoring_twice_gives_the_same_result(data):
    items, choices = data
    assert totals(items, choices) == totals(items, choices)
    assert principle_profile(items, choices) == principle_profile(items, choices)


@given(exam(), st.randoms())
def test_question_order_never_changes_totals(data, rnd: random.Random):
    items, choices = data
    shuffled = list(items)
    rnd.shuffle(shuffled)
    a, b = totals(items, choices), totals(shuffled, choices)
    assert (a.total, a.by_section, a.by_subtest, a.by_aspect) == (
        b.total,
        b.by_section,
        b.by_subtest,
        b.by_aspect,
    )
    pa, pb = principle_profile(items, choices), principle_profile(shuffled, choices)
    assert {k: (v.earned, v.available) for k, v in pa.items()} == {
        k: (v.earned, v.available) for k, v in pb.items()
    }


@given(exam())
def test_profile_earned_never_exceeds_available(data):
    items, choices = data
    for entry in principle_profile(items, choices).values():
        assert 0 <= entry.earned <= entry.available


def test_unanswered_scores_zero_even_on_tkp():
    item = FrozenItem(
        "1",
        "TKP",
        "pelayanan-publik",
        tuple(FrozenOption(i, s) for i, s in enumerate([3, 5, 1, 4, 2])),
    )
    assert choice_score(item, None) == 0
    assert choice_score(item, 2) == 1


def test_thresholds_are_data():
    items = [
        FrozenItem(str(i), "TWK", "x", (FrozenOption(0, 5), FrozenOption(1, 0)), "TWK")
        for i in range(30)
    ]
    choices = {str(i): 0 if i < 13 else 1 for i in range(30)}  # 13 correct = 65
    result = totals(items, choices)
    assert threshold_results(result, [Threshold("TWK", 65)]) == {"TWK": True}
    assert threshold_results(result, [Threshold("TWK", 70)]) == {"TWK": False}
    assert threshold_results(result, [Threshold("total", 66)]) == {"total": False}


def test_profile_lists_violations_and_weakest():
    opts = (
        FrozenOption(0, 5, upholds=("asas-a",)),
        FrozenOption(1, 1, violates=("asas-a",)),
        FrozenOption(2, 3, upholds=("sq-c",)),
        FrozenOption(3, 2),
        FrozenOption(4, 4),
    )
    items = [FrozenItem("q1", "TKP", "p", opts), FrozenItem("q2", "TKP", "p", opts)]
    profile = principle_profile(items, {"q1": 1, "q2": 0})
    assert (profile["asas-a"].earned, profile["asas-a"].available) == (6, 10)
    assert profile["asas-a"].violations == [("q1", 1)]
    assert [p.code for p in weakest(profile)] == ["asas-a", "sq-c"]
