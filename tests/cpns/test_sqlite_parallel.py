"""The embedded default (a SQLite file) serves a few people at once (issue 9, item 13).

A real server, as `make run` starts it, on a fresh SQLite file: eight browsers sign up, open a
section (which records the visit) and mark it done, all at the same moment. Every request must
succeed; before WAL, a busy timeout and immediate transactions most answered "database is locked".
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 8
SETUP = """
from materi.models import Module, Section
module = Module.objects.create(slug="modul-uji", title="Modul uji", order=1, intro="Pengantar.",
                               summary="Ringkasan.", is_published=True)
Section.objects.create(module=module, slug="bagian-uji", title="Bagian uji", order=1,
                       body="Isi bagian.", key_points="Poin")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sqlite_server(tmp_path):
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", SETUP]):
        subprocess.run([*manage, *args], cwd=ROOT, env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/ping", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")


def test_eight_parallel_writers_on_sqlite_all_succeed(sqlite_server):
    browsers = [Browser(sqlite_server) for _ in range(CLIENTS)]
    for browser in browsers:
        assert browser.get("/akun/daftar/")[0] == 200
    barrier = threading.Barrier(CLIENTS)
    results: dict[str, list] = {"signup": [], "section": [], "done": []}
    section = "/materi/modul-uji/bagian-uji/"

    def run(n: int, browser: Browser) -> None:
        barrier.wait()
        status, body = browser.post(
            "/akun/daftar/",
            {
                "full_name": f"Peserta {n}",
                "email": f"peserta{n}@example.com",
                "password1": "kuat-sekali-987",
                "password2": "kuat-sekali-987",
            },
        )
        results["signup"].append((status, re.findall(r"locked|terkunci", body)))
        barrier.wait()
        results["section"].append(browser.get(section)[0])
        barrier.wait()
        results["done"].append(browser.post(f"{section}selesai/", {"done": "1"})[0])

    threads = [threading.Thread(target=run, args=(n, b)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [status for status, _ in results["signup"]] == [200] * CLIENTS, results
    assert results["section"] == [200] * CLIENTS, results
    assert results["done"] == [200] * CLIENTS, results
