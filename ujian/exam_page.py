"""What the exam screen shows: the question, the grid and the offline payload.

Opening the exam page is the hot path of an institution's synchronised start (a thousand
candidates at 08:00), so everything here is built from a per-process cache of rendered questions
and plain string joins, not from a template loop of 110 cells: the page costs a few queries and
a few milliseconds however long the exam is. Only text and pictures reach the page: never a
score, key, rationale, principle or explanation.
"""

from __future__ import annotations

import json

from django.db import connection
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from materi.markdown import render_markdown
from soal.templatetags.figures import figure_filter

from .models import Answer, Attempt, QuestionSnapshot

# Rendered question content, keyed by the snapshot's content hash: that hash names the frozen
# content itself, so its rendering never changes. Each web process renders a question once, and
# a thousand candidates opening the same session at 08:00 cost one small query (ids to hashes)
# and a dictionary lookup per item.
_RENDERED: dict[str, dict] = {}
_RENDERED_MAX = 20_000


def _render_snapshot(data: dict) -> dict:
    fig = data.get("figure")
    options = []
    for opt in data["options"]:
        option = [opt["text"]]
        if opt.get("figure_svg"):
            option.append(str(figure_filter(opt["figure_svg"], opt["text"])))
        options.append(option)
    return {
        "h": str(render_markdown(data["stem"])),
        "f": str(figure_filter(fig.get("svg", ""), fig.get("alt", ""))) if fig else "",
        "o": options,
    }


def _content_hashes(snapshot_ids: set[int]) -> dict[int, str]:
    # Plain SQL: the ORM spends longer building an IN list of 110 ids than the query runs, and
    # every candidate of a session opening at 08:00 asks it once.
    ids = [int(i) for i in snapshot_ids]
    if not ids:
        return {}
    table = QuestionSnapshot._meta.db_table
    if connection.vendor == "postgresql":  # one array parameter instead of 110
        sql, params = f"SELECT id, content_hash FROM {table} WHERE id = ANY(%s)", [ids]
    else:
        marks = ", ".join(["%s"] * len(ids))
        sql, params = f"SELECT id, content_hash FROM {table} WHERE id IN ({marks})", ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def rendered(snapshot_ids: set[int]) -> dict[int, dict]:
    """Snapshot id → {"h": stem HTML, "f": figure HTML or "", "o": [[text, figure HTML?], …]}
    in the snapshot's own option order."""
    hashes = _content_hashes(snapshot_ids)
    missing = [pk for pk, h in hashes.items() if h not in _RENDERED]
    if missing:
        if len(_RENDERED) + len(missing) > _RENDERED_MAX:
            _RENDERED.clear()
        for pk, data in QuestionSnapshot.objects.filter(pk__in=missing).values_list("pk", "data"):
            _RENDERED[hashes[pk]] = _render_snapshot(data)
    return {pk: _RENDERED[h] for pk, h in hashes.items()}


def exam_payload(attempt: Attempt, content: dict[int, dict]) -> dict:
    """Every question of the attempt for the page to show without the server: stems rendered
    and figures sanitised exactly as the question partial shows them, options in the attempt's
    display order."""
    questions = []
    for p in range(attempt.item_count):
        snapshot_id, order, section_index = attempt.item(p)
        r = content[snapshot_id]
        question = {"s": section_index, "h": r["h"], "o": [r["o"][int(o)] for o in order]}
        if r["f"]:
            question["f"] = r["f"]
        questions.append(question)
    return {"sections": [s[0] for s in attempt.sections], "questions": questions}


def payload_script(payload: dict) -> SafeString:
    """`payload|json_script:"exam-payload"` with the same three escapes done by `str.replace`:
    on a 110-item payload (~70 KB) Django's `str.translate` costs more than the rest of the
    page's rendering, and it is paid by every candidate at the start."""
    text = (
        json.dumps(payload, separators=(",", ":"))
        .replace("&", "\\u0026")
        .replace("<", "\\u003C")
        .replace(">", "\\u003E")
    )
    return format_html(
        '<script id="exam-payload" type="application/json">{}</script>',
        mark_safe(text),  # JSON with <, > and & escaped, as json_script does
    )


def question_url_prefix(attempt: Attempt) -> str:
    """`…/soal/` of this attempt: question n is at prefix + "n/" (one reverse, not one a cell)."""
    return reverse("ujian:question", args=[attempt.uuid, 0]).rsplit("/0/", 1)[0] + "/"


def grid_html(*, attempt: Attempt, answers: dict[int, Answer], number: int) -> SafeString:
    """The grid of question numbers: a real link per cell (the page works without JavaScript)
    that htmx swaps in place, its state in the class and in words for screen readers."""
    prefix = question_url_prefix(attempt)
    said_answered = conditional_escape(_("dijawab"))
    said_unanswered = conditional_escape(_("belum dijawab"))
    said_flagged = conditional_escape(_("ragu-ragu"))
    label = conditional_escape(_("Soal %(n)s"))
    cells = []
    for p in range(attempt.item_count):
        n = p + 1
        answer = answers.get(p)
        answered = answer is not None and answer.choice is not None
        flagged = answer is not None and answer.flagged
        current = n == number
        cell = label % {"n": n}
        classes = " ".join(
            c
            for c, on in (("answered", answered), ("flagged", flagged), ("current", current))
            if on
        )
        state = said_answered if answered else said_unanswered
        if flagged:
            state = f"{state}, {said_flagged}"
        url = f"{prefix}{n}/"
        aria_current = ' aria-current="true"' if current else ""
        cells.append(
            f'<a href="{url}" hx-get="{url}" hx-target="#question" hx-swap="outerHTML" '
            f'data-position="{p}" data-label="{cell}" class="{classes}"'
            f'{aria_current} aria-label="{cell}: {state}">{n}</a>'
        )
    return mark_safe("".join(cells))


def exam_context(attempt: Attempt, number: int, content: dict[int, dict] | None = None) -> dict:
    """The question partial's context (and the grid's) for question `number` (1-based, clamped).
    `content` is `rendered(...)` when the caller has it already (the full page does)."""
    number = max(1, min(number, attempt.item_count))
    position = number - 1
    snapshot_id, order, section_index = attempt.item(position)
    if content is None or snapshot_id not in content:
        content = rendered({snapshot_id})
    r = content[snapshot_id]
    answers = {a.position: a for a in Answer.objects.filter(attempt=attempt)}
    current = answers.get(position)
    options = []
    for i, o in enumerate(order):
        option = r["o"][int(o)]
        options.append(
            {
                "letter": "ABCDE"[i],
                "index": i,
                "text": option[0],
                "figure_html": mark_safe(option[1]) if len(option) > 1 else "",
            }
        )
    return {
        "attempt": attempt,
        "number": number,
        "position": position,
        "section": attempt.sections[section_index][0],
        "stem": mark_safe(r["h"]),
        "figure_html": mark_safe(r["f"]),
        "options": options,
        "choice": current.choice if current else None,
        "flagged": bool(current and current.flagged),
        "answers": answers,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < attempt.item_count else None,
        "state": {str(p): [a.choice, a.flagged, a.seq] for p, a in answers.items()},
        "max_seq": max((a.seq for a in answers.values()), default=0),
    }
