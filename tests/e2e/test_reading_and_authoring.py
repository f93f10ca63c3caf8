"""A section page on a 360-px phone screen, and a tutor authoring a TKP question."""

from __future__ import annotations

import pytest

from soal.models import Question
from tests.e2e.conftest import SCREENSHOTS, login
from tests.factories import ModuleFactory, PrincipleFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_section_reads_well_on_a_phone(page):
    module = ModuleFactory(title="Pelayanan Publik")
    long_body = (
        "### Contoh\n\n"
        + "Petugas melayani warga dengan ramah dan jelas. " * 40
        + "\n\n| Asas | Pasal |\n|---|---|\n| Keterbukaan | Pasal 4 huruf h |\n\n"
        "> Kutipan pasal\n>\n> — UU 25/2009 Pasal 4"
    )
    section = SectionFactory(module=module, title="Pengertian pelayanan publik", body=long_body)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(section.get_absolute_url())
    assert page.locator("h1").inner_text() == "Pengertian pelayanan publik"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "section-360.png"), full_page=True)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("main#konten").count() == 1 and page.locator("nav").count() >= 2


def pick_principle(page, field_id: str, text: str) -> None:
    page.click(f"#{field_id} + .select2 .select2-selection")
    page.keyboard.type(text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_tutor_authors_a_tkp_question_and_previews_it(page, tutor):
    PrincipleFactory(code="sq-empathy", name="Empati")
    PrincipleFactory(code="asas-tidak-diskriminatif", name="Tidak diskriminatif")
    login(page, tutor.email)
    page.goto("/admin/soal/question/add/")
    page.select_option("#id_subtest", "TKP")
    page.select_option("#id_aspect", "pelayanan-publik")
    page.fill("#id_stem", "Seorang lansia kebingungan di depan loket. Apa yang Anda lakukan?")
    page.fill("#id_explanation", "Pilihan terbaik membantu lansia secara langsung.")
    for i, score in enumerate([5, 3, 1, 4, 2]):
        page.fill(f"#id_options-{i}-text", f"Tindakan {i} terhadap lansia")
        page.fill(f"#id_options-{i}-score", str(score))
        page.fill(f"#id_options-{i}-rationale", f"Alasan {i}")
        if score >= 3:
            pick_principle(page, f"id_options-{i}-upholds", "Empati")
        else:
            pick_principle(page, f"id_options-{i}-violates", "Tidak diskriminatif")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=Alur kerja")
    question = Question.objects.get()
    assert question.author == tutor and question.status == "draft"
    assert sorted(question.options.values_list("score", flat=True)) == [1, 2, 3, 4, 5]
    assert question.options.get(position=0).credits.get().principle.code == "sq-empathy"

    with page.expect_popup() as popup:
        page.click("text=Lihat seperti peserta")
    preview = popup.value
    preview.wait_for_load_state()
    assert "Seorang lansia kebingungan" in preview.inner_text("body")
    assert "Tindakan 3 terhadap lansia" in preview.inner_text("body")
