"""Enrolment, sessions, the token door and the proctor's actions, through the services."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from openpyxl import Workbook

from cpns.models import User
from lembaga.errors import LembagaError
from lembaga.models import AuditEntry, Candidate, Cohort
from lembaga.services import actions, enrolment, sessions
from lembaga.services.tokens import token_current
from tests.factories import UserFactory, make_blueprint
from ujian.models import Attempt, AttemptStatus, SubmitReason

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- import -------------------------------------------------------------------------------------


def test_import_creates_accounts_cohorts_and_numbers_and_links_existing(
    garuda, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="lama@example.com")
    content = xlsx(
        [
            ["Nama", "E-mail", "Nomor Peserta", "Kelas"],
            ["Ani", "ani@example.com", "A-001", "Kelas A"],
            ["Budi", "BUDI@example.com", "", "Kelas A"],
            ["Lama", "lama@example.com", "", "Kelas B"],
        ]
    )
    preview = enrolment.candidates_parse(institution=garuda, filename="p.xlsx", content=content)
    assert preview.ok and preview.existing_accounts == 1
    assert preview.new_cohorts == ["Kelas A", "Kelas B"]
    with django_capture_on_commit_callbacks(execute=True):
        counts = enrolment.candidates_import(institution=garuda, preview=preview)
    assert counts == {"created": 3, "updated": 0, "new_accounts": 2}
    assert User.objects.filter(email__in=["ani@example.com", "budi@example.com"]).count() == 2
    assert Candidate.objects.get(user=existing).cohort.name == "Kelas B"
    numbers = set(Candidate.objects.values_list("number", flat=True))
    assert "A-001" in numbers and len(numbers) == 3
    assert not User.objects.get(email="ani@example.com").has_usable_password()
    # New accounts get a set-password link by e-mail (eager Celery in tests).
    assert sorted(m.to[0] for m in mail.outbox) == ["ani@example.com", "budi@example.com"]
    assert "/akun/reset/" in mail.outbox[0].body


def test_import_with_a_bad_row_imports_nothing_and_names_the_rows(garuda):
    content = b"nama,email,nomor_peserta,kelas\nAni,ani@example.com,1,A\n,bukan-email,1,A\n"
    preview = enrolment.candidates_parse(institution=garuda, filename="p.csv", content=content)
    assert not preview.ok
    joined = " ".join(preview.errors)
    assert "Baris 3: nama kosong" in joined
    assert "Baris 3: e-mail" in joined
    assert "Baris 3: nomor peserta 1 sudah ada di baris 2" in joined
    with pytest.raises(LembagaError):
        enrolment.candidates_import(institution=garuda, preview=preview)
    assert not Candidate.objects.exists() and not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.pdf", b"%PDF", "harus .xlsx atau .csv"),
        ("p.xlsx", b"not a zip", "tidak dapat dibaca"),
        ("p.csv", "nama;email\n".encode("utf-16"), "UTF-8"),
    ],
)
def test_broken_files_get_a_clear_message(garuda, name, content, message):
    with pytest.raises(LembagaError, match=message):
        enrolment.candidates_parse(institution=garuda, filename=name, content=content)


def test_missing_columns_are_reported(garuda):
    preview = enrolment.candidates_parse(
        institution=garuda, filename="p.csv", content=b"nama,telepon\nAni,0812\n"
    )
    assert preview.errors and "email" in preview.errors[0]


def test_number_taken_by_another_candidate_is_refused(garuda, cohort):
    from tests.lembaga.conftest import enrol

    enrol(garuda, cohort, "x@example.com", "N-1")
    preview = enrolment.candidates_parse(
        institution=garuda, filename="p.csv", content=b"nama,email,nomor_peserta\nY,y@ex.com,N-1\n"
    )
    assert "sudah dipakai peserta lain" in preview.errors[0]


def test_removing_a_candidate_keeps_their_results(exam_session, seated):
    candidate = Candidate.objects.get(user=seated[0])
    attempt = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    enrolment.candidate_remove(candidate=candidate)
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    assert Candidate.objects.get(pk=candidate.pk).removed_at is not None


# --- sessions -----------------------------------------------------------------------------------


def test_a_session_the_bank_cannot_fill_is_refused(garuda, cohort):
    blueprint = make_blueprint(slug="kosong")
    blueprint.is_preset = True
    blueprint.save()
    now = timezone.now()
    with pytest.raises(LembagaError, match="Bank soal belum cukup"):
        sessions.session_create(
            institution=garuda,
            blueprint=blueprint,
            name="Sesi",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            cohorts=[cohort],
        )


def test_another_institutions_blueprint_or_cohort_is_refused(garuda, rival, cohort, preset):
    preset.is_preset, preset.owner = False, rival
    preset.save()
    now = timezone.now()
    with pytest.raises(LembagaError):
        sessions.session_create(
            institution=garuda,
            blueprint=preset,
            name="Sesi",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            cohorts=[cohort],
        )
    preset.owner, preset.is_preset = None, True
    preset.save()
    foreign = Cohort.objects.create(institution=rival, name="Asing")
    with pytest.raises(LembagaError):
        sessions.session_create(
            institution=garuda,
            blueprint=preset,
            name="Sesi",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            cohorts=[foreign],
        )


def test_build_prebuilds_every_candidates_attempt_once(
    exam_session, garuda_admin, seated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sessions.session_build(session=exam_session, actor=garuda_admin) == 3
    attempts = Attempt.objects.filter(tryout=exam_session.tryout)
    assert attempts.count() == 3 and all(a.status == AttemptStatus.READY for a in attempts)
    exam_session.refresh_from_db()
    assert exam_session.build_job.done == 3 and exam_session.build_job.finished_at
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_build(session=exam_session, actor=garuda_admin)  # idempotent
    assert attempts.count() == 3


def test_enter_with_the_token_starts_the_prebuilt_attempt(
    exam_session, garuda_admin, seated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_build(session=exam_session, actor=garuda_admin)
    built = Attempt.objects.get(tryout=exam_session.tryout, user=seated[0])
    attempt = sessions.session_enter(
        session=exam_session, user=seated[0], token=token_current(exam_session)
    )
    assert attempt.pk == built.pk and attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.deadline is not None


@pytest.mark.parametrize(
    ("shift", "token", "message"),
    [
        (timedelta(0), "SALAH1", "Token salah"),
        (-timedelta(hours=1), None, "belum dibuka"),
        (timedelta(hours=3), None, "sudah ditutup"),
    ],
)
def test_enter_refused_outside_the_window_or_with_a_wrong_token(
    exam_session, seated, shift, token, message
):
    now = timezone.now() + shift
    with pytest.raises(LembagaError, match=message):
        sessions.session_enter(
            session=exam_session,
            user=seated[0],
            token=token or token_current(exam_session, now),
            now=now,
        )
    assert not Attempt.objects.filter(user=seated[0], status=AttemptStatus.IN_PROGRESS).exists()


def test_ip_allowlist(exam_session, seated):
    exam_session.ip_allowlist = "10.1.0.0/16, 192.0.2.7"
    exam_session.save()
    token = token_current(exam_session)
    with pytest.raises(LembagaError, match="jaringan ruang ujian"):
        sessions.session_enter(session=exam_session, user=seated[0], token=token, ip="198.51.100.1")
    attempt = sessions.session_enter(
        session=exam_session, user=seated[0], token=token, ip="10.1.4.20"
    )
    assert attempt.status == AttemptStatus.IN_PROGRESS


# --- proctor actions ----------------------------------------------------------------------------


def _started(session, user):
    return sessions.session_enter(session=session, user=user, token=token_current(session))


def test_add_minutes_moves_the_deadline_of_an_attempt_in_progress(exam_session, proctor, seated):
    attempt = _started(exam_session, seated[0])
    candidate = Candidate.objects.get(user=seated[0])
    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="add_minutes",
        candidate_ids=[candidate.pk],
        reason="Listrik padam 5 menit",
        minutes=5,
    )
    moved = Attempt.objects.get(pk=attempt.pk)
    assert moved.deadline - attempt.deadline == timedelta(minutes=5)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target, entry.data) == (
        proctor,
        "add_minutes",
        seated[0],
        {"minutes": 5},
    )


def test_override_on_a_finished_attempt_changes_nothing(exam_session, proctor, seated):
    attempt = _started(exam_session, seated[0])
    from ujian.services.attempts import attempt_submit

    attempt_submit(attempt_id=attempt.pk)
    candidate = Candidate.objects.get(user=seated[0])
    with pytest.raises(LembagaError, match="sudah selesai"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="add_minutes",
            candidate_ids=[candidate.pk],
            reason="x",
            minutes=5,
        )
    assert not AuditEntry.objects.exists()


def test_actions_need_a_reason_and_a_candidate_of_this_session(
    exam_session, proctor, seated, garuda, rival
):
    from tests.lembaga.conftest import enrol

    _started(exam_session, seated[0])
    candidate = Candidate.objects.get(user=seated[0])
    with pytest.raises(LembagaError, match="Alasan wajib"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="force_submit",
            candidate_ids=[candidate.pk],
            reason=" ",
        )
    outsider = enrol(rival, Cohort.objects.create(institution=rival, name="R"), "r@x.com", "R1")
    with pytest.raises(LembagaError, match="tidak ada di sesi ini"):
        actions.proctor_act(
            session=exam_session,
            actor=proctor,
            action="force_submit",
            candidate_ids=[Candidate.objects.get(user=outsider).pk],
            reason="uji",
        )


def test_force_submit_records_the_proctor_as_the_reason(exam_session, proctor, seated):
    attempt = _started(exam_session, seated[1])
    actions.proctor_act(
        session=exam_session,
        actor=proctor,
        action="force_submit",
        candidate_ids=[Candidate.objects.get(user=seated[1]).pk],
        reason="Peserta sakit",
    )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submit_reason == SubmitReason.PROCTOR


@pytest.mark.django_db(transaction=True)
def test_two_proctors_force_submitting_at_once_act_once(
    exam_session, proctor, other_proctor, seated
):
    _started(exam_session, seated[2])
    candidate_id = Candidate.objects.get(user=seated[2]).pk
    barrier = threading.Barrier(2)
    outcomes = []

    def press(actor):
        barrier.wait()
        try:
            outcomes.append(
                actions.proctor_act(
                    session=exam_session,
                    actor=actor,
                    action="force_submit",
                    candidate_ids=[candidate_id],
                    reason="bersamaan",
                )
            )
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
    assert AuditEntry.objects.filter(action="force_submit").count() == 1


def test_audit_log_is_append_only(exam_session, proctor, seated, needs_postgres):
    entry = AuditEntry.objects.create(
        session=exam_session, actor=proctor, action="add_minutes", reason="asli"
    )
    entry.reason = "diubah"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    from django.db import DatabaseError, transaction

    # Even a queryset update or raw SQL is refused by the database.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="diubah")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM lembaga_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "asli"


def test_console_counts_and_problem_rows_first(exam_session, proctor, seated):
    _started(exam_session, seated[0])
    finished = _started(exam_session, seated[1])
    from ujian.services.attempts import attempt_submit

    attempt_submit(attempt_id=finished.pk)
    counts = sessions.console_counts(exam_session)
    assert counts == {
        "enrolled": 3,
        "not_started": 1,
        "in_progress": 1,
        "submitted": 1,
        "timeout": 0,
        "locked": 0,
        # Entered through the token but its page has not been heard from yet.
        "disconnected": 1,
    }
    rows, total = sessions.console_rows(exam_session)
    assert total == 3
    assert [r.state for r in rows] == ["in_progress", "not_started", "submitted"]


def test_console_cost_does_not_grow_with_the_session(exam_session, garuda, cohort):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.lembaga.conftest import enrol

    def refresh_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            sessions.console_counts(exam_session)
            sessions.console_rows(exam_session, per_page=10)
        return len(ctx.captured_queries)

    small = refresh_queries()
    for i in range(40):
        enrol(garuda, cohort, f"banyak{i}@example.com", f"B-{i:03d}")
    assert refresh_queries() == small <= 5


def test_console_of_a_session_nobody_has_an_attempt_for_yet(exam_session, seated):
    from ujian.models import Attempt

    Attempt.objects.filter(tryout=exam_session.tryout).delete()
    rows, total = sessions.console_rows(exam_session)
    assert total == len(seated) == len(rows)
    assert {r.state for r in rows} == {"not_started"}
    assert all(r.attempt_uuid is None for r in rows)
