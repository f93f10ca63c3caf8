from django import template
from django.utils.safestring import SafeString, mark_safe

from soal.figures import svg_sanitise_or_empty

register = template.Library()


@register.filter(name="figure")
def figure_filter(svg: str, alt: str = "") -> SafeString:
    """`{{ svg|figure:alt }}`: the figure rebuilt through the allowlist (safe to mark safe: the
    output is serialised from a fresh tree of allowed elements), named by its alt text."""
    return mark_safe(svg_sanitise_or_empty(svg or "", title=alt or None))
