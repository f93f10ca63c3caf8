"""The build and scoring tasks through a real Celery worker on the real Redis broker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from cpns.celery import app
from tests.factories import UserFactory, make_bank, make_tryout
from ujian.models import Attempt, AttemptStatus
from ujian.services.attempts import attempt_start, attempt_submit
from ujian.services.building import attempt_create


@pytest.fixture
def worker(redis_url):
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_builds_and_scores_an_attempt(worker):
    make_bank()
    user = UserFactory()
    attempt = attempt_create(tryout=make_tryout(), user=user)
    assert wait_for(lambda: Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.READY)
    attempt = attempt_start(attempt=Attempt.objects.get(pk=attempt.pk))
    assert attempt_submit(attempt_id=attempt.pk)
    assert wait_for(lambda: Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.SCORED)
    assert Attempt.objects.get(pk=attempt.pk).total == 0
