"""Moodle XML (`<quiz>` of `<question type="multichoice">`), read with defusedxml and written back.

Our fields without a Moodle place travel as tags (`cpns-subtes:TKP`, `cpns-aspek:…`,
`cpns-kunci:…`, `cpns-bagian:…`); each answer's rationale and principle credits travel in its
feedback. Scores map to fractions: TKP 5 = 100 … 1 = 20; single-correct 5 = 100, 0 = 0.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only to build our own output; input goes through defusedxml
from collections.abc import Iterable

import defusedxml
import defusedxml.ElementTree as SafeET
from django.utils.translation import gettext as _

from ...errors import SoalError
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

TAG_PREFIX = "cpns-"
PLAIN_FORMATS = {"markdown", "plain_text", "moodle_auto_format"}


# --- reading ------------------------------------------------------------------------------------
def parse(content: bytes) -> ParseResult:
    try:
        root = SafeET.fromstring(content)
    except SafeET.ParseError as exc:
        line, column = exc.position
        raise SoalError(
            _("XML rusak: %(e)s (baris %(l)d, kolom %(c)d).")
            % {"e": _parse_error_text(exc), "l": line, "c": column}
        ) from None
    except defusedxml.DefusedXmlException:
        raise SoalError(
            _("XML ini memuat DTD atau entitas, yang tidak diizinkan demi keamanan.")
        ) from None
    if root.tag != "quiz":
        raise SoalError(
            _("Ini bukan berkas Moodle XML: elemen utamanya <%(t)s>, seharusnya <quiz>.")
            % {"t": root.tag}
        )
    result = ParseResult(unit="item")
    number = 0
    for element in root.findall("question"):
        kind = element.get("type", "")
        if kind == "category":
            continue  # a folder marker in Moodle's bank, not a question
        number += 1
        check_item_count(number)
        if kind != "multichoice":
            result.problems.append(
                (number, _("jenis “%(t)s” tidak didukung (hanya multichoice)") % {"t": kind})
            )
            continue
        data, problems = _question(element)
        if problems:
            result.problems.extend((number, p) for p in problems)
        else:
            result.items.append((number, data))
    return result


def _parse_error_text(exc: SafeET.ParseError) -> str:
    return str(exc).split(":")[0]


def _text(element: ET.Element | None) -> str:
    """The text of a Moodle rich-text field (`<x format="…"><text>…</text></x>`)."""
    if element is None:
        return ""
    text = element.findtext("text") or ""
    if element.get("format", "html") in PLAIN_FORMATS:
        return text.strip()
    return html_to_text(text)


def _question(element: ET.Element) -> tuple[QuestionData | None, list[str]]:
    tags = {}
    for tag in element.findall("tags/tag"):
        name, _sep, value = (tag.findtext("text") or "").strip().partition(":")
        if name.lower().startswith(TAG_PREFIX) and value:
            tags[name.lower().removeprefix(TAG_PREFIX)] = value.strip()
    stem = element.find("questiontext")
    default_format = stem.get("format", "html") if stem is not None else "html"
    answers = []
    for answer in element.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0"))
        except ValueError:
            return None, [
                _("nilai jawaban (fraction) “%(f)s” bukan angka") % {"f": answer.get("fraction")}
            ]
        text_format = answer.get("format", default_format)
        text = answer.findtext("text") or ""
        answers.append(
            RawAnswer(
                text=text.strip() if text_format in PLAIN_FORMATS else html_to_text(text),
                fraction=fraction,
                feedback=_text(answer.find("feedback")),
            )
        )
    return question_from_parts(
        stem=_text(stem),
        explanation=_text(element.find("generalfeedback")),
        answers=answers,
        tags=tags,
    )


# --- writing ------------------------------------------------------------------------------------
def _rich(parent: ET.Element, name: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, name, format="markdown", **attrs)
    ET.SubElement(element, "text").text = text
    return element


def _name(data: QuestionData) -> str:
    if data.key:
        return data.key
    first = data.stem.strip().splitlines()[0] if data.stem.strip() else "soal"
    return first[:60]


def export(items: Iterable[QuestionData]) -> bytes:
    quiz = ET.Element("quiz")
    group = None
    for data in items:
        if (data.subtest, data.aspect) != group:
            # Moodle files questions into the current category: one per subtest/aspect.
            group = (data.subtest, data.aspect)
            category = ET.SubElement(quiz, "question", type="category")
            path = ET.SubElement(category, "category")
            ET.SubElement(path, "text").text = f"$course$/top/cpns/{data.subtest}/{data.aspect}"
        question = ET.SubElement(quiz, "question", type="multichoice")
        name = ET.SubElement(question, "name")
        ET.SubElement(name, "text").text = _name(data)
        _rich(question, "questiontext", data.stem)
        _rich(question, "generalfeedback", data.explanation)
        ET.SubElement(question, "defaultgrade").text = "1"
        ET.SubElement(question, "penalty").text = "0"
        ET.SubElement(question, "hidden").text = "0"
        ET.SubElement(question, "single").text = "true"
        ET.SubElement(question, "shuffleanswers").text = "false"
        ET.SubElement(question, "answernumbering").text = "ABCD"
        for option in data.options:
            answer = _rich(
                question, "answer", option.text, fraction=str(score_to_fraction(option.score))
            )
            _rich(answer, "feedback", feedback_join(option))
        tags = ET.SubElement(question, "tags")
        for key, value in metadata_of(data).items():
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = f"{TAG_PREFIX}{key}:{value}"
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"
