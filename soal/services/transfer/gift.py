"""GIFT, Moodle's plain-text format: `::title::[markdown]stem {=right ~wrong}`, weighted answers
`{~%100%best ~%80%… }`, per-answer feedback after `#`, general feedback after `####`.

Our fields without a GIFT place go in a comment line before the question:
`// cpns: subtes=TKP aspek=pelayanan-publik kunci=… bagian=…`. Text is escaped the way Moodle
does it (`\\ \\~ \\= \\# \\{ \\} \\: \\n`), so a question is one unbroken block of lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ...errors import SoalError
from ...models import Subtest
from ..rules import QuestionData
from . import (
    ParseResult,
    RawAnswer,
    check_item_count,
    feedback_join,
    html_to_text,
    metadata_of,
    question_from_parts,
    score_to_fraction,
)

META_PREFIX = "cpns:"
_ESCAPED = "\\~=#{}:"
# Escaped special characters are parked in the private-use area while the structure is read.
_PARKED = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPED)}
_UNPARK = str.maketrans({v: k for k, v in _PARKED.items()})
_WEIGHT = re.compile(r"\s*%(-?\d+(?:[.,]\d+)?)%")
_UNSUPPORTED = {
    "description": _l("deskripsi"),
    "essay": _l("esai"),
    "truefalse": _l("benar/salah"),
    "numerical": _l("numerik"),
    "matching": _l("menjodohkan"),
    "shortanswer": _l("jawaban singkat"),
}


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
    for meta, chunk in _chunks(text):
        if chunk.startswith("$CATEGORY:"):
            chunk = chunk.partition("\n")[2].strip()  # a folder in Moodle's bank, not a question
            if not chunk:
                continue
        number += 1
        check_item_count(number)
        data, problems = _question(chunk, meta)
        if problems:
            result.problems.extend((number, p) for p in problems)
        else:
            result.items.append((number, data))
    return result


def _chunks(text: str) -> Iterator[tuple[dict[str, str], str]]:
    """(metadata from `// cpns:` comments, question text) per blank-line separated block."""
    meta: dict[str, str] = {}
    lines: list[str] = []
    for line in [*text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), ""]:
        stripped = line.strip()
        if stripped.startswith("//"):
            comment = stripped[2:].strip()
            if comment.lower().startswith(META_PREFIX):
                for pair in comment[len(META_PREFIX) :].split():
                    name, _sep, value = pair.partition("=")
                    meta[name.lower()] = value
            continue
        if stripped:
            lines.append(line)
        elif lines:
            yield meta, "\n".join(lines).strip()
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
    if body.split("#", 1)[0].strip().upper() in {"T", "F", "TRUE", "FALSE"}:
        return "truefalse"
    if body.startswith("#"):
        return "numerical"
    if "->" in body:
        return "matching"
    if all(a.startswith("=") for a in answers):
        return "shortanswer"
    return "multichoice"


def _question(chunk: str, meta: dict[str, str]) -> tuple[QuestionData | None, list[str]]:
    text = _park(chunk)
    title = re.match(r"::(.*?)::", text, re.DOTALL)
    if title:
        text = text[title.end() :]
    text_format = "moodle"
    marker = re.match(r"\s*\[(html|moodle|plain|markdown)\]", text)
    if marker:
        text_format, text = marker.group(1), text[marker.end() :]
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        return None, [_("jenis “%(t)s” tidak didukung") % {"t": _UNSUPPORTED["description"]}]
    if end < start:
        return None, [_("kurung kurawal penutup “}” tidak ditemukan")]
    block, general = text[start + 1 : end], ""
    if "####" in block:
        block, general = block.split("####", 1)
    after = text[end + 1 :].strip()
    stem = text[:start].strip() + (" _____ " + after if after else "")
    pieces = [p for p in re.split(r"(?=[=~])", block) if p.strip()]
    if pieces and pieces[0][0] not in "=~":
        if _kind(block, pieces) == "multichoice":
            return None, [_("teks sebelum jawaban pertama tidak dikenali")]
        pieces = pieces[1:]
    kind = _kind(block, pieces)
    if kind != "multichoice":
        return None, [_("jenis “%(t)s” tidak didukung") % {"t": _UNSUPPORTED[kind]}]

    def clean(value: str) -> str:
        value = value.translate(_UNPARK).strip()
        return html_to_text(value) if text_format == "html" else value

    answers = []
    for piece in pieces:
        body = piece[1:]
        weight = _WEIGHT.match(body)
        if weight:
            fraction = float(weight.group(1).replace(",", "."))
            body = body[weight.end() :]
        else:
            fraction = 100.0 if piece[0] == "=" else 0.0
        answer_text, _sep, feedback = body.partition("#")
        answers.append(
            RawAnswer(text=clean(answer_text), fraction=fraction, feedback=clean(feedback))
        )
    return question_from_parts(
        stem=clean(stem), explanation=clean(general), answers=answers, tags=meta
    )


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
