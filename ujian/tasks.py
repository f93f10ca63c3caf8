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
    from .errors import UjianError
    from .models import BuildJob
    from .services.building import attempts_build_bulk

    job = BuildJob.objects.select_related("tryout__blueprint").get(pk=job_id)
    try:
        return attempts_build_bulk(tryout=job.tryout, user_ids=user_ids, job=job)
    except UjianError as exc:
        # The bank no longer fills the blueprint: shown on the session page beside the progress
        # bar (instead of a bar that stops), and the job is not sent again.
        BuildJob.objects.filter(pk=job_id).update(error=exc.message)
        return 0


@shared_task(**RETRY)
def attempt_score_task(attempt_id: int) -> bool:
    from .services.scoring import attempt_score

    return attempt_score(attempt_id=attempt_id)


@shared_task(**RETRY)
def attempts_expire_overdue_task() -> int:
    from .services.attempts import attempts_expire_overdue

    return attempts_expire_overdue()


@shared_task(**RETRY)
def attempts_resend_stalled_task() -> int:
    """Beat: a build or scoring task lost on the broker is sent again."""
    from .services.recovery import attempts_resend_stalled, build_jobs_resend_stalled

    return attempts_resend_stalled() + build_jobs_resend_stalled()


@shared_task(**RETRY)
def tryout_stats_task(tryout_id: int) -> bool:
    from .services.analysis import tryout_stats_compute

    return tryout_stats_compute(tryout_id=tryout_id) is not None


@shared_task(**RETRY)
def tryout_stats_due_task() -> int:
    """Beat: tryouts closed since the last run without fresh statistics get them."""
    from .services.analysis import tryouts_needing_stats

    due = tryouts_needing_stats()
    for tryout_id in due:
        tryout_stats_task.delay(tryout_id)
    return len(due)


@shared_task(**RETRY)
def regrade_preview_task(regrade_id: int) -> int:
    from .services.regrade import regrade_fail, regrade_preview

    try:
        return regrade_preview(regrade_id=regrade_id)
    except (OperationalError, DatabaseError):
        raise
    except Exception as exc:  # shown on the regrade page instead of a spinner forever
        regrade_fail(regrade_id=regrade_id, error=str(exc))
        raise


@shared_task(**RETRY)
def regrade_apply_task(regrade_id: int) -> int:
    from .services.regrade import regrade_apply, regrade_fail

    try:
        changed = regrade_apply(regrade_id=regrade_id)
    except (OperationalError, DatabaseError):
        raise
    except Exception as exc:
        regrade_fail(regrade_id=regrade_id, error=str(exc))
        raise
    # The stored item analysis counted the old scores.
    from .models import Regrade

    tryout_id = Regrade.objects.filter(pk=regrade_id).values_list("tryout_id", flat=True).first()
    if tryout_id is not None:
        tryout_stats_task.delay(tryout_id)
    return changed
