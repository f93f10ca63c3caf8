"""Freezing question content: one snapshot per distinct content, shared by attempts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from soal.models import Effect, Question

from ..models import QuestionSnapshot


def snapshot_data(question: Question) -> dict:
    section = question.section
    options = []
    for option in question.options.all():
        credits = list(option.credits.all())
        frozen = {
            "text": option.text,
            "score": option.score,
            "rationale": option.rationale,
            "upholds": [c.principle.code for c in credits if c.effect == Effect.UPHOLDS],
            "violates": [c.principle.code for c in credits if c.effect == Effect.VIOLATES],
        }
        # Figure keys only when there is a figure, so existing content keeps its hash.
        if option.figure_svg:
            frozen["figure_svg"] = option.figure_svg
        options.append(frozen)
    data = {
        "question": question.pk,
        "version": question.version,
        "subtest": question.subtest,
        "aspect": question.aspect,
        "stem": question.stem,
        "explanation": question.explanation,
        "section": (
            {
                "title": f"{section.module.title} — {section.title}",
                "url": section.get_absolute_url(),
            }
            if section
            else None
        ),
        "options": options,
    }
    if question.figure_svg:
        data["figure"] = {"svg": question.figure_svg, "alt": question.figure_alt}
    return data


def snapshots_ensure(questions: Iterable[Question]) -> dict[int, int]:
    """Question id → id of the snapshot of its current content (created where missing)."""
    datas = {q.pk: snapshot_data(q) for q in questions}
    hashes = {
        pk: hashlib.sha256(json.dumps(d, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        for pk, d in datas.items()
    }
    existing = dict(
        QuestionSnapshot.objects.filter(content_hash__in=hashes.values()).values_list(
            "content_hash", "pk"
        )
    )
    missing = [
        QuestionSnapshot(question_id=pk, content_hash=h, data=datas[pk])
        for pk, h in hashes.items()
        if h not in existing
    ]
    if missing:
        QuestionSnapshot.objects.bulk_create(missing, ignore_conflicts=True)
        existing = dict(
            QuestionSnapshot.objects.filter(content_hash__in=hashes.values()).values_list(
                "content_hash", "pk"
            )
        )
    return {pk: existing[h] for pk, h in hashes.items()}


def pool_questions(subtest: str, aspect: str = "", owner_id: int | None = None):
    """The questions a section may draw from: the public bank, plus the private bank of the
    institution that owns the tryout."""
    qs = Question.objects.drawable_by(owner_id).filter(subtest=subtest)
    if aspect:
        qs = qs.filter(aspect=aspect)
    return qs.select_related("section__module").prefetch_related("options__credits__principle")
