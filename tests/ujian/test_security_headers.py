"""Security headers on every response, the answer-save shortcut included (issue 9, item 14)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import reverse

from cpns.wsgi import application
from ujian.models import Answer
from ujian.services.attempts import save_token

ROOT = Path(__file__).resolve().parents[2]
PERMISSIONS = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]


@pytest.fixture(autouse=True)
def keep_test_connection():
    # As Django's test client does: the test's transaction must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def wsgi(path: str, method: str = "GET", body: bytes = b"", https: bool = False, **headers):
    """One request through the deployed WSGI application (cpns.wsgi, shortcut included)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443" if https else "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "https" if https else "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"] = int(status.split()[0])
        got["headers"] = {k.lower(): v for k, v in response_headers}

    content = b"".join(application(environ, start_response))
    return got["status"], got["headers"], content


def assert_security_headers(headers: dict[str, str], *, hsts: bool) -> None:
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in csp, csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    for feature in PERMISSIONS:
        assert feature in headers["permissions-policy"]
    if hsts:
        assert headers["strict-transport-security"].startswith("max-age=31536000")
    else:
        assert "strict-transport-security" not in headers


@pytest.mark.parametrize("https", [False, True])
def test_a_page_carries_every_security_header(client, db, settings, https):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/", secure=https)
    assert response.status_code == 200
    assert_security_headers({k.lower(): v for k, v in response.items()}, hsts=https)


def test_the_deployed_wsgi_application_sends_them(db):
    status, headers, _ = wsgi("/")
    assert status == 200
    assert_security_headers(headers, hsts=False)


def test_test_client_pages_carry_them_too(client, db):
    response = client.get(reverse("materi:index"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("https", [False, True])
def test_the_answer_save_shortcut_carries_the_same_headers(started, settings, https):
    settings.SECURE_HSTS_SECONDS = 31536000
    url = reverse("ujian:save", args=[started.uuid])
    body = json.dumps({"position": 0, "choice": 2, "seq": 1}).encode()
    status, headers, content = wsgi(
        url, "POST", body, https=https, x_attempt_token=save_token(started)
    )
    assert status == 200, content
    assert json.loads(content)["status"] == "saved"
    assert Answer.objects.get(attempt=started, position=0).choice == 2
    assert headers["cache-control"] == "no-store"
    assert_security_headers(headers, hsts=https)


def test_hsts_is_a_year_by_default_with_debug_off():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CPNS_"))}
    clean.pop("SECURE_HSTS_SECONDS", None)
    env = {**clean, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "cpns.example.org"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "31536000", result.stderr


def test_with_debug_on_the_policy_only_reports(started, settings):
    """Development keeps Django's debug pages readable; the console still shows violations."""
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    url = reverse("ujian:save", args=[started.uuid])
    body = json.dumps({"position": 1, "choice": 1, "seq": 1}).encode()
    _s, headers, _c = wsgi(url, "POST", body, x_attempt_token=save_token(started))
    assert "content-security-policy" not in headers
    assert "default-src 'self'" in headers["content-security-policy-report-only"]
