"""Celery tasks: thin, idempotent wrappers around the services (safe to run twice)."""

from celery import shared_task
from django.db import DatabaseError, OperationalError

RETRY = {
    "autoretry_for": (OperationalError, DatabaseError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(**RETRY)
def attempt_build_task(attempt_id: int) -> bool:
    from .services.building import attempt_build

    return attempt_build(attempt_id=attempt_id)


@shared_task(**RETRY)
def attempts_build_bulk_task(job_id: int, user_ids: list[int]) -> int:
    from .models import BuildJob
    from .services.building import attempts_build_bulk

    job = BuildJob.objects.select_related("tryout__blueprint").get(pk=job_id)
    return attempts_build_bulk(tryout=job.tryout, user_ids=user_ids, job=job)


@shared_task(**RETRY)
def attempt_score_task(attempt_id: int) -> bool:
    from .services.scoring import attempt_score

    return attempt_score(attempt_id=attempt_id)


@shared_task(**RETRY)
def attempts_expire_overdue_task() -> int:
    from .services.attempts import attempts_expire_overdue

    return attempts_expire_overdue()
