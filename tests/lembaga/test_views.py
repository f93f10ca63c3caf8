"""Every lembaga page through HTTP: who may see what (404 for outsiders), and the flows."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lembaga.models import AttemptGrant, AuditEntry, Candidate
from lembaga.services.tokens import token_current
from tests.factories import UserFactory
from ujian.models import Attempt, AttemptStatus
from ujian.services.attempts import attempt_submit
from ujian.services.scoring import attempt_score

pytestmark = pytest.mark.django_db


def urls(session, cohort) -> dict[str, tuple[str, str]]:
    """name → (method, url) for every lembaga URL of one institution."""
    slug, uuid = session.tryout.owner.slug, session.uuid
    return {
        "institution": ("get", reverse("lembaga:institution", args=[slug])),
        "cohort_create": ("post", reverse("lembaga:cohort_create", args=[slug])),
        "import": ("get", reverse("lembaga:import", args=[slug])),
        "session_create": ("get", reverse("lembaga:session_create", args=[slug])),
        "session": ("get", reverse("lembaga:session", args=[slug, uuid])),
        "session_build": ("post", reverse("lembaga:session_build", args=[slug, uuid])),
        "session_action": ("post", reverse("lembaga:session_action", args=[slug, uuid])),
        "session_results": ("get", reverse("lembaga:session_results", args=[slug, uuid])),
        "export_csv": ("get", reverse("lembaga:session_export", args=[slug, uuid, "csv"])),
        "export_xlsx": ("get", reverse("lembaga:session_export", args=[slug, uuid, "xlsx"])),
        "enter": ("get", reverse("lembaga:enter", args=[slug, uuid])),
        **{
            f"print_{kind}": ("get", reverse("lembaga:session_print", args=[slug, uuid, kind]))
            for kind in ("kartu", "hadir", "berita-acara")
        },
    }


ADMIN_ONLY = {
    "cohort_create",
    "import",
    "session_create",
    "session_build",
    "session_results",
    "export_csv",
    "export_xlsx",
}
STAFF = {
    "institution",
    "session",
    "session_action",
    "print_kartu",
    "print_hadir",
    "print_berita-acara",
}
CANDIDATE_ONLY = {"enter"}


def allowed(persona: str, name: str) -> bool:
    if persona == "admin":
        return name in ADMIN_ONLY | STAFF
    if persona == "proctor":
        return name in STAFF
    if persona == "candidate":
        return name in CANDIDATE_ONLY
    return False


PERSONAS = ["admin", "proctor", "candidate", "rival_admin", "other_proctor", "stranger", "anon"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_url_role_matrix(
    client,
    persona,
    exam_session,
    cohort,
    garuda_admin,
    rival_admin,
    proctor,
    other_proctor,
    seated,
):
    users = {
        "admin": garuda_admin,
        "proctor": proctor,
        "candidate": seated[0],
        "rival_admin": rival_admin,
        "other_proctor": other_proctor,  # pengawas of the institution, not of this session
        "stranger": UserFactory(email="orang@lain.example.com"),
        "anon": None,
    }
    if users[persona]:
        client.force_login(users[persona])
    for name, (method, url) in urls(exam_session, cohort).items():
        response = getattr(client, method)(url)
        if persona == "anon":
            assert response.status_code == 302 and "/akun/login/" in response.url, name
        elif allowed(persona, name):
            assert response.status_code in (200, 302), (persona, name)
            if response.status_code == 302:
                assert "/akun/login/" not in response.url, (persona, name)
        elif persona == "other_proctor" and name == "institution":
            # A pengawas sees the institution page, listing only their own sessions.
            assert response.status_code == 200
            assert exam_session.name not in response.content.decode()
        else:
            assert response.status_code == 404, (persona, name, response.status_code)
    assert not AuditEntry.objects.filter(
        action__in=["add_minutes", "force_submit", "grant_attempt"]
    ).exists()
    assert not AttemptGrant.objects.exists()


def test_candidate_types_the_token_and_lands_on_the_exam(client, exam_session, seated):
    client.force_login(seated[0])
    url = reverse("lembaga:enter", args=["garuda", exam_session.uuid])
    page = client.get(url).content.decode()
    assert "Token sesi" in page and "G-001" in page
    wrong = client.post(url, {"token": "XXXXXX"})
    assert "Token salah" in wrong.content.decode()
    response = client.post(url, {"token": token_current(exam_session)})
    attempt = Attempt.objects.get(user=seated[0], tryout=exam_session.tryout)
    assert response.url == reverse("ujian:attempt", args=[attempt.uuid])
    assert attempt.status == AttemptStatus.IN_PROGRESS
    exam = client.get(response.url)
    assert exam.status_code == 200 and 'id="exam' in exam.content.decode()


def test_a_prebuilt_attempt_cannot_be_started_without_the_token(
    client, exam_session, garuda_admin, seated, django_capture_on_commit_callbacks
):
    from lembaga.services.sessions import session_build

    with django_capture_on_commit_callbacks(execute=True):
        session_build(session=exam_session, actor=garuda_admin)
    attempt = Attempt.objects.get(user=seated[0], tryout=exam_session.tryout)
    client.force_login(seated[0])
    response = client.get(reverse("ujian:attempt", args=[attempt.uuid]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.READY


def test_candidate_sees_the_session_on_the_lembaga_page(client, exam_session, seated):
    client.force_login(seated[1])
    page = client.get(reverse("lembaga:index")).content.decode()
    assert "Sesi Pagi" in page and "Bimbel Garuda" in page


def test_import_through_the_page_preview_then_commit(client, garuda, garuda_admin):
    client.force_login(garuda_admin)
    url = reverse("lembaga:import", args=["garuda"])
    upload = io.BytesIO(b"nama,email,kelas\nAni,ani@example.com,A\nBudi,budi@example.com,B\n")
    upload.name = "peserta.csv"
    preview = client.post(url, {"file": upload})
    assert "2 peserta" in preview.content.decode()
    assert not Candidate.objects.exists()  # the preview writes nothing
    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "Impor selesai: 2 peserta baru" in done.content.decode()
    assert Candidate.objects.filter(institution=garuda).count() == 2


def test_import_with_errors_shows_them_and_cannot_be_confirmed(client, garuda, garuda_admin):
    client.force_login(garuda_admin)
    url = reverse("lembaga:import", args=["garuda"])
    upload = io.BytesIO(b"nama,email\nAni,bukan-email\n")
    upload.name = "peserta.csv"
    page = client.post(url, {"file": upload}).content.decode()
    assert "Baris 2: e-mail" in page and 'name="confirm"' not in page
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "kedaluwarsa" in response.content.decode()
    assert not Candidate.objects.exists()


def test_proctor_adds_minutes_through_the_console_form(client, exam_session, proctor, seated):
    from lembaga.services.sessions import session_enter

    attempt = session_enter(session=exam_session, user=seated[0], token=token_current(exam_session))
    client.force_login(proctor)
    console = client.get(reverse("lembaga:session", args=["garuda", exam_session.uuid]))
    assert token_current(exam_session) in console.content.decode()
    candidate = Candidate.objects.get(user=seated[0])
    client.post(
        reverse("lembaga:session_action", args=["garuda", exam_session.uuid]),
        {"action": "add_minutes", "candidates": [candidate.pk], "minutes": 5, "reason": "Macet"},
    )
    assert Attempt.objects.get(pk=attempt.pk).deadline == attempt.deadline + timedelta(minutes=5)
    page = client.get(reverse("lembaga:session", args=["garuda", exam_session.uuid]))
    assert "Macet" in page.content.decode()


def test_console_partial_for_htmx_polling(client, exam_session, proctor, seated):
    client.force_login(proctor)
    response = client.get(
        reverse("lembaga:session", args=["garuda", exam_session.uuid]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="console"') and "<html" not in body


# One htmx refresh of the console: the request's user, the institution, the role, the session,
# the proctor check; then the candidates' count, the sorted page's ids, that page's rows, the
# page's answers and one aggregate over the session's attempts for the counts.
CONSOLE_REFRESH_MAX_QUERIES = 10


@pytest.mark.parametrize("candidates", [3, 30])
def test_console_refresh_queries_do_not_grow_with_the_session(
    client, exam_session, garuda, cohort, proctor, seated, candidates, django_assert_max_num_queries
):
    from lembaga.services.sessions import session_enter
    from ujian.services.attempts import answer_save

    from .conftest import enrol

    users = seated + [
        enrol(garuda, cohort, f"ramai{i}@garuda.example.com", f"R-{i:03d}")
        for i in range(candidates - len(seated))
    ]
    for user in users[::2]:  # half of them working, with an answer saved
        attempt = session_enter(session=exam_session, user=user, token=token_current(exam_session))
        answer_save(
            attempt_uuid=attempt.uuid, user_id=user.pk, position=0, choice=1, flagged=True, seq=1
        )
    client.force_login(proctor)
    url = reverse("lembaga:session", args=["garuda", exam_session.uuid])
    with django_assert_max_num_queries(CONSOLE_REFRESH_MAX_QUERIES):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(c.number in body for c in Candidate.objects.filter(cohort=cohort))


def _score(session, user, total_answers: int):
    from lembaga.services.sessions import session_enter
    from ujian.services.attempts import answer_save

    attempt = session_enter(session=session, user=user, token=token_current(session))
    for position in range(total_answers):
        answer_save(
            attempt_uuid=attempt.uuid,
            user_id=user.pk,
            position=position,
            choice=0,
            flagged=False,
            seq=position + 1,
        )
    attempt_submit(attempt_id=attempt.pk)
    attempt_score(attempt_id=attempt.pk)
    return Attempt.objects.get(pk=attempt.pk)


def test_results_rank_and_export_as_xlsx_and_csv(client, exam_session, garuda_admin, seated):
    scored = [_score(exam_session, user, n) for user, n in zip(seated, (5, 0, 3), strict=True)]
    client.force_login(garuda_admin)
    page = client.get(reverse("lembaga:session_results", args=["garuda", exam_session.uuid]))
    assert "3 peserta dinilai" in page.content.decode()
    xlsx = client.get(reverse("lembaga:session_export", args=["garuda", exam_session.uuid, "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("peringkat", "nomor_peserta", "nama")
    totals = [r[7] for r in rows[1:]]
    assert totals == sorted((a.total for a in scored), reverse=True)
    assert rows[1][0] == 1
    csv_response = client.get(
        reverse("lembaga:session_export", args=["garuda", exam_session.uuid, "csv"])
    )
    text = b"".join(csv_response.streaming_content).decode()
    assert (
        text.splitlines()[0].startswith("peringkat,nomor_peserta") and len(text.splitlines()) == 4
    )


def test_xlsx_export_is_a_file_response_with_every_column(
    client, exam_session, garuda_admin, seated
):
    scored = [_score(exam_session, user, n) for user, n in zip(seated, (2, 4, 0), strict=True)]
    client.force_login(garuda_admin)
    url = reverse("lembaga:session_export", args=["garuda", exam_session.uuid, "xlsx"])
    # The first request opens what a process keeps open (connections, caches).
    first = client.get(url)
    b"".join(first.streaming_content)  # read to the end, the test client closes the response
    open_files = len(os.listdir("/proc/self/fd"))
    response = client.get(url)
    assert response.status_code == 200
    # Sent from a file on disk in blocks, not a body built in memory.
    assert isinstance(response, FileResponse) and response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    slug = exam_session.tryout.slug
    assert response["Content-Disposition"] == f'attachment; filename="hasil-{slug}.xlsx"'
    body = b"".join(response.streaming_content)
    # The temporary file was closed (and so removed) with the response: nothing left open.
    assert len(os.listdir("/proc/self/fd")) == open_files
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "peringkat",
        "nomor_peserta",
        "nama",
        "kelas",
        "twk",
        "tiu",
        "tkp",
        "total",
        "lulus",
        "waktu_pengerjaan_menit",
        "cara_selesai",
        "percobaan",
    )
    assert len(rows) == 4
    by_number = {r[1]: r for r in rows[1:]}
    assert set(by_number) == {"G-001", "G-002", "G-003"}
    for user, attempt in zip(seated, scored, strict=True):
        number = Candidate.objects.get(user=user).number
        row = by_number[number]
        assert row[2] == user.full_name and row[3] == "Angkatan 1"
        assert row[4:8] == (attempt.score_twk, attempt.score_tiu, attempt.score_tkp, attempt.total)
        assert row[8] == ("ya" if attempt.passed else "tidak")
        assert row[11] == attempt.number == 1
    assert [r[7] for r in rows[1:]] == sorted((a.total for a in scored), reverse=True)


def test_unknown_export_format_is_404(client, exam_session, garuda_admin):
    client.force_login(garuda_admin)
    url = reverse("lembaga:session_export", args=["garuda", exam_session.uuid, "pdf"])
    assert client.get(url).status_code == 404


def test_session_create_through_the_form(client, garuda, garuda_admin, cohort, preset, proctor):
    client.force_login(garuda_admin)
    now = timezone.localtime()
    response = client.post(
        reverse("lembaga:session_create", args=["garuda"]),
        {
            "name": "Tryout Akbar",
            "blueprint": preset.pk,
            "starts_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "cohorts": [cohort.pk],
            "proctors": [proctor.pk],
            "token_minutes": 15,
        },
    )
    assert response.status_code == 302
    from lembaga.models import ExamSession

    session = ExamSession.objects.get(name="Tryout Akbar")
    assert session.tryout.owner == garuda and list(session.proctors.all()) == [proctor]
    # An institution's own tryout never shows among the public ones.
    assert session.tryout.slug not in client.get(reverse("ujian:index")).content.decode()


def test_printables_show_candidates_and_the_audit_log(client, exam_session, proctor, seated):
    from lembaga.services.actions import proctor_act
    from lembaga.services.sessions import session_enter

    session_enter(session=exam_session, user=seated[0], token=token_current(exam_session))
    proctor_act(
        session=exam_session,
        actor=proctor,
        action="add_minutes",
        candidate_ids=[Candidate.objects.get(user=seated[0]).pk],
        reason="Komputer mati",
        minutes=10,
    )
    client.force_login(proctor)
    base = ["garuda", exam_session.uuid]
    kartu = client.get(reverse("lembaga:session_print", args=[*base, "kartu"])).content.decode()
    assert all(n in kartu for n in ("G-001", "G-002", "G-003")) and "Kartu Peserta" in kartu
    hadir = client.get(reverse("lembaga:session_print", args=[*base, "hadir"])).content.decode()
    assert hadir.count(">hadir<") == 1 and hadir.count(">belum hadir<") == 2
    berita = client.get(
        reverse("lembaga:session_print", args=[*base, "berita-acara"])
    ).content.decode()
    assert "Komputer mati" in berita and "(+10 menit)" in berita and "Pak Pengawas" in berita
    assert client.get(reverse("lembaga:session_print", args=[*base, "lain"])).status_code == 404


def test_results_page_shows_distribution_pass_rates_and_weak_principles(
    client, exam_session, garuda_admin, seated
):
    from defusedxml import ElementTree

    for user, n in zip(seated, (5, 0, 3), strict=True):
        _score(exam_session, user, n)
    client.force_login(garuda_admin)
    page = client.get(
        reverse("lembaga:session_results", args=["garuda", exam_session.uuid])
    ).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ElementTree.fromstring(svg)
    rects = root.findall(".//{http://www.w3.org/2000/svg}rect") or root.findall(".//rect")
    heights = [int(r.get("height")) for r in rects]  # plain integers, never "12,5"
    assert len(heights) == 10 and max(heights) == 120 and sum(1 for h in heights if h) >= 1
    assert 'id="pass-rates"' in page and 'id="weak-principles"' in page


def test_results_filtered_by_cohort(client, exam_session, garuda, garuda_admin, seated, cohort):
    from lembaga.models import Cohort

    second = Cohort.objects.create(institution=garuda, name="Angkatan 2")
    exam_session.cohorts.add(second)
    Candidate.objects.filter(user=seated[2]).update(cohort=second)
    for user in seated:
        _score(exam_session, user, 2)
    client.force_login(garuda_admin)
    url = reverse("lembaga:session_results", args=["garuda", exam_session.uuid])
    assert "3 peserta dinilai" in client.get(url).content.decode()
    assert "1 peserta dinilai" in client.get(url, {"kelas": str(second.uuid)}).content.decode()


def test_self_enrolment_by_invite_link_with_approval(client, garuda, garuda_admin, cohort):
    newcomer = UserFactory(email="baru@example.com")
    join_url = reverse("lembaga:join", args=[cohort.invite_code])
    client.force_login(newcomer)
    assert "tidak berlaku" in client.get(join_url).content.decode()  # closed by default
    client.post(join_url)
    assert not Candidate.objects.filter(user=newcomer).exists()

    client.force_login(garuda_admin)
    client.post(
        reverse("lembaga:cohort_invite", args=["garuda", cohort.uuid]),
        {"open": "1", "approval": "1"},
    )
    client.force_login(newcomer)
    page = client.post(join_url, follow=True).content.decode()
    assert "menunggu persetujuan" in page
    candidate = Candidate.objects.get(user=newcomer)
    assert not candidate.approved and candidate.cohort == cohort and candidate.number
    assert "sudah terdaftar" in client.post(join_url, follow=True).content.decode()

    client.force_login(garuda_admin)
    assert (
        "baru@example.com"
        in client.get(reverse("lembaga:institution", args=["garuda"])).content.decode()
    )
    client.post(reverse("lembaga:approve", args=["garuda", candidate.pk]))
    candidate.refresh_from_db()
    assert candidate.approved


def test_another_institution_cannot_approve_or_change_invites(client, garuda, rival_admin, cohort):
    pending = Candidate.objects.create(
        institution=garuda, user=UserFactory(), cohort=cohort, number="P-1", approved=False
    )
    client.force_login(rival_admin)
    assert client.post(reverse("lembaga:approve", args=["garuda", pending.pk])).status_code == 404
    url = reverse("lembaga:cohort_invite", args=["garuda", cohort.uuid])
    assert client.post(url, {"open": "1"}).status_code == 404
    cohort.refresh_from_db()
    pending.refresh_from_db()
    assert not cohort.invite_open and not pending.approved


def test_the_demo_ships_an_exam_day_a_newcomer_can_watch(
    client, settings, django_capture_on_commit_callbacks
):
    """`make run` prints log-ins; with them the console of a live, pre-built session works."""
    import os

    from django.core.management import call_command

    from cpns.models import User
    from lembaga.models import ExamSession
    from ujian.models import Tryout

    settings.DEBUG = True
    with open(os.devnull, "w") as devnull, django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=devnull)
        call_command("demo", stdout=devnull)  # idempotent
    session = ExamSession.objects.get(name="Tryout Demo Lembaga")
    assert session.is_open() and session.tryout.blueprint.slug == "skd-cat-bkn"
    # `make run` again after the demo's window has passed opens it again.
    from datetime import timedelta

    from django.utils import timezone

    past = timezone.now() - timedelta(minutes=1)
    ExamSession.objects.filter(pk=session.pk).update(ends_at=past)
    Tryout.objects.filter(pk=session.tryout_id).update(closes_at=past)
    with open(os.devnull, "w") as devnull:
        call_command("demo", stdout=devnull)
    session.refresh_from_db()
    session.tryout.refresh_from_db()
    assert session.is_open() and session.tryout.is_open()
    assert session.tryout.attempts.filter(status=AttemptStatus.READY).count() == 1

    def log_in(email: str) -> None:  # through the log-in page, with the printed password
        client.logout()
        response = client.post(reverse("login"), {"username": email, "password": "demo-cpns-2026"})
        assert response.status_code == 302, email

    for email in ("pengawas@demo.cpns.id", "lembaga@demo.cpns.id"):
        log_in(email)
        page = client.get(session.get_absolute_url()).content.decode()
        assert token_current(session) in page and "DEMO-001" in page
    log_in("peserta@demo.cpns.id")
    response = client.post(
        reverse("lembaga:enter", args=[session.tryout.owner.slug, session.uuid]),
        {"token": token_current(session)},
    )
    assert response.status_code == 302 and "/tryout/sesi/" in response.url
    assert User.objects.filter(email__endswith="@demo.cpns.id").count() == 6


def test_results_page_links_the_item_analysis_of_the_sessions_tryout(
    client, exam_session, garuda_admin
):
    client.force_login(garuda_admin)
    page = client.get(reverse("lembaga:session_results", args=["garuda", exam_session.uuid]))
    url = reverse("ujian:analysis_report", args=[exam_session.tryout.uuid])
    assert url in page.content.decode()
    assert client.get(url).status_code == 200
