"""Figures (SVG) attached to questions and options.

Generated figures come from our own code, but the stored SVG is a text field a tutor can edit, so
every figure is rebuilt through an allowlist before it reaches a page: only plain drawing elements
and presentational attributes survive; scripts, event handlers, links, styles, external
references and anything unknown are dropped. The output is built from a fresh tree (never the
input string), so what is not on the list cannot reach the browser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SVG_NS = "http://www.w3.org/2000/svg"

_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e-?\d+)?"
_NUMBERS = re.compile(rf"^\s*{_NUMBER}(?:[\s,]+{_NUMBER})*\s*$", re.I)
_LENGTH = re.compile(rf"^\s*{_NUMBER}(?:px|%)?\s*$", re.I)
_COLOUR = re.compile(r"^(?:#[0-9a-f]{3}|#[0-9a-f]{6}|none|currentColor|[a-z]{3,20})$", re.I)
_TRANSFORM = re.compile(
    rf"^\s*(?:(?:translate|rotate|scale)\(\s*{_NUMBER}(?:[\s,]+{_NUMBER}){{0,2}}\s*\)\s*)+$", re.I
)
_PATH = re.compile(r"^[MmLlHhVvCcSsQqTtAaZz0-9eE\s,.\-]*$")
_WORD = re.compile(r"^[A-Za-z0-9 _-]{0,60}$")
_ENUM = {
    "text-anchor": {"start", "middle", "end"},
    "role": {"img"},
    "stroke-linecap": {"butt", "round", "square"},
    "stroke-linejoin": {"miter", "round", "bevel"},
}

_GEOMETRY = {
    "x": _LENGTH,
    "y": _LENGTH,
    "width": _LENGTH,
    "height": _LENGTH,
    "cx": _LENGTH,
    "cy": _LENGTH,
    "r": _LENGTH,
    "rx": _LENGTH,
    "ry": _LENGTH,
    "x1": _LENGTH,
    "y1": _LENGTH,
    "x2": _LENGTH,
    "y2": _LENGTH,
}
_PAINT = {
    "fill": _COLOUR,
    "stroke": _COLOUR,
    "stroke-width": _LENGTH,
    "stroke-dasharray": _NUMBERS,
    "stroke-linecap": None,
    "stroke-linejoin": None,
    "opacity": _LENGTH,
    "fill-opacity": _LENGTH,
    "transform": _TRANSFORM,
    "class": _WORD,
}
ALLOWED: dict[str, dict[str, re.Pattern | None]] = {
    "svg": {"viewBox": _NUMBERS, "width": _LENGTH, "height": _LENGTH, "role": None},
    "g": _PAINT,
    "rect": {**_GEOMETRY, **_PAINT},
    "circle": {**_GEOMETRY, **_PAINT},
    "line": {**_GEOMETRY, **_PAINT},
    "polygon": {"points": _NUMBERS, **_PAINT},
    "path": {"d": _PATH, **_PAINT},
    "text": {**_GEOMETRY, **_PAINT, "font-size": _LENGTH, "text-anchor": None},
    "title": {},
}
_TEXT_CHILDREN = {"text", "title"}  # the only elements whose character data is kept


class FigureError(ValueError):
    """The text is not an SVG figure we can show."""


def _local(tag: str) -> str:
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return name if ns == SVG_NS else ""
    return tag


def _attribute_ok(name: str, value: str, rules: dict) -> bool:
    if name not in rules:
        return False
    rule = rules[name]
    if rule is None:
        return value in _ENUM.get(name, set())
    return bool(rule.match(value))


def _copy(source: ET.Element, target: ET.Element) -> None:
    for child in source:
        name = _local(child.tag)
        if name not in ALLOWED:
            continue  # dropped with everything inside it
        rules = ALLOWED[name]
        attrs = {k: v for k, v in child.attrib.items() if _attribute_ok(k, v, rules)}
        clean = ET.SubElement(target, name, attrs)
        if name in _TEXT_CHILDREN:
            clean.text = "".join(child.itertext())[:500]
        else:
            _copy(child, clean)


def svg_sanitise(svg: str, *, title: str | None = None) -> str:
    """A safe copy of `svg` (an `<svg>` document) keeping only allowlisted drawing. With `title`,
    the figure's accessible name is replaced by it (the question's text alternative)."""
    try:
        root = SafeET.fromstring(svg.strip())
    except (ET.ParseError, DefusedXmlException) as exc:
        raise FigureError("Gambar bukan SVG yang valid.") from exc
    if _local(root.tag) != "svg":
        raise FigureError("Gambar harus berupa elemen <svg>.")
    attrs = {k: v for k, v in root.attrib.items() if _attribute_ok(k, v, ALLOWED["svg"])}
    attrs = {"xmlns": SVG_NS, **attrs, "role": "img"}
    clean = ET.Element("svg", attrs)
    _copy(root, clean)
    if title is not None:
        for old in [c for c in clean if c.tag == "title"]:
            clean.remove(old)
        element = ET.Element("title")
        element.text = title
        clean.insert(0, element)
    return ET.tostring(clean, encoding="unicode")


def figure_is_valid(svg: str) -> bool:
    try:
        svg_sanitise(svg)
    except FigureError:
        return False
    return True


def validate_figure(svg: str) -> None:
    """Model-field validator: the admin refuses text it could not show as a figure."""
    if svg and not figure_is_valid(svg):
        raise ValidationError(_("Gambar harus berupa SVG yang valid (diawali <svg …>)."))


def svg_sanitise_or_empty(svg: str, *, title: str | None = None) -> str:
    """For templates: a figure that cannot be parsed is not shown rather than breaking the page."""
    if not svg:
        return ""
    try:
        return svg_sanitise(svg, title=title)
    except FigureError:
        return ""
