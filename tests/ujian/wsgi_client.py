"""Calls the project's WSGI application (cpns.wsgi: the answer-save shortcut in front of
Django) the way gunicorn does, with any raw body; shared by the save tests."""

from __future__ import annotations

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections

from cpns.wsgi import application


@pytest.fixture
def keep_test_connection():
    # As Django's test client does: the test's transaction must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call_raw(path: str, raw: bytes, token: str, content_type: str = "application/json"):
    """POST `raw` with the page's save token; returns (status, headers, body bytes)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": content_type,
        "HTTP_X_ATTEMPT_TOKEN": token,
    }
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = int(status.split()[0]), dict(response_headers)

    content = b"".join(application(environ, start_response))
    return got["status"], got["headers"], content


def json_body(raw: bytes) -> dict:
    body = json.loads(raw)
    assert isinstance(body, dict)
    return body
