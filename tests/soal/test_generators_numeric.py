"""Generated numeric TIU families keep the contract over thousands of seeds, checked by solvers
written here from the rule alone (never the generators' own helpers): exactly one option is what
the rule gives, the five options are distinct, and the explanation ends with the key."""

from __future__ import annotations

import itertools
import re
from collections import Counter
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
        # A figural item's stem is one sentence; what varies is its drawing.
        stems = {
            (generate(family, seed).stem, generate(family, seed).figure) for seed in range(200)
        }
        assert len(stems) >= 100, family
        positions = {generate(family, seed).correct for seed in range(200)}
        # P-versus-Q keeps its options in the usual fixed order; "P = 2Q" (D) is never true.
        expected = {0, 1, 2, 4} if family == "perbandingan-kuantitatif" else {0, 1, 2, 3, 4}
        assert positions == expected, family


# --- social arithmetic, ratio: recomputed from the drawn numbers, checked against the stem ------


def rp(n) -> str:
    assert Fraction(n).denominator == 1, n
    return "Rp" + f"{int(n):,}".replace(",", ".")


def money(text: str) -> int:
    assert text.startswith("Rp"), text
    return whole(text[2:])


def profit(text: str) -> int:
    word, pct = text.split()
    assert word in {"untung", "rugi"} and pct.endswith("%"), text
    return (1 if word == "untung" else -1) * int(pct[:-1])


def solve_social(item):
    p = item.params
    kind = p["kind"]
    if kind == "diskon":
        assert rp(p["price"]) in item.stem and f"{p['p']}%" in item.stem
        return Fraction(p["price"]) * (100 - p["p"]) / 100, [money(o) for o in item.options]
    if kind == "diskon-bertingkat":
        assert f"{p['p1']}% + {p['p2']}%" in item.stem
        value = Fraction(p["price"]) * (100 - p["p1"]) / 100 * (100 - p["p2"]) / 100
        return value, [money(o) for o in item.options]
    if kind == "untung-rugi":
        assert rp(p["buy"]) in item.stem and rp(p["sell"]) in item.stem
        return Fraction(p["sell"] - p["buy"], p["buy"]) * 100, [profit(o) for o in item.options]
    if kind == "harga-beli":
        assert rp(p["sell"]) in item.stem and f"{p['pct']}%" in item.stem
        return Fraction(p["sell"]) / (1 + Fraction(p["pct"], 100)), [money(o) for o in item.options]
    if kind == "bunga-tunggal":
        assert rp(p["principal"]) in item.stem and f"{p['months']} bulan" in item.stem
        interest = Fraction(p["principal"] * p["rate"], 100) * Fraction(p["months"], 12)
        value = p["principal"] + interest if "jumlah tabungan" in item.stem else interest
        return value, [money(o) for o in item.options]
    raise AssertionError(kind)


def unit(text: str, suffix: str) -> int:
    assert text.endswith(" " + suffix), text
    return whole(text[: -len(suffix) - 1])


def clock(text: str) -> int:
    match = re.fullmatch(r"pukul (\d\d)\.(\d\d)", text)
    assert match, text
    return int(match.group(1)) * 60 + int(match.group(2))


def solve_ratio(item):
    p = item.params
    kind = p["kind"]
    if kind == "pekerja-hari":
        assert f"{p['w1']} pekerja dalam {p['d1']} hari" in item.stem
        return Fraction(p["w1"] * p["d1"], p["w2"]), [unit(o, "hari") for o in item.options]
    if kind == "tambah-pekerja":
        assert f"{p['d1']} hari oleh {p['w1']} pekerja" in item.stem
        value = Fraction(p["w1"] * p["d1"], p["d2"]) - p["w1"]
        return value, [unit(o, "orang") for o in item.options]
    if kind == "senilai":
        assert f"Harga {p['n1']} " in item.stem and rp(p["cost"]) in item.stem
        return Fraction(p["cost"], p["n1"]) * p["n2"], [money(o) for o in item.options]
    if kind == "skala":
        assert f"{p['cm']} cm" in item.stem
        value = Fraction(p["cm"] * p["scale"], 100_000)  # 1 km = 100 000 cm
        return value, [unit(o, "km") for o in item.options]
    if kind == "berpapasan":
        assert f"{p['v1']} km/jam" in item.stem and f"{p['v2']} km/jam" in item.stem
        value = p["start"] + Fraction(p["distance"], p["v1"] + p["v2"]) * 60
        return value, [clock(o) for o in item.options]
    raise AssertionError(kind)


# --- fractions and roots: re-derived from the stem ------------------------------------------------


def fraction(text: str) -> Fraction:
    assert re.fullmatch(r"\d+(/\d+)?", text), text
    return Fraction(text)


def root_value(text: str) -> float:
    match = re.fullmatch(r"(\d*)(?:√(\d+))?", text)
    assert match and text, text
    coefficient = int(match.group(1) or 1)
    return coefficient * (int(match.group(2)) ** 0.5 if match.group(2) else 1)


def solve_fractions_roots(item):
    stem = item.stem
    if match := re.search(r"Hasil dari (\d+)/(\d+) (.) (\d+)/(\d+) adalah", stem):
        x = Fraction(int(match.group(1)), int(match.group(2)))
        y = Fraction(int(match.group(4)), int(match.group(5)))
        value = {"+": x + y, "−": x - y, "×": x * y, ":": x / y}[match.group(3)]
        return value, [fraction(o) for o in item.options]
    if match := re.search(r"√(\d+) (.) √(\d+) adalah", stem):
        a, b = int(match.group(1)) ** 0.5, int(match.group(3)) ** 0.5
        value = a + b if match.group(2) == "+" else a - b
        values = [root_value(o) for o in item.options]
        # Equal within rounding means equal: the generator writes exact simplified roots.
        return value, [value if abs(v - value) < 1e-9 else v for v in values]
    if "nilainya terbesar" in stem or "nilainya terkecil" in stem:
        values = [fraction(o) for o in item.options]
        return (max(values) if "terbesar" in stem else min(values)), values
    raise AssertionError(stem)


# --- quantitative comparison: which statements hold for every allowed value ------------------


def quantities(item) -> list[tuple[Fraction, Fraction]]:
    p = item.params
    kind = p["kind"]
    if kind == "persen":
        assert f"P = {p['a']}% dari {p['x']}" in item.stem
        assert f"Q = {p['b']}% dari {p['y']}" in item.stem
        return [(Fraction(p["a"] * p["x"], 100), Fraction(p["b"] * p["y"], 100))]
    if kind == "pangkat-akar":
        assert f"Q = √{p['square']:,}".replace(",", ".") in item.stem
        root = round(p["square"] ** 0.5)
        assert root * root == p["square"]
        return [(Fraction(p["base"] ** p["exp"]), Fraction(root))]
    if kind == "persamaan":
        (a, b, r1), (c, d, r2) = p["eq1"], p["eq2"]
        assert f"{a}x " in item.stem and f"= {r1}" in item.stem and f"= {r2}" in item.stem
        return [(Fraction(r1 - b, a), Fraction(r2 - d, c))]
    if kind == "kuadrat":
        assert f"x² = {p['k'] ** 2}" in item.stem and f"Q = {p['q']}\n" in item.stem
        xs = [p["k"], -p["k"]]
        if "x > 0" in item.stem:
            xs = [x for x in xs if x > 0]
        elif "x < 0" in item.stem:
            xs = [x for x in xs if x < 0]
        return [(Fraction(x), Fraction(p["q"])) for x in xs]
    raise AssertionError(kind)


STATEMENTS = {
    "P > Q": lambda p, q: p > q,
    "P < Q": lambda p, q: p < q,
    "P = Q": lambda p, q: p == q,
    "P = 2Q": lambda p, q: p == 2 * q,
}


def solve_quantitative(item):
    pairs = quantities(item)
    holds = {name: all(test(p, q) for p, q in pairs) for name, test in STATEMENTS.items()}
    truth = []
    for option in item.options:
        if option in holds:
            truth.append(holds[option])
        else:
            assert "tidak dapat ditentukan" in option, option
            truth.append(not any(holds.values()))
    return True, truth


OTHERS = {
    "aritmetika-sosial": solve_social,
    "perbandingan": solve_ratio,
    "pecahan-akar": solve_fractions_roots,
    "perbandingan-kuantitatif": solve_quantitative,
}


@pytest.mark.parametrize("family", sorted(OTHERS))
def test_family_has_exactly_one_correct_option(family):
    check_family(family, OTHERS[family])


def test_every_family_is_checked_here_and_every_kind_is_drawn():
    assert set(SERIES) | set(OTHERS) <= set(FAMILIES)
    kinds = {
        family: {generate(family, seed).params["kind"] for seed in range(300)} for family in OTHERS
    }
    assert kinds == {
        "aritmetika-sosial": {
            "diskon",
            "diskon-bertingkat",
            "untung-rugi",
            "harga-beli",
            "bunga-tunggal",
        },
        "perbandingan": {"pekerja-hari", "tambah-pekerja", "senilai", "skala", "berpapasan"},
        "pecahan-akar": {"operasi", "akar", "bandingkan"},
        "perbandingan-kuantitatif": {"persen", "pangkat-akar", "persamaan", "kuadrat"},
    }


def test_quantitative_answers_are_spread_and_p_equals_2q_is_never_true():
    answers = Counter(generate("perbandingan-kuantitatif", seed).answer for seed in range(2000))
    assert "P = 2Q" not in answers
    assert all(answers[a] > 300 for a in ("P > Q", "P < Q", "P = Q")), answers
    assert answers["Hubungan P dan Q tidak dapat ditentukan"] > 300, answers
