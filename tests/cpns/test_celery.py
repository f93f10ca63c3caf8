"""Celery: a real worker on the real Redis broker, and the embedded eager mode without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from cpns.celery import app
from cpns.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_worker(redis_url):
    """Switch the app from eager to the broker and start celery's testing worker."""
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


def test_task_round_trips_through_real_worker(real_worker):
    result = ping.delay("halo")
    assert result.get(timeout=20) == "pong:halo"


def test_eager_mode_runs_tasks_without_any_broker():
    code = (
        "import django;django.setup();from cpns.tasks import ping;"
        "from django.conf import settings;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, ping.delay('x').get(timeout=5))"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CPNS_", "CELERY"))
    }
    clean.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cpns.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True pong:x", result.stderr
