"""The proctor's "another attempt" override: granted per candidate and session with a reason,
refused while the exam is unused or running or once the window is over, built at the door as
attempt 2; the session's results count the newest submitted attempt."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lembaga.errors import LembagaError
from lembaga.models import AttemptGrant, AuditEntry, Candidate
from lembaga.services import actions, results, sessions
from lembaga.services.tokens import token_current
from ujian.models import Attempt, AttemptStatus
from ujian.services.attempts import attempt_submit
from ujian.services.results import history
from ujian.services.scoring import attempt_score

pytestmark = pytest.mark.django_db


def _sit(session, user) -> Attempt:
    """The candidate types the token, hands in, and the attempt is scored."""
    attempt = sessions.session_enter(session=session, user=user, token=token_current(session))
    attempt_submit(attempt_id=attempt.pk)
    attempt_score(attempt_id=attempt.pk)
    return Attempt.objects.get(pk=attempt.pk)


def _grant(
    session, actor, user, reason: str = "Perangkat mati di tengah ujian", action="grant_attempt"
) -> int:
    return actions.proctor_act(
        session=session,
        actor=actor,
        action=action,
        candidate_ids=[Candidate.objects.get(user=user).pk],
        reason=reason,
    )


def _extra(session, user) -> int:
    return sessions.extra_attempts_of(session, Candidate.objects.get(user=user))


def test_grant_is_audited_and_the_door_builds_attempt_two_keeping_the_first(
    exam_session, proctor, seated
):
    first = _sit(exam_session, seated[0])
    assert first.number == 1 and first.status == AttemptStatus.SCORED
    # Without a grant the door hands back the finished attempt, as before.
    again = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert again.pk == first.pk

    assert _grant(exam_session, proctor, seated[0], "Salah orang di meja 12") == 1
    entry = AuditEntry.objects.get(action="grant_attempt")
    assert (entry.actor, entry.target, entry.reason, entry.data) == (
        proctor,
        seated[0],
        "Salah orang di meja 12",
        {"attempt": 2},
    )
    assert entry.created_at is not None
    assert _extra(exam_session, seated[0]) == 1
    rows, _total = sessions.console_rows(exam_session)
    assert {r.number: r.another_attempt for r in rows} == {
        "G-001": True,
        "G-002": False,
        "G-003": False,
    }
    # The tryout is the same for everyone: the grant is the candidate's.
    exam_session.tryout.refresh_from_db()
    assert exam_session.tryout.max_attempts == 1

    second = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert second.number == 2 and second.status == AttemptStatus.IN_PROGRESS
    assert second.pk != first.pk and second.item_count == first.item_count
    kept = Attempt.objects.get(pk=first.pk)
    assert (kept.status, kept.total, kept.result, kept.submitted_at) == (
        first.status,
        first.total,
        first.result,
        first.submitted_at,
    )
    assert first in history(seated[0])
    # Entering again resumes attempt 2; it never opens a third.
    assert (
        sessions.session_enter(
            session=exam_session, user=seated[0], token=token_current(exam_session)
        ).pk
        == second.pk
    )
    assert Attempt.objects.filter(tryout=exam_session.tryout, user=seated[0]).count() == 2


def test_without_a_grant_the_limit_still_holds_at_the_door_for_others(
    exam_session, proctor, seated
):
    _sit(exam_session, seated[0])
    _sit(exam_session, seated[1])
    _grant(exam_session, proctor, seated[0])
    assert _extra(exam_session, seated[1]) == 0
    unchanged = sessions.session_enter(
        session=exam_session, user=seated[1], token=token_current(exam_session)
    )
    assert unchanged.number == 1 and unchanged.status == AttemptStatus.SCORED


def test_refused_while_the_attempt_is_in_progress(exam_session, proctor, seated):
    sessions.session_enter(session=exam_session, user=seated[0], token=token_current(exam_session))
    with pytest.raises(
        LembagaError, match="Tidak ada yang berubah: ujian peserta masih berlangsung"
    ):
        _grant(exam_session, proctor, seated[0])
    assert not AuditEntry.objects.exists()
    assert not AttemptGrant.objects.exists()


def test_refused_when_the_first_attempt_is_not_used_yet(exam_session, proctor, seated):
    with pytest.raises(LembagaError, match="belum memakai percobaannya"):
        _grant(exam_session, proctor, seated[2])
    assert not AuditEntry.objects.exists()
    assert not Attempt.objects.filter(user=seated[2]).exists()


def test_a_second_grant_before_the_first_is_used_changes_nothing(exam_session, proctor, seated):
    _sit(exam_session, seated[0])
    _grant(exam_session, proctor, seated[0])
    with pytest.raises(LembagaError, match="masih punya percobaan yang belum dipakai"):
        _grant(exam_session, proctor, seated[0], "lagi")
    assert _extra(exam_session, seated[0]) == 1
    assert AuditEntry.objects.filter(action="grant_attempt").count() == 1


def test_a_used_grant_can_be_followed_by_another_one(exam_session, proctor, seated):
    _sit(exam_session, seated[0])
    _grant(exam_session, proctor, seated[0])
    second = _sit(exam_session, seated[0])
    assert second.number == 2
    _grant(exam_session, proctor, seated[0], "Perangkat cadangan juga mati")
    assert _extra(exam_session, seated[0]) == 2
    assert AttemptGrant.objects.get().extra_attempts == 2  # one row, raised with F()
    third = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert third.number == 3 and third.status == AttemptStatus.IN_PROGRESS
    assert list(
        AuditEntry.objects.filter(action="grant_attempt")
        .order_by("created_at", "pk")
        .values_list("data", flat=True)
    ) == [{"attempt": 2}, {"attempt": 3}]


def _close_session(session) -> None:
    now = timezone.now()
    session.starts_at, session.ends_at = now - timedelta(hours=3), now - timedelta(seconds=1)
    session.save(update_fields=["starts_at", "ends_at"])
    session.tryout.opens_at, session.tryout.closes_at = session.starts_at, session.ends_at
    session.tryout.save(update_fields=["opens_at", "closes_at"])


def test_refused_after_the_window_unless_the_personal_window_is_still_open(
    exam_session, proctor, seated
):
    _sit(exam_session, seated[0])
    _close_session(exam_session)
    with pytest.raises(LembagaError, match="jendela sesi peserta sudah ditutup"):
        _grant(exam_session, proctor, seated[0])
    assert not AuditEntry.objects.exists() and _extra(exam_session, seated[0]) == 0

    # A personal window still open (another override) lets the grant through, and the new
    # attempt's deadline stays inside that window.
    personal = timezone.now() + timedelta(minutes=20)
    Candidate.objects.filter(user=seated[0]).update(window_ends_at=personal)
    assert _grant(exam_session, proctor, seated[0]) == 1
    second = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert second.number == 2 and second.deadline <= personal


def test_a_whole_cohort_through_the_console_form_skips_who_is_still_working(
    exam_session, proctor, seated
):
    _sit(exam_session, seated[0])
    _sit(exam_session, seated[1])
    sessions.session_enter(session=exam_session, user=seated[2], token=token_current(exam_session))
    console = Client()
    console.force_login(proctor)
    response = console.post(
        reverse("lembaga:session_action", args=["garuda", exam_session.uuid]),
        {
            "action": "grant_attempt",
            "cohort": str(exam_session.cohorts.get().uuid),
            "minutes": 5,
            "reason": "Soal kelas ini tampil rusak, diulang seluruh kelas",
        },
        follow=True,
    )
    assert "Tindakan diterapkan pada 2 peserta" in response.content.decode()
    assert [_extra(exam_session, u) for u in seated] == [1, 1, 0]
    assert set(
        AuditEntry.objects.filter(action="grant_attempt").values_list("target", flat=True)
    ) == {seated[0].pk, seated[1].pk}


def test_a_pengawas_of_another_session_gets_404_and_changes_nothing(
    exam_session, other_proctor, seated
):
    _sit(exam_session, seated[0])
    outsider = Client()
    outsider.force_login(other_proctor)
    response = outsider.post(
        reverse("lembaga:session_action", args=["garuda", exam_session.uuid]),
        {
            "action": "grant_attempt",
            "candidates": [Candidate.objects.get(user=seated[0]).pk],
            "reason": "bukan sesi saya",
        },
    )
    assert response.status_code == 404
    assert not AttemptGrant.objects.exists() and not AuditEntry.objects.exists()


def test_the_enter_page_says_another_attempt_was_given(exam_session, proctor, seated):
    _sit(exam_session, seated[0])
    door = Client()
    door.force_login(seated[0])
    url = reverse("lembaga:enter", args=["garuda", exam_session.uuid])
    before = door.get(url).content.decode()
    assert "Lihat hasil" in before and "percobaan lagi" not in before
    _grant(exam_session, proctor, seated[0])
    page = door.get(url).content.decode()
    assert "Pengawas memberi Anda percobaan lagi (percobaan ke-2)" in page
    assert 'name="token"' in page and "Lihat hasil" not in page
    response = door.post(url, {"token": token_current(exam_session)})
    second = Attempt.objects.get(tryout=exam_session.tryout, user=seated[0], number=2)
    assert response.status_code == 302 and str(second.uuid) in response.url


def test_results_console_and_export_use_the_newest_submitted_attempt(
    client, exam_session, proctor, garuda_admin, seated
):
    first = _sit(exam_session, seated[0])
    _sit(exam_session, seated[1])
    _grant(exam_session, proctor, seated[0])
    second = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    # While attempt 2 runs the console shows it (the candidate counted once) and the ranking
    # still has attempt 1: it is the newest one handed in.
    counts = sessions.console_counts(exam_session)
    assert (counts["in_progress"], counts["submitted"], counts["not_started"]) == (1, 1, 1)
    rows, _total = sessions.console_rows(exam_session)
    row = next(r for r in rows if r.attempt_uuid == str(second.uuid))
    assert (row.state, row.attempt_number) == ("in_progress", 2)
    mine = [r for r in results.ranking(exam_session) if r.number == "G-001"]
    assert [(r.attempt_uuid, r.attempt_number) for r in mine] == [(str(first.uuid), 1)]

    attempt_submit(attempt_id=second.pk)
    # Handed in but not scored yet (the task takes under a minute): attempt 1 no longer
    # counts and attempt 2 has no score, so the candidate has no row rather than a stale one.
    assert "G-001" not in {r.number for r in results.ranking(exam_session)}
    attempt_score(attempt_id=second.pk)
    ranking = results.ranking(exam_session)
    mine = [r for r in ranking if r.number == "G-001"]
    assert len(mine) == 1 and (mine[0].attempt_uuid, mine[0].attempt_number) == (
        str(second.uuid),
        2,
    )
    assert results.summary(exam_session)["count"] == 2
    export = list(results.export_rows(exam_session))
    assert export[0][-1] == "percobaan"
    assert {r[1]: r[-1] for r in export[1:]} == {"G-001": 2, "G-002": 1}

    client.force_login(proctor)
    console = client.get(reverse("lembaga:session", args=["garuda", exam_session.uuid]))
    assert "percobaan 2" in console.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_proctors_granting_at_once_grant_once(exam_session, proctor, other_proctor, seated):
    _sit(exam_session, seated[2])
    exam_session.proctors.add(other_proctor)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(actor):
        barrier.wait()
        try:
            outcomes.append(_grant(exam_session, actor, seated[2], "bersamaan"))
        except LembagaError:
            outcomes.append(0)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(a,)) for a in (proctor, other_proctor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [0, 1]
    assert _extra(exam_session, seated[2]) == 1
    assert AuditEntry.objects.filter(action="grant_attempt").count() == 1


def _revoke(session, actor, user, reason: str = "Salah centang") -> int:
    return _grant(session, actor, user, reason, action="revoke_attempt")


def test_an_extra_attempt_is_taken_back_only_while_the_candidate_has_not_opened_it(
    exam_session, proctor, seated
):
    _sit(exam_session, seated[0])
    _grant(exam_session, proctor, seated[0])
    assert _revoke(exam_session, proctor, seated[0]) == 1
    assert _extra(exam_session, seated[0]) == 0
    entry = AuditEntry.objects.get(action="revoke_attempt")
    assert (entry.target, entry.reason, entry.data) == (
        seated[0],
        "Salah centang",
        {"extra_left": 0},
    )
    # The door hands back the finished attempt: no attempt 2.
    again = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert again.number == 1

    # Granted again, and this time the candidate typed the token: the grant stays.
    _grant(exam_session, proctor, seated[0])
    second = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert second.number == 2
    with pytest.raises(LembagaError, match="sudah membuka percobaan tambahannya"):
        _revoke(exam_session, proctor, seated[0])
    attempt_submit(attempt_id=second.pk)
    with pytest.raises(LembagaError, match="percobaan tambahan peserta sudah dipakai"):
        _revoke(exam_session, proctor, seated[0])
    assert _extra(exam_session, seated[0]) == 1
    assert AuditEntry.objects.filter(action="revoke_attempt").count() == 1


def test_taking_back_without_a_grant_changes_nothing(exam_session, proctor, seated):
    _sit(exam_session, seated[0])
    with pytest.raises(LembagaError, match="tidak punya percobaan tambahan"):
        _revoke(exam_session, proctor, seated[0])
    assert not AttemptGrant.objects.exists()
    assert not AuditEntry.objects.filter(action="revoke_attempt").exists()
