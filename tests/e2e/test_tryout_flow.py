"""A candidate's tryout from start to result, including a reload and a dropped connection."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.factories import make_bank, make_tryout
from ujian.models import Answer, Attempt, AttemptStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidate_runs_a_short_tryout(page, candidate):
    make_bank()
    make_tryout(slug="tryout-uji")
    login(page, candidate.email)

    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")
    assert "Soal 1 dari 5" in page.inner_text("#q-title")

    # Answer question 1 by clicking, flag it with R, move on with the arrow key.
    page.click("#question .option[data-choice='1']")
    page.keyboard.press("r")
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#q-title:has-text('Soal 2 dari 5')")
    page.keyboard.press("c")  # answers C
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")

    # Reload: same question, every answer and flag kept.
    page.reload()
    page.wait_for_selector("#q-title:has-text('Soal 2 dari 5')")
    assert page.get_attribute("#question .option[data-choice='2']", "aria-pressed") == "true"
    assert "flagged" in page.get_attribute("#grid a[data-position='0']", "class")
    assert "answered" in page.get_attribute("#grid a[data-position='1']", "class")

    # Offline: the answer waits in the browser and the candidate sees it is pending.
    page.click("#grid a[data-position='2']")
    page.wait_for_selector("#q-title:has-text('Soal 3 dari 5')")
    page.context.set_offline(True)
    page.click("#question .option[data-choice='4']")
    page.wait_for_selector("#save-state.pending")
    attempt = Attempt.objects.get()
    assert not Answer.objects.filter(attempt=attempt, position=2).exists()
    page.context.set_offline(False)
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')", timeout=15_000)
    assert Answer.objects.get(attempt=attempt, position=2).choice == 4

    # Finish: the confirmation counts unanswered and flagged questions.
    page.click("#finish")
    summary = page.inner_text("#confirm-summary")
    assert "Belum dijawab: 2 soal" in summary and "Ragu-ragu: 1 soal" in summary
    page.click("#finish-form button[type=submit]")
    page.wait_for_selector("text=Profil prinsip", timeout=15_000)
    assert "Nilai total" in page.inner_text("main")
    assert page.locator(".bars meter").count() >= 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED

    page.click("text=Lihat pembahasan")
    page.wait_for_selector("#soal-1")
    assert "pilihan Anda" in page.inner_text("#soal-1")
