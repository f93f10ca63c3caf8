"""Formatting stored figures (None = undefined for the data, shown as a dash)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def fig(value, places: int = 1) -> str:
    if value is None or value == "":
        return "–"
    return number_format(round(float(value), places), decimal_pos=places)


@register.filter
def pct(value, places: int = 1) -> str:
    """A share 0..1 as a percentage."""
    if value is None or value == "":
        return "–"
    return number_format(round(100 * float(value), places), decimal_pos=places) + " %"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)
