"""A tutor imports a mixed Moodle GIFT bank on the admin import page."""

from __future__ import annotations

from pathlib import Path

import pytest

from soal.models import Question
from tests.e2e.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIXED_GIFT = Path(__file__).parent.parent / "soal" / "fixtures" / "mixed_bank.gift.txt"


def test_tutor_imports_the_supported_questions_of_a_mixed_gift_bank(page, tutor):
    login(page, tutor.email)
    page.goto("/admin/soal/question/impor/")
    page.set_input_files("input[name=file]", str(MIXED_GIFT))
    page.check("input[name=fmt][value=gift]")
    page.get_by_label("Impor yang didukung, lewati sisanya").check()
    page.click("input[type=submit][value=Pratinjau]")

    preview = page.locator("#import-preview")
    preview.wait_for()
    assert Question.objects.count() == 0
    skipped = page.locator("#import-skipped").inner_text()
    assert "“Esai keterbukaan”: jenis “esai” tidak didukung" in skipped
    assert "“Petunjuk”: jenis “deskripsi” tidak didukung" in skipped
    warnings = page.locator("#import-warnings").inner_text()
    assert "“Warna pelangi”: gambar tidak ikut diimpor" in warnings
    assert "“Dengar”: audio tidak ikut diimpor" in warnings
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)

    page.click("text=Simpan 4 soal sebagai draf")
    page.locator("#import-result").wait_for()
    assert "4 soal diimpor sebagai draf" in page.locator("#import-result").inner_text()
    stems = list(Question.objects.order_by("pk").values_list("stem", flat=True))
    assert len(stems) == 4 and stems[1].startswith("Ibu kota negara menurut UU 3/2022")
    assert set(Question.objects.values_list("author__email", flat=True)) == {tutor.email}
