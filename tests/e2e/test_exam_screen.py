"""The timed exam screen as a candidate sees it: on a 360-px phone, on a desktop, and when the
countdown reaches zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import SCREENSHOTS, login
from tests.factories import make_bank, make_tryout
from ujian.models import Attempt, AttemptStatus, SubmitReason

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TAP = 44  # the smallest comfortable touch target, in CSS pixels


def start_tryout(page, candidate) -> None:
    make_bank()
    make_tryout(slug="tryout-uji")
    login(page, candidate.email)
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")


def box(page, selector: str) -> dict:
    b = page.locator(selector).bounding_box()
    assert b is not None, f"{selector} is not rendered"
    return b


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def saved(page) -> None:
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")


def test_countdown_reaching_zero_is_recorded_as_timeout(page, candidate):
    start_tryout(page, candidate)
    page.click("#question .option[data-choice='1']")
    saved(page)
    # The deadline is moved close; the reloaded page counts down to it from the server's clock.
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    page.wait_for_selector("#timer:has-text('00:0')")
    # Nothing is clicked: the page submits by itself when the countdown reaches zero, well
    # before the server's own overdue sweep (deadline + grace) could.
    page.wait_for_selector("text=Ujian diselesaikan otomatis karena waktu habis.", timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SCORED
    assert attempt.submit_reason == SubmitReason.TIMEOUT
    assert attempt.submitted_at == attempt.deadline
    assert attempt.result["answered"] == 1


def test_exam_is_a_focused_screen_on_a_phone(page, candidate):
    page.set_viewport_size(PHONE)
    start_tryout(page, candidate)
    shot(page, "exam-360.png")

    # A compact bar and nothing of the site around the exam.
    bar = box(page, ".exam-bar")
    assert bar["height"] <= 64
    assert bar["y"] <= 1
    # The save state is read in full, not cut off.
    assert page.eval_on_selector("#save-state", "e => e.scrollWidth <= e.clientWidth")
    for outside in [".site-header", "nav[aria-label='Navigasi utama']", ".site-footer"]:
        assert not page.locator(outside).is_visible(), outside
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.filter(e => e.offsetParent).map(e => e.getAttribute('href'))"
    )
    attempt = Attempt.objects.get()
    inside = (f"/tryout/sesi/{attempt.uuid}/", "#")  # the exam's own pages, the skip link
    assert hrefs and all(h.startswith(inside) for h in hrefs), hrefs
    # The question starts right under the bar (and the one-line time warning of this 10-minute
    # tryout); the grid is not on the page until asked for.
    assert box(page, "#q-title")["y"] < bar["y"] + bar["height"] + 100
    assert not page.locator("#grid").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Every tap target is at least 44 px tall.
    for selector in ["#grid-toggle", "#finish", "label:has(#flag)", "#next"]:
        b = box(page, selector)
        assert b["height"] >= TAP, (selector, b)
    assert box(page, "label:has(#flag)")["width"] >= TAP
    for i in range(page.locator("#question .option").count()):
        assert page.locator("#question .option").nth(i).bounding_box()["height"] >= TAP

    # Answer and flag question 1 with taps; flag question 2 without answering it.
    page.click("#question .option[data-choice='0']")
    page.click("label:has(#flag)")
    saved(page)
    page.click("#next")
    page.wait_for_selector("#q-title:has-text('Soal 2 dari 5')")
    assert box(page, "#prev")["height"] >= TAP
    page.click("label:has(#flag)")
    saved(page)
    assert page.locator("#flag").is_checked()
    shot(page, "exam-360-flagged.png")

    # The grid opens as a sheet over the question, with cells big enough to tap.
    page.click("#grid-toggle")
    page.wait_for_selector("#grid", state="visible")
    assert page.get_attribute("#grid-toggle", "aria-expanded") == "true"
    shot(page, "exam-360-grid.png")
    sheet = box(page, "#grid-panel")
    assert sheet["y"] + sheet["height"] <= PHONE["height"] + 1  # inside the screen
    assert sheet["y"] > bar["height"]  # a sheet from below, the timer stays visible
    assert page.evaluate("getComputedStyle(document.getElementById('grid-panel')).position") in {
        "fixed",
        "absolute",
    }
    for i in range(5):
        b = page.locator(f"#grid a[data-position='{i}']").bounding_box()
        assert b["width"] >= TAP and b["height"] >= TAP, (i, b)

    # Answered-and-flagged differs from flagged-only, not by colour alone.
    style = """(e) => { const s = getComputedStyle(e), m = getComputedStyle(e, '::after');
        return [s.backgroundColor, s.color, s.borderStyle, m.content, m.display]; }"""
    both = page.eval_on_selector("#grid a[data-position='0']", style)
    flag_only = page.eval_on_selector("#grid a[data-position='1']", style)
    plain = page.eval_on_selector("#grid a[data-position='2']", style)
    assert both[0] != flag_only[0]  # answered cells are filled, unanswered are not
    assert both[3:] == flag_only[3:] and both[3:] != plain[3:]  # the same flag mark on both
    label_both = page.get_attribute("#grid a[data-position='0']", "aria-label")
    label_flag = page.get_attribute("#grid a[data-position='1']", "aria-label")
    assert "ragu-ragu" in label_both and "ragu-ragu" in label_flag
    assert "belum dijawab" in label_flag and "belum dijawab" not in label_both

    # Picking a cell goes to that question and puts the sheet away.
    page.click("#grid a[data-position='3']")
    page.wait_for_selector("#q-title:has-text('Soal 4 dari 5')")
    page.wait_for_selector("#grid", state="hidden")
    assert page.get_attribute("#grid-toggle", "aria-expanded") == "false"
    shot(page, "exam-360-q4.png")

    # The Escape key closes the sheet too, and focus goes back to the button.
    page.click("#grid-toggle")
    page.wait_for_selector("#grid", state="visible")
    page.keyboard.press("Escape")
    page.wait_for_selector("#grid", state="hidden")
    assert page.evaluate("document.activeElement.id") == "grid-toggle"

    # Offline, the waiting-answer notice does not grow the bar.
    page.context.set_offline(True)
    page.click("#question .option[data-choice='2']")
    page.wait_for_selector("#save-state.pending")
    assert box(page, ".exam-bar")["height"] <= 64
    notice = box(page, "#save-state")
    assert notice["width"] <= PHONE["width"] and page.locator("#save-state").is_visible()
    assert notice["y"] + notice["height"] <= box(page, "#q-title")["y"]  # covers nothing
    shot(page, "exam-360-offline.png")
    page.context.set_offline(False)
    saved(page)

    # Selesai asks first; both answers to that question are full-size buttons.
    page.click("#finish")
    page.wait_for_selector("#confirm-finish[open]")
    shot(page, "exam-360-finish.png")
    for selector in ["#cancel-finish", "#finish-form button[type=submit]"]:
        assert box(page, selector)["height"] >= TAP, selector
    page.click("#cancel-finish")
    page.wait_for_selector("#confirm-finish", state="hidden")


def test_desktop_keeps_the_grid_beside_the_question(page, candidate):
    page.set_viewport_size({"width": 1280, "height": 800})
    start_tryout(page, candidate)
    shot(page, "exam-1280.png")
    assert page.locator("#grid").is_visible()
    assert not page.locator("#grid-toggle").is_visible()
    question, grid = box(page, "#question"), box(page, "#grid")
    assert grid["x"] > question["x"] + question["width"] - 1  # beside, not below
    assert grid["y"] < question["y"] + 200
    assert box(page, ".exam-bar")["height"] <= 64


def test_favicon_is_linked_and_served(page):
    page.goto("/")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href and href.endswith(".svg")
    response = page.request.get(href)
    assert response.status == 200
    assert "svg" in response.headers["content-type"]
    assert "<svg" in response.text()
