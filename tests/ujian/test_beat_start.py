"""A (re)started beat closes overdue attempts at once, not one schedule interval later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from cpns.celery import app
from tests.factories import UserFactory, make_bank, make_tryout
from ujian.models import Attempt, AttemptStatus, SubmitReason
from ujian.services.attempts import attempt_start
from ujian.services.building import attempt_build, attempt_create

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(redis_url):
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_beat_expires_overdue_attempts_as_soon_as_it_starts(worker, redis_url, tmp_path):
    make_bank()
    attempt = attempt_create(tryout=make_tryout(), user=UserFactory())
    attempt_build(attempt_id=attempt.pk)
    attempt = attempt_start(attempt=Attempt.objects.get(pk=attempt.pk))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    # An hour between runs and a fresh schedule file: beat's own first run is an hour away.
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": app.conf.task_default_queue,
        "CPNS_EXPIRE_EVERY_SECONDS": "3600",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpns",
            "beat",
            "-l",
            "WARNING",
            "-s",
            str(tmp_path / "schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            status = Attempt.objects.get(pk=attempt.pk).status
            if status == AttemptStatus.SCORED:
                break
            connection.close()
            time.sleep(0.2)
        assert status == AttemptStatus.SCORED, "beat did not close the overdue attempt at start"
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=20)
    attempt.refresh_from_db()
    assert (
        attempt.submit_reason == SubmitReason.TIMEOUT and attempt.submitted_at == attempt.deadline
    )
