"""Celery tasks: thin, idempotent wrappers around the services."""

from celery import shared_task

from ujian.tasks import RETRY


@shared_task(**RETRY)
def set_password_links_send_task(user_ids: list[int]) -> int:
    from .services.mail import set_password_links_send

    return set_password_links_send(user_ids=user_ids)


@shared_task(**RETRY)
def import_job_run_task(job_id: int) -> bool:
    from .services.enrolment import import_job_run

    return import_job_run(job_id=job_id)
