"""A real `celery worker` SIGKILLed in the middle of a bulk build: a new worker takes the task
back when it starts (cpns/broker.py), not after the broker's visibility timeout, and every
candidate ends up with exactly one attempt. A task a live worker holds is left to it."""

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
from ujian.tasks import attempt_score_task, attempts_build_bulk_task

ROOT = Path(__file__).resolve().parents[2]
USERS = 5 * BULK_CHUNK  # five chunks: room for the kill to land after the first


def _worker(env: dict[str, str], name: str | None = None) -> subprocess.Popen:
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
            "--without-mingle",
            "--hostname",
            name or f"kill-{secrets.token_hex(3)}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the pool child dies with it
    )


def _worker_env(redis_url: str, queue: str) -> dict[str, str]:
    """The worker's environment: this test's database, Redis and a queue of its own."""
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis_url, "CELERY_QUEUE": queue}


def _send_to_broker(redis_url: str) -> dict:
    """Send this process's tasks to Redis instead of running them eagerly; returns the old
    settings for `app.conf.update` afterwards."""
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    return saved


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
    env = _worker_env(redis_url, queue)  # the product's visibility timeout (120 s)
    saved = _send_to_broker(redis_url)
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
        end = time.monotonic() + 45
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


def _wait_ready(name: str) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if app.control.ping(destination=[name], timeout=0.5):
            return
    raise AssertionError(f"{name} never answered")


def _where(task_id: str, queue: str) -> tuple[dict[bytes, float], bool]:
    """({delivery tag: time delivered} of the task held unacknowledged, whether it waits in the
    queue). A task put back keeps its tag; delivered again, it gets a new time."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        held = {
            tag: client.zscore(channel.unacked_index_key, tag)
            for tag, raw in client.hgetall(channel.unacked_key).items()
            if task_id.encode() in raw
        }
        queued = any(task_id.encode() in raw for raw in client.lrange(queue, 0, -1))
    return held, queued


def _forget(task_id: str, queue: str) -> None:
    """Leave no orphan behind for the next test's workers to restore."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            if task_id.encode() in raw:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)
        client.delete(queue)


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_leaves_a_live_workers_task_and_takes_back_a_dead_ones(redis_url):
    queue = f"test-held-{secrets.token_hex(4)}"
    env = _worker_env(redis_url, queue)
    saved = _send_to_broker(redis_url)
    names = [f"held-{i}-{secrets.token_hex(3)}@test" for i in range(3)]
    workers: list[subprocess.Popen] = []
    # A task due in ten minutes: its worker holds it unacknowledged all that time.
    task_id = attempt_score_task.apply_async(args=(0,), countdown=600, queue=queue).id
    try:
        workers.append(_worker(env, names[0]))
        _wait_ready(names[0])
        end = time.monotonic() + 30
        while not _where(task_id, queue)[0] and time.monotonic() < end:
            time.sleep(0.1)
        tags, queued = _where(task_id, queue)
        assert len(tags) == 1 and not queued

        workers.append(_worker(env, names[1]))  # a second worker while the first lives
        _wait_ready(names[1])
        time.sleep(2)  # its start-up look is done by now (0.5 s ping + 0.5 s inspects)
        assert _where(task_id, queue) == (tags, False), "a live worker's task was taken back"

        _kill(workers[0])  # the holder dies; the second worker lives on and does not hold it
        workers.append(_worker(env, names[2]))
        _wait_ready(names[2])
        end = time.monotonic() + 10
        scheduled: set[str] = set()
        while time.monotonic() < end and task_id not in scheduled:
            replies = app.control.inspect(destination=names[1:], timeout=0.5).scheduled()
            scheduled = {e["request"]["id"] for reqs in (replies or {}).values() for e in reqs}
        assert task_id in scheduled, "the dead worker's task did not come back"
    finally:
        app.conf.update(saved)
        app.control.revoke(task_id)
        for worker in workers:
            if worker.poll() is None:
                _kill(worker)
        _forget(task_id, queue)
