"""Generated numeric TIU families keep the contract over thousands of seeds, checked by solvers
written here from the rule alone (never the generators' own helpers): exactly one option is what
the rule gives, the five options are distinct, and the explanation ends with the key."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest

from soal.generators import FAMILIES, generate

SEEDS = range(5000)


def whole(text: str) -> int:
    """Indonesian integer: 12.500 is twelve thousand five hundred."""
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*", text), text
    return int(text.replace(".", ""))


def shown_terms(stem: str) -> list[int]:
    match = re.search(r"\*\*(.+), …\*\*", stem)
    assert match, stem
    return [whole(t) for t in match.group(1).split(", ")]


# --- independent solvers: the next term from the shown terms and the family's rule ---------------


def next_by_differences(terms: list[int]) -> int:
    """Newton's forward differences: extend the table until a row is constant (checked on at least
    two values), then add back up. Covers arithmetic, two-level and square/cube series."""
    rows = [terms]
    while len(set(rows[-1])) > 1:
        row = rows[-1]
        assert len(row) >= 3, f"no constant difference row in {terms}"
        rows.append([b - a for a, b in itertools.pairwise(row)])
    value = rows[-1][-1]
    for row in reversed(rows[:-1]):
        value = row[-1] + value
    return value


def next_arithmetic(terms: list[int]) -> int:
    d = terms[1] - terms[0]
    assert all(b - a == d for a, b in itertools.pairwise(terms)), terms
    return terms[-1] + d


def next_geometric(terms: list[int]) -> int:
    r = Fraction(terms[1], terms[0])
    assert all(Fraction(b, a) == r for a, b in itertools.pairwise(terms)), terms
    value = terms[-1] * r
    assert value.denominator == 1
    return int(value)


def next_of_either(terms: list[int]) -> int:
    diffs = {b - a for a, b in itertools.pairwise(terms)}
    return next_arithmetic(terms) if len(diffs) == 1 else next_geometric(terms)


def next_interleaved(terms: list[int]) -> int:
    # The next position continues the sub-series it belongs to.
    own = terms[len(terms) % 2 :: 2]
    assert len(own) >= 3
    return next_of_either(own)


def next_fibonacci(terms: list[int]) -> int:
    assert all(terms[i] == terms[i - 1] + terms[i - 2] for i in range(2, len(terms))), terms
    return terms[-1] + terms[-2]


def next_square_or_cube(terms: list[int]) -> int:
    # Cross-checked two ways: the difference table, and k^p + c with consecutive k.
    by_table = next_by_differences(terms)
    for power in (2, 3):
        for k in range(0, 30):
            c = terms[0] - k**power
            if all(t == (k + i) ** power + c for i, t in enumerate(terms)):
                assert (k + len(terms)) ** power + c == by_table
                return by_table
    raise AssertionError(f"not a square/cube series: {terms}")


SERIES = {
    "deret-aritmetika": next_arithmetic,
    "deret-geometri": next_geometric,
    "deret-selang-seling": next_interleaved,
    "deret-beda-bertingkat": next_by_differences,
    "deret-kuadrat-kubik": next_square_or_cube,
    "deret-fibonacci": next_fibonacci,
}


def words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", text.lower())


def contract_problems(item, values: list, expected) -> list[str]:
    problems = []
    if len(set(item.options)) != 5:
        problems.append("options not distinct")
    matching = [i for i, v in enumerate(values) if v == expected]
    if matching != [item.correct]:
        problems.append(f"solver {expected!r} matches options {matching}, key at {item.correct}")
    if item.answer != item.options[item.correct]:
        problems.append("answer is not options[correct]")
    last = item.explanation.strip().splitlines()[-1]
    if item.answer not in last:
        problems.append(f"last line {last!r} does not state {item.answer!r}")
    if len(words(item.explanation)) < 40:  # docs/CONTENT.md: explanations of >= 40 words
        problems.append("explanation shorter than 40 words")
    if len(item.rationales) != 5 or not all(r.strip() for r in item.rationales):
        problems.append("every option needs its one-sentence rationale")
    if item.aspect != "numerik":
        problems.append(f"aspect {item.aspect}")
    return problems


def check_family(family: str, solve) -> None:
    failures = []
    for seed in SEEDS:
        item = generate(family, seed)
        try:
            expected, values = solve(item)
            problems = contract_problems(item, values, expected)
        except (AssertionError, ValueError, ZeroDivisionError) as error:
            problems = [f"solver: {error}"]
        if problems:
            failures.append((seed, problems, item.stem, item.options))
        if len(failures) >= 3:
            break
    assert failures == []


@pytest.mark.parametrize("family", sorted(SERIES))
def test_series_family_has_exactly_one_correct_option(family):
    def solve(item):
        terms = shown_terms(item.stem)
        assert terms == item.params["shown"]
        return SERIES[family](terms), [whole(o) for o in item.options]

    check_family(family, solve)


def test_a_seed_always_gives_the_same_item():
    for family in FAMILIES:
        assert generate(family, 7) == generate(family, 7)


def test_seeds_give_varied_items():
    for family in FAMILIES:
        stems = {generate(family, seed).stem for seed in range(200)}
        assert len(stems) >= 100, family
        positions = {generate(family, seed).correct for seed in range(200)}
        assert positions == {0, 1, 2, 3, 4}, family
