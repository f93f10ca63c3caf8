"""A tutor in the admin drafts modules but neither publishes nor edits a published one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import ModuleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tutor_cannot_change_or_publish_a_published_module(page, tutor):
    published = ModuleFactory(title="Modul terbit", is_published=True)
    login(page, tutor.email)

    page.goto(f"/admin/materi/module/{published.pk}/change/")
    expect(page.locator("#content h1")).to_have_text("Lihat modul")
    expect(page.get_by_text("Modul terbit").first).to_be_visible()
    expect(page.locator("input[name=title]")).to_have_count(0)
    expect(page.locator("input[name=is_published]")).to_have_count(0)
    expect(page.locator("input[type=submit]")).to_have_count(0)

    page.goto("/admin/materi/module/")
    expect(page.get_by_role("link", name="Modul terbit")).to_be_visible()
    expect(page.locator("input[name$=is_published]")).to_have_count(0)
    published.refresh_from_db()
    assert published.title == "Modul terbit" and published.is_published


def test_tutor_saves_a_draft_module_which_stays_unpublished(page, tutor):
    draft = ModuleFactory(title="Modul draf", is_published=False)
    login(page, tutor.email)

    page.goto(f"/admin/materi/module/{draft.pk}/change/")
    expect(page.locator("input[name=is_published]")).to_have_count(0)
    page.fill("input[name=title]", "Modul draf yang diperbaiki")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    draft.refresh_from_db()
    assert draft.title == "Modul draf yang diperbaiki" and not draft.is_published
