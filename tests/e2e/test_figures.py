"""A figural question on the exam screen: the candidate sees the figure, named by its alt text, and
answers by clicking a picture option."""

from __future__ import annotations

import pytest

from soal.generators import generate
from soal.services.questions import question_create
from tests.e2e.conftest import SCREENSHOTS, login
from tests.factories import make_blueprint, make_tryout
from tests.soal.test_figures import figural_data
from ujian.models import Answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_candidate_sees_the_figure_and_answers_with_a_picture_option(page, candidate):
    item = generate("figural-deret", 5)
    question_create(data=figural_data(item), status="published")
    make_tryout(
        blueprint=make_blueprint(sections=(("TIU", "tiu", 1, None),), slug="kisi-figural"),
        slug="tryout-figural",
    )
    login(page, candidate.email)
    page.goto("/tryout/t/tryout-figural/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")

    figure = page.get_by_role("img", name=item.figure_alt)
    assert figure.is_visible()
    box = figure.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 40  # drawn, not collapsed

    options = page.locator("#question .option")
    assert options.count() == 5
    for text in item.options:  # the tryout may shuffle the options
        # The picture is hidden from screen readers: the option's text already describes it.
        picture = options.filter(has_text=text).locator(".option-figure svg")
        assert picture.is_visible() and picture.bounding_box()["width"] >= 60
    key = item.options[item.correct]
    shown_index = [options.nth(i).inner_text() for i in range(5)].index(
        next(t for t in (options.nth(i).inner_text() for i in range(5)) if key in t)
    )
    # On a 360-px phone the row of panels shrinks to fit instead of overflowing the page.
    page.set_viewport_size({"width": 360, "height": 740})
    phone = figure.bounding_box()
    assert phone and phone["width"] <= 340 and phone["height"] < box["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "figural-exam.png"), full_page=True)

    options.filter(has_text=item.options[item.correct]).locator(".option-figure svg").click()
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    page.wait_for_function(
        "document.querySelector(\"#question .option[aria-pressed='true']\") !== null"
    )
    assert Answer.objects.get().choice == shown_index
