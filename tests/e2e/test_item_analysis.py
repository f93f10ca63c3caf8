"""Item analysis to regrade, clicked by a reviewer; the candidate sees the new score."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from soal.models import Question, Status
from tests.e2e.conftest import SCREENSHOTS, login
from tests.factories import UserFactory, make_bank, make_blueprint, make_tryout
from ujian.models import Attempt, RegradeStatus
from ujian.services.simulation import attempts_simulate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISKEY = 2


@pytest.fixture
def planted(db):
    """A fixed-form TKP tryout whose first question is mis-keyed: strong candidates choose the
    option scored 2."""
    make_bank(pelayanan=3, jejaring=2)
    tryout = make_tryout(blueprint=make_blueprint(), slug="tryout-analisis", title="Tryout uji")
    target = Question.objects.filter(aspect="pelayanan-publik").order_by("pk").first()

    def attractiveness(data: dict) -> list[float]:
        scores = [float(o["score"]) for o in data["options"]]
        if data["question"] == target.pk:
            return [6.0 if s == MISKEY else s for s in scores]
        return scores

    users = [UserFactory(email=f"sim{i}@example.com") for i in range(150)]
    attempts_simulate(tryout=tryout, user_ids=[u.pk for u in users], attractiveness=attractiveness)
    return tryout, target


def test_reviewer_flags_fixes_and_regrades_a_miskeyed_tkp_item(
    page, browser_instance, live_server, reviewer, planted
):
    tryout, target = planted
    login(page, reviewer.email)

    # The report, from the navigation; statistics computed on demand ("Hitung ulang").
    page.get_by_role("link", name="Analisis butir").first.click()
    page.get_by_role("link", name="Tryout uji").click()
    page.get_by_role("button", name="Hitung ulang").click()
    first_row = page.locator("tr.item-row").first
    expect(first_row).to_contain_text("Kemungkinan salah kunci")
    page.screenshot(path=str(SCREENSHOTS / "analysis-report.png"), full_page=True)

    # The flagged question's page: chart, the flag's explanation, then "Revisi soal".
    first_row.get_by_role("link").click()
    expect(page.locator("svg.option-chart")).to_be_visible()
    expect(page.locator(".flag-possible_miskey")).to_contain_text("Kunci skor mungkin tertukar")
    page.screenshot(path=str(SCREENSHOTS / "analysis-item.png"), full_page=True)
    item_url = page.url
    page.get_by_role("button", name="Revisi soal").click()
    expect(page).to_have_url(re.compile(r"/admin/soal/question/\d+/change/$"))
    draft = Question.objects.get(previous_version=target)

    # Fix the key in the admin: the option scored 2 is the best one, the 5 drops to 2.
    scores = [o.score for o in draft.options.order_by("position")]
    two, five = scores.index(MISKEY), scores.index(5)
    page.fill(f"input[name='options-{two}-score']", "5")
    page.fill(f"input[name='options-{five}-score']", "2")
    page.locator("input[name='_continue']").click()
    expect(page.locator(".messagelist")).to_be_visible()
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    expect(page.locator("h2", has_text="Alur kerja —")).to_have_text("Alur kerja — Terbit")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED

    # Dry run first: nothing changes until "Terapkan".
    before = dict(Attempt.objects.filter(tryout=tryout).values_list("pk", "total"))
    page.goto(item_url)
    page.get_by_role("button", name=re.compile("Nilai ulang dengan versi 2")).click()
    expect(page.locator(".regrade-state")).to_have_text("Pratinjau siap")
    expect(page.locator("#regrade-preview tbody tr").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "analysis-regrade.png"), full_page=True)
    assert dict(Attempt.objects.filter(tryout=tryout).values_list("pk", "total")) == before
    page.get_by_role("button", name="Terapkan penilaian ulang").click()
    expect(page.locator(".regrade-state")).to_have_text("Selesai")

    regraded = Attempt.objects.filter(tryout=tryout, regraded_at__isnull=False).order_by("pk")
    assert regraded.exists()
    assert tryout.regrades.get().status == RegradeStatus.DONE
    changed = regraded.select_related("user").first()
    assert changed.total != before[changed.pk]

    # The candidate's result page shows the new total and the note.
    context = browser_instance.new_context(base_url=live_server.url, locale="id-ID")
    candidate = context.new_page()
    login(candidate, changed.user.email)
    candidate.goto(f"/tryout/sesi/{changed.uuid}/hasil/")
    expect(candidate.locator("#skor")).to_contain_text(f"Nilai total: {changed.total} dari")
    expect(candidate.locator(".regraded")).to_contain_text("nilai diperbarui")
    context.close()
