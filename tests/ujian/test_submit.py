from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from tests.factories import UserFactory, make_bank, make_tryout
from ujian.models import Attempt, AttemptStatus, SubmitReason
from ujian.services.attempts import (
    answer_save,
    attempt_extend,
    attempt_start,
    attempt_submit,
    attempts_expire_overdue,
)
from ujian.services.building import attempt_build, attempt_create
from ujian.services.scoring import attempt_score


def answer_all(attempt, user, choice=0):
    for position in range(attempt.item_count):
        answer_save(
            attempt_uuid=attempt.uuid,
            user_id=user.pk,
            position=position,
            choice=choice,
            flagged=False,
            seq=position + 1,
        )


def test_deadline_is_start_plus_duration_or_the_close(tryout, candidate):
    attempt = attempt_create(tryout=tryout, user=candidate)
    attempt_build(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    start = tryout.opens_at + timedelta(minutes=1)
    tryout.closes_at = start + timedelta(minutes=4)  # closes before the 10 minutes run out
    tryout.save()
    started = attempt_start(attempt=attempt, now=start)
    assert started.deadline == tryout.closes_at
    assert started.started_at == start


def test_a_start_counts_minutes_added_after_the_attempt_was_read(tryout, candidate):
    attempt = attempt_create(tryout=tryout, user=candidate)
    attempt_build(attempt_id=attempt.pk)
    attempt.refresh_from_db()  # ready, with the blueprint's duration
    assert attempt_extend(attempt_id=attempt.pk, seconds=300)  # a proctor, meanwhile
    start = tryout.opens_at + timedelta(minutes=1)
    started = attempt_start(attempt=attempt, now=start)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.deadline == started.deadline == start + timedelta(seconds=stored.duration_seconds)
    assert stored.duration_seconds == attempt.duration_seconds + 300


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_fix_one_deadline(needs_postgres):
    make_bank()
    user = UserFactory()
    tryout = make_tryout()
    attempt = attempt_create(tryout=tryout, user=user)  # transaction=True: task ran on commit
    attempt.refresh_from_db()
    base = tryout.opens_at + timedelta(minutes=1)
    results, barrier = {}, threading.Barrier(2)

    def start(k: int):
        barrier.wait()
        try:  # each tab holds its own copy of the ready attempt
            results[k] = attempt_start(
                attempt=Attempt.objects.get(pk=attempt.pk), now=base + timedelta(seconds=k)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == AttemptStatus.IN_PROGRESS
    assert {r.deadline for r in results.values()} == {stored.deadline}
    assert stored.started_at in {base, base + timedelta(seconds=1)}


def test_submit_scores_once_even_when_called_twice(
    started, candidate, django_capture_on_commit_callbacks
):
    answer_all(started, candidate)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert attempt_submit(attempt_id=started.pk) is True
        assert attempt_submit(attempt_id=started.pk) is False
    assert len(callbacks) == 1  # one scoring task enqueued
    started.refresh_from_db()
    assert started.status == AttemptStatus.SCORED
    first = started.result
    assert attempt_score(attempt_id=started.pk) is False  # a retried task changes nothing
    started.refresh_from_db()
    assert started.result == first


def test_scoring_uses_the_frozen_option_order(
    started, candidate, django_capture_on_commit_callbacks
):
    # Choose, in every item, the displayed option whose original position scores 5.
    from ujian.models import QuestionSnapshot

    for position, (snapshot_id, order, _s) in enumerate(started.item_rows()):
        data = QuestionSnapshot.objects.get(pk=snapshot_id).data
        shown = next(i for i, o in enumerate(order) if data["options"][int(o)]["score"] == 5)
        answer_save(
            attempt_uuid=started.uuid,
            user_id=candidate.pk,
            position=position,
            choice=shown,
            flagged=False,
            seq=position + 1,
        )
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=started.pk)
    started.refresh_from_db()
    assert started.total == 25 == started.result["maximum"]
    assert started.passed is True
    assert started.result["weakest"] == []


def test_unanswered_items_score_zero(started, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=started.pk)
    started.refresh_from_db()
    assert started.total == 0
    assert started.result["sections"][0]["passed"] is False
    assert started.result["principles"] == []


def test_beat_task_submits_an_abandoned_attempt(started, django_capture_on_commit_callbacks):
    assert attempts_expire_overdue(now=started.deadline - timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_expire_overdue(now=started.deadline + timedelta(seconds=30)) == 1
    started.refresh_from_db()
    assert started.status == AttemptStatus.SCORED
    assert started.submit_reason == SubmitReason.TIMEOUT
    assert started.submitted_at == started.deadline


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_score_once(needs_postgres):
    make_bank()
    user = UserFactory()
    tryout = make_tryout()
    attempt = attempt_create(tryout=tryout, user=user)  # transaction=True: task ran on commit
    attempt.refresh_from_db()
    attempt = attempt_start(attempt=attempt)
    results, barrier = [], threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            results.append(attempt_submit(attempt_id=attempt.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED
    assert Attempt.objects.filter(status=AttemptStatus.SCORED).count() == 1
