"""Saving answers from more than one tab or device, and through a server that is briefly down:
the newest click wins, and the page never shows an answer the server did not keep."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.conftest import login
from tests.factories import make_bank, make_tryout
from ujian.models import Answer, Attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _start(page, candidate) -> Attempt:
    make_bank()
    make_tryout(slug="tryout-uji")
    login(page, candidate.email)
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")
    return Attempt.objects.get()


def _second_tab(page, browser_instance, live_server, attempt):
    """The same candidate on another device: the same log-in, its own browser storage."""
    context = browser_instance.new_context(
        base_url=live_server.url, locale="id-ID", storage_state=page.context.storage_state()
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(attempt.get_absolute_url())
    tab.wait_for_selector("#question")
    return tab


def _wait_until_sent(tab, attempt, timeout=15_000) -> None:
    """The page's queue of waiting saves is empty: every click got the server's answer."""
    tab.wait_for_function(
        "key => { const s = JSON.parse(localStorage.getItem(key) || 'null');"
        " return !!s && s.queue.length === 0; }",
        arg=f"cpns-attempt-{attempt.uuid}",
        timeout=timeout,
    )


def _pressed(tab, choice: int) -> str:
    return tab.get_attribute(f"#question .option[data-choice='{choice}']", "aria-pressed")


def test_two_tabs_the_newer_answer_wins(page, candidate, browser_instance, live_server):
    attempt = _start(page, candidate)
    tab_b = _second_tab(page, browser_instance, live_server, attempt)

    page.click("#question .option[data-choice='0']")  # tab A answers A
    _wait_until_sent(page, attempt)
    assert Answer.objects.get(attempt=attempt, position=0).choice == 0
    page.wait_for_timeout(300)  # "later" by more than the pages' clock estimates can err
    tab_b.click("#question .option[data-choice='3']")  # later, tab B answers D
    _wait_until_sent(tab_b, attempt)

    assert Answer.objects.get(attempt=attempt, position=0).choice == 3
    assert _pressed(tab_b, 3) == "true"
    assert tab_b.is_hidden("#save-notice")
    tab_b.context.close()


def test_a_stale_save_shows_the_stored_answer_and_says_so(
    page, candidate, browser_instance, live_server
):
    attempt = _start(page, candidate)
    tab_b = _second_tab(page, browser_instance, live_server, attempt)

    # Tab B answers D while offline; the save waits in the page.
    tab_b.context.set_offline(True)
    tab_b.click("#question .option[data-choice='3']")
    tab_b.wait_for_selector("#save-state.pending")
    page.wait_for_timeout(300)
    # Afterwards tab A answers A, and the server keeps it: it is the newer action.
    page.click("#question .option[data-choice='0']")
    _wait_until_sent(page, attempt)
    assert Answer.objects.get(attempt=attempt, position=0).choice == 0

    # Tab B comes back online: its older save is refused as stale, and B must not claim it.
    tab_b.context.set_offline(False)
    _wait_until_sent(tab_b, attempt)
    assert Answer.objects.get(attempt=attempt, position=0).choice == 0
    assert _pressed(tab_b, 0) == "true" and _pressed(tab_b, 3) == "false"
    notice = tab_b.inner_text("#save-notice")
    assert "Jawaban soal 1 diubah dari perangkat/tab lain; jawaban tersimpan: A" in notice
    assert "answered" in tab_b.get_attribute("#grid a[data-position='0']", "class")
    tab_b.context.close()


def test_a_503_keeps_the_answer_queued_and_sends_it_again(page, candidate):
    attempt = _start(page, candidate)
    replies = []

    def database_down_once(route):
        replies.append(route.request.post_data)
        if len(replies) == 1:
            body = {
                "status": "error",
                "message": "Server sedang sibuk; jawaban akan dikirim ulang otomatis.",
                "now": int(time.time() * 1000),
            }
            route.fulfill(status=503, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/jawab/", database_down_once)
    page.click("#question .option[data-choice='2']")
    page.wait_for_selector("#save-state.pending")
    assert not Answer.objects.filter(attempt=attempt).exists()
    _wait_until_sent(page, attempt)  # the page retries by itself
    assert len(replies) == 2 and replies[0] == replies[1]  # the same save, sent again
    assert Answer.objects.get(attempt=attempt, position=0).choice == 2
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
