"""The question workflow in the admin, clicked by a tutor and a reviewer in two browsers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from soal.models import Question, Status
from tests.e2e.conftest import login
from tests.factories import create_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser_instance, live_server):
    """A logged-in page per person, each in its own browser context (own cookies)."""
    contexts = []

    def _open(user):
        context = browser_instance.new_context(base_url=live_server.url, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        login(page, user.email)
        return page

    yield _open
    for context in contexts:
        context.close()


def status_heading(page):
    return page.locator("h2", has_text="Alur kerja —")


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_question_goes_through_review_by_clicking_the_workflow_buttons(open_as, tutor, reviewer):
    question = create_question(status=Status.DRAFT, author=tutor)
    url = f"/admin/soal/question/{question.pk}/change/"

    writer = open_as(tutor)
    writer.goto(url)
    expect(status_heading(writer)).to_have_text("Alur kerja — Draf")
    click(writer, "Ajukan untuk ditinjau")
    expect(status_heading(writer)).to_have_text("Alur kerja — Ditinjau")
    question.refresh_from_db()
    assert question.status == Status.REVIEW

    checker = open_as(reviewer)
    checker.goto(url)
    checker.get_by_label("Catatan untuk penulis").fill("Pilihan D terlalu mirip pilihan B.")
    click(checker, "Kembalikan ke penulis")
    expect(status_heading(checker)).to_have_text("Alur kerja — Draf")
    question.refresh_from_db()
    assert question.status == Status.DRAFT
    assert question.review_comment == "Pilihan D terlalu mirip pilihan B."

    writer.goto(url)
    expect(writer.get_by_text("Pilihan D terlalu mirip pilihan B.").first).to_be_visible()
    click(writer, "Ajukan untuk ditinjau")
    expect(status_heading(writer)).to_have_text("Alur kerja — Ditinjau")
    question.refresh_from_db()
    assert question.status == Status.REVIEW

    checker.goto(url)
    click(checker, "Terbitkan")
    expect(status_heading(checker)).to_have_text("Alur kerja — Terbit")
    question.refresh_from_db()
    assert question.status == Status.PUBLISHED and question.reviewer == reviewer

    click(checker, "Pensiunkan")
    expect(status_heading(checker)).to_have_text("Alur kerja — Pensiun")
    question.refresh_from_db()
    assert question.status == Status.RETIRED

    click(checker, "Duplikasi")
    expect(checker).not_to_have_url(re.compile(rf"/question/{question.pk}/change/$"))
    expect(status_heading(checker)).to_have_text("Alur kerja — Draf")
    copy = Question.objects.exclude(pk=question.pk).get()
    assert copy.status == Status.DRAFT and copy.author == reviewer
    assert copy.stem == question.stem
    assert checker.url.endswith(f"/question/{copy.pk}/change/")
