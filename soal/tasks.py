"""Celery tasks of the question bank: thin, idempotent wrappers around the services."""

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
def generated_questions_create_task(family: str, count: int, seed: int = 0) -> int:
    """Generated TIU items as drafts; running it twice stores nothing new (keys are stable)."""
    from .services.generation import generated_questions_create

    return generated_questions_create(family=family, count=count, seed=seed)
