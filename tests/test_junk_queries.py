"""Every GET page of the site survives junk query values (issue 9, item 9): never a 5xx.

The URLs come from the resolver itself, so a page added tomorrow is covered without editing
this file; URL arguments are filled from real objects made with the factories.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    ModuleFactory,
    PrincipleFactory,
    SectionFactory,
    UserFactory,
    make_bank,
    make_tryout,
)
from ujian.services.attempts import attempt_start
from ujian.services.building import attempt_create

# What the views read (grep request.GET) and what people and bots commonly try.
PARAMS = [
    "page",
    "q",
    "next",
    "setelah",
    "urutan",
    "aspek",
    "kind",
    "value",
    "sort",
    "o",
    "p",
    "hal",
    "kelas",
    "tampil",
]
JUNK = [
    "²",
    "%C2%B2",
    "٣",
    "-1",
    "0",
    "1.5",
    "1e5",
    "999999999999999999999",
    "abc",
    "",
    "\x00",
    "a\x00b",
    "x" * 3000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin; staff pages of ours are covered below
            ns = entry.namespace or namespace
            found += _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry))
    return found


def _fill(route: str, pattern: URLPattern, objects: dict) -> str:
    """The route with every converter replaced by a value taken from a real object."""
    import re

    kind = (pattern.default_args or {}).get("kind", "")

    def value(match: re.Match) -> str:
        name = match["name"]
        if route.startswith("lembaga/") and name in objects["lembaga"]:
            return str(objects["lembaga"][name])
        if name == "value":
            return {"modul": objects["module"], "aspek": "pelayanan-publik"}.get(
                kind, objects["principle"]
            )
        return str(objects[name])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def site(db, candidate, django_capture_on_commit_callbacks):
    principle = PrincipleFactory(code="asas-kepentingan-umum")
    section = SectionFactory(module=ModuleFactory(slug="modul-uji"), slug="bagian-uji")
    questions = make_bank()
    tryout = make_tryout()
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_create(tryout=tryout, user=candidate)
    attempt.refresh_from_db()
    attempt = attempt_start(attempt=attempt)
    lembaga = _institution_with_a_session(candidate)
    return {
        "lembaga": lembaga,
        "module": section.module.slug,
        "module_slug": section.module.slug,
        "section_slug": section.slug,
        "principle": principle.code,
        "slug": tryout.slug,
        "uuid": attempt.uuid,
        "number": 1,
        "question_uuid": questions[0].uuid,
        "uidb64": "MQ",
        "token": "set-password",
        "code": "undangan-tidak-ada",
        "pk": 1,
        "kind": "kartu",
        "fmt": "csv",
        "snapshot_id": attempt.items["s"][0],
        "regrade": "00000000-0000-4000-8000-000000000000",
    }


def _institution_with_a_session(candidate) -> dict:
    """An institution whose admin is the "institution" persona, with a cohort holding the
    candidate and a session, so the lembaga pages render for real."""
    from datetime import timedelta

    from django.utils import timezone

    from lembaga.models import Candidate, Cohort
    from lembaga.services.sessions import session_create
    from tests.factories import InstitutionFactory, MembershipFactory, make_blueprint

    institution = InstitutionFactory(slug="garuda")
    admin = UserFactory(email="admin@garuda.example.com")
    MembershipFactory(user=admin, institution=institution, role="admin")
    cohort = Cohort.objects.create(institution=institution, name="Kelas A")
    Candidate.objects.create(institution=institution, user=candidate, cohort=cohort, number="1")
    blueprint = make_blueprint(slug="preset-junk")
    blueprint.is_preset = True
    blueprint.save()
    now = timezone.now()
    session = session_create(
        institution=institution,
        blueprint=blueprint,
        name="Sesi",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        cohorts=[cohort],
    )
    return {"slug": institution.slug, "uuid": session.uuid, "code": cohort.invite_code}


def _queries() -> list[str]:
    # Every junk value in every parameter at once, then the parameters the views read alone
    # with the values that broke them before (one check must not hide behind another).
    queries = [urlencode(dict.fromkeys(PARAMS, junk)) for junk in JUNK]
    for param in ("q", "next", "setelah", "page"):
        queries += [urlencode({param: junk}) for junk in ("²", "a\x00b", "9" * 21)]
    # Raw, undecodable and malformed query strings as a client may send them.
    queries += ["setelah=%C2%B2", "q=%ff%fe", "q=%", "page=%00", "&&==&", "next=%0d%0aX: y"]
    return queries


@pytest.mark.parametrize("persona", ["anonymous", "candidate", "staff", "institution"])
def test_no_page_answers_junk_query_values_with_a_server_error(site, candidate, persona):
    client = Client(raise_request_exception=False)
    if persona == "candidate":
        client.force_login(candidate)
    elif persona == "staff":
        client.force_login(UserFactory(email="staf@example.com", reviewer=True))
    elif persona == "institution":
        from cpns.models import User

        client.force_login(User.objects.get(email="admin@garuda.example.com"))
    urls = [_fill(route, pattern, site) for route, pattern in _routes(get_resolver())]
    assert "/latihan/aspek/pelayanan-publik/" in urls
    errors = []
    for url in urls:
        for query in _queries():
            response = client.get(url, QUERY_STRING=query)
            if response.status_code >= 500:
                errors.append(f"{url}?{query[:80]} -> {response.status_code}")
    assert not errors, "\n".join(sorted(set(errors))[:50])
