"""The answer save through a database restart, against the real PostgreSQL: the project's WSGI
application (the token shortcut in front of Django, as gunicorn runs it) served over HTTP from
its own thread, with its own persistent connection, which the test kills under it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.db import connection, connections
from django.urls import reverse

from cpns.wsgi import application
from ujian.models import Answer
from ujian.services.attempts import save_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def wsgi_server(needs_postgres):
    """The WSGI app on a local port; one thread, so one persistent database connection."""
    settings_dict = connection.settings_dict  # shared by every thread's connection
    old_max_age = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 600  # persistent, as in production
    server = make_server("127.0.0.1", 0, application, handler_class=_QuietHandler)
    started = threading.Event()

    def serve():
        server.connection = connections["default"]  # this thread's own
        started.set()
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's connection, before the test database goes

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(10)
    server.server_close()
    settings_dict["CONN_MAX_AGE"] = old_max_age


def _post(base: str, path: str, body: dict, token: str) -> tuple[int, str, dict | None]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Attempt-Token": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, ctype, raw = response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        status, ctype, raw = exc.code, exc.headers.get("Content-Type", ""), exc.read()
    try:
        return status, ctype, json.loads(raw)
    except ValueError:
        return status, ctype, {"raw": raw.decode(errors="replace")}


def _server_backend_pid(server) -> int:
    """The backend of the server thread's connection (other tests may leave other backends)."""
    pid = server.connection.connection.info.backend_pid  # the thread is idle between requests
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        assert cursor.fetchone()[0] == 1
    return pid


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        assert cursor.fetchone()[0]


@contextmanager
def _database_refusing_connections():
    """An outage of the test database alone: no new connection is accepted until the end.
    (PostgreSQL refuses this from a connection to the database itself.)"""
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_saves_survive_a_killed_connection_and_an_outage(started, wsgi_server):
    path, token = reverse("ujian:save", args=[started.uuid]), save_token(started)
    acknowledged: dict[int, tuple[int, int]] = {}

    def save(position: int, choice: int, seq: int) -> tuple[int, dict]:
        body = {"position": position, "choice": choice, "flagged": False, "seq": seq}
        status, ctype, reply = _post(wsgi_server.url, path, body, token)
        assert ctype.startswith("application/json"), (status, reply)
        assert status in (200, 503), (status, reply)  # never a 500
        if status == 200:
            assert reply["status"] == "saved"
            acknowledged[position] = (choice, seq)
        else:
            assert "dikirim ulang" in reply["message"]
        return status, reply

    assert save(0, 1, 1)[0] == 200

    # PostgreSQL restarted (or an idle connection killed) between two saves.
    _terminate(_server_backend_pid(wsgi_server))
    if save(1, 2, 2)[0] == 503:  # allowed once; the page sends it again
        assert save(1, 2, 2)[0] == 200
    assert save(2, 3, 3)[0] == 200

    # A real outage: the connection dies and no new one is accepted.
    with _database_refusing_connections():
        _terminate(_server_backend_pid(wsgi_server))
        assert save(3, 4, 4)[0] == 503
        assert save(3, 4, 4)[0] == 503
    # The database is back: the page's retry lands.
    assert save(3, 4, 4)[0] == 200
    assert save(4, 0, 5)[0] == 200

    stored = {a.position: (a.choice, a.seq) for a in Answer.objects.filter(attempt=started)}
    assert stored == acknowledged == {0: (1, 1), 1: (2, 2), 2: (3, 3), 3: (4, 4), 4: (0, 5)}
