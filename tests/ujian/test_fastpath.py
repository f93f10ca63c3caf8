"""The WSGI shortcut for answer saves (ujian/fastpath.py) answers exactly like the view, and
everything it does not handle reaches Django unchanged."""

from __future__ import annotations

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import reverse

from cpns.wsgi import application
from ujian.fastpath import SAVE_PATH
from ujian.models import Answer
from ujian.services.attempts import save_token


@pytest.fixture(autouse=True)
def keep_test_connection():
    # As Django's test client does: the test's transaction must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(path: str, body: dict | None = None, method: str = "POST", host="testserver", **headers):
    raw = json.dumps(body or {}).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(application(environ, start_response))
    return got["status"], got["headers"], content


def test_the_shortcut_path_is_the_save_url(started):
    assert SAVE_PATH.match(reverse("ujian:save", args=[started.uuid]))


def test_a_save_with_its_token_is_stored(started):
    url = reverse("ujian:save", args=[started.uuid])
    status, headers, content = call(
        url, {"position": 2, "choice": 3, "seq": 1}, x_attempt_token=save_token(started)
    )
    assert status == 200 and json.loads(content)["status"] == "saved"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Length"] == str(len(content))  # keep-alive clients need it
    assert Answer.objects.get(attempt=started, position=2).choice == 3
    # An older save arriving late is acknowledged as stale and changes nothing.
    status, _h, content = call(
        url, {"position": 2, "choice": 1, "seq": 1}, x_attempt_token=save_token(started)
    )
    assert json.loads(content)["status"] == "stale"
    assert Answer.objects.get(attempt=started, position=2).choice == 3


def test_forged_token_or_bad_body_changes_nothing(started):
    url = reverse("ujian:save", args=[started.uuid])
    status, _h, content = call(
        url,
        {"position": 0, "choice": 1, "seq": 1},
        x_attempt_token=save_token(started)[:-3] + "abc",
    )
    assert status == 403 and "Sesi tidak valid" in json.loads(content)["message"]
    status, _h, content = call(url, {"position": "x"}, x_attempt_token=save_token(started))
    assert status == 400 and json.loads(content)["status"] == "invalid"
    assert not Answer.objects.exists()


def test_without_a_token_django_checks_csrf(started):
    url = reverse("ujian:save", args=[started.uuid])
    status, _h, _c = call(url, {"position": 0, "choice": 1, "seq": 1})
    assert status == 403  # no session, no CSRF token: Django's CSRF failure, not the shortcut
    assert not Answer.objects.exists()


def test_an_unknown_host_is_left_to_django(started, settings):
    settings.ALLOWED_HOSTS = ["cpns.example.org"]
    url = reverse("ujian:save", args=[started.uuid])
    status, _h, _c = call(
        url, {"position": 0, "choice": 1, "seq": 1}, x_attempt_token=save_token(started)
    )
    assert status == 400
    assert not Answer.objects.exists()
