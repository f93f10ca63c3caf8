"""Celery tasks: thin, idempotent wrappers around the services."""

from celery import shared_task

from ujian.tasks import RETRY


@shared_task(**RETRY)
def set_password_links_send_task(user_ids: list[int]) -> int:
    from .services.mail import set_password_links_send

    return set_password_links_send(user_ids=user_ids)
