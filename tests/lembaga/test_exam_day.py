"""Exam-day rules on the candidate's side: one device per attempt, the proctor's unlock, added
minutes reaching the page, presence and focus-loss evidence — through HTTP as the page does."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lembaga.models import AuditEntry, Candidate
from lembaga.services import actions, sessions
from lembaga.services.tokens import token_current
from ujian.models import Answer, Attempt

pytestmark = pytest.mark.django_db


def exam_config(response) -> dict:
    html = response.content.decode()
    return json.loads(html.split('id="exam-config" type="application/json">')[1].split("</")[0])


def save(client: Client, attempt: Attempt, token: str, position: int, choice: int, seq: int):
    return client.post(
        reverse("ujian:save", args=[attempt.uuid]),
        data=json.dumps({"position": position, "choice": choice, "flagged": False, "seq": seq}),
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=token,
    )


@pytest.fixture
def entered(exam_session, seated):
    """The first candidate has typed the token; their exam is running."""
    return sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )


def device(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_second_device_is_locked_out_until_the_proctor_unlocks(
    exam_session, seated, proctor, entered
):
    phone, laptop = device(seated[0]), device(seated[0])
    url = reverse("ujian:attempt", args=[entered.uuid])
    first = phone.get(url)
    assert first.status_code == 200
    old_token = exam_config(first)["token"]
    assert save(phone, entered, old_token, 0, 1, 10).json()["status"] == "saved"

    blocked = laptop.get(url)
    assert blocked.status_code == 423
    assert "minta pengawas membuka kunci" in blocked.content.decode().lower()
    assert 'id="exam-config"' not in blocked.content.decode()  # no token for the second device
    assert sessions.console_counts(exam_session)["locked"] == 1
    rows, _total = sessions.console_rows(exam_session)
    assert rows[0].locked and rows[0].number == "G-001"  # the waiting candidate comes first

    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="unlock",
        candidate_ids=[Candidate.objects.get(user=seated[0]).pk],
        reason="Laptop peserta rusak, pindah ke cadangan",
    )
    reopened = laptop.get(url)
    assert reopened.status_code == 200
    new_token = exam_config(reopened)["token"]
    assert save(laptop, entered, new_token, 1, 2, 20).json()["status"] == "saved"
    # The old device's token no longer writes; what it saved before stays.
    refused = save(phone, entered, old_token, 2, 3, 30)
    assert refused.status_code == 403 and refused.json()["status"] == "locked"
    stored = dict(Answer.objects.filter(attempt=entered).values_list("position", "choice"))
    assert stored == {0: 1, 1: 2}
    # And the old device's page cannot come back either: the laptop holds the lock now.
    assert phone.get(url).status_code == 423
    assert AuditEntry.objects.filter(action="unlock").count() == 1


def test_unlock_refused_when_nothing_is_locked(exam_session, seated, proctor):
    from lembaga.errors import LembagaError

    with pytest.raises(LembagaError, match="tidak sedang terkunci"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="unlock",
            candidate_ids=[Candidate.objects.get(user=seated[1]).pk],
            reason="uji",
        )


def test_public_tryouts_keep_no_device_lock(candidate, started_public):
    url = reverse("ujian:attempt", args=[started_public.uuid])
    assert device(candidate).get(url).status_code == 200
    assert device(candidate).get(url).status_code == 200


@pytest.fixture
def started_public(candidate):
    from tests.factories import make_bank, make_tryout
    from ujian.services.attempts import attempt_start
    from ujian.services.building import attempt_build, attempt_create

    make_bank()
    attempt = attempt_create(tryout=make_tryout(), user=candidate)
    attempt_build(attempt_id=attempt.pk)
    return attempt_start(attempt=Attempt.objects.get(pk=attempt.pk))


def test_added_minutes_reach_the_page_with_the_next_save_and_heartbeat(
    exam_session, seated, proctor, entered
):
    phone = device(seated[0])
    config = exam_config(phone.get(reverse("ujian:attempt", args=[entered.uuid])))
    before = config["deadline"]
    first = save(phone, entered, config["token"], 0, 0, 5).json()
    assert first["deadline"] == before
    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="add_minutes",
        candidate_ids=[Candidate.objects.get(user=seated[0]).pk],
        reason="Gangguan listrik",
        minutes=5,
    )
    after = save(phone, entered, config["token"], 1, 0, 6).json()
    assert after["deadline"] - before == 5 * 60 * 1000
    beat = phone.post(
        config["heartbeatUrl"],
        data=json.dumps({"focus": 0}),
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=config["token"],
    ).json()
    assert beat["deadline"] - before == 5 * 60 * 1000


def test_heartbeat_records_presence_and_focus_losses(exam_session, seated, entered):
    phone = device(seated[0])
    config = exam_config(phone.get(reverse("ujian:attempt", args=[entered.uuid])))
    for focus in (2, 1):
        response = phone.post(
            config["heartbeatUrl"],
            data=json.dumps({"focus": focus}),
            content_type="application/json",
            HTTP_X_ATTEMPT_TOKEN=config["token"],
        )
        assert response.status_code == 200
    attempt = Attempt.objects.get(pk=entered.pk)
    assert attempt.focus_losses == 3 and attempt.last_seen_at is not None
    assert attempt.page_loads == 1
    bad = phone.post(
        config["heartbeatUrl"],
        data=json.dumps({"focus": "banyak"}),
        content_type="application/json",
        HTTP_X_ATTEMPT_TOKEN=config["token"],
    )
    assert bad.status_code == 400
    rows, _ = sessions.console_rows(exam_session)
    row = next(r for r in rows if r.number == "G-001")
    assert row.focus_losses == 3 and not row.disconnected


def test_a_silent_candidate_shows_as_disconnected(exam_session, seated, entered):
    Attempt.objects.filter(pk=entered.pk).update(
        last_seen_at=entered.started_at - timedelta(minutes=5)
    )
    assert sessions.console_counts(exam_session)["disconnected"] == 1
    rows, _ = sessions.console_rows(exam_session)
    assert rows[0].disconnected


def test_an_ip_change_is_counted(exam_session, seated, entered):
    phone = device(seated[0])
    url = reverse("ujian:attempt", args=[entered.uuid])
    phone.get(url, REMOTE_ADDR="10.0.0.5")
    phone.get(url, REMOTE_ADDR="10.0.0.5")
    phone.get(url, REMOTE_ADDR="10.0.0.9")
    attempt = Attempt.objects.get(pk=entered.pk)
    assert (attempt.page_loads, attempt.ip_changes) == (3, 1)


def test_reopen_a_submitted_attempt_within_the_window(exam_session, seated, proctor, entered):
    from django.utils import timezone

    from ujian.services.attempts import attempt_submit
    from ujian.services.scoring import attempt_score

    save_client = device(seated[0])
    config = exam_config(save_client.get(reverse("ujian:attempt", args=[entered.uuid])))
    save(save_client, entered, config["token"], 0, 1, 10)
    attempt_submit(attempt_id=entered.pk)
    attempt_score(attempt_id=entered.pk)
    candidate_id = Candidate.objects.get(user=seated[0]).pk
    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="reopen",
        candidate_ids=[candidate_id],
        reason="Tertekan tombol Selesai",
        minutes=10,
    )
    reopened = Attempt.objects.get(pk=entered.pk)
    assert reopened.status == "in_progress" and reopened.total is None
    left = (reopened.deadline - timezone.now()).total_seconds()
    assert 9 * 60 < left <= 10 * 60
    assert Answer.objects.get(attempt=entered, position=0).choice == 1  # answers kept
    assert save(save_client, entered, config["token"], 1, 2, 11).json()["status"] == "saved"
    # Not while it is still running; and never once the session has closed.
    from lembaga.errors import LembagaError

    with pytest.raises(LembagaError, match="belum diserahkan"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="reopen",
            candidate_ids=[candidate_id],
            reason="lagi",
            minutes=10,
        )
    attempt_submit(attempt_id=entered.pk)
    exam_session.tryout.closes_at = timezone.now() - timedelta(seconds=1)
    exam_session.tryout.opens_at = timezone.now() - timedelta(hours=1)
    exam_session.tryout.save()
    with pytest.raises(LembagaError):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="reopen",
            candidate_ids=[candidate_id],
            reason="terlambat",
            minutes=10,
        )


def test_minutes_for_a_whole_cohort_through_the_console_form(exam_session, seated, proctor):
    for user in seated:
        sessions.session_enter(session=exam_session, user=user, token=token_current(exam_session))
    before = dict(Attempt.objects.values_list("user_id", "deadline"))
    console = device(proctor)
    console.post(
        reverse("lembaga:session_action", args=["garuda", exam_session.uuid]),
        {
            "action": "add_minutes",
            "cohort": str(exam_session.cohorts.get().uuid),
            "minutes": 15,
            "reason": "Ujian mulai terlambat untuk seluruh kelas",
        },
    )
    after = dict(Attempt.objects.values_list("user_id", "deadline"))
    assert {u: after[u] - before[u] for u in before} == dict.fromkeys(before, timedelta(minutes=15))
    assert AuditEntry.objects.filter(action="add_minutes").count() == 3


def test_another_window_lets_a_late_candidate_start_after_the_session_closed(
    exam_session, seated, proctor
):
    from django.utils import timezone

    from lembaga.errors import LembagaError

    late = seated[2]
    closed = exam_session.ends_at + timedelta(minutes=5)
    with pytest.raises(LembagaError, match="sudah ditutup"):
        sessions.session_enter(
            session=exam_session, user=late, token=token_current(exam_session, closed), now=closed
        )
    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="extend_window",
        candidate_ids=[Candidate.objects.get(user=late).pk],
        reason="Terlambat karena banjir, disetujui panitia",
        minutes=60,
    )
    window = Candidate.objects.get(user=late).window_ends_at
    assert window >= exam_session.ends_at + timedelta(minutes=60)
    attempt = sessions.session_enter(
        session=exam_session, user=late, token=token_current(exam_session, closed), now=closed
    )
    assert attempt.status == "in_progress"
    assert attempt.deadline <= window  # the personal window caps the deadline
    # The others' window is unchanged.
    with pytest.raises(LembagaError, match="sudah ditutup"):
        sessions.session_enter(
            session=exam_session,
            user=seated[1],
            token=token_current(exam_session, closed),
            now=closed,
        )
    # A candidate already working gets minutes on the attempt instead, not a window.
    with pytest.raises(LembagaError, match="sudah menyelesaikan"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="extend_window",
            candidate_ids=[Candidate.objects.get(user=late).pk],
            reason="lagi",
            minutes=10,
        )
    assert timezone.now() < window
