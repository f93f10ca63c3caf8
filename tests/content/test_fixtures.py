"""The shipped content (fixtures/) keeps the promises of docs/CONTENT.md: enough questions of each
kind, no answer-pattern shortcuts, no near-duplicates, principles that exist and are taught, statute
quotations that are really in the statute, and every module with its Uji Pemahaman."""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR) / "fixtures"
STATUTE = Path(settings.BASE_DIR) / "docs" / "sources" / "uu-25-2009-fulltext.md"
CONSTITUTION = Path(settings.BASE_DIR) / "docs" / "sources" / "uud-1945-fulltext.md"
UU25_ARTICLES = 62  # UU 25/2009 has Pasal 1..62


def words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", str(text).lower())


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


PRINCIPLES = load_yaml(ROOT / "materi" / "principles.yaml")
MODULES = [load_yaml(p) for p in sorted((ROOT / "materi" / "modules").glob("*.yaml"))]
QUESTIONS = [q for p in sorted((ROOT / "soal").glob("*.yaml")) for q in load_yaml(p) or []]
TKP = [q for q in QUESTIONS if q["subtest"] == "TKP"]
# Generated TIU items (`manage.py generate_tiu`, fixtures/soal/tiu-gen-*.yaml) are the documented
# exceptions below: there is no TIU study module yet, so they point at no section, and they share
# their family's stem templates by design, so among themselves they are compared by their numbers,
# not their words (against authored items the word rule still holds).
GENERATED_PREFIX = "tiu-gen-"


def generated_family(question: dict) -> str | None:
    key = question["key"]
    return (
        key[len(GENERATED_PREFIX) :].rsplit("-", 1)[0] if key.startswith(GENERATED_PREFIX) else None
    )


AUTHORED = [q for q in QUESTIONS if generated_family(q) is None]
# There is no TIU study module, so no TIU item (generated or hand-written) can point at a section;
# the section rules below apply to every other authored item.
SECTIONED = [q for q in AUTHORED if q["subtest"] != "TIU"]
SECTION_REFS = {f"{m['slug']}/{s['slug']}" for m in MODULES for s in m["sections"]}
PRINCIPLE_CODES = {p["code"] for p in PRINCIPLES}


def test_question_counts_by_subtest_and_aspect():
    counts = Counter((q["subtest"], q["aspect"]) for q in QUESTIONS)
    assert counts[("TKP", "pelayanan-publik")] >= 60
    assert counts[("TKP", "jejaring-kerja")] >= 45
    assert counts[("MATERI", "pemahaman-materi")] >= 45
    # Study checks (fixtures/soal/materi-*.yaml) never pose as SKD items; TWK/TIU banks live in
    # their own files.
    study = [q for p in sorted((ROOT / "soal").glob("materi-*.yaml")) for q in load_yaml(p) or []]
    assert not [q["key"] for q in study if q["subtest"] != "MATERI"]
    assert not [q["key"] for q in QUESTIONS if q["subtest"] == "MATERI" and not q.get("section")]


def test_every_generated_tiu_family_ships_at_least_20_items():
    from soal.generators import FAMILIES

    shipped = Counter(generated_family(q) for q in QUESTIONS if generated_family(q))
    assert {f: shipped[f] for f in FAMILIES if shipped[f] < 20} == {}
    assert set(shipped) <= set(FAMILIES)
    assert {q["subtest"] for q in QUESTIONS if generated_family(q)} == {"TIU"}


def test_the_bank_has_at_least_60_hand_written_verbal_tiu_items():
    # Analogies, prose syllogisms and analytical puzzles written by hand, not generated.
    hand_written = [q for q in AUTHORED if q["subtest"] == "TIU" and q["aspect"] == "verbal"]
    assert len(hand_written) >= 60


def test_keys_are_unique():
    duplicated = [k for k, n in Counter(q["key"] for q in QUESTIONS).items() if n > 1]
    assert duplicated == []


def test_every_tkp_option_has_a_rationale_and_a_principle():
    bad = [
        (q["key"], i)
        for q in TKP
        for i, o in enumerate(q["options"])
        if not str(o.get("rationale", "")).strip() or not (o.get("upholds") or o.get("violates"))
    ]
    assert bad == []


def test_tkp_scores_are_a_permutation_and_single_correct_has_one_key():
    bad = [q["key"] for q in TKP if sorted(o["score"] for o in q["options"]) != [1, 2, 3, 4, 5]]
    for q in QUESTIONS:
        if q["subtest"] != "TKP":
            scores = [o["score"] for o in q["options"]]
            if scores.count(5) != 1 or set(scores) - {0, 5} or not 2 <= len(scores) <= 5:
                bad.append(q["key"])
    assert bad == []


def test_explanations_have_at_least_40_words():
    assert [q["key"] for q in QUESTIONS if len(words(q.get("explanation", ""))) < 40] == []


def test_the_best_option_is_not_a_length_shortcut():
    longest = 0
    for q in TKP:
        lengths = [len(str(o["text"])) for o in q["options"]]
        best = [o["score"] for o in q["options"]].index(5)
        longest += lengths[best] == max(lengths)
    assert longest / len(TKP) <= 0.35, f"best option longest in {longest}/{len(TKP)}"


# Hand-written single-correct items (TWK and TIU; generated items are placed by their generator).
AUTHORED_SINGLE = [
    q for q in QUESTIONS if q["subtest"] in {"TWK", "TIU"} and not generated_family(q)
]


def key_length_extremes(items: list[dict]) -> tuple[int, int]:
    """In how many items the key is the longest option, and in how many the shortest (a tie
    counts: a key as long as the longest option is still a safe guess for "pick the longest")."""
    longest = shortest = 0
    for q in items:
        lengths = [len(str(o["text"])) for o in q["options"]]
        key = [o["score"] for o in q["options"]].index(5)
        longest += lengths[key] == max(lengths)
        shortest += lengths[key] == min(lengths)
    return longest, shortest


def test_the_key_of_a_single_correct_item_is_not_a_length_cue():
    longest, shortest = key_length_extremes(AUTHORED_SINGLE)
    n = len(AUTHORED_SINGLE)
    assert longest / n <= 0.35, f"key longest in {longest}/{n}"
    assert shortest / n <= 0.35, f"key shortest in {shortest}/{n}"


# A candidate meets a file's items together (one family of puzzles, one author's habits), so the
# cue is checked per file too: over the whole bank one file's habit is diluted by the others. The
# study checks (subtest MATERI, fixtures/soal/materi-*.yaml) are single-correct too and are read
# file by file, so they are held to the same rule.
SINGLE_CORRECT_SUBTESTS = {"TWK", "TIU", "MATERI"}


def single_correct_by_file(min_items: int = 10) -> dict[str, list[dict]]:
    """Hand-written single-correct items (TWK, TIU and the MATERI study checks; generated
    `tiu-gen-*` items are placed by their generator) of each question file that has at least
    `min_items` of them; a smaller file is too small for a share to mean anything."""
    files = {}
    for path in sorted((ROOT / "soal").glob("*.yaml")):
        items = [
            q
            for q in load_yaml(path) or []
            if q["subtest"] in SINGLE_CORRECT_SUBTESTS and not generated_family(q)
        ]
        if len(items) >= min_items:
            files[path.name] = items
    return files


def key_length_ranks(question: dict) -> set[int]:
    """The length rank of the key among the options, 1 = shortest .. n = longest. Ties count as in
    key_length_extremes: a key as long as the longest option has rank n, one as short as the
    shortest has rank 1 (five options of equal length: both); a key tied with another option in
    the middle takes the lower rank."""
    lengths = [len(str(o["text"])) for o in question["options"]]
    key = lengths[[o["score"] for o in question["options"]].index(5)]
    ranks = set()
    if key == max(lengths):
        ranks.add(len(lengths))
    if key == min(lengths):
        ranks.add(1)
    return ranks or {1 + sum(length < key for length in lengths)}


def test_no_file_of_single_correct_items_has_a_length_cue():
    files = single_correct_by_file()
    assert {"tiu-verbal-analitis.yaml", "materi-1.yaml", "materi-2.yaml"} <= set(files)
    cues = {}
    for name, items in files.items():
        longest, shortest = key_length_extremes(items)
        if max(longest, shortest) / len(items) > 0.35:
            cues[name] = f"key longest in {longest}, shortest in {shortest} of {len(items)}"
    assert cues == {}


def test_no_file_of_single_correct_items_has_a_middle_length_cue():
    """Beside "pick the longest" and "pick the shortest" there is "pick the one in the middle":
    no length rank of the key holds more than half of a file's items, and the key is the longest
    or the shortest option in at least a fifth of them (by chance it is in two of five), so that
    striking out the longest and the shortest option is no safe first step either."""
    cues = {}
    for name, items in single_correct_by_file().items():
        ranks = Counter(r for q in items for r in key_length_ranks(q))
        rank, most = ranks.most_common(1)[0]
        extreme = sum(bool(key_length_ranks(q) & {1, len(q["options"])}) for q in items)
        if most / len(items) > 0.5 or extreme / len(items) < 0.2:
            cues[name] = (
                f"key of length rank {rank} in {most}, longest or shortest in {extreme}"
                f" of {len(items)}"
            )
    assert cues == {}


def test_every_constitutional_claim_names_its_article():
    """A TWK item whose question is about the Constitution says where the answer stands: its
    pembahasan names the Pasal (or the Pembukaan and its alinea). (A pembahasan that only
    mentions the UUD in passing, as history, is not such a claim.)"""
    unnamed = []
    for q in QUESTIONS:
        if q["subtest"] != "TWK":
            continue
        if re.search(r"UUD|Undang-Undang Dasar", q["stem"]) and not re.search(
            r"Pasal \d+|Pembukaan|alinea", q.get("explanation", "")
        ):
            unnamed.append(q["key"])
    assert unnamed == []


def test_the_best_option_position_is_spread_over_a_to_e():
    positions = Counter([o["score"] for o in q["options"]].index(5) for q in TKP)
    for position in range(5):
        share = positions[position] / len(TKP)
        assert 0.12 <= share <= 0.28, f"{'ABCDE'[position]}: {share:.0%} ({positions})"


def test_the_worst_option_is_not_a_length_cue():
    # Wrong options written short and blunt teach candidates to skip the shortest option.
    shortest = longest = 0
    for q in TKP:
        lengths = [len(str(o["text"])) for o in q["options"]]
        worst = [o["score"] for o in q["options"]].index(1)
        shortest += lengths[worst] == min(lengths)
        longest += lengths[worst] == max(lengths)
    assert shortest / len(TKP) <= 0.30, f"worst option shortest in {shortest}/{len(TKP)}"
    assert longest / len(TKP) >= 0.08, f"worst option longest in only {longest}/{len(TKP)}"


def test_an_option_that_violates_a_principle_never_outscores_a_clean_one():
    # Review rubric: a rule-breaking option (gratification, discrimination, leaking data, acting
    # outside procedure) scores below every lawful option, however kind its intention.
    inverted = [
        (q["key"], bad["score"], clean["score"])
        for q in TKP
        for bad in q["options"]
        if bad.get("violates")
        for clean in q["options"]
        if clean.get("upholds") and not clean.get("violates") and bad["score"] > clean["score"]
    ]
    assert inverted == []


# Principles whose violation means an option breaks a rule, not merely that it is passive.
GRAVE = {"et-integritas", "asas-tidak-diskriminatif"}  # gratification, favouritism, discrimination
RULE_BREAKING = GRAVE | {"asas-kepastian-hukum", "pp-akurasi", "pp-keamanan"}


def test_gratification_and_discrimination_score_below_every_lawful_option():
    # Review rubric: however kind its intention, an option that takes a gift or privileges or
    # excludes someone scores below every option of the same item that breaks no rule.
    inverted = [
        (q["key"], grave["score"], lawful["score"])
        for q in TKP
        for grave in q["options"]
        if GRAVE & set(grave.get("violates") or [])
        for lawful in q["options"]
        if not RULE_BREAKING & set(lawful.get("violates") or [])
        and grave["score"] > lawful["score"]
    ]
    assert inverted == []


def test_no_option_both_upholds_and_violates_the_same_principle():
    contradictory = [
        (q["key"], code)
        for q in TKP
        for o in q["options"]
        for code in set(o.get("upholds") or []) & set(o.get("violates") or [])
    ]
    assert contradictory == []


def test_no_two_stems_are_near_duplicates():
    sets = [(q["key"], generated_family(q), set(words(q["stem"]))) for q in QUESTIONS]
    near = [
        (a, b)
        for (a, fa, wa), (b, fb, wb) in combinations(sets, 2)
        if (fa is None or fb is None) and len(wa & wb) / len(wa | wb) > 0.6
    ]
    assert near == []


def test_generated_items_differ_in_their_numbers():
    # Generated items share their family's stem templates (so they are exempt from the word
    # comparison among themselves); what must differ is the problem itself.
    def problem(q: dict) -> tuple:
        # The numbers and operators of the stem (signs included), and the options, in any order.
        numbers = re.findall(r"[-−+×:√]?\d[\d./]*|[+−×:√]", q["stem"])
        return tuple(numbers), tuple(sorted(str(o["text"]) for o in q["options"]))

    problems = Counter(problem(q) for q in QUESTIONS if generated_family(q))
    assert [p for p, n in problems.items() if n > 1] == []


def test_principles_used_exist_and_are_taught_by_a_section():
    used = {
        code
        for q in QUESTIONS
        for o in q["options"]
        for code in [*(o.get("upholds") or []), *(o.get("violates") or [])]
    }
    assert used - PRINCIPLE_CODES == set()
    untaught = [p["code"] for p in PRINCIPLES if p.get("section") not in SECTION_REFS]
    assert untaught == []
    # A section that is a principle's home names it among the principles it teaches.
    teaches = {
        f"{m['slug']}/{s['slug']}": set(s["principles"]) for m in MODULES for s in m["sections"]
    }
    assert [p["code"] for p in PRINCIPLES if p["code"] not in teaches[p["section"]]] == []


def test_questions_point_at_real_sections_and_every_module_has_an_uji_pemahaman():
    assert [q["key"] for q in SECTIONED if q.get("section") not in SECTION_REFS] == []
    assert [q["key"] for q in QUESTIONS if q not in SECTIONED and q.get("section")] == []
    per_module = Counter(q["section"].split("/")[0] for q in SECTIONED)
    assert {m["slug"]: per_module[m["slug"]] for m in MODULES if per_module[m["slug"]] < 5} == {}


def test_modules_are_complete_and_long_enough():
    assert len(MODULES) >= 6
    total = 0
    for module in MODULES:
        assert module["intro"].strip() and module["summary"].strip(), module["slug"]
        assert len(module["sections"]) >= 4, module["slug"]
        total += len(words(module["intro"])) + len(words(module["summary"]))
        for section in module["sections"]:
            assert 3 <= len(section["key_points"]) <= 6, section["slug"]
            assert section["principles"], section["slug"]
            assert not re.search(r"^#{1,2} ", section["body"], re.M), section["slug"]
            total += len(words(section["body"])) + len(words(" ".join(section["key_points"])))
    assert total >= 12_000


def _texts():
    for module in MODULES:
        yield module["slug"], module["intro"] + module["summary"]
        for section in module["sections"]:
            yield f"{module['slug']}/{section['slug']}", section["body"]
    for q in QUESTIONS:
        yield (
            q["key"],
            " ".join(
                [q["stem"], q["explanation"], *(str(o.get("rationale", "")) for o in q["options"])]
            ),
        )


def test_no_article_of_uu_25_2009_is_invented():
    # "Pasal N" in our content refers to UU 25/2009 unless another law is named nearby.
    invented = []
    for where, text in _texts():
        for match in re.finditer(r"Pasal (\d+)", text):
            nearby = text[max(0, match.start() - 80) : match.end() + 40]
            if re.search(
                r"UU (ASN|No\.? ?20|20/2023|5/2014|24/2009|23/2019)|Undang-Undang ASN|PP |Permen",
                nearby,
            ):
                continue
            if int(match.group(1)) > UU25_ARTICLES:
                invented.append((where, match.group(0)))
    assert invented == []


def test_statute_quotations_are_marked_and_really_in_the_statute():
    for source in (STATUTE, CONSTITUTION):
        if not source.exists():
            pytest.fail(f"the statute text is needed to check quotations: {source}")
    statute = " ".join(words(STATUTE.read_text(encoding="utf-8")))
    # Quotations attributed to the Constitution ("— UUD 1945 Pasal 36") are checked against it.
    constitution = " ".join(words(CONSTITUTION.read_text(encoding="utf-8")))
    wrong = []
    for where, text in _texts():
        for quote in re.findall(r"(?:^>.*\n?)+", text, re.M):
            lines = [line.lstrip(">").strip() for line in quote.splitlines()]
            attribution = [line for line in lines if line.startswith(("—", "-"))]
            body = " ".join(line for line in lines if line and line not in attribution)
            if not attribution or "Pasal" not in attribution[-1]:
                wrong.append((where, "no article", body[:60]))
                continue
            source = constitution if "UUD" in attribution[-1] else statute
            # Quotations may elide with "..." or "…": every piece must be in the statute.
            for piece in re.split(r"\.\.\.|…|\[\.\.\.\]", body):
                if len(words(piece)) >= 4 and " ".join(words(piece)) not in source:
                    wrong.append((where, "not in the statute", piece[:60]))
    assert wrong == []


# --- loaded into the database ------------------------------------------------------------------


@pytest.fixture
def loaded(db):
    from django.core.management import call_command

    call_command("content_load", stdout=None)


def test_loading_publishes_everything_with_a_reviewer(loaded):
    from soal.models import Question, Status

    counts = Counter(Question.objects.values_list("subtest", "aspect", "status"))
    assert counts[("TKP", "pelayanan-publik", Status.PUBLISHED)] >= 60
    assert counts[("TKP", "jejaring-kerja", Status.PUBLISHED)] >= 45
    assert counts[("MATERI", "pemahaman-materi", Status.PUBLISHED)] >= 45
    assert not Question.objects.exclude(status=Status.PUBLISHED).exists()
    assert not Question.objects.filter(reviewer__isnull=True).exists()
    # Every authored question points at its section; TIU items have none (no TIU module).
    no_section = Question.objects.filter(section__isnull=True)
    assert set(no_section.values_list("subtest", flat=True)) <= {"TIU"}
    assert (
        Question.objects.filter(subtest="TIU", aspect="numerik", status=Status.PUBLISHED).count()
        >= 200
    )


def test_every_module_has_an_uji_pemahaman_of_five(loaded):
    from materi.models import Module
    from soal.models import Question, Status

    for module in Module.objects.filter(is_published=True):
        published = Question.objects.filter(section__module=module, status=Status.PUBLISHED)
        assert published.count() >= 5, module.slug


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("maklumat", "uu-25-2009/standar-dan-maklumat"),
        ("ombudsman", "uu-25-2009/pengawasan-dan-pengaduan"),
        ("empati", "servqual/lima-dimensi"),
        ("kolaborasi", "jejaring-kerja/strategi-membangun"),
    ],
)
def test_search_puts_the_teaching_section_first(loaded, needs_postgres, query, section):
    from materi.services import search_sections

    hits = search_sections(query)
    assert hits, query
    first = hits[0].section
    assert f"{first.module.slug}/{first.slug}" == section, [
        f"{h.section.module.slug}/{h.section.slug}" for h in hits[:5]
    ]


# Two candidates' SKD tryouts should rarely look alike: the issue's bar is < 40 % shared.
SKD_MAX_MEAN_OVERLAP = 0.40


def skd_overlap(attempts: int = 100, seed: int = 2026) -> tuple[float, float]:
    """Mean and 95th-percentile share of questions two built SKD attempts have in common,
    over every pair of `attempts` attempts built by the real bulk builder."""
    import itertools

    from django.conf import settings

    from tests.factories import UserFactory
    from ujian.models import Attempt, Tryout
    from ujian.services.building import attempts_build_bulk
    from ujian.services.presets import presets_load

    presets_load(settings.BASE_DIR / "fixtures" / "ujian" / "presets.yaml")
    tryout = Tryout.objects.get(slug="simulasi-skd-cat-bkn")
    users = [UserFactory().pk for _ in range(attempts)]
    attempts_build_bulk(tryout=tryout, user_ids=users, seed=seed)
    sets = [set(a.items["s"]) for a in Attempt.objects.filter(tryout=tryout)]
    assert len(sets) == attempts and all(len(s) == 110 for s in sets)
    shares = sorted(len(a & b) / 110 for a, b in itertools.combinations(sets, 2))
    return sum(shares) / len(shares), shares[int(0.95 * (len(shares) - 1))]


def test_the_skd_preset_fills_with_variety(loaded):
    mean, p95 = skd_overlap()
    print(f"SKD overlap over 100 attempts: mean {mean:.1%}, p95 {p95:.1%}")
    assert mean < SKD_MAX_MEAN_OVERLAP
