"""A build or scoring task lost on the broker (taken off the Redis list by a worker killed before
it recorded the task): beat sends it again from the attempt's state, once per period."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cpns.celery import app
from soal.models import Question
from tests.factories import UserFactory
from ujian.models import Attempt, AttemptStatus, BuildJob
from ujian.services.attempts import attempt_submit
from ujian.services.building import attempt_create, build_job_create
from ujian.services.recovery import (
    attempts_resend_stalled,
    build_jobs_resend_stalled,
    stalled_after,
)
from ujian.tasks import attempts_build_bulk_task


def _later(seconds: float = 1) -> timezone.datetime:
    return timezone.now() + stalled_after() + timedelta(seconds=seconds)


def test_a_lost_scoring_is_sent_again_after_the_brokers_own_redelivery_and_scores_once(
    started, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the task never reaches a worker
        attempt_submit(attempt_id=started.pk)
    assert Attempt.objects.get(pk=started.pk).status == AttemptStatus.SUBMITTED
    # Not before the broker could have redelivered it itself.
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_resend_stalled(now=timezone.now() + timedelta(seconds=60)) == 0
    assert Attempt.objects.get(pk=started.pk).status == AttemptStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert attempts_resend_stalled(now=_later()) == 1
    assert len(sent) == 1
    scored = Attempt.objects.get(pk=started.pk)
    assert scored.status == AttemptStatus.SCORED and scored.total is not None
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert attempts_resend_stalled(now=_later(3600)) == 0
    assert sent == []


def test_a_lost_build_is_sent_again(tryout, candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        attempt = attempt_create(tryout=tryout, user=candidate)
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.BUILDING
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_resend_stalled(now=_later()) == 1
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.READY


def test_each_attempt_gets_one_more_task_per_period_however_long_it_waits(
    started, django_capture_on_commit_callbacks
):
    # A backlog longer than the period (or a task lost twice): no pile of duplicates.
    with django_capture_on_commit_callbacks(execute=False):
        attempt_submit(attempt_id=started.pk)
    first = _later()
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert attempts_resend_stalled(now=first) == 1
        assert attempts_resend_stalled(now=first + timedelta(seconds=30)) == 0
        assert attempts_resend_stalled(now=first + stalled_after() + timedelta(seconds=1)) == 1
    assert len(sent) == 2


def test_rows_from_before_the_column_count_from_their_submit(
    started, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        attempt_submit(attempt_id=started.pk)
    Attempt.objects.filter(pk=started.pk).update(work_queued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_resend_stalled(now=_later()) == 1
    assert Attempt.objects.get(pk=started.pk).status == AttemptStatus.SCORED


def test_attempts_in_progress_ready_or_scored_are_left_alone(
    started, django_capture_on_commit_callbacks
):
    Attempt.objects.filter(pk=started.pk).update(work_queued_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert attempts_resend_stalled(now=_later()) == 0
    assert sent == []


def test_beat_runs_it_and_waits_longer_than_the_brokers_redelivery():
    entry = settings.CELERY_BEAT_SCHEDULE["resend-stalled-work"]
    assert entry["task"] == "ujian.tasks.attempts_resend_stalled_task"
    assert entry["task"] in app.tasks
    options = app.conf.broker_transport_options
    redelivery = options["visibility_timeout"] + options["unacked_restore_interval"]
    assert stalled_after().total_seconds() > redelivery


def test_a_lost_bulk_build_is_sent_again_and_finishes_the_job(
    tryout, django_capture_on_commit_callbacks
):
    ids = [u.pk for u in UserFactory.create_batch(4)]
    job = build_job_create(tryout=tryout, user_ids=ids)  # its task never reaches a worker
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert build_jobs_resend_stalled(now=timezone.now() + timedelta(seconds=60)) == 0
        assert build_jobs_resend_stalled(now=_later()) == 1
    assert len(sent) == 1
    job.refresh_from_db()
    assert job.finished_at is not None and (job.done, job.total) == (4, 4)
    assert Attempt.objects.filter(tryout=tryout).count() == 4
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert build_jobs_resend_stalled(now=_later(3600)) == 0
    assert sent == []


def test_a_bulk_build_the_bank_cannot_fill_says_so_and_is_not_sent_again(
    tryout, django_capture_on_commit_callbacks
):
    ids = [UserFactory().pk]
    job = build_job_create(tryout=tryout, user_ids=ids)
    Question.objects.all().delete()  # the bank emptied between the job and its task
    assert attempts_build_bulk_task.apply(args=(job.pk, ids)).get() == 0
    job = BuildJob.objects.get(pk=job.pk)
    assert job.error and job.finished_at is None
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert build_jobs_resend_stalled(now=_later()) == 0
    assert sent == []
