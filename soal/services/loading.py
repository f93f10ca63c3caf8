"""Load the shipped question bank (fixtures/soal/*.yaml, see docs/CONTENT.md), idempotently."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from cpns.models import User
from materi.models import Principle

from ..errors import SoalError
from ..models import Question, QuestionEvent, Status
from .questions import _write_options, question_create, section_by_ref
from .rules import OptionData, QuestionData, publication_problems

CONTENT_TEAM_EMAIL = "konten@cpns.local"


def content_team() -> User:
    """The account shipped content is authored and reviewed by (cannot log in)."""
    user, created = User.objects.get_or_create(
        email=CONTENT_TEAM_EMAIL, defaults={"full_name": "Tim Konten cpns", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def data_from_mapping(item: dict) -> QuestionData:
    return QuestionData(
        key=item["key"],
        stem=item["stem"],
        subtest=item["subtest"],
        aspect=item["aspect"],
        explanation=item.get("explanation", ""),
        section_ref=item.get("section"),
        figure_svg=item.get("figure", ""),
        figure_alt=item.get("figure_alt", ""),
        options=[
            OptionData(
                text=str(o["text"]),
                score=int(o["score"]),
                rationale=o.get("rationale", ""),
                upholds=list(o.get("upholds") or []),
                violates=list(o.get("violates") or []),
                figure_svg=o.get("figure", ""),
            )
            for o in item["options"]
        ],
    )


@transaction.atomic
def questions_load(directory: Path) -> dict[str, int]:
    """Create or refresh every question in the files as published, reviewed by the content team.

    Refreshing in place is safe for attempts (they keep frozen snapshots) and for practice
    history (each answer stored its own score).
    """
    team = content_team()
    known = set(Principle.objects.values_list("code", flat=True))
    items = []
    for path in sorted(directory.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            data = data_from_mapping(item)
            problems = publication_problems(data, known_principles=known)
            if problems:
                raise SoalError(f"{path.name} {data.key}:", problems)
            items.append(data)
    codes = {p.code: p for p in Principle.objects.all()}
    existing = {q.key: q for q in Question.objects.filter(key__in=[d.key for d in items])}
    created = updated = 0
    for data in items:
        question = existing.get(data.key)
        if question is None:
            question_create(
                data=data,
                author=team,
                reviewer=team,
                status=Status.PUBLISHED,
                action=QuestionEvent.Action.IMPORTED,
            )
            created += 1
            continue
        question.stem, question.explanation = data.stem.strip(), data.explanation.strip()
        question.subtest, question.aspect, question.scoring = (
            data.subtest,
            data.aspect,
            data.scoring,
        )
        question.section = section_by_ref(data.section_ref)
        question.status, question.reviewer = Status.PUBLISHED, question.reviewer or team
        question.save()
        _write_options(question, data.options, codes)
        updated += 1
    return {"created": created, "updated": updated}
