"""An institution's exam day in the browser, each step by clicking: the admin imports candidates
from XLSX and schedules a session from a preset; candidates set their password from the e-mail,
type the token and answer; the pengawas watches, adds minutes (the candidate's timer moves),
unlocks a second device and force-submits; the admin downloads the ranking as XLSX."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from lembaga.models import ExamSession
from lembaga.services.tokens import token_current
from tests.e2e.conftest import login
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
    make_bank,
    make_blueprint,
)
from ujian.models import Answer, Attempt, AttemptStatus, SubmitReason

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Peserta-Kuat-2026"


def candidates_xlsx(path, count: int = 30) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["nama", "email", "nomor_peserta", "kelas"])
    for i in range(1, count + 1):
        sheet.append([f"Peserta {i:02d}", f"peserta{i:02d}@garuda.example.com", "", "Kelas A"])
    book.save(path)


def seconds_on(page) -> int:
    parts = [int(p) for p in page.inner_text("#timer").split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def set_password_and_log_in(context, email: str) -> object:
    message = next(m for m in mail.outbox if m.to == [email])
    link = re.search(r"https?://\S+", message.body).group(0)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/" + link.split("/", 3)[3])  # the e-mail names SITE_URL; the test server differs
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/akun/reset/" in url and "done" in url)
    login(page, email, PASSWORD)
    return page


def enter_session(page, session) -> None:
    page.goto("/lembaga/")
    page.click(f"text={session.name} >> xpath=.. >> text=Buka sesi")
    page.fill("input[name=token]", token_current(session))
    page.click("button:has-text('Mulai')")
    page.wait_for_selector("#question")


def test_an_institution_runs_its_exam_day(browser_instance, live_server, tmp_path):
    make_bank()
    preset = make_blueprint(slug="preset-uji", duration_minutes=30)
    preset.is_preset = True
    preset.save()
    garuda = InstitutionFactory(name="Bimbel Garuda", slug="garuda")
    admin = UserFactory(email="admin@garuda.example.com")
    MembershipFactory(user=admin, institution=garuda, role="admin")
    proctor = UserFactory(email="pengawas@garuda.example.com", full_name="Bu Pengawas")
    MembershipFactory(user=proctor, institution=garuda, role="proctor")

    def context():
        return browser_instance.new_context(base_url=live_server.url, locale="id-ID")

    # --- the admin imports 30 candidates and schedules a session -------------------------------
    admin_ctx = context()
    page = admin_ctx.new_page()
    page.set_default_timeout(15_000)
    login(page, admin.email)
    page.goto("/lembaga/garuda/")
    page.click("text=Impor peserta dari XLSX/CSV")
    xlsx = tmp_path / "peserta.xlsx"
    candidates_xlsx(xlsx)
    page.set_input_files("input[name=file]", str(xlsx))
    page.click("text=Periksa berkas")
    assert "30 peserta" in page.inner_text("#import-summary")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=Impor selesai: 30 peserta baru")

    page.click("text=Buat sesi")
    now = timezone.localtime()
    page.fill("input[name=name]", "Tryout Akbar Pagi")
    page.select_option("select[name=blueprint]", label=preset.name)
    page.fill("input[name=starts_at]", (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.check("text=Kelas A")
    page.check(f"text={proctor.full_name}")
    page.click("button:has-text('Buat sesi')")
    page.wait_for_selector("#console")
    page.click("button:has-text('Siapkan soal peserta')")
    page.wait_for_selector("#build-progress:has-text('30/30')")
    session = ExamSession.objects.get(name="Tryout Akbar Pagi")
    assert Attempt.objects.filter(tryout=session.tryout, status=AttemptStatus.READY).count() == 30

    # --- a candidate sets a password, types the token and answers ------------------------------
    ani_ctx = context()
    ani = set_password_and_log_in(ani_ctx, "peserta01@garuda.example.com")
    enter_session(ani, session)
    ani.click("#question .option[data-choice='0']")
    ani.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")

    # --- the pengawas sees her live and adds five minutes --------------------------------------
    proctor_ctx = context()
    console = proctor_ctx.new_page()
    console.set_default_timeout(15_000)
    login(console, proctor.email)
    console.goto(session.get_absolute_url())
    row = console.locator("#console-table tr", has_text="Peserta 01")
    row.locator("text=mengerjakan").wait_for()
    assert row.locator("td").nth(5).inner_text() == "1"  # answered
    before = seconds_on(ani)
    row.locator("input[type=checkbox]").check()
    console.select_option("select[name=action]", "add_minutes")
    console.fill("input[name=minutes]", "5")
    console.fill("input[name=reason]", "Listrik padam sebentar")
    console.click("button:has-text('Terapkan')")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    ani.click("#question .option[data-choice='1']")  # the next save brings the new deadline
    ani.wait_for_function(
        "() => { const t = document.getElementById('timer').textContent.split(':').map(Number);"
        " return t[t.length-2]*60 + t[t.length-1] + (t.length > 2 ? t[0]*3600 : 0)"
        f" > {before} + 240; }}"
    )

    # --- a second device is locked until the pengawas unlocks it -------------------------------
    laptop_ctx = context()
    laptop = laptop_ctx.new_page()
    laptop.set_default_timeout(15_000)
    login(laptop, "peserta01@garuda.example.com", PASSWORD)
    attempt = Attempt.objects.get(tryout=session.tryout, user__email="peserta01@garuda.example.com")
    laptop.goto(f"/tryout/sesi/{attempt.uuid}/")
    laptop.wait_for_selector("text=Minta pengawas membuka kunci")
    console.goto(session.get_absolute_url())
    row = console.locator("#console-table tr", has_text="Peserta 01")
    row.locator("text=terkunci").wait_for()
    row.locator("input[type=checkbox]").check()
    console.select_option("select[name=action]", "unlock")
    console.fill("input[name=reason]", "Pindah ke laptop cadangan")
    console.click("button:has-text('Terapkan')")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    laptop.click("a.button:has-text('Muat ulang')")
    laptop.wait_for_selector("#question")
    laptop.click("#question .option[data-choice='2']")
    laptop.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    assert Answer.objects.filter(attempt=attempt).count() == 1  # same item, latest choice
    assert Answer.objects.get(attempt=attempt, position=0).choice == 2

    # --- another candidate starts and is force-submitted --------------------------------------
    budi_ctx = context()
    budi = set_password_and_log_in(budi_ctx, "peserta02@garuda.example.com")
    enter_session(budi, session)
    console.goto(session.get_absolute_url())
    row = console.locator("#console-table tr", has_text="Peserta 02")
    row.locator("input[type=checkbox]").check()
    console.select_option("select[name=action]", "force_submit")
    console.fill("input[name=reason]", "Peserta sakit dan meninggalkan ruangan")
    console.click("button:has-text('Terapkan')")
    console.wait_for_selector("text=Tindakan diterapkan pada 1 peserta")
    budi_attempt = Attempt.objects.get(tryout=session.tryout, user__email__startswith="peserta02")
    assert budi_attempt.submit_reason == SubmitReason.PROCTOR
    audit = console.inner_text("#audit-log")
    assert "Listrik padam sebentar" in audit and "Pindah ke laptop cadangan" in audit

    # --- Ani hands in; the admin sees the ranking and downloads it ----------------------------
    laptop.click("#finish")
    laptop.click("#finish-form button[type=submit]")
    laptop.wait_for_selector("text=Nilai total", timeout=20_000)
    page.goto(f"/lembaga/garuda/sesi/{session.uuid}/hasil/")
    ranking = page.inner_text("#ranking")
    assert "Peserta 01" in ranking and "Peserta 02" in ranking
    with page.expect_download() as download:
        page.click("text=Unduh XLSX")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("peringkat", "nomor_peserta", "nama")
    assert {r[2] for r in rows[1:]} == {"Peserta 01", "Peserta 02"}
    for ctx in (admin_ctx, ani_ctx, proctor_ctx, laptop_ctx, budi_ctx):
        ctx.close()
