"""Simulated candidates for tests, benchmarks and demos of the item analysis: attempts built by
the normal bulk builder, answers chosen by an ability model, scored through the normal scoring
code in batches. Never used by the product's pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from django.db import transaction
from django.utils import timezone

from ..models import Answer, Attempt, AttemptStatus, QuestionSnapshot, Tryout
from .building import attempts_build_bulk
from .scoring import compute_result, result_assign

CHUNK = 1000

# How attractive each original option is to a strong candidate; the option scores by default.
Attractiveness = Callable[[dict], Sequence[float]]


def _scores(data: dict) -> list[float]:
    return [float(o["score"]) for o in data["options"]]


def attempts_simulate(
    *,
    tryout: Tryout,
    user_ids: Sequence[int],
    seed: int = 1,
    attractiveness: Attractiveness = _scores,
    answer_rate: float = 0.97,
) -> int:
    """Build, answer and score one attempt per user. Stronger candidates (ability drawn from a
    normal distribution) lean towards the more attractive options."""
    attempts_build_bulk(tryout=tryout, user_ids=user_ids, seed=seed)
    rng = np.random.default_rng(seed)
    now = timezone.now()
    attempts = list(
        Attempt.objects.filter(tryout=tryout, user_id__in=user_ids, status=AttemptStatus.READY)
        .order_by("pk")
        .values_list("pk", "items")
    )
    ids = {sid for _pk, items in attempts for sid in items["s"]}
    data = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))
    index = {sid: i for i, sid in enumerate(data)}
    values = np.full((len(data), 5), -np.inf)
    for sid, d in data.items():
        v = np.asarray(attractiveness(d), dtype=np.float64)
        v = (v - v.mean()) / (v.std() or 1.0)
        values[index[sid], : len(v)] = v
    answers: list[Answer] = []
    for pk, items in attempts:
        theta = rng.normal()
        rows = np.array([index[s] for s in items["s"]])
        logits = 1.5 * theta * values[rows]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        picks = (p.cumsum(axis=1) < rng.random((len(rows), 1))).sum(axis=1)
        answered = rng.random(len(rows)) < answer_rate
        for position, (original, order) in enumerate(zip(picks, items["o"], strict=True)):
            if answered[position]:
                answers.append(
                    Answer(
                        attempt_id=pk,
                        position=position,
                        choice=order.index(str(int(original))),
                        seq=1,
                        saved_at=now,
                    )
                )
        if len(answers) >= 50_000:  # keep memory flat for 10,000 attempts
            Answer.objects.bulk_create(answers, batch_size=5000)
            answers = []
    Answer.objects.bulk_create(answers, batch_size=5000)
    Attempt.objects.filter(pk__in=[a[0] for a in attempts]).update(
        status=AttemptStatus.SUBMITTED, started_at=now, submitted_at=now
    )
    attempts_score_bulk(attempt_ids=[a[0] for a in attempts])
    return len(attempts)


def attempts_score_bulk(*, attempt_ids: Sequence[int]) -> int:
    """Score many submitted attempts with the same code as `attempt_score`, in chunks."""
    scored = 0
    fields = ["result", "total", "score_tkp", "score_tiu", "score_twk", "passed", "status"]
    for start in range(0, len(attempt_ids), CHUNK):
        with transaction.atomic():
            part = list(
                Attempt.objects.select_for_update()
                .select_related("tryout__blueprint")
                .filter(pk__in=attempt_ids[start : start + CHUNK], status=AttemptStatus.SUBMITTED)
            )
            ids = {s for a in part for s in a.snapshot_ids()}
            snapshots = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))
            answers: dict[int, list[Answer]] = {}
            for answer in Answer.objects.filter(attempt__in=[a.pk for a in part]):
                answers.setdefault(answer.attempt_id, []).append(answer)
            now = timezone.now()
            for a in part:
                result = compute_result(
                    a, answers.get(a.pk, []), a.tryout.blueprint.total_threshold, snapshots
                )
                result_assign(a, result)
                a.status, a.scored_at = AttemptStatus.SCORED, now
            Attempt.objects.bulk_update(part, [*fields, "scored_at"], batch_size=500)
            scored += len(part)
    return scored
