"""Work whose task never arrived: send it again from what the database says is pending.

The broker normally gives a dead worker's tasks back (kombu's visibility timeout, and a starting
worker's own look: cpns/broker.py). One gap stays: Redis' transport takes a task off the queue
with BRPOP and records it as unacknowledged only afterwards, in the worker. A worker killed in
between loses that task for good (kombu issues #305 and #1733); the fault campaign lost one
scoring of 300 that way. The database still knows: the attempt is SUBMITTED (or BUILDING) and
nobody is working on it. Beat therefore sends the task again for attempts whose task went out
longer ago than the broker's own redelivery could take. The tasks are idempotent (a duplicate
finds the attempt scored or built and does nothing), and each resend moves `work_queued_at`, so
one attempt gets at most one more task per period, however long a backlog is. A bulk build
(an institution's session) is resent the same way when its job has not moved for that long: it
skips the users already built, so a resend finishes the job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Attempt, AttemptStatus, BuildJob

# One pass sends at most this many; the next pass (seconds later) takes the rest.
BATCH = 2000


def stalled_after() -> timedelta:
    """Longer than the broker's own redelivery (visibility timeout plus kombu's 10 s look)
    and than a normal queue at the end of an exam day, so a resend is rarely a duplicate."""
    return timedelta(seconds=settings.CPNS_STALLED_AFTER_SECONDS)


@transaction.atomic
def attempts_resend_stalled(*, now: datetime | None = None) -> int:
    """Send the build or the scoring task again for every attempt waiting on it longer than
    `stalled_after()`; return how many were sent."""
    from ..tasks import attempt_build_task, attempt_score_task

    now = now or timezone.now()
    cutoff = now - stalled_after()
    # Rows from before `work_queued_at` existed fall back on the time their work began.
    waiting = (
        Q(work_queued_at__lt=cutoff)
        | Q(
            work_queued_at__isnull=True,
            status=AttemptStatus.SUBMITTED,
            submitted_at__lt=cutoff,
        )
        | Q(work_queued_at__isnull=True, status=AttemptStatus.BUILDING, created_at__lt=cutoff)
    )
    stalled = list(
        Attempt.objects.select_for_update(skip_locked=True)
        .filter(waiting, status__in=[AttemptStatus.BUILDING, AttemptStatus.SUBMITTED])
        .order_by("pk")
        .values_list("pk", "status")[:BATCH]
    )
    if not stalled:
        return 0
    Attempt.objects.filter(pk__in=[pk for pk, _ in stalled]).update(work_queued_at=now)
    for pk, status in stalled:
        task = attempt_score_task if status == AttemptStatus.SUBMITTED else attempt_build_task
        task.delay_on_commit(pk)
    return len(stalled)


@transaction.atomic
def build_jobs_resend_stalled(*, now: datetime | None = None) -> int:
    """Send a bulk build again when its job is unfinished and has not moved (no chunk done)
    for longer than `stalled_after()`; return how many were sent."""
    from ..tasks import attempts_build_bulk_task

    now = now or timezone.now()
    cutoff = now - stalled_after()
    stalled = list(
        BuildJob.objects.select_for_update(skip_locked=True)
        .filter(finished_at__isnull=True, error="", progressed_at__lt=cutoff)
        .exclude(user_ids=[])
        .values_list("pk", "user_ids")
    )
    if not stalled:
        return 0
    BuildJob.objects.filter(pk__in=[pk for pk, _ in stalled]).update(progressed_at=now)
    for pk, user_ids in stalled:
        attempts_build_bulk_task.delay_on_commit(pk, user_ids)
    return len(stalled)
