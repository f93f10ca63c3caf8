"""What a candidate sees on a phone (360 × 740) after a tryout, and practice during one
(issue 9: item 4 and the phone findings on the result and review pages)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS, login
from tests.factories import make_bank, make_blueprint, make_tryout
from ujian.models import Attempt, QuestionSnapshot
from ujian.services.attempts import answer_save, attempt_start, attempt_submit
from ujian.services.building import attempt_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def best_choice(attempt: Attempt, position: int) -> int:
    snapshot_id, order, _section = attempt.item(position)
    options = QuestionSnapshot.objects.get(pk=snapshot_id).data["options"]
    scores = [options[int(o)]["score"] for o in order]
    return scores.index(max(scores))


def scored_attempt(candidate) -> Attempt:
    """Five items: 1 best, 2 wrong, 3 best but flagged, 4 unanswered, 5 best."""
    make_bank()
    blueprint = make_blueprint(total_threshold=15)
    tryout = make_tryout(blueprint, title="Tryout TKP Pelayanan Publik & Jejaring Kerja")
    attempt = attempt_create(tryout=tryout, user=candidate)
    attempt.refresh_from_db()
    attempt = attempt_start(attempt=attempt)
    plan = {0: (True, False), 1: (False, False), 2: (True, True), 4: (True, False)}
    for seq, (position, (best, flagged)) in enumerate(plan.items(), start=1):
        good = best_choice(attempt, position)
        answer_save(
            attempt_uuid=attempt.uuid,
            user_id=candidate.pk,
            position=position,
            choice=good if best else (good + 1) % 5,
            flagged=flagged,
            seq=seq,
        )
    attempt_submit(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status == "scored"
    return attempt


def test_practice_waits_while_the_tryout_runs(page, candidate):
    make_bank()
    make_tryout(slug="tryout-uji")
    page.set_viewport_size(PHONE)
    login(page, candidate.email)
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")

    page.goto("/")
    page.click("nav.nav >> text=Latihan")
    notice = page.locator("#practice")
    assert "Latihan ditutup sementara karena tryout Anda sedang berlangsung" in notice.inner_text()
    assert page.locator(".option").count() == 0
    page.screenshot(path=SCREENSHOTS / "practice-waits.png", full_page=True)
    page.click("#practice >> text=Kembali ke tryout")
    page.wait_for_selector("#question")


def effective_font_px(locator) -> list[float]:
    """Rendered font size of each element: CSS size, scaled by its SVG's viewBox if any."""
    return locator.evaluate_all(
        """els => els.map(el => {
            const size = parseFloat(getComputedStyle(el).fontSize);
            const svg = el.ownerSVGElement;
            if (!svg) return size;
            return size * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        })"""
    )


def test_result_page_reads_on_a_phone(page, candidate):
    attempt = scored_attempt(candidate)
    page.set_viewport_size(PHONE)
    login(page, candidate.email)
    page.goto(f"/tryout/sesi/{attempt.uuid}/hasil/")
    page.wait_for_selector("text=Profil prinsip")
    page.screenshot(path=SCREENSHOTS / "result-phone.png", full_page=True)

    labels = page.locator(
        "section[aria-labelledby=profil] svg text, section[aria-labelledby=profil] .bar-label"
    )
    assert labels.count() >= 2
    sizes = effective_font_px(labels)
    assert min(sizes) >= 12, sizes
    for i in range(labels.count()):
        assert labels.nth(i).bounding_box()["height"] >= 12

    # Neither the page nor the results table scrolls sideways: the status column fits on screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.locator("section[aria-labelledby=skor] table")
    wrap = table.locator("xpath=..")
    assert not wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    wrap_box = wrap.bounding_box()
    status_cells = table.locator("tr > :last-child")
    assert status_cells.count() >= 3
    for cell in [*status_cells.all(), *table.locator(".badge").all()]:
        box = cell.bounding_box()
        assert box["x"] >= wrap_box["x"] - 1
        assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"] + 1
        assert box["x"] + box["width"] <= PHONE["width"]


def test_history_chart_reads_on_a_phone(page, candidate):
    attempt = scored_attempt(candidate)
    page.set_viewport_size(PHONE)
    login(page, candidate.email)
    page.goto(f"/tryout/sesi/{attempt.uuid}/hasil/")
    page.click("text=Riwayat nilai")
    page.wait_for_selector("svg.chart")
    page.screenshot(path=SCREENSHOTS / "history-phone.png", full_page=True)
    labels = page.locator("svg.chart text")
    assert labels.count() == 3
    sizes = effective_font_px(labels)
    assert min(sizes) >= 12, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_review_page_on_a_phone_jumps_filters_and_folds(page, candidate):
    attempt = scored_attempt(candidate)
    page.set_viewport_size(PHONE)
    login(page, candidate.email)
    page.goto(f"/tryout/sesi/{attempt.uuid}/pembahasan/")
    page.wait_for_selector("#soal-1")
    page.screenshot(path=SCREENSHOTS / "review-phone-top.png")

    # The jump list marks every question.
    jump = page.locator("nav.jump-list")
    marks = {
        int(a.get_attribute("href").split("-")[-1]): a.get_attribute("class")
        for a in jump.locator("a").all()
    }
    assert set(marks) == {1, 2, 3, 4, 5}
    assert "correct" in marks[1] and "wrong" in marks[2] and "flagged" in marks[3]
    assert "wrong" in marks[4] and "correct" in marks[5]

    # Explanations are folded; one click opens one.
    details = page.locator("article details")
    assert details.count() == 5
    assert all(not d.evaluate("el => el.open") for d in details.all())
    explanation = page.locator("#soal-2 details .prose")
    assert not explanation.is_visible()
    page.click("#soal-2 details summary")
    assert explanation.is_visible()
    page.screenshot(path=SCREENSHOTS / "review-phone.png", full_page=False)

    # A jump-list link brings its question to the top of the screen.
    jump.locator("a[href='#soal-4']").click()
    page.wait_for_function("location.hash === '#soal-4'")
    page.wait_for_function(
        "Math.abs(document.getElementById('soal-4').getBoundingClientRect().top) < 80"
    )
    assert abs(page.locator("#soal-4").bounding_box()["y"]) < 80

    # Only the wrong or flagged questions, by one click.
    page.click("text=Hanya yang salah / ragu-ragu")
    page.wait_for_selector("article[id^=soal-]")
    shown = [a.get_attribute("id") for a in page.locator("article[id^=soal-]").all()]
    assert shown == ["soal-2", "soal-3", "soal-4"]
    page.screenshot(path=SCREENSHOTS / "review-phone-filtered.png", full_page=True)
    page.click("text=Tampilkan semua")
    page.wait_for_selector("#soal-5")
    assert page.locator("article[id^=soal-]").count() == 5
