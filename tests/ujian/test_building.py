from __future__ import annotations

from collections import Counter

import pytest

from soal.models import Option, Question
from tests.factories import UserFactory, create_question, make_blueprint, make_tryout
from ujian.errors import UjianError
from ujian.models import Attempt, AttemptStatus, BuildJob, QuestionSnapshot
from ujian.services.building import (
    attempt_build,
    attempt_create,
    attempts_build_bulk,
    bank_problems,
    build_job_create,
)


def test_bank_that_cannot_fill_blueprint_fails_before_start(db, candidate):
    for i in range(12):
        create_question(subtest="TIU", stem=f"Deret angka {i}?")
    blueprint = make_blueprint(sections=(("TIU", "tiu", 35, 80),))
    tryout = make_tryout(blueprint)
    assert bank_problems(blueprint) == ["TIU: 12 soal terbit, kisi-kisi membutuhkan 35"]
    with pytest.raises(UjianError, match="TIU: 12 soal terbit, kisi-kisi membutuhkan 35"):
        attempt_create(tryout=tryout, user=candidate)
    assert not Attempt.objects.exists()


def test_drafts_do_not_count_towards_the_bank(db):
    for i in range(5):
        create_question(stem=f"Draf {i}", status="draft")
    blueprint = make_blueprint(sections=(("Pelayanan", "pelayanan-publik", 3, None),))
    assert bank_problems(blueprint) == ["Pelayanan: 0 soal terbit, kisi-kisi membutuhkan 3"]


def test_build_draws_per_section_and_freezes_order(started):
    assert started.status == AttemptStatus.IN_PROGRESS
    assert started.item_count == 5 == len(started.item_rows())
    labels = [started.sections[item[2]][0] for item in started.item_rows()]
    assert labels == ["Pelayanan"] * 3 + ["Jejaring"] * 2
    for _snapshot, order, _section in started.item_rows():
        assert sorted(order) == list("01234")
    snapshot_questions = [
        QuestionSnapshot.objects.get(pk=item[0]).question for item in started.item_rows()
    ]
    assert len(set(snapshot_questions)) == 5
    assert {q.aspect for q in snapshot_questions[:3]} == {"pelayanan-publik"}


def test_editing_the_bank_later_never_changes_the_attempt(started):
    snapshot = QuestionSnapshot.objects.get(pk=started.item_rows()[0][0])
    before = snapshot.data
    question = Question.objects.get(pk=snapshot.question_id)
    Option.objects.filter(question=question).update(score=1, text="diubah")
    question.stem = "Soal diubah setelah tryout"
    question.save()
    snapshot.refresh_from_db()
    assert snapshot.data == before
    assert "diubah" not in str(snapshot.data)


def test_build_task_twice_changes_nothing(tryout, candidate):
    attempt = attempt_create(tryout=tryout, user=candidate)  # on-commit task not run here
    assert attempt_build(attempt_id=attempt.pk, seed=1) is True
    items = Attempt.objects.get(pk=attempt.pk).items
    assert attempt_build(attempt_id=attempt.pk, seed=2) is False
    assert Attempt.objects.get(pk=attempt.pk).items == items


def test_second_start_resumes_the_unfinished_attempt(started, candidate):
    again = attempt_create(tryout=started.tryout, user=candidate)
    assert again.pk == started.pk
    assert Attempt.objects.count() == 1


def test_attempt_limit(tryout, candidate):
    tryout.max_attempts = 1
    tryout.save()
    Attempt.objects.create(tryout=tryout, user=candidate, status=AttemptStatus.SCORED)
    with pytest.raises(UjianError, match="sudah memakai semua 1 kesempatan"):
        attempt_create(tryout=tryout, user=candidate)


def test_prefers_questions_the_candidate_has_seen_least(bank, candidate):
    blueprint = make_blueprint(sections=(("Pelayanan", "pelayanan-publik", 3, None),))
    tryout = make_tryout(blueprint, max_attempts=5)
    first = attempt_create(tryout=tryout, user=candidate)
    attempt_build(attempt_id=first.pk, seed=7)
    first.refresh_from_db()
    first.status = AttemptStatus.SCORED
    first.save()
    second = attempt_create(tryout=tryout, user=candidate)
    attempt_build(attempt_id=second.pk, seed=8)
    second.refresh_from_db()
    seen = {QuestionSnapshot.objects.get(pk=i[0]).question_id for i in first.item_rows()}
    now = {QuestionSnapshot.objects.get(pk=i[0]).question_id for i in second.item_rows()}
    # Six pelayanan questions, three seen: the next attempt takes the three unseen ones.
    assert seen.isdisjoint(now)


def test_bulk_build_is_chunked_idempotent_and_reports_progress(tryout):
    users = [UserFactory().pk for _ in range(25)]
    job = build_job_create(tryout=tryout, user_ids=users)
    assert attempts_build_bulk(tryout=tryout, user_ids=users, job=job, chunk=10, seed=3) == 25
    job.refresh_from_db()
    assert (job.total, job.done) == (25, 25) and job.finished_at is not None
    assert Attempt.objects.filter(tryout=tryout, status=AttemptStatus.READY).count() == 25
    # Running it again creates nothing twice.
    assert attempts_build_bulk(tryout=tryout, user_ids=users, chunk=10) == 0
    assert Attempt.objects.filter(tryout=tryout).count() == 25
    counts = Counter(len(a.item_rows()) for a in Attempt.objects.filter(tryout=tryout))
    assert counts == {5: 25}
    assert BuildJob.objects.count() == 1


def test_extra_attempts_raise_the_limit_for_this_user_only(tryout, candidate):
    tryout.max_attempts = 1
    tryout.save()
    Attempt.objects.create(tryout=tryout, user=candidate, status=AttemptStatus.SCORED)
    second = attempt_create(tryout=tryout, user=candidate, extra_attempts=1)
    assert second.number == 2 and second.status == AttemptStatus.BUILDING
    Attempt.objects.filter(pk=second.pk).update(status=AttemptStatus.SCORED)
    with pytest.raises(UjianError, match="sudah memakai semua 2 kesempatan"):
        attempt_create(tryout=tryout, user=candidate, extra_attempts=1)
    assert tryout.max_attempts == 1


def test_a_redelivered_bulk_build_counts_progress_once(tryout):
    """The worker died after the first chunk; the task runs again from the start (Celery
    redelivers it): the missing attempts are built and the progress ends at total, not beyond."""
    users = [UserFactory().pk for _ in range(25)]
    job = build_job_create(tryout=tryout, user_ids=users)
    # The first chunk committed, then the worker was killed (before the end of the task).
    attempts_build_bulk(tryout=tryout, user_ids=users[:10], job=job, chunk=10, seed=3)
    BuildJob.objects.filter(pk=job.pk).update(finished_at=None)
    job.refresh_from_db()
    assert job.done == 10
    assert attempts_build_bulk(tryout=tryout, user_ids=users, job=job, chunk=10, seed=3) == 15
    job.refresh_from_db()
    assert (job.total, job.done) == (25, 25) and job.finished_at is not None
    assert Attempt.objects.filter(tryout=tryout).values("user").distinct().count() == 25
    assert Attempt.objects.filter(tryout=tryout).count() == 25
