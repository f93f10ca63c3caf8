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
from django.utils.translation import gettext_lazy as _l

from ...errors import SoalError
from ...models import Aspect, Subtest
from ..rules import OptionData, QuestionData

# More items than this in one file is almost certainly a mistake (or an attack); a bank this
# large is imported in parts.
MAX_ITEMS = 2000

# Moodle answer fractions (percent) ↔ our option scores: TKP 5 = 100 … 1 = 20; single-correct
# 5 = 100 and 0 = 0. The same rule covers both kinds.
FRACTION_PER_POINT = 20


# One vocabulary for question types in every format's messages (keys are Moodle's type names).
KIND_NAMES: dict[str, str] = {
    "multichoice": _l("pilihan ganda"),
    "truefalse": _l("benar/salah"),
    "essay": _l("esai"),
    "shortanswer": _l("isian singkat"),
    "matching": _l("menjodohkan"),
    "randomsamatch": _l("menjodohkan acak"),
    "numerical": _l("numerik"),
    "calculated": _l("hitungan"),
    "calculatedsimple": _l("hitungan"),
    "calculatedmulti": _l("hitungan"),
    "description": _l("deskripsi"),
    "multianswer": _l("isian rumpang (cloze)"),
    "cloze": _l("isian rumpang (cloze)"),  # Moodle 1.9's name for multianswer
    # Not a Moodle type name: a multichoice whose several right answers share the credit.
    "multiresponse": _l("pilihan ganda jawaban banyak"),
    "ddwtos": _l("seret dan lepas ke teks"),
    "ddimageortext": _l("seret dan lepas ke gambar"),
    "ddmarker": _l("penanda seret dan lepas"),
    "gapselect": _l("pilih kata yang hilang"),
    "ordering": _l("mengurutkan"),
    "random": _l("soal acak"),
}
SUPPORTED_KINDS = {"multichoice", "truefalse"}
# The two options of a true/false question, in this order.
TRUE_TEXT = "Benar"
FALSE_TEXT = "Salah"
NAME_WORDS = 6
NAME_CHARS = 50


def is_multiple_response(fractions: list[float]) -> bool:
    """Moodle's "multiple answers" multichoice: no single answer is worth everything."""
    positive = [fraction for fraction in fractions if fraction > 0]
    return len(positive) > 1 and max(positive) < 100


def kind_name(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


def unsupported_message(kind: str) -> str:
    return _("jenis “%(t)s” tidak didukung") % {"t": kind_name(kind)}


def short_name(text: str) -> str:
    """A question's name for messages when it has no title: its first words."""
    plain = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes are not part of the words
    words = plain.split()
    name = " ".join(words[:NAME_WORDS])
    if len(name) > NAME_CHARS:
        name = name[:NAME_CHARS].rsplit(" ", 1)[0] or name[:NAME_CHARS]
    return name + ("…" if name != " ".join(words) else "")


@dataclass
class ParseResult:
    """Items in file order with their number, and what could not be read, each by item number.

    `problems` are mistakes (they block the import); `unsupported` are questions of a type we do
    not store (the importer may skip them when asked); `warnings` say what was lost on the way
    (media). `names` and `lines` let every message name its question and where it starts.
    """

    unit: str  # "row" (spreadsheets: row number as the user sees it) or "item" (nth question)
    items: list[tuple[int, QuestionData]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    unsupported: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)

    def label(self, number: int) -> str:
        if self.unit == "row":
            label = _("Baris %(n)d") % {"n": number}
        else:
            label = _("Soal ke-%(n)d") % {"n": number}
        if number in self.lines:
            label += " " + _("(baris %(n)d)") % {"n": self.lines[number]}
        name = self.names.get(number)
        return f"{label} “{name}”" if name else label

    def add_unsupported(self, number: int, kind: str) -> None:
        self.unsupported.append((number, unsupported_message(kind)))

    def add_media_warning(self, number: int, kinds: set[str]) -> None:
        if kinds:
            self.warnings.append(
                (number, _("%(m)s tidak ikut diimpor") % {"m": media_names(kinds)})
            )


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
# Characters that mean something anywhere in a Markdown line, and at the start of one.
_INLINE_MARKDOWN = re.compile(r"([\\`*_\[\]<>&|])")
_LINE_START_MARKDOWN = re.compile(
    r"^(?P<lead>\s*(?:\ue0ff\s*)?)(?:(?P<mark>[#>+=~-])|(?P<num>\d+)(?P<dot>[.)]))"
)
_LIST_ITEM = "\ue0ff"  # our own "- " for <li>, kept apart from text that only looks like one


def _escape_inline(text: str) -> str:
    return _INLINE_MARKDOWN.sub(r"\\\1", text)


def _escape_line_starts(text: str) -> str:
    def escape(match: re.Match) -> str:
        if match.group("mark"):
            return match.group("lead") + "\\" + match.group("mark")
        return match.group("lead") + match.group("num") + "\\" + match.group("dot")

    lines = (_LINE_START_MARKDOWN.sub(escape, line.strip()) for line in text.split("\n"))
    return "\n".join(lines)


def escape_markdown(text: str) -> str:
    """Plain text that renders literally through our Markdown (`[plain]` in GIFT)."""
    return _escape_line_starts(_escape_inline(text))


class _TextExtractor(HTMLParser):
    _BREAKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    # Their content is code, never text for a reader.
    _DROPPED = {"script", "style"}

    def __init__(self, *, markdown: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markdown = markdown
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._DROPPED:
            self.dropping += 1
        if tag in self._BREAKS:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "li":
            self.parts.append(_LIST_ITEM + " " if self.markdown else "- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._DROPPED:
            self.dropping = max(0, self.dropping - 1)
        if tag in {"p", "div", "blockquote"} or tag.startswith("h"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        text = re.sub(r"\s+", " ", data)
        self.parts.append(_escape_inline(text) if self.markdown else text)


def html_to_text(html: str, *, markdown: bool = True) -> str:
    """Moodle stores most text as HTML; we store text. With `markdown` (stems, explanations) the
    text is escaped so that our Markdown shows it as written (`<p># x</p>` is not a heading)."""
    extractor = _TextExtractor(markdown=markdown)
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    text = "\n".join(line.strip() for line in text.split("\n"))
    if markdown:
        text = _escape_line_starts(text).replace(_LIST_ITEM, "-")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- media that cannot come along -------------------------------------------------------------
_MEDIA_NAMES = {
    "image": _l("gambar"),
    "audio": _l("audio"),
    "video": _l("video"),
    "embed": _l("media tersemat"),
    "file": _l("berkas lampiran"),
}
_MEDIA_TAGS = {
    "img": "image",
    "picture": "image",
    "svg": "image",
    "audio": "audio",
    "video": "video",
    "iframe": "embed",
    "embed": "embed",
    "object": "embed",
}
_MEDIA_TAG = re.compile(r"<\s*(" + "|".join(_MEDIA_TAGS) + r")\b", re.IGNORECASE)
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(")
# A file stored with the question in Moodle, even when only linked: <a href="@@PLUGINFILE@@/x.mp3">
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\s\"'<>?#]+)")
_FILE_KINDS = {
    "image": {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp"},
    "audio": {"mp3", "ogg", "oga", "wav", "m4a", "aac"},
    "video": {"mp4", "webm", "ogv", "mov"},
}


def media_in(text: str) -> set[str]:
    """Kinds of media a text shows (HTML tags or a Markdown image); none of it is imported."""
    kinds = {_MEDIA_TAGS[tag.lower()] for tag in _MEDIA_TAG.findall(text)}
    if _MARKDOWN_IMAGE.search(text):
        kinds.add("image")
    kinds |= {media_of_file(name) for name in _PLUGINFILE.findall(text)}
    return kinds


def media_of_file(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for kind, extensions in _FILE_KINDS.items():
        if extension in extensions:
            return kind
    return "file"


def media_names(kinds: set[str]) -> str:
    names = [str(name) for kind, name in _MEDIA_NAMES.items() if kind in kinds]
    if len(names) == 1:
        return names[0]
    return _("%(a)s dan %(b)s") % {"a": ", ".join(names[:-1]), "b": names[-1]}
