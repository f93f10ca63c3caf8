"""Every `next` the site honours stays on this site (issue 9, item 3)."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cpns.models import User

HOSTILE = [
    "https://evil.example/x",
    "http://evil.example/x",
    "//evil.example/x",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "http:evil.example",
    "https:/evil.example",
    "  //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "data:text/html,<script>alert(1)</script>",
    "https://testserver@evil.example/",
]
_counter = itertools.count()


def _assert_stays_home(response, home: str = "/") -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"] == home


def _signup_data() -> dict[str, str]:
    n = next(_counter)
    return {
        "full_name": "Siti Aminah",
        "email": f"siti{n}@example.com",
        "password1": "kuat-sekali-987",
        "password2": "kuat-sekali-987",
    }


@pytest.mark.parametrize("target", HOSTILE)
def test_signup_never_redirects_off_site(client, db, target):
    response = client.post(
        reverse("signup"), _signup_data(), QUERY_STRING=urlencode({"next": target})
    )
    _assert_stays_home(response)
    assert User.objects.count() == 1


@pytest.mark.parametrize("target", HOSTILE)
def test_signup_over_https_never_redirects_off_site(client, db, target):
    response = client.post(
        reverse("signup"), _signup_data(), QUERY_STRING=urlencode({"next": target}), secure=True
    )
    _assert_stays_home(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(client, candidate, target):
    response = client.post(
        f"{reverse('login')}",
        {"username": candidate.email, "password": "rahasia-123", "next": target},
    )
    _assert_stays_home(response)
    response = client.post(
        reverse("logout"), {"next": target}, QUERY_STRING=urlencode({"next": target})
    )
    _assert_stays_home(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_login_query_next_never_redirects_off_site(client, candidate, target):
    response = client.post(
        reverse("login"),
        {"username": candidate.email, "password": "rahasia-123"},
        QUERY_STRING=urlencode({"next": target}),
    )
    _assert_stays_home(response)


def test_local_next_is_still_honoured(client, candidate):
    response = client.post(reverse("signup"), _signup_data(), QUERY_STRING="next=/materi/")
    assert response["Location"] == "/materi/"
    client.logout()
    response = client.post(
        reverse("login"),
        {"username": candidate.email, "password": "rahasia-123"},
        QUERY_STRING="next=/tryout/",
    )
    assert response["Location"] == "/tryout/"


def test_http_next_is_refused_over_https(client, db):
    response = client.post(
        reverse("signup"),
        _signup_data(),
        QUERY_STRING="next=http://testserver/materi/",
        secure=True,
    )
    _assert_stays_home(response)
