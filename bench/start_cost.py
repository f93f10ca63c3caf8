"""What one institution start costs the web tier: CPU and queries of each of its three requests.

    .venv/bin/python bench/start_cost.py [--candidates 200]

The token prompt (GET `lembaga:enter`), the token (POST, answered with a redirect) and the exam
page the redirect leads to, sent one after another through the project's own WSGI application
in this process (no HTTP server, no concurrency): the CPU time a request costs with nothing else
in the way, and how many queries it runs. `bench/exams.py --scenario spike` measures the same
requests under load over HTTP. Uses the benchmark database (BENCH_DATABASE_URL) like the others.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import time

from common import ROOT, bench_env, django_setup, machine

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def wsgi_call(application, method: str, path: str, cookie: str, body: bytes = b"", ctype=""):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": ctype,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    chunks = application(environ, start_response)
    data = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(seen["status"].split()[0]), seen["headers"], data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    args = parser.parse_args()
    django_setup()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **bench_env()},
        check=True,
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cpns.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # the bulk build of the preparation runs here
    from exams import prepare_spike

    from cpns.wsgi import application
    from lembaga.services.tokens import token_current

    creds, path, session = prepare_spike(args.candidates)
    token = token_current(session)
    cpu: dict[str, list[float]] = {"prompt": [], "token": [], "exam_page": []}
    queries: dict[str, list[int]] = {k: [] for k in cpu}

    def timed(kind: str, *call):
        with CaptureQueriesContext(connection) as q:
            t = time.process_time()
            got = wsgi_call(application, *call)
            cpu[kind].append(time.process_time() - t)
        queries[kind].append(len(q.captured_queries))
        return got

    for i, c in enumerate(creds):
        if i == 5:  # the first few warm the process (imports, template and question caches)
            for values in (*cpu.values(), *queries.values()):
                values.clear()
        status, _, page = timed("prompt", "GET", path, c["cookie"])
        assert status == 200, status
        form = f"csrfmiddlewaretoken={CSRF.search(page)[1].decode()}&token={token}".encode()
        status, headers, _ = timed(
            "token", "POST", path, c["cookie"], form, "application/x-www-form-urlencoded"
        )
        assert status == 302, status
        status, _, _ = timed("exam_page", "GET", headers["Location"], c["cookie"])
        assert status == 200, status
    print(machine())
    print(f"{len(cpu['prompt'])} starts, one after another, in-process")
    for kind, values in cpu.items():
        print(
            f"{kind:10s} CPU p50 {1000 * statistics.median(values):6.2f} ms"
            f"  mean {1000 * statistics.fmean(values):6.2f} ms"
            f"  queries {statistics.fmean(queries[kind]):.1f}"
        )


if __name__ == "__main__":
    sys.exit(main())
