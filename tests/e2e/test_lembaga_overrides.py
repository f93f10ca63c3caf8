"""The proctor's overrides in the browser, each by clicking the console's action form: another
attempt (the candidate types the token and reaches attempt 2), reopening a handed-in attempt,
minutes for a whole cohort, and another window for a candidate who came after the close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lembaga.models import AuditEntry, Candidate, Cohort
from lembaga.services.sessions import session_create
from lembaga.services.tokens import token_current
from tests.e2e.conftest import login
from tests.e2e.test_lembaga_exam_day import enter_session
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
    make_bank,
    make_blueprint,
)
from ujian.models import Attempt, AttemptStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enrol(institution, cohort, name: str, number: str):
    user = UserFactory(email=f"{name.lower()}@garuda.example.com", full_name=name)
    MembershipFactory(user=user, institution=institution, role="candidate")
    Candidate.objects.create(institution=institution, user=user, cohort=cohort, number=number)
    return user


def _hand_in(page) -> None:
    # One answer saved first: the exam script is running, so "Selesai" opens its dialog (a
    # click before the script is up did nothing, and the dialog's button never appeared).
    page.click("#question .option[data-choice='0']")
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    page.click("#finish")
    page.wait_for_selector("#confirm-finish[open]")
    page.click("#finish-form button[type=submit]")
    page.wait_for_selector("text=Nilai total", timeout=20_000)


def _act(console, session, *, action: str, reason: str, who=(), cohort=None, minutes=None):
    """The pengawas ticks candidates (or picks a whole cohort), picks the action, writes the
    reason and presses Terapkan — the one form every override uses."""
    console.goto(session.get_absolute_url())
    for name in who:
        console.locator("#console-table tr", has_text=name).locator("input[type=checkbox]").check()
    if cohort is not None:
        console.select_option("select[name=cohort]", label=cohort)
    console.select_option("select[name=action]", action)
    if minutes is not None:
        console.fill("input[name=minutes]", str(minutes))
    console.fill("input[name=reason]", reason)
    console.click("button:has-text('Terapkan')")


def _exam_day(*names: str):
    """Bimbel Garuda's open session for Kelas A (the named candidates) and its pengawas."""
    make_bank()
    preset = make_blueprint(slug="preset-uji", duration_minutes=30)
    preset.is_preset = True
    preset.save()
    garuda = InstitutionFactory(name="Bimbel Garuda", slug="garuda")
    proctor = UserFactory(email="pengawas@garuda.example.com", full_name="Bu Pengawas")
    MembershipFactory(user=proctor, institution=garuda, role="proctor")
    kelas = Cohort.objects.create(institution=garuda, name="Kelas A")
    users = [_enrol(garuda, kelas, name, f"G-{i:03d}") for i, name in enumerate(names, 1)]
    now = timezone.now()
    session = session_create(
        institution=garuda,
        blueprint=preset,
        name="Sesi Ulang",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        cohorts=[kelas],
        proctors=[proctor],
    )
    return session, proctor, users


def _people(browser_instance, live_server, contexts: list):
    def person(user):
        ctx = browser_instance.new_context(base_url=live_server.url, locale="id-ID")
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        login(page, user.email)
        return page

    return person


def _refused(console, session, action: str, name: str, why: str) -> None:
    """The action is refused with its reason on the console and nothing is audited."""
    audited = AuditEntry.objects.filter(action=action).count()
    _act(console, session, action=action, who=[name], reason="sekali lagi")
    console.wait_for_selector("text=Tidak ada yang berubah")
    assert why in console.inner_text(".messages")
    assert AuditEntry.objects.filter(action=action).count() == audited


def test_the_pengawas_clicks_every_override(browser_instance, live_server):
    session, proctor, (ani, budi, citra) = _exam_day("Ani", "Budi", "Citra")
    contexts = []
    person = _people(browser_instance, live_server, contexts)

    # --- Ani's device died mid-exam; she handed in what she had --------------------------------
    ani_page = person(ani)
    enter_session(ani_page, session)
    _hand_in(ani_page)
    first = Attempt.objects.get(tryout=session.tryout, user=ani)
    assert (first.number, first.status) == (1, AttemptStatus.SCORED)

    # --- the pengawas gives her another attempt from the console -------------------------------
    console = person(proctor)
    console.goto(session.get_absolute_url())
    # The console refreshes itself every 5 s; a ticked box survives the refresh.
    box = console.locator("#console-table tr", has_text="Ani").locator("input[type=checkbox]")
    box.check()
    with console.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        pass
    assert box.is_checked()
    console.select_option("select[name=action]", "grant_attempt")
    console.fill("input[name=reason]", "Perangkat mati, disetujui koordinator")
    console.click("button:has-text('Terapkan')")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    audit = console.inner_text("#audit-log")
    assert "Perangkat mati, disetujui koordinator" in audit and "percobaan 2" in audit
    console.locator("#console-table tr", has_text="Ani").locator(
        "text=diberi percobaan lagi"
    ).wait_for()
    entry = AuditEntry.objects.get(action="grant_attempt")
    assert (entry.actor, entry.target, entry.data) == (proctor, ani, {"attempt": 2})

    # --- Ani opens the session, is told about it, types the token and reaches attempt 2 -------
    ani_page.goto("/lembaga/")
    ani_page.click(f"text={session.name} >> xpath=.. >> text=Buka sesi")
    assert "percobaan lagi (percobaan ke-2)" in ani_page.inner_text("#another-attempt")
    ani_page.fill("input[name=token]", token_current(session))
    ani_page.click("button:has-text('Mulai')")
    ani_page.wait_for_selector("#question")
    second = Attempt.objects.get(tryout=session.tryout, user=ani, number=2)
    assert second.status == AttemptStatus.IN_PROGRESS and str(second.uuid) in ani_page.url
    kept = Attempt.objects.get(pk=first.pk)
    assert (kept.status, kept.total, kept.result) == (first.status, first.total, first.result)
    console.goto(session.get_absolute_url())
    row = console.locator("#console-table tr", has_text="Ani")
    assert "percobaan 2" in row.inner_text() and "mengerjakan" in row.inner_text()

    # --- Budi pressed Selesai by mistake: the pengawas reopens his attempt ---------------------
    budi_page = person(budi)
    enter_session(budi_page, session)
    _hand_in(budi_page)
    _act(
        console,
        session,
        action="reopen",
        who=["Budi"],
        minutes=10,
        reason="Tertekan tombol Selesai",
    )
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    budi_attempt = Attempt.objects.get(tryout=session.tryout, user=budi)
    assert budi_attempt.status == AttemptStatus.IN_PROGRESS and budi_attempt.number == 1
    budi_page.goto("/lembaga/")
    budi_page.click(f"text={session.name} >> xpath=.. >> text=Buka sesi")
    budi_page.click("text=Lanjutkan ujian")
    budi_page.wait_for_selector("#question")

    # --- the room's clock was wrong: 7 minutes for the whole cohort ----------------------------
    before = dict(
        Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS).values_list("pk", "deadline")
    )
    _act(
        console,
        session,
        action="add_minutes",
        cohort="Kelas A",
        minutes=7,
        reason="Jam ruang terlambat untuk seluruh kelas",
    )
    # Ani and Budi are working; Citra has not started, so nothing to add for her.
    console.wait_for_selector("text=Tindakan diterapkan pada 2 peserta")
    after = dict(Attempt.objects.filter(pk__in=before).values_list("pk", "deadline"))
    assert {pk: after[pk] - before[pk] for pk in before} == dict.fromkeys(
        before, timedelta(minutes=7)
    )

    # --- the session has closed; Citra arrives late for a reason the committee accepted ------
    closed = timezone.now() - timedelta(seconds=1)
    session.ends_at = closed
    session.save(update_fields=["ends_at"])
    session.tryout.closes_at = closed
    session.tryout.save(update_fields=["closes_at"])
    citra_page = person(citra)
    citra_page.goto(f"/lembaga/garuda/ikut/{session.uuid}/")
    citra_page.fill("input[name=token]", token_current(session))
    citra_page.click("button:has-text('Mulai')")
    citra_page.wait_for_selector("text=Sesi sudah ditutup")
    _act(
        console,
        session,
        action="extend_window",
        who=["Citra"],
        minutes=30,
        reason="Terlambat karena banjir, disetujui panitia",
    )
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    citra_page.fill("input[name=token]", token_current(session))
    citra_page.click("button:has-text('Mulai')")
    citra_page.wait_for_selector("#question")
    late = Attempt.objects.get(tryout=session.tryout, user=citra)
    assert late.status == AttemptStatus.IN_PROGRESS
    assert late.deadline <= Candidate.objects.get(user=citra).window_ends_at

    # --- after the close, another attempt is refused with a reason, and nothing changes ------
    _refused(console, session, "grant_attempt", "Budi", "jendela sesi peserta sudah ditutup")
    for ctx in contexts:
        ctx.close()


def test_the_pengawas_takes_back_an_extra_attempt_given_to_the_wrong_candidate(
    browser_instance, live_server
):
    session, proctor, (dewi, _eka) = _exam_day("Dewi", "Eka")
    contexts = []
    person = _people(browser_instance, live_server, contexts)
    dewi_page = person(dewi)
    enter_session(dewi_page, session)
    _hand_in(dewi_page)
    console = person(proctor)
    # Eka's device died, but the pengawas ticked Dewi's row.
    _act(console, session, action="grant_attempt", who=["Dewi"], reason="Perangkat Eka mati")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    console.locator("#console-table tr", has_text="Dewi").locator(
        "text=diberi percobaan lagi"
    ).wait_for()

    _act(console, session, action="revoke_attempt", who=["Dewi"], reason="Salah centang")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    assert (
        "diberi percobaan lagi"
        not in console.locator("#console-table tr", has_text="Dewi").inner_text()
    )
    audit = console.inner_text("#audit-log")
    assert "Batalkan percobaan tambahan" in audit and "Salah centang" in audit
    assert "Beri percobaan lagi" in audit and "grant_attempt" not in audit
    entry = AuditEntry.objects.get(action="revoke_attempt")
    assert (entry.actor, entry.target, entry.data) == (proctor, dewi, {"extra_left": 0})

    # Dewi's session page shows her result again, no token prompt for another attempt.
    dewi_page.goto("/lembaga/")
    dewi_page.click(f"text={session.name} >> xpath=.. >> text=Buka sesi")
    assert dewi_page.locator("#another-attempt").count() == 0
    assert dewi_page.locator("input[name=token]").count() == 0
    assert Attempt.objects.filter(tryout=session.tryout, user=dewi).count() == 1

    # Taking it back twice changes nothing and says why.
    _refused(console, session, "revoke_attempt", "Dewi", "peserta tidak punya percobaan tambahan")
    for ctx in contexts:
        ctx.close()
