"""GIFT, Moodle's plain-text format: `::title::[markdown]stem {=right ~wrong}`, weighted answers
`{~%100%best ~%80%… }`, per-answer feedback after `#`, general feedback after `####`.

Our fields without a GIFT place go in a comment line before the question:
`// cpns: subtes=TKP aspek=pelayanan-publik kunci=… bagian=…`. Text is escaped the way Moodle
does it (`\\ \\~ \\= \\# \\{ \\} \\: \\n`), so a question is one unbroken block of lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ...errors import SoalError
from ...models import Subtest
from ..rules import QuestionData
from . import (
    FALSE_TEXT,
    SUPPORTED_KINDS,
    TRUE_TEXT,
    ParseResult,
    RawAnswer,
    check_item_count,
    escape_markdown,
    feedback_join,
    html_to_text,
    is_multiple_response,
    media_in,
    metadata_of,
    question_from_parts,
    score_to_fraction,
    short_name,
)

META_PREFIX = "cpns:"
_ESCAPED = "\\~=#{}:"
# Escaped special characters are parked in the private-use area while the structure is read.
_PARKED = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPED)}
_UNPARK = str.maketrans({v: k for k, v in _PARKED.items()})
_WEIGHT = re.compile(r"\s*%(-?\d+(?:[.,]\d+)?)%")
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class _Parsed:
    data: QuestionData | None = None
    problems: list[str] = field(default_factory=list)
    kind: str = "multichoice"
    name: str = ""
    media: set[str] = field(default_factory=set)


# --- reading ------------------------------------------------------------------------------------
def parse(content: bytes) -> ParseResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SoalError(
            _("Berkas GIFT harus berenkode UTF-8 (byte tidak sah pada posisi %(p)d).")
            % {"p": exc.start}
        ) from None
    result = ParseResult(unit="item")
    number = 0
    for meta, line, chunk in _chunks(text):
        if chunk.startswith("$CATEGORY:"):
            chunk = chunk.partition("\n")[2].strip()  # a folder in Moodle's bank, not a question
            line += 1
            if not chunk:
                continue
        number += 1
        check_item_count(number)
        parsed = _question(chunk, meta)
        result.lines[number] = line
        if parsed.name:
            result.names[number] = parsed.name
        if parsed.kind not in SUPPORTED_KINDS:
            result.add_unsupported(number, parsed.kind)
        elif parsed.problems:
            result.problems.extend((number, p) for p in parsed.problems)
        else:
            result.items.append((number, parsed.data))
            result.add_media_warning(number, parsed.media)
    return result


def _chunks(text: str) -> Iterator[tuple[dict[str, str], int, str]]:
    """(metadata from `// cpns:` comments, first line number, question text) per blank-line
    separated block."""
    meta: dict[str, str] = {}
    lines: list[str] = []
    first = 0
    all_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate([*all_lines, ""], start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            comment = stripped[2:].strip()
            if comment.lower().startswith(META_PREFIX):
                for pair in comment[len(META_PREFIX) :].split():
                    name, _sep, value = pair.partition("=")
                    meta[name.lower()] = value
            continue
        if stripped:
            if not lines:
                first = number
            lines.append(line)
        elif lines:
            yield meta, first, "\n".join(lines).strip()
            meta, lines = {}, []


def _park(text: str) -> str:
    def replace(match: re.Match) -> str:
        char = match.group(1)
        if char == "n":
            return "\n"
        return _PARKED.get(char, match.group(0))

    return re.sub(r"\\(.)", replace, text)


def _kind(block: str, answers: list[str]) -> str:
    body = block.strip()
    if not body:
        return "essay"
    if body.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return "truefalse"
    if body.startswith("#"):
        return "numerical"
    if "->" in body:
        return "matching"
    if all(a.startswith("=") for a in answers):
        return "shortanswer"
    return "multichoice"


def _split_format(text: str, default: str) -> tuple[str, str]:
    """A text's own `[html]`/`[plain]`/`[moodle]`/`[markdown]` marker, else the default."""
    marker = _FORMAT.match(text)
    if marker:
        return marker.group(1), text[marker.end() :]
    return default, text


def _question(chunk: str, meta: dict[str, str]) -> _Parsed:
    parsed = _Parsed()
    text = _park(chunk)
    title = re.match(r"::(.*?)::", text, re.DOTALL)
    if title:
        text = text[title.end() :]
        parsed.name = short_name(title.group(1).translate(_UNPARK))
    text_format, text = _split_format(text, "moodle")

    def clean(value: str, *, markdown: bool) -> str:
        """A stem, answer or feedback as we store it, in its own format or the question's."""
        own_format, value = _split_format(value, text_format)
        value = value.translate(_UNPARK).strip()
        parsed.media |= media_in(value)
        if own_format == "html":
            return html_to_text(value, markdown=markdown)
        if own_format == "plain" and markdown:
            return escape_markdown(value)
        return value

    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        parsed.kind = "description"
    elif end < start:
        parsed.problems.append(_("kurung kurawal penutup “}” tidak ditemukan"))
        start, end = len(text), len(text)
    after = text[end + 1 :].strip() if start >= 0 else ""
    stem_text = text[:start] if start >= 0 else text
    stem = clean(stem_text + (" _____ " + after if after else ""), markdown=True)
    if not parsed.name:
        parsed.name = short_name(html_to_text(stem_text.translate(_UNPARK), markdown=False))
    if start < 0 or parsed.problems:
        return parsed
    block, general = text[start + 1 : end], ""
    if "####" in block:
        block, general = block.split("####", 1)
    pieces = [p for p in re.split(r"(?=[=~])", block) if p.strip()]
    if pieces and pieces[0][0] not in "=~":
        if _kind(block, pieces) == "multichoice":
            parsed.problems.append(_("teks sebelum jawaban pertama tidak dikenali"))
            return parsed
        pieces = pieces[1:]
    parsed.kind = _kind(block, pieces)
    if parsed.kind == "truefalse":
        answers = _true_false(block, lambda value: clean(value, markdown=False))
    elif parsed.kind == "multichoice":
        answers = [_answer(piece, lambda value: clean(value, markdown=False)) for piece in pieces]
    else:
        return parsed
    if is_multiple_response([answer.fraction for answer in answers]):
        parsed.kind = "multiresponse"
        return parsed
    parsed.data, parsed.problems = question_from_parts(
        stem=stem,
        explanation=clean(general, markdown=True),
        answers=answers,
        tags=meta,
    )
    return parsed


def _answer(piece: str, clean: Callable[[str], str]) -> RawAnswer:
    body = piece[1:]
    weight = _WEIGHT.match(body)
    if weight:
        fraction = float(weight.group(1).replace(",", "."))
        body = body[weight.end() :]
    else:
        fraction = 100.0 if piece[0] == "=" else 0.0
    answer_text, _sep, feedback = body.partition("#")
    return RawAnswer(text=clean(answer_text), fraction=fraction, feedback=clean(feedback))


def _true_false(block: str, clean: Callable[[str], str]) -> list[RawAnswer]:
    """`{T}` / `{FALSE#feedback when wrong#feedback when right}` → the options Benar and Salah."""
    mark, _sep, feedbacks = block.partition("#")
    wrong, _sep, right = feedbacks.partition("#")
    correct = _TRUE_FALSE[mark.strip().upper()]
    return [
        RawAnswer(
            text=text,
            fraction=100.0 if value == correct else 0.0,
            feedback=clean(right if value == correct else wrong),
        )
        for text, value in ((TRUE_TEXT, True), (FALSE_TEXT, False))
    ]


# --- writing ------------------------------------------------------------------------------------
def escape(text: str) -> str:
    special = {char: "\\" + char for char in _ESCAPED}
    special["\n"] = "\\n"
    return "".join(special.get(char, char) for char in text.replace("\r", ""))


def _title(data: QuestionData, number: int) -> str:
    return data.key or f"soal-{number}"


def export(items: Iterable[QuestionData]) -> bytes:
    blocks = []
    for number, data in enumerate(items, start=1):
        meta = " ".join(f"{k}={v}" for k, v in metadata_of(data).items())
        lines = [
            f"// {META_PREFIX} {meta}",
            f"::{escape(_title(data, number))}::[markdown]{escape(data.stem)} {{",
        ]
        single = data.subtest != Subtest.TKP
        for option in data.options:
            if single:
                mark = "=" if option.score == 5 else "~"
            else:
                mark = f"~%{score_to_fraction(option.score)}%"
            feedback = feedback_join(option)
            line = f"\t{mark}{escape(option.text)}"
            lines.append(line + (f"#{escape(feedback)}" if feedback else ""))
        if data.explanation:
            lines.append(f"\t####{escape(data.explanation)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
