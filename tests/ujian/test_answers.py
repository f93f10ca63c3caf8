from __future__ import annotations

from datetime import timedelta

from ujian.models import Answer
from ujian.services.attempts import CLOSED, INVALID, NOT_FOUND, SAVED, STALE, answer_save


def save(attempt, user, **kw):
    values = {"position": 0, "choice": 1, "flagged": False, "seq": 1}
    values.update(kw)
    return answer_save(attempt_uuid=attempt.uuid, user_id=user.pk, **values)


def test_saving_is_idempotent(started, candidate):
    assert save(started, candidate, seq=1).status == SAVED
    assert save(started, candidate, seq=1).status == SAVED  # a retry of the same save
    answer = Answer.objects.get(attempt=started, position=0)
    assert (answer.choice, answer.seq) == (1, 1)


def test_a_late_older_save_never_overwrites_a_newer_one(started, candidate):
    assert save(started, candidate, choice=3, seq=5).status == SAVED
    assert save(started, candidate, choice=1, seq=4).status == STALE
    assert Answer.objects.get(attempt=started, position=0).choice == 3
    # Sequences are per attempt, compared per item: an older save for another item still lands.
    assert save(started, candidate, position=1, choice=2, seq=3).status == SAVED
    assert Answer.objects.get(attempt=started, position=1).choice == 2


def test_flag_and_clear(started, candidate):
    save(started, candidate, choice=None, flagged=True, seq=1)
    answer = Answer.objects.get(attempt=started, position=0)
    assert answer.choice is None and answer.flagged


def test_answers_after_the_deadline_are_refused(started, candidate, settings):
    settings.CPNS_ANSWER_GRACE_SECONDS = 5
    within_grace = started.deadline + timedelta(seconds=4)
    assert save(started, candidate, seq=1, now=within_grace).status == SAVED
    late = started.deadline + timedelta(seconds=6)
    result = save(started, candidate, seq=2, choice=4, now=late)
    assert result.status == CLOSED
    assert "Waktu ujian sudah habis" in result.message
    assert Answer.objects.get(attempt=started, position=0).choice == 1


def test_another_users_attempt_is_not_found(started, other_candidate):
    assert save(started, other_candidate).status == NOT_FOUND
    assert not Answer.objects.exists()


def test_bad_input_changes_nothing(started, candidate):
    assert save(started, candidate, position=99).status == INVALID
    assert save(started, candidate, choice=7).status == INVALID
    assert save(started, candidate, seq=0).status == INVALID
    assert not Answer.objects.exists()
