"""A real `celery worker` SIGKILLed in the middle of a bulk build: a new worker gets the task
again (acks_late, visibility timeout) and every candidate ends up with exactly one attempt."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cpns.celery import app
from cpns.models import User
from tests.factories import make_bank, make_tryout
from ujian.models import Attempt, BuildJob
from ujian.services.building import BULK_CHUNK, build_job_create
from ujian.tasks import attempts_build_bulk_task

ROOT = Path(__file__).resolve().parents[2]
USERS = 5 * BULK_CHUNK  # five chunks: room for the kill to land after the first


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cpns",
            "worker",
            "-l",
            "WARNING",
            "--concurrency",
            "1",
            "--hostname",
            f"kill-{secrets.token_hex(3)}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the pool child dies with it
    )


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_build_then_replaced_builds_every_attempt_once(redis_url):
    make_bank()
    tryout = make_tryout()
    User.objects.bulk_create(
        [User(email=f"kill-{i}@example.com", password="!") for i in range(USERS)]
    )
    ids = list(User.objects.filter(email__startswith="kill-").values_list("pk", flat=True))
    job = build_job_create(tryout=tryout, user_ids=ids)
    queue = f"test-kill-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + "/"
        + connection.settings_dict["NAME"],
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",  # the product's is 120 s; the mechanism is the same
    }
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    first = _worker(env)
    second = None
    try:
        attempts_build_bulk_task.apply_async(args=(job.pk, ids), queue=queue)
        end = time.monotonic() + 60
        done = 0
        while time.monotonic() < end and done < BULK_CHUNK:
            done = BuildJob.objects.get(pk=job.pk).done
            time.sleep(0.01)
        _kill(first)
        job.refresh_from_db()
        assert BULK_CHUNK <= job.done < USERS and job.finished_at is None, job.done
        assert Attempt.objects.filter(tryout=tryout).count() < USERS
        second = _worker(env)
        end = time.monotonic() + 60
        while time.monotonic() < end and job.finished_at is None:
            time.sleep(0.2)
            job.refresh_from_db()
        assert job.finished_at is not None, "the killed worker's build never came back"
    finally:
        app.conf.update(saved)
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                _kill(worker)
    attempts = Attempt.objects.filter(tryout=tryout)
    assert attempts.count() == USERS
    assert attempts.values("user").distinct().count() == USERS
    assert (job.done, job.total) == (USERS, USERS)
