from __future__ import annotations

import pytest
from django.urls import reverse

from materi.markdown import render_markdown
from materi.models import SectionProgress
from tests.factories import ModuleFactory, SectionFactory


def test_script_in_a_body_is_neutralised(client, db):
    section = SectionFactory(
        body="Halo <script>alert('x')</script> [a](javascript:alert(1)) "
        "<img src=x onerror=alert(1)>"
    )
    html = client.get(section.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, harmless


def test_markdown_keeps_structure():
    html = render_markdown(
        "### Judul\n\n> Kutipan\n>\n> — UU 25/2009 Pasal 4\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h3>Judul</h3>" in html and "<blockquote>" in html and "<table>" in html


def test_unpublished_modules_are_hidden(client, db):
    hidden = ModuleFactory(slug="rahasia", title="Modul Rahasia", is_published=False)
    section = SectionFactory(module=hidden)
    assert "Modul Rahasia" not in client.get(reverse("materi:index")).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(section.get_absolute_url()).status_code == 404


def test_anonymous_can_read_but_progress_needs_an_account(client, db):
    section = SectionFactory()
    page = client.get(section.get_absolute_url()).content.decode()
    assert section.title in page and "untuk menyimpan kemajuan" in page
    url = reverse("materi:section_done", args=[section.module.slug, section.slug])
    assert client.post(url).status_code == 302
    assert not SectionProgress.objects.exists()


def test_mark_done_via_htmx_and_resume(candidate_client, candidate):
    module = ModuleFactory()
    first = SectionFactory(module=module, order=1)
    second = SectionFactory(module=module, order=2)
    url = reverse("materi:section_done", args=[module.slug, first.slug])
    response = candidate_client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Sudah selesai dibaca" in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment, not the page
    assert SectionProgress.objects.filter(user=candidate, section=first).exists()
    candidate_client.get(second.get_absolute_url())
    module_page = candidate_client.get(module.get_absolute_url()).content.decode()
    assert f"Lanjutkan: {second.title}" in module_page
    assert "50% selesai" in module_page
    catalogue = candidate_client.get(reverse("materi:index")).content.decode()
    assert "50% selesai" in catalogue


def test_progress_is_per_user(client, candidate, other_candidate):
    section = SectionFactory()
    SectionProgress.objects.create(user=candidate, section=section)
    client.force_login(other_candidate)
    assert "Sudah selesai dibaca" not in client.get(section.get_absolute_url()).content.decode()


def test_previous_next_navigation(client, db):
    module = ModuleFactory()
    a, b, c = (SectionFactory(module=module, order=i) for i in range(3))
    html = client.get(b.get_absolute_url()).content.decode()
    assert a.get_absolute_url() in html and c.get_absolute_url() in html
    assert "Bagian 2 dari 3" in html


@pytest.mark.parametrize("query", ["pelayanan", "baik"])
def test_search_fallback_or_fulltext_finds_sections(client, db, query):
    from materi.services import section_index

    SectionFactory(title="Bagian tentang pelayanan", body="Isi tentang pelayanan publik yang baik.")
    section_index()
    response = client.get(reverse("materi:search"), {"q": query}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Bagian tentang pelayanan" in html and "<mark>" in html
