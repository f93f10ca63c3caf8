"""Scoring an attempt: turn frozen items and saved answers into soal.scoring's pure inputs,
store the result once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from soal.models import Aspect
from soal.scoring import (
    FrozenItem,
    FrozenOption,
    Threshold,
    principle_profile,
    threshold_results,
    totals,
    weakest,
)

from ..models import Answer, Attempt, AttemptStatus, QuestionSnapshot


def scoring_snapshot_ids(attempt: Attempt) -> set[int]:
    """The snapshots whose option scores score this attempt: what it saw, or a regrade's fix."""
    return attempt.snapshot_ids() | set(attempt.items.get("r", {}).values())


def frozen_items(attempt: Attempt, snapshots: dict[int, dict] | None = None) -> list[FrozenItem]:
    if snapshots is None:
        ids = scoring_snapshot_ids(attempt)
        snapshots = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))
    replaced = attempt.items.get("r", {})
    items = []
    for position, (snapshot_id, _order, section_index) in enumerate(attempt.item_rows()):
        # A regraded position keeps its frozen text ("s") but is scored by the fixed version.
        data = snapshots[replaced.get(str(position), snapshot_id)]
        items.append(
            FrozenItem(
                key=str(position),
                subtest=data["subtest"],
                aspect=data["aspect"],
                section=attempt.sections[section_index][0],
                options=tuple(
                    FrozenOption(
                        position=i,
                        score=o["score"],
                        upholds=tuple(o["upholds"]),
                        violates=tuple(o["violates"]),
                    )
                    for i, o in enumerate(data["options"])
                ),
            )
        )
    return items


def original_choices(attempt: Attempt, answers) -> dict[str, int | None]:
    """Displayed choice (A = 0 in this attempt's order) → the option's original position."""
    choices: dict[str, int | None] = {}
    for answer in answers:
        if answer.choice is None or answer.position >= attempt.item_count:
            continue
        order = attempt.items["o"][answer.position]
        if answer.choice < len(order):
            choices[str(answer.position)] = int(order[answer.choice])
    return choices


def compute_result(
    attempt: Attempt,
    answers,
    total_threshold: int | None,
    snapshots: dict[int, dict] | None = None,
) -> dict:
    items = frozen_items(attempt, snapshots)
    choices = original_choices(attempt, answers)
    scores = totals(items, choices)
    rules = [Threshold(s[0], s[3]) for s in attempt.sections if s[3] is not None]
    if total_threshold is not None:
        rules.append(Threshold("total", total_threshold))
    verdicts = threshold_results(scores, rules)
    profile = principle_profile(items, choices)
    aspect_labels = dict(Aspect.choices)
    used = None
    if attempt.started_at and attempt.submitted_at:
        used = int((attempt.submitted_at - attempt.started_at).total_seconds())
    return {
        "total": scores.total,
        "maximum": scores.maximum,
        "answered": scores.answered,
        "count": len(items),
        "by_subtest": scores.by_subtest,
        "sections": [
            {
                "label": label,
                "subtest": subtest,
                "score": scores.by_section.get(label, 0),
                "max": scores.max_by_section.get(label, 0),
                "threshold": threshold,
                "passed": verdicts.get(label) if threshold is not None else None,
            }
            for label, subtest, _aspect, threshold, _count in attempt.sections
        ],
        "aspects": [
            {
                "aspect": aspect,
                "label": str(aspect_labels.get(aspect, aspect)),
                "score": scores.by_aspect[aspect],
                "max": scores.max_by_aspect[aspect],
            }
            for aspect in sorted(scores.by_aspect)
        ],
        "total_threshold": total_threshold,
        "total_passed": verdicts.get("total"),
        "passed": all(verdicts.values()) if verdicts else None,
        "principles": [
            {
                "code": p.code,
                "earned": p.earned,
                "available": p.available,
                "questions": p.questions,
                "violations": [int(k) for k, _c in p.violations],
            }
            for p in sorted(profile.values(), key=lambda p: p.code)
        ],
        "weakest": [p.code for p in weakest(profile, 3)],
        "time_used_seconds": used,
    }


def result_assign(attempt: Attempt, result: dict) -> None:
    """Copy a computed result onto the attempt's columns (what rankings and exports read)."""
    attempt.result = result
    attempt.total = result["total"]
    attempt.score_tkp = result["by_subtest"].get("TKP", 0)
    attempt.score_tiu = result["by_subtest"].get("TIU", 0)
    attempt.score_twk = result["by_subtest"].get("TWK", 0)
    attempt.passed = result["passed"]


@transaction.atomic
def attempt_score(*, attempt_id: int) -> bool:
    """Score a submitted attempt once; a repeated call (a retried task) changes nothing."""
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("tryout__blueprint")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or attempt.status != AttemptStatus.SUBMITTED:
        return False
    answers = list(Answer.objects.filter(attempt=attempt))
    result = compute_result(attempt, answers, attempt.tryout.blueprint.total_threshold)
    result_assign(attempt, result)
    attempt.status, attempt.scored_at = AttemptStatus.SCORED, timezone.now()
    attempt.save()
    return True
