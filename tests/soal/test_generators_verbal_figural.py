"""Property tests for the verbal (syllogism) and figural generated families.

Each family is checked by a solver written here, independently of the generator: syllogisms are
decided by enumerating Venn models read from the item's own sentences; figures by recomputing
the next panel from the drawn shapes in `params`."""

from __future__ import annotations

import functools
import re
from itertools import pairwise, product

import pytest

from soal.generators import generate

SEEDS = range(5000)

# --- syllogisms: model enumeration ----------------------------------------------------------

SENTENCE = [
    (re.compile(r"^Semua (.+) adalah (.+)\.$"), "A"),
    (re.compile(r"^Tidak ada (.+) yang merupakan (.+)\.$"), "E"),
    (re.compile(r"^Sebagian (.+) bukan (.+)\.$"), "O"),
    (re.compile(r"^Sebagian (.+) adalah (.+)\.$"), "I"),
]
NO_CONCLUSION = "Tidak dapat ditarik kesimpulan."


def parse(sentence: str) -> tuple[str, str, str]:
    for pattern, form in SENTENCE:
        if match := pattern.match(sentence.strip()):
            return form, match.group(1), match.group(2)
    raise AssertionError(f"not a categorical sentence: {sentence!r}")


def holds(statement, regions) -> bool:
    """regions: the occupied Venn regions, each a frozenset of the terms it lies inside."""
    form, x, y = statement
    if form == "A":
        return not any(x in r and y not in r for r in regions)
    if form == "E":
        return not any(x in r and y in r for r in regions)
    if form == "I":
        return any(x in r and y in r for r in regions)
    return any(x in r and y not in r for r in regions)


def models(terms, existential_import: bool):
    """Every occupancy pattern of the 7 regions inside the three circles (2**7 of them)."""
    regions = [
        frozenset(t for t, inside in zip(terms, bits, strict=True) if inside)
        for bits in product((0, 1), repeat=3)
        if any(bits)
    ]
    for occupied in product((0, 1), repeat=len(regions)):
        model = [r for r, o in zip(regions, occupied, strict=True) if o]
        if existential_import and not all(any(t in r for r in model) for t in terms):
            continue
        yield model


def follows(premises, conclusion, terms, existential_import=True) -> bool:
    # Rename the words to their positions so the (pure) enumeration can be cached per shape.
    index = {t: str(i) for i, t in enumerate(terms)}
    rename = lambda st: (st[0], index[st[1]], index[st[2]])  # noqa: E731
    return _follows(
        tuple(map(rename, premises)), rename(conclusion), tuple(index.values()), existential_import
    )


@functools.cache
def _follows(premises, conclusion, terms, existential_import) -> bool:
    return all(
        holds(conclusion, m)
        for m in models(terms, existential_import)
        if all(holds(p, m) for p in premises)
    )


def solve_syllogism(item) -> list[int]:
    """Indices of the options that are correct, read from the stem's and options' own text."""
    premises = [parse(line) for line in re.findall(r"Premis \d: (.+?)\s*$", item.stem, re.M)]
    assert len(premises) == 2
    terms = sorted({t for _, x, y in premises for t in (x, y)})
    assert len(terms) == 3
    middle = next(t for t in terms if all(t in (x, y) for _, x, y in premises))
    s, p = [t for t in terms if t != middle]
    # Any conclusion about the two end terms, in either order, not only the listed ones.
    anything_follows = any(
        follows(premises, (form, x, y), terms) for form in "AEIO" for x, y in ((s, p), (p, s))
    )
    correct = []
    for index, option in enumerate(item.options):
        if option == NO_CONCLUSION:
            if not anything_follows:
                correct.append(index)
        elif follows(premises, parse(option), terms):
            correct.append(index)
    return correct


def test_syllogism_solver_knows_the_classics():
    terms = ["a", "b", "c"]
    barbara = [("A", "b", "c"), ("A", "a", "b")]
    assert follows(barbara, ("A", "a", "c"), terms)
    assert not follows(barbara, ("A", "c", "a"), terms)  # illicit conversion
    assert not follows([("A", "a", "b"), ("A", "c", "b")], ("A", "a", "c"), terms)  # middle
    darapti = [("A", "b", "c"), ("A", "b", "a")]
    assert follows(darapti, ("I", "a", "c"), terms)
    assert not follows(darapti, ("I", "a", "c"), terms, existential_import=False)


def test_syllogism_items_have_exactly_one_correct_option():
    seen_no_conclusion = seen_conclusion = 0
    for seed in SEEDS:
        item = generate("silogisme", seed)
        assert item.aspect == "verbal"
        assert len(item.options) == 5 and len(set(item.options)) == 5, seed
        assert solve_syllogism(item) == [item.correct], (seed, item.stem, item.options)
        assert item.options[item.correct] == item.answer
        assert item.answer in item.explanation.strip().splitlines()[-1]
        # Every distractor is explained: the fallacy it commits is named.
        for index, option in enumerate(item.options):
            if index != item.correct:
                assert f"- *{option}* — " in item.explanation, (seed, option)
        if item.answer == NO_CONCLUSION:
            seen_no_conclusion += 1
        else:
            seen_conclusion += 1
            # The key holds even when a category may be empty: no reliance on existential import.
            premises = [parse(x) for x in re.findall(r"Premis \d: (.+?)\s*$", item.stem, re.M)]
            terms = sorted({t for _, x, y in premises for t in (x, y)})
            assert follows(premises, parse(item.answer), terms, existential_import=False)
    assert seen_no_conclusion > 500 and seen_conclusion > 2500


def test_syllogism_uses_every_form_in_premises_and_keys():
    premise_forms, key_forms = set(), set()
    for seed in range(400):
        item = generate("silogisme", seed)
        premise_forms |= {f for f, _, _ in item.params["premises"]}
        if item.params["key"]:
            key_forms.add(item.params["key"][0])
    assert premise_forms == key_forms == {"A", "E", "I", "O"}


# --- figures: recompute the next panel from the drawn shapes ----------------------------------

FIGURAL = ("figural-deret", "figural-analogi")
PROPERTIES = ("angle", "dots", "fill", "corner")


def next_in_series(panels: list[dict]) -> dict:
    last, before = panels[-1], panels[-2]
    # Every step equal: check it, so a generator that drew an inconsistent series fails here.
    for prop, modulo in (("angle", 360), ("dots", None), ("corner", 4)):
        steps = {
            (b[prop] - a[prop]) % modulo if modulo else b[prop] - a[prop]
            for a, b in pairwise(panels)
        }
        assert len(steps) == 1, (prop, panels)
    return {
        "angle": (last["angle"] + last["angle"] - before["angle"]) % 360,
        "dots": last["dots"] + last["dots"] - before["dots"],
        "fill": panels[-2]["fill"],  # constant or alternating: period two
        "corner": (2 * last["corner"] - before["corner"]) % 4,
    }


def apply_analogy(a: dict, b: dict, c: dict) -> dict:
    return {
        "angle": (c["angle"] + b["angle"] - a["angle"]) % 360,
        "dots": c["dots"] + b["dots"] - a["dots"],
        "fill": c["fill"] if a["fill"] == b["fill"] else ({"terisi", "kosong"} - {c["fill"]}).pop(),
        "corner": (c["corner"] + b["corner"] - a["corner"]) % 4,
    }


def solve_figure(item) -> list[int]:
    p = item.params
    if item.family == "figural-deret":
        expected = next_in_series(p["panels"])
    else:
        expected = apply_analogy(p["a"], p["b"], p["c"])
    return [i for i, panel in enumerate(p["option_panels"]) if panel == expected]


def drawn(svg: str) -> dict:
    """What an option's SVG actually shows, read back from its elements."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    arrow = next(e for e in root.iter(f"{ns}polygon") if e.get("class") == "arrow")
    mark = next(e for e in root.iter(f"{ns}rect") if e.get("class") == "mark")
    corners = {("6", "6"): 0, ("84", "6"): 1, ("84", "84"): 2, ("6", "84"): 3}
    return {
        "angle": int(re.match(r"rotate\((\d+) ", arrow.get("transform")).group(1)),
        "dots": sum(1 for e in root.iter(f"{ns}circle") if e.get("class") == "dot"),
        "fill": "terisi" if arrow.get("fill") == "#222222" else "kosong",
        "corner": corners[(mark.get("x"), mark.get("y"))],
    }


def assert_safe_svg(svg: str) -> None:
    from defusedxml import ElementTree

    root = ElementTree.fromstring(svg)  # parses, and refuses entities/DTDs
    ns = "{http://www.w3.org/2000/svg}"
    allowed = {"svg", "g", "rect", "circle", "polygon", "line", "path", "text", "title"}
    assert root.tag == f"{ns}svg" and root.get("viewBox") and root.get("role") == "img"
    assert root.find(f"{ns}title") is not None and root.find(f"{ns}title").text
    for element in root.iter():
        assert element.tag.removeprefix(ns) in allowed, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "href" not in name.lower() and "url(" not in value and "javascript" not in value
    assert "<script" not in svg.lower() and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_figural_items_have_exactly_one_correct_option_and_inert_svg():
    for family in FIGURAL:
        for seed in SEEDS:
            item = generate(family, seed)
            assert item.aspect == "figural"
            assert len(set(item.options)) == 5, (family, seed)
            assert solve_figure(item) == [item.correct], (family, seed, item.params)
            assert item.options[item.correct] == item.answer
            assert item.answer in item.explanation.strip().splitlines()[-1]
            panels = item.params["option_panels"]
            assert len({tuple(sorted(p.items())) for p in panels}) == 5
            # The pictures show what the params say (read back from the SVG elements).
            assert [drawn(svg) for svg in item.params["option_svgs"]] == panels, (family, seed)
            for svg in [item.figure, *item.params["option_svgs"]]:
                assert_safe_svg(svg)
            assert item.figure_alt.count("Gambar") >= 4


def test_figural_alt_text_describes_every_panel():
    item = generate("figural-analogi", 3)
    for key in ("a", "b", "c"):
        panel = item.params[key]
        assert f"{panel['dots']} titik" in item.figure_alt
    series = generate("figural-deret", 3)
    for n in range(1, 5):
        assert f"Gambar {n}: Panah ke" in series.figure_alt


def test_series_solver_notices_a_broken_step():
    panels = [dict(angle=a, dots=1, fill="terisi", corner=0) for a in (0, 45, 90, 180)]
    with pytest.raises(AssertionError):
        next_in_series(panels)
