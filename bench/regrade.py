"""Benchmark: item analysis and regrading of a tryout with 10,000 scored attempts × 110 items
(SKD: TWK 30, TIU 35, TKP 45, one fixed form), on PostgreSQL.

Times the whole `tryout_stats_compute` (queries, matrix, engine, storing) and a regrade of one
TKP question: the dry run (`regrade_create`, which computes the preview) and applying it
(`regrade_apply`, chunked, every attempt rescored through the normal scoring code). The data is
built once (about two minutes) and reused; each run regrades to a new version.

    .venv/bin/python bench/regrade.py [--attempts 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import time

from common import django_setup, generated_bank, machine

SECTIONS = (("TWK", 30, 65), ("TIU", 35, 80), ("TKP", 45, 166))
SLUG = "bench-regrade"


def prepare(attempts: int):
    from django.contrib.auth import get_user_model

    from ujian.models import Attempt, AttemptStatus, Blueprint, BlueprintSection, Tryout
    from ujian.services.simulation import attempts_score_bulk, attempts_simulate

    generated_bank({s: n for s, n, _t in SECTIONS})
    blueprint, created = Blueprint.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench regrade", "duration_minutes": 100}
    )
    if created:
        for order, (subtest, count, threshold) in enumerate(SECTIONS, start=1):
            BlueprintSection.objects.create(
                blueprint=blueprint,
                order=order,
                label=subtest,
                subtest=subtest,
                question_count=count,
                passing_threshold=threshold,
            )
    tryout, _ = Tryout.objects.get_or_create(
        slug=SLUG, defaults={"title": "Bench regrade", "blueprint": blueprint}
    )
    # An interrupted preparation leaves submitted attempts: score them first.
    attempts_score_bulk(
        attempt_ids=list(
            Attempt.objects.filter(tryout=tryout, status=AttemptStatus.SUBMITTED).values_list(
                "pk", flat=True
            )
        )
    )
    have = Attempt.objects.filter(tryout=tryout, status=AttemptStatus.SCORED).count()
    if have < attempts:
        User = get_user_model()
        User.objects.bulk_create(
            [User(email=f"regrade{i}@bench.cpns.id") for i in range(attempts)],
            ignore_conflicts=True,
            batch_size=2000,
        )
        ids = list(
            User.objects.filter(email__endswith="@bench.cpns.id", email__startswith="regrade")
            .order_by("pk")
            .values_list("pk", flat=True)[:attempts]
        )
        begin = time.perf_counter()
        attempts_simulate(tryout=tryout, user_ids=ids, seed=2026)
        print(f"prepared {attempts} attempts in {time.perf_counter() - begin:.0f} s")
    return tryout


def fixed_version(tryout):
    """A published next version of the first TKP question, its 1 and 2 swapped."""
    from django.contrib.auth import get_user_model

    from soal.models import Option, Question
    from soal.services.questions import question_duplicate, question_publish
    from ujian.models import ItemStat, QuestionSnapshot
    from ujian.services.regrade import later_versions

    reviewer, _ = get_user_model().objects.get_or_create(
        email="reviewer@bench.cpns.id", defaults={"is_superuser": True, "is_staff": True}
    )
    stat = ItemStat.objects.filter(tryout=tryout, subtest="TKP").order_by("pk").first()
    snapshot = QuestionSnapshot.objects.get(pk=stat.snapshot_id)
    base = Question.objects.get(pk=snapshot.data["question"])
    latest = (later_versions(base) or [base])[0]
    draft = question_duplicate(question=latest, actor=reviewer)
    for option in draft.options.all():
        if option.score in (1, 2):
            Option.objects.filter(pk=option.pk).update(score=3 - option.score)
    return snapshot, question_publish(question=draft, actor=reviewer), reviewer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=10_000)
    args = parser.parse_args()
    # Tasks run inline here so each step is timed where it happens.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    django_setup()
    from ujian.models import Regrade, RegradeStatus
    from ujian.services.analysis import tryout_stats_compute
    from ujian.services.regrade import regrade_apply, regrade_create

    tryout = prepare(args.attempts)
    seconds = {}
    begin = time.perf_counter()
    stat = tryout_stats_compute(tryout_id=tryout.pk)
    seconds["stats"] = time.perf_counter() - begin

    snapshot, fixed, reviewer = fixed_version(tryout)
    begin = time.perf_counter()
    regrade = regrade_create(
        tryout=tryout, old_snapshot=snapshot, new_question=fixed, actor=reviewer
    )
    seconds["dry_run"] = time.perf_counter() - begin
    # Claimed as "Terapkan" does, then the service the task runs (the task also refreshes the
    # stored statistics afterwards, timed above).
    Regrade.objects.filter(pk=regrade.pk).update(status=RegradeStatus.APPLYING, applied_by=reviewer)
    begin = time.perf_counter()
    regrade_apply(regrade_id=regrade.pk)
    seconds["apply"] = time.perf_counter() - begin
    regrade.refresh_from_db()
    print(
        json.dumps(
            {
                "machine": machine(),
                "attempts": stat.attempts,
                "items": sum(s["items"] for s in stat.data["subtests"].values()),
                "seconds": {k: round(v, 2) for k, v in seconds.items()},
                "regrade": {
                    "status": regrade.status,
                    "rescored": regrade.total,
                    "changed": regrade.changed,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
