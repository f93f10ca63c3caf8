"""An exam that needs the network only to start and to hand in: moving between questions,
answering and flagging work with no network at all, a reload offline comes back from the
service worker, and everything reaches the server when the network returns."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import login
from tests.factories import make_bank, make_blueprint, make_tryout
from ujian.models import Answer, Attempt, AttemptStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT = 20


def _start(page, candidate) -> Attempt:
    make_bank(pelayanan=12, jejaring=8)
    blueprint = make_blueprint(
        sections=(
            ("Pelayanan", "pelayanan-publik", 12, None),
            ("Jejaring", "jejaring-kerja", 8, None),
        ),
        duration_minutes=30,
    )
    make_tryout(blueprint=blueprint, slug="tryout-uji")
    login(page, candidate.email)
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")
    attempt = Attempt.objects.get()
    assert attempt.item_count == COUNT
    # The service worker controls the page and keeps a copy of it for an offline reload.
    # (Polled with evaluate, which awaits the promise; wait_for_function took the pending
    # promise itself as truthy and let the test go offline before the copy existed.)
    kept = (
        "async () => !!navigator.serviceWorker.controller &&"
        " !!(await (await caches.open('cpns-exam')).match(location.pathname))"
    )
    deadline = time.monotonic() + 15
    while not page.evaluate(kept):
        assert time.monotonic() < deadline, "the service worker kept no copy of the exam page"
        page.wait_for_timeout(100)
    return attempt


def _wait_until_sent(page, attempt, timeout=20_000) -> None:
    page.wait_for_function(
        "key => { const s = JSON.parse(localStorage.getItem(key) || 'null');"
        " return !!s && s.queue.length === 0; }",
        arg=f"cpns-attempt-{attempt.uuid}",
        timeout=timeout,
    )


def test_offline_answer_navigate_reload_and_sync(page, candidate):
    attempt = _start(page, candidate)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.context.set_offline(True)
    went_offline_ms = time.time() * 1000

    for i in range(COUNT):
        assert page.text_content("#q-title").startswith(f"Soal {i + 1} dari {COUNT}")
        page.click(f"#question .option[data-choice='{i % 5}']")
        assert page.get_attribute(f"#question .option[data-choice='{i % 5}']", "aria-pressed") == (
            "true"
        )
        if i == 4:
            page.check("#flag")
        if i < COUNT - 1:
            if i % 3 == 0:
                page.keyboard.press("ArrowRight")
            elif i % 3 == 1:
                page.click("#next")
            else:
                page.click(f"#grid a[data-position='{i + 1}']")
    page.click("#prev")  # back to 19, forward again: still nothing asked of the server
    page.click("#next")
    assert page.locator("#grid a.answered").count() == COUNT
    assert page.locator("#grid a.flagged").count() == 1
    assert page.is_visible("#save-state.pending")
    # Navigation costs the server nothing: no question fetched, no page loaded.
    assert [r for r in requests if "/soal/" in r or r.startswith("GET")] == []

    response = page.reload()  # offline: the service worker's copy, the answers from the queue
    page.wait_for_selector("#question")
    assert response is not None and response.from_service_worker
    # The copy kept at the first load, not a fresh render: the server was not reached.
    rendered = page.evaluate("JSON.parse(document.getElementById('exam-config').text).serverNow")
    assert rendered < went_offline_ms
    assert page.locator("#grid a.answered").count() == COUNT
    assert page.text_content("#q-title").startswith(f"Soal {COUNT} dari {COUNT}")
    assert page.get_attribute("#question .option[data-choice='4']", "aria-pressed") == "true"
    assert Answer.objects.filter(attempt=attempt).count() < COUNT

    page.context.set_offline(False)
    _wait_until_sent(page, attempt)
    answers = {a.position: a for a in Answer.objects.filter(attempt=attempt)}
    assert {p: a.choice for p, a in answers.items()} == {i: i % 5 for i in range(COUNT)}
    assert [p for p, a in answers.items() if a.flagged] == [4]
    assert not any("/soal/" in r for r in requests)


def test_finish_offline_says_so_and_hands_in_when_online(page, candidate):
    attempt = _start(page, candidate)
    page.click("#question .option[data-choice='2']")
    _wait_until_sent(page, attempt)
    page.context.set_offline(True)
    page.click("#grid a[data-position='1']")
    page.click("#question .option[data-choice='1']")
    page.click("#finish")
    page.click("#finish-form button[type=submit]")
    notice = page.locator("#save-notice")
    notice.wait_for(state="visible")
    assert "offline" in notice.text_content()
    assert "batas waktu" in notice.text_content()
    page.wait_for_timeout(1000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS

    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/hasil/"), timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status in (AttemptStatus.SUBMITTED, AttemptStatus.SCORED)
    assert Answer.objects.get(attempt=attempt, position=1).choice == 1
    # Handed in: the offline copy of the exam page is gone.
    assert not page.evaluate(
        "async url => !!(await (await caches.open('cpns-exam')).match(url))",
        attempt.get_absolute_url(),
    )


def test_navigating_online_asks_the_server_nothing(page, candidate):
    attempt = _start(page, candidate)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    for i in range(COUNT - 1):
        page.click("#next")
        assert page.text_content("#q-title").startswith(f"Soal {i + 2} dari {COUNT}")
    for i in range(COUNT - 1, 0, -1):
        page.keyboard.press("ArrowLeft")
        assert page.text_content("#q-title").startswith(f"Soal {i} dari {COUNT}")
    page.click("#grid a[data-position='11']")
    assert page.text_content("#q-title").startswith(f"Soal 12 dari {COUNT}")
    assert requests == []  # 39 moves and a jump from the grid: not one request
    # The server still learns where the candidate is (the next heartbeat, within 15 s), so a
    # resume on another device opens there.
    with page.expect_request(lambda r: "/detak/" in r.url, timeout=20_000):
        pass
    page.wait_for_timeout(500)
    attempt.refresh_from_db()
    assert attempt.current_position == 11
    page.reload()
    page.wait_for_selector("#question")
    assert page.text_content("#q-title").startswith(f"Soal 12 dari {COUNT}")
