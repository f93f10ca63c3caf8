"""Moving questions in and out of the bank: spreadsheets (XLSX/CSV), Moodle XML, GIFT and Aiken.

Parsers are pure: bytes in, a `ParseResult` out, no database. A problem with the whole file
(not an XLSX, broken XML, wrong columns, too many items) raises `SoalError`; a problem with one
item is returned in `ParseResult.problems` with its number, so the importer can report every bad
row at once.
Writing to the database happens only in `importing.questions_import`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from ...errors import SoalError
from ...models import Aspect, Subtest
from ..rules import OptionData, QuestionData

# More items than this in one file is almost certainly a mistake (or an attack); a bank this
# large is imported in parts.
MAX_ITEMS = 2000

# Moodle answer fractions (percent) ↔ our option scores: TKP 5 = 100 … 1 = 20; single-correct
# 5 = 100 and 0 = 0. The same rule covers both kinds.
FRACTION_PER_POINT = 20


@dataclass
class ParseResult:
    """Items in file order with their number, and the problems of items that could not be read."""

    unit: str  # "row" (spreadsheets: row number as the user sees it) or "item" (nth question)
    items: list[tuple[int, QuestionData]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def label(self, number: int) -> str:
        if self.unit == "row":
            return _("Baris %(n)d") % {"n": number}
        return _("Soal ke-%(n)d") % {"n": number}


def check_item_count(count: int) -> None:
    if count > MAX_ITEMS:
        raise SoalError(
            _("Berkas berisi lebih dari %(max)d soal. Pecah menjadi beberapa berkas.")
            % {"max": MAX_ITEMS}
        )


def split_codes(value: str) -> list[str]:
    """Principle codes as typed by people: separated by commas, semicolons or spaces ("-": none)."""
    return [code for code in re.split(r"[\s,;]+", value.strip()) if code and code != "-"]


# --- rationale + principle credits in one feedback text (Moodle XML and GIFT) -------------------
_CREDITS_LINE = re.compile(
    r"\n?\[cpns\s+menjunjung:(?P<up>[^|\]]*)\|\s*melanggar:(?P<down>[^\]]*)\]\s*$"
)


def feedback_join(option: OptionData) -> str:
    """The rationale, then (if the option has credits) a last line the importer reads back."""
    if not (option.upholds or option.violates):
        return option.rationale
    line = "[cpns menjunjung: {} | melanggar: {}]".format(
        ", ".join(option.upholds) or "-", ", ".join(option.violates) or "-"
    )
    return f"{option.rationale}\n{line}" if option.rationale else line


def feedback_split(text: str) -> tuple[str, list[str], list[str]]:
    """(rationale, upholds, violates) from a feedback text written by `feedback_join`."""
    match = _CREDITS_LINE.search(text)
    if not match:
        return text.strip(), [], []
    return (
        text[: match.start()].strip(),
        split_codes(match.group("up")),
        split_codes(match.group("down")),
    )


# --- fractions → scores, and what kind of question a foreign item is ---------------------------
def fraction_to_score(fraction: float) -> int | None:
    points = fraction / FRACTION_PER_POINT
    if not math.isfinite(points) or points < 0 or points > 5:
        return None
    score = round(points)
    return score if abs(points - score) < 0.01 else None


def score_to_fraction(score: int) -> int:
    return score * FRACTION_PER_POINT


@dataclass
class RawAnswer:
    text: str
    fraction: float
    feedback: str = ""


def question_from_parts(
    *,
    stem: str,
    explanation: str,
    answers: list[RawAnswer],
    tags: dict[str, str],
) -> tuple[QuestionData | None, list[str]]:
    """Build our question from a Moodle/GIFT multiple-choice item and its `cpns-*` metadata.

    Without metadata the fractions decide: 100/80/60/40/20 is TKP (aspect unknowable, so
    pelayanan publik), a single 100 with the rest 0 is a study check (MATERI). Anything else is
    reported rather than guessed.
    """
    if not answers:
        return None, [_("soal tidak punya pilihan jawaban")]
    scores = [fraction_to_score(answer.fraction) for answer in answers]
    mapped = None not in scores
    subtest = tags.get("subtes", "").strip().upper()
    if mapped and not subtest and sorted(scores) == [1, 2, 3, 4, 5]:
        subtest = Subtest.TKP
    elif mapped and not subtest and scores.count(5) == 1 and all(s in (0, 5) for s in scores):
        subtest = Subtest.MATERI
    if not (mapped and subtest):
        fractions = ", ".join(f"{a.fraction:g}" for a in answers)
        return None, [
            _(
                "nilai jawaban %(f)s tidak cocok dengan TKP (100/80/60/40/20) maupun satu "
                "jawaban benar (satu 100, sisanya 0)"
            )
            % {"f": fractions}
        ]
    default_aspect = {
        Subtest.TKP: Aspect.PELAYANAN_PUBLIK,
        Subtest.MATERI: Aspect.PEMAHAMAN_MATERI,
    }.get(subtest, "")
    options = []
    for answer, score in zip(answers, scores, strict=True):
        rationale, upholds, violates = feedback_split(answer.feedback)
        options.append(
            OptionData(
                text=answer.text.strip(),
                score=score,
                rationale=rationale,
                upholds=upholds,
                violates=violates,
            )
        )
    data = QuestionData(
        stem=stem.strip(),
        subtest=subtest,
        aspect=tags.get("aspek", "").strip().lower() or str(default_aspect),
        options=options,
        explanation=explanation.strip(),
        key=tags.get("kunci", "").strip() or None,
        section_ref=tags.get("bagian", "").strip() or None,
    )
    return data, []


def metadata_of(data: QuestionData) -> dict[str, str]:
    """Our fields that foreign formats have no place for, as `cpns-*` name → value."""
    values = {"subtes": data.subtest, "aspek": data.aspect}
    if data.key:
        values["kunci"] = data.key
    if data.section_ref:
        values["bagian"] = data.section_ref
    return values


# --- HTML from Moodle → the plain text/Markdown we store ---------------------------------------
class _TextExtractor(HTMLParser):
    _BREAKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"p", "div", "blockquote"} or tag.startswith("h"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Moodle stores most text as HTML; our stems are Markdown, which escapes raw HTML."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
