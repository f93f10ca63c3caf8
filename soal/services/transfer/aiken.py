"""Aiken (import only): single-correct items as plain text.

    Ibu kota negara Indonesia menurut UU 3/2022 adalah …
    A. Jakarta
    B) Nusantara
    ANSWER: B

Every item becomes a study check (subtest MATERI, aspect pemahaman-materi): Aiken has no place
for a subtest, and only a single correct answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ...errors import SoalError
from ...models import Aspect, Subtest
from ..rules import OptionData, QuestionData
from . import ParseResult, check_item_count, escape_markdown, short_name

# "A. text", "B) text", and Moodle's own "A)text" without a space.
_OPTION = re.compile(r"^([A-Z])\s*[.)]\s*(\S.*)$")
# Any line starting with ANSWER ends the item; its value is read tolerantly below.
_ANSWER = re.compile(r"^ANSWER\b\s*[:=]?\s*(.*)$", re.IGNORECASE)
# "B", "b", "B.", "B)", "(B)" — one letter, perhaps dressed as the option was.
_ANSWER_LETTER = re.compile(r"^\(?([A-Za-z])\s*[.)]?$")


@dataclass
class _Item:
    number: int
    line: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse(content: bytes) -> ParseResult:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SoalError(
            _("Berkas Aiken harus berenkode UTF-8 (byte tidak sah pada posisi %(p)d).")
            % {"p": exc.start}
        ) from None
    result = ParseResult(unit="item")
    item: _Item | None = None
    count = 0

    def start(line_number: int, line: str) -> _Item:
        nonlocal count
        count += 1
        check_item_count(count)
        return _Item(number=count, line=line_number, stem=[line])

    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if item is None:
            if line:
                item = start(line_number, line)
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            _finish(result, item, answer.group(1).strip())
            item = None
        elif option and (item.options or option.group(1) == "A"):
            expected = chr(ord("A") + len(item.options))
            if option.group(1) != expected:
                item.problems.append(
                    _("baris %(n)d: diharapkan pilihan %(e)s, tertulis %(l)s")
                    % {"n": line_number, "e": expected, "l": option.group(1)}
                )
            item.options.append((option.group(1), option.group(2).strip()))
        elif not item.options:
            if line:
                item.stem.append(line)  # a stem may run over several lines
        elif line:
            # Options, then another line but no ANSWER (blank lines are ignored, as Moodle
            # does): this item is broken, and the line starts the next question.
            _finish(result, item, None)
            item = start(line_number, line)
    if item is not None:
        _finish(result, item, None)
    return result


def _finish(result: ParseResult, item: _Item, answer: str | None) -> None:
    result.names[item.number] = short_name(" ".join(item.stem))
    result.lines[item.number] = item.line
    letters = [letter for letter, _text in item.options]
    if answer is None:
        item.problems.append(_("baris “ANSWER: …” tidak ditemukan"))
    else:
        letter = _ANSWER_LETTER.match(answer)
        if not letter:
            item.problems.append(
                _("jawaban “%(a)s” tidak dikenali (tulis ANSWER: lalu satu huruf pilihan)")
                % {"a": answer}
            )
        elif letter.group(1).upper() not in letters:
            item.problems.append(
                _("jawaban “%(a)s” bukan salah satu pilihan (%(l)s)")
                % {"a": letter.group(1).upper(), "l": ", ".join(letters) or "-"}
            )
        else:
            answer = letter.group(1).upper()
    if item.problems:
        result.problems.extend((item.number, p) for p in item.problems)
        return
    data = QuestionData(
        stem=escape_markdown("\n".join(item.stem).strip()),
        subtest=Subtest.MATERI,
        aspect=Aspect.PEMAHAMAN_MATERI,
        options=[
            OptionData(text=text, score=5 if letter == answer else 0)
            for letter, text in item.options
        ],
    )
    result.items.append((item.number, data))
