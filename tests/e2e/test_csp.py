"""The Content-Security-Policy breaks nothing: htmx, the exam screen and the admin still work,
and the browser reports no violation on any page a candidate or a tutor uses (issue 9, item 14)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.factories import ModuleFactory, SectionFactory, make_bank, make_tryout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def violations(page):
    """Every CSP violation the browser reports, from the console and from the DOM event."""
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(WATCH)
    yield found


def _dom_violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_candidate_pages_work_under_the_csp(page, candidate, violations):
    section = SectionFactory(module=ModuleFactory(slug="modul-uji", title="Pelayanan"))
    make_bank()
    make_tryout(slug="tryout-uji")
    seen: list[str] = []
    login(page, candidate.email)
    assert "default-src 'self'" in page.evaluate(
        "fetch('/').then(r => r.headers.get('content-security-policy'))"
    )

    # Reading: the htmx "Tandai selesai" swaps its button in place; progress bars render.
    page.goto(section.get_absolute_url())
    page.click("#done-button button")
    page.wait_for_selector("#done-button .done-mark")
    seen += _dom_violations(page)
    page.goto("/materi/")
    assert page.locator("progress.progress").first.get_attribute("value") == "100"
    seen += _dom_violations(page)

    # Search with htmx as the person types.
    page.goto("/materi/cari/")
    page.fill("#q", "pelayanan")
    page.wait_for_selector("#search-results h2")
    seen += _dom_violations(page)

    # Practice: answering swaps in the feedback through htmx.
    page.goto("/latihan/aspek/pelayanan-publik/")
    page.click("#practice button.option >> nth=0")
    page.wait_for_selector("#practice .badge")
    seen += _dom_violations(page)

    # The exam screen: exam.js saves an answer; the legend and grid show.
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")
    page.click("#question .option[data-choice='1']")
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    legend = page.locator(".legend i").first
    assert legend.evaluate("e => getComputedStyle(e).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    seen += _dom_violations(page)
    page.click("#finish")
    page.click("#finish-form button[type=submit]")
    page.wait_for_selector("text=Profil prinsip", timeout=15_000)
    seen += _dom_violations(page)

    assert not seen, seen
    assert not violations, violations


def test_tutor_admin_pages_work_under_the_csp(page, tutor, violations):
    make_bank()
    login(page, tutor.email)
    seen: list[str] = []
    for path in ("/admin/", "/admin/soal/question/", "/admin/soal/question/add/"):
        page.goto(path)
        seen += _dom_violations(page)
    page.goto("/admin/soal/question/")
    page.click("#result_list tbody a >> nth=0")
    page.wait_for_selector("text=Alur kerja")
    seen += _dom_violations(page)
    assert not seen, seen
    assert not violations, violations
