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
    media_of_file,
    metadata_of,
    question_from_parts,
    score_to_fraction,
    short_name,
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
        result.names[number] = _name_of(element)
        if kind == "multichoice" and is_multiple_response(_fractions(element)):
            kind = "multiresponse"
        if kind not in SUPPORTED_KINDS:
            result.add_unsupported(number, kind)
            continue
        data, problems = _question(element, kind)
        if problems:
            result.problems.extend((number, p) for p in problems)
        else:
            result.items.append((number, data))
            result.add_media_warning(number, _media(element))
    return result


def _parse_error_text(exc: SafeET.ParseError) -> str:
    return str(exc).split(":")[0]


def _fractions(element: ET.Element) -> list[float]:
    fractions = []
    for answer in element.findall("answer"):
        try:
            fractions.append(float(answer.get("fraction", "0")))
        except ValueError:
            continue  # reported by _question
    return fractions


def _name_of(element: ET.Element) -> str:
    name = (element.findtext("name/text") or "").strip()
    if not name:
        name = html_to_text(element.findtext("questiontext/text") or "", markdown=False)
    return short_name(name)


def _media(element: ET.Element) -> set[str]:
    """What the question shows that we cannot store: embedded files, media tags, old <image>."""
    kinds = {media_of_file(file.get("name", "")) for file in element.iter("file")}
    for text in element.iter("text"):
        kinds |= media_in(text.text or "")
    if element.findtext("image") or element.find("image_base64") is not None:
        kinds.add("image")
    return kinds


def _text(element: ET.Element | None, *, markdown: bool = True) -> str:
    """The text of a Moodle rich-text field (`<x format="…"><text>…</text></x>`)."""
    if element is None:
        return ""
    return _convert(element.findtext("text") or "", element.get("format", "html"), markdown)


def _convert(text: str, text_format: str, markdown: bool) -> str:
    if text_format == "plain_text" and markdown:
        return escape_markdown(text.strip())
    if text_format in PLAIN_FORMATS:
        return text.strip()
    return html_to_text(text, markdown=markdown)


def _question(element: ET.Element, kind: str) -> tuple[QuestionData | None, list[str]]:
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
        answers.append(
            RawAnswer(
                text=_convert(answer.findtext("text") or "", text_format, markdown=False),
                fraction=fraction,
                feedback=_text(answer.find("feedback"), markdown=False),
            )
        )
    if kind == "truefalse":
        answers = _true_false(answers)
    return question_from_parts(
        stem=_text(stem),
        explanation=_text(element.find("generalfeedback")),
        answers=answers,
        tags=tags,
    )


def _true_false(answers: list[RawAnswer]) -> list[RawAnswer]:
    """Moodle's "true"/"false" answers as our options Benar, Salah (in that order)."""
    texts = {"true": TRUE_TEXT, "false": FALSE_TEXT}
    named = [
        RawAnswer(text=texts.get(a.text.lower(), a.text), fraction=a.fraction, feedback=a.feedback)
        for a in answers
    ]
    return sorted(named, key=lambda a: a.text != TRUE_TEXT)


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
