"""Fault campaign (issue 12 §3): the full stack as README starts it, a few hundred candidates
saving answers over HTTP, and one fault at a time.

    .venv/bin/python bench/faults.py [--candidates 200] [--keep-services]
        [--only pg,redis,gunicorn,build,score,beat,offline,skew]

Isolation: the campaign never touches the machine's shared PostgreSQL (5432) or Redis (6379),
which other people's tests use. It brings up its own services and injects faults only there:

- PostgreSQL: the cluster `15/faultbench` on port 5433, created once with
  `pg_createcluster 15 faultbench --port 5433 --start-conf manual -- --auth=trust` (trust for
  local and 127.0.0.1, as the main cluster's pg_hba.conf has) and started with
  `pg_ctlcluster 15 faultbench start`. Database cpns_faultbench (created, migrated, loaded here).
- Redis: `redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes`.

Both are stopped at the end (unless --keep-services); the script refuses to run if its URLs name
port 5432 or 6379. gunicorn runs with gunicorn.conf.py on a free port of 127.0.0.1, with
`celery -A cpns worker` and `celery -A cpns beat` (logs at INFO: the beat scenario reads their
timestamps). The browser scenarios drive Debian's Chromium through Playwright against that
gunicorn. Prints one JSON line per scenario and writes all of them to bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import common
from common import ROOT, generated_bank

PG_VERSION, PG_CLUSTER, PG_PORT = "15", "faultbench", 5433
REDIS_PORT = 6390
SHARED_PORTS = {5432, 6379}  # other people's: never restarted, stopped or used here
# The campaign's own PostgreSQL cluster and Redis server (see the docstring).
common.BENCH_DB = f"postgres://postgres@127.0.0.1:{PG_PORT}/cpns_faultbench"
common.BENCH_REDIS = f"redis://127.0.0.1:{REDIS_PORT}/0"

HOST = "127.0.0.1"
EXPIRE_EVERY = 5  # beat interval (CPNS_EXPIRE_EVERY_SECONDS) during the campaign
BEAT_OUTAGE = 60  # "beat stopped 5 minutes" scaled down to 60 s
REDIS_OUTAGE = 30
VENV = Path(sys.executable).parent  # gunicorn and celery of the interpreter running this
PORT = [0]  # gunicorn's, picked when the stack is made


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the campaign's own services


def _pg_ctl(action: str, *options: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *options, PG_VERSION, PG_CLUSTER, action],
        check=True,
    )


def _pg_status() -> str | None:
    """ "online" / "down" for the campaign's cluster, None if it does not exist yet."""
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    for row in (line.split() for line in out.splitlines()):
        if row[:2] == [PG_VERSION, PG_CLUSTER]:
            if row[2] != str(PG_PORT):
                raise SystemExit(f"cluster {PG_VERSION}/{PG_CLUSTER} is on port {row[2]}")
            return row[3]
    return None


def _redis_up() -> bool:
    out = subprocess.run(
        ["redis-cli", "-h", HOST, "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
    ).stdout
    return out.strip() == "PONG"


def redis_start() -> None:
    subprocess.run(
        [
            "redis-server",
            "--bind",
            HOST,
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
        ],
        check=True,
    )
    if _wait(_redis_up, 10) is None:
        raise SystemExit(f"redis-server on port {REDIS_PORT} did not start")


def redis_stop() -> None:
    subprocess.run(
        ["redis-cli", "-h", HOST, "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False
    )


def services_up() -> None:
    """The campaign's own PostgreSQL cluster and Redis server, never the shared ones."""
    from urllib.parse import urlsplit

    for url in (common.BENCH_DB, common.BENCH_REDIS):
        if urlsplit(url).port in SHARED_PORTS:
            raise SystemExit(f"{url}: the shared services are not for fault injection")
    status = _pg_status()
    if status is None:
        subprocess.run(
            [
                "pg_createcluster",
                PG_VERSION,
                PG_CLUSTER,
                "--port",
                str(PG_PORT),
                "--start-conf",
                "manual",
                "--",
                "--auth=trust",
            ],
            check=True,
        )
    if status != "online":
        _pg_ctl("start")
    if not _redis_up():
        redis_start()


def services_down() -> None:
    redis_stop()
    if _pg_status() == "online":
        _pg_ctl("stop", "-m", "fast")


def env() -> dict[str, str]:
    return {
        **os.environ,
        **common.bench_env(),
        "CPNS_EXPIRE_EVERY_SECONDS": str(EXPIRE_EVERY),
        "CELERY_QUEUE": "cpns-faultbench",
        "GUNICORN_BIND": f"{HOST}:{PORT[0]}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "8",
    }


class Stack:
    """gunicorn, a Celery worker and beat, each restartable on its own."""

    def __init__(self) -> None:
        self.port = PORT[0] = free_port()
        self.tmp = tempfile.mkdtemp(prefix="faultbench-")
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        cmd = {
            # As README: settings from gunicorn.conf.py; bind and size through its variables.
            "web": [str(VENV / "gunicorn"), "cpns.wsgi:application"],
            "worker": [
                str(VENV / "celery"),
                "-A",
                "cpns",
                "worker",
                "-l",
                "INFO",
                "--concurrency",
                "2",
                "--without-mingle",
                "--hostname",
                f"faultbench-{secrets.token_hex(3)}@%h",
            ],
            "beat": [
                str(VENV / "celery"),
                "-A",
                "cpns",
                "beat",
                "-l",
                "INFO",
                "-s",
                f"{self.tmp}/beat-schedule",
            ],
        }[name]
        with open(f"{self.tmp}/{name}.log", "a") as log:
            self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=log, stderr=log)
        if name == "web":
            self.wait_web()

    def wait_web(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/ping")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        if name == "worker":
            # SIGKILL the pool children too: a real crash of the whole machine's worker.
            children = subprocess.run(
                ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
            ).stdout.split()
            for pid in children:
                os.kill(int(pid), sig)
        proc.send_signal(sig)
        proc.wait(timeout=30)

    def web_workers(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.procs["web"].pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


# ---------------------------------------------------------------- data


def setup_data(n: int, duration_minutes: int, slug: str) -> list[dict]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cpns.models import User
    from ujian.models import Attempt, Blueprint, BlueprintSection, Tryout
    from ujian.services.attempts import attempt_start, save_token
    from ujian.services.building import attempts_build_bulk

    generated_bank({"TKP": 120})
    blueprint, _ = Blueprint.objects.get_or_create(
        slug=slug, defaults={"name": slug, "duration_minutes": duration_minutes}
    )
    if not blueprint.sections.exists():
        BlueprintSection.objects.create(
            blueprint=blueprint, order=1, label="TKP", subtest="TKP", question_count=20
        )
    tryout, _ = Tryout.objects.get_or_create(
        slug=slug, defaults={"title": slug, "blueprint": blueprint, "max_attempts": 1}
    )
    Attempt.objects.filter(tryout=tryout).delete()
    prefix = f"fault-{slug}-"
    have = User.objects.filter(email__startswith=prefix).count()
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.com", password="!") for i in range(have, n)]
    )
    users = list(User.objects.filter(email__startswith=prefix).order_by("pk")[:n])
    attempts_build_bulk(tryout=tryout, user_ids=[u.pk for u in users])
    creds = []
    for user in users:
        attempt = attempt_start(attempt=Attempt.objects.get(tryout=tryout, user=user))
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)
        creds.append(
            {
                "pk": attempt.pk,
                "uuid": str(attempt.uuid),
                "csrf": csrf,
                "cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
                "count": attempt.item_count,
                "token": save_token(attempt),
                "deadline": attempt.deadline.timestamp(),
            }
        )
    return creds


# ---------------------------------------------------------------- load


class Load:
    """Threads posting saves like the exam page does; every acknowledged save is recorded, every
    other response classified (a JSON 503 is what the page retries; anything else is an error)."""

    def __init__(self, port: int, creds: list[dict], threads: int = 16) -> None:
        self.port, self.creds, self.n = port, creds, threads
        self.acked: list[tuple[str, int, int, int]] = []
        self.events: list[tuple[float, str]] = []  # (time, "ok" | kind of failure)
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()

    def _worker(self, k: int) -> None:
        rng = random.Random(k)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        i = k
        while not self.stop_flag.is_set():
            i = (i + self.n) % len(self.creds)
            c = self.creds[i]
            with self.lock:
                # Kept on the credentials, so a later scenario's saves are newer, not "stale".
                c["seq"] = seq = c.get("seq", 0) + 1
            position, choice = rng.randrange(c["count"]), rng.randrange(5)
            body = json.dumps({"position": position, "choice": choice, "seq": seq})
            try:
                conn.request(
                    "POST",
                    f"/tryout/sesi/{c['uuid']}/jawab/",
                    body=body,
                    headers={
                        "Cookie": c["cookie"],
                        "X-CSRFToken": c["csrf"],
                        "X-Attempt-Token": c["token"],
                        "Content-Type": "application/json",
                    },
                )
                r = conn.getresponse()
                payload = r.read()
                kind = "ok"
                if r.status == 200 and b'"saved"' in payload:
                    self.acked.append((c["uuid"], position, choice, seq))
                elif r.status == 503 and r.getheader("Content-Type", "").startswith(
                    "application/json"
                ):
                    kind = "json503"
                elif r.status != 200:
                    kind = f"http{r.status}"
                    if not r.getheader("Content-Type", "").startswith("application/json"):
                        kind += "-html"
            except (OSError, http.client.HTTPException) as exc:
                kind = f"conn:{type(exc).__name__}"
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
                time.sleep(0.2)
            self.events.append((time.time(), kind))
            time.sleep(0.05)

    def __enter__(self) -> Load:
        self.threads = [threading.Thread(target=self._worker, args=(k,)) for k in range(self.n)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_flag.set()
        for t in self.threads:
            t.join()

    def summary(self, fault_start: float, fault_end: float) -> dict:
        errors: dict[str, int] = {}
        last_bad = None
        for t, kind in self.events:
            if kind != "ok":
                errors[kind] = errors.get(kind, 0) + 1
                if t >= fault_start:
                    last_bad = t
        recovery = 0.0 if last_bad is None else max(0.0, last_bad - fault_end)
        return {
            "requests": len(self.events),
            "acknowledged": len(self.acked),
            "errors": errors,
            "recovered_after_s": round(recovery, 1),
        }


def lost_saves(acked) -> int:
    from answers import check_acknowledged

    return check_acknowledged(acked)["lost"]


# ---------------------------------------------------------------- scenarios


def _load_around(stack: Stack, creds, fault, before: float = 5, after: float = 15) -> dict:
    with Load(stack.port, creds) as load:
        time.sleep(before)
        t0 = time.time()
        fault()
        t1 = time.time()
        time.sleep(after)
    result = load.summary(t0, t1)
    result["fault_s"] = round(t1 - t0, 1)
    from django.db import connection

    connection.close()  # this process's own connection may have died with the fault
    result["lost"] = lost_saves(load.acked)
    return result


def scenario_pg(stack: Stack, creds) -> dict:
    """The campaign's own cluster (port 5433) restarted; never the shared one."""
    return _load_around(stack, creds, lambda: _pg_ctl("restart", "-m", "fast"))


def scenario_redis(stack: Stack, creds) -> dict:
    """The campaign's own redis-server (port 6390) stopped for REDIS_OUTAGE seconds."""

    def fault():
        redis_stop()
        time.sleep(REDIS_OUTAGE)
        redis_start()

    return _load_around(stack, creds, fault)


def scenario_gunicorn(stack: Stack, creds) -> dict:
    def fault():
        os.kill(stack.web_workers()[0], signal.SIGKILL)

    return _load_around(stack, creds, fault)


def _wait(predicate, timeout: float) -> float | None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if predicate():
            return time.time() - t0
        time.sleep(0.2)
    return None


def scenario_build(stack: Stack, n: int) -> dict:
    """SIGKILL the worker while a bulk build for n candidates is between 10 % and 90 % done
    (watched on its progress row); restart it; the build completes, every attempt built once."""
    from cpns.models import User
    from ujian.models import Attempt, BuildJob
    from ujian.services.building import build_job_create
    from ujian.tasks import attempts_build_bulk_task

    slug = "fault-build"
    setup_data(0, 24 * 60, slug)  # blueprint and tryout, no attempts
    from ujian.models import Tryout

    tryout = Tryout.objects.get(slug=slug)
    prefix = "fault-build-user-"
    have = User.objects.filter(email__startswith=prefix).count()
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.com", password="!") for i in range(have, n)],
        batch_size=2000,
    )
    user_ids = list(
        User.objects.filter(email__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    job = build_job_create(tryout=tryout, user_ids=user_ids)
    enqueued = time.time()
    attempts_build_bulk_task.delay(job.pk, user_ids)

    def progress() -> float:
        return BuildJob.objects.get(pk=job.pk).done / job.total

    # Poll the progress row tightly: kill as soon as a chunk past 10 % (and before 90 %) is in.
    seen = 0.0
    deadline = time.time() + 120
    while time.time() < deadline:
        seen = progress()
        if seen >= 0.1:
            break
        time.sleep(0.02)
    if not 0.1 <= seen <= 0.9:
        return {"error": f"progress {seen:.0%} when the kill was due", "expected": n}
    t0 = time.time()
    stack.kill("worker")
    done_at_kill = BuildJob.objects.get(pk=job.pk).done
    built_at_kill = Attempt.objects.filter(tryout=tryout).count()
    stack.start("worker")
    t1 = time.time()
    took = _wait(
        lambda: BuildJob.objects.get(pk=job.pk).finished_at is not None,
        600,
    )
    job.refresh_from_db()
    attempts = Attempt.objects.filter(tryout=tryout)
    return {
        "candidates": n,
        "kill_after_enqueue_s": round(t0 - enqueued, 1),
        "progress_at_kill": f"{done_at_kill}/{job.total}",
        "attempts_at_kill": built_at_kill,
        "attempts": attempts.count(),
        "users": attempts.values("user").distinct().count(),
        "progress_at_end": f"{job.done}/{job.total}",
        "expected": n,
        "finished_after_worker_restart_s": None if took is None else round(took, 1),
        "worker_restart_s": round(t1 - t0, 1),
    }


def scenario_score(stack: Stack, creds) -> dict:
    from ujian.models import Attempt, AttemptStatus
    from ujian.services.attempts import attempt_submit

    stack.kill("worker")  # submits queue their scoring; the worker dies as it starts on them
    for c in creds:
        attempt_submit(attempt_id=c["pk"])
    stack.start("worker")
    # Kill it while it is scoring: once a tenth is scored (the rest queued or in its hands).
    _wait(
        lambda: (
            Attempt.objects.filter(
                pk__in=[c["pk"] for c in creds], status=AttemptStatus.SCORED
            ).count()
            >= len(creds) // 10
        ),
        60,
    )
    t0 = time.time()
    stack.kill("worker")
    partially = Attempt.objects.filter(
        pk__in=[c["pk"] for c in creds], status=AttemptStatus.SCORED
    ).count()
    stack.start("worker")
    took = _wait(
        lambda: (
            Attempt.objects.filter(
                pk__in=[c["pk"] for c in creds], status=AttemptStatus.SCORED
            ).count()
            == len(creds)
        ),
        600,
    )
    scored = Attempt.objects.filter(pk__in=[c["pk"] for c in creds])
    return {
        "scored_before_restart": partially,
        "scored": scored.filter(status=AttemptStatus.SCORED).count(),
        "expected": len(creds),
        "recovered_after_s": None if took is None else round(took, 1),
        "fault_s": round(time.time() - t0, 1),
    }


LOG_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): \w+/[\w-]+\] (.*)$")


def _log_events(path: str, since: float) -> list[tuple[float, str]]:
    """(epoch, message) of a Celery log from `since` on. Celery logs local time; this process
    has the same TZ as the stack's (Django sets it from TIME_ZONE in both)."""
    events = []
    with open(path, errors="replace") as log:
        for line in log:
            m = LOG_LINE.match(line)
            if m:
                t = time.mktime(time.strptime(m[1], "%Y-%m-%d %H:%M:%S")) + int(m[2]) / 1000
                if t >= since:
                    events.append((t, m[3]))
    return events


def beat_timeline(stack: Stack, t_start: float, pks: list[int]) -> dict:
    """Where the time goes after beat is started again, in seconds from its start."""
    from django.db.models import Max, Min

    from ujian.models import Attempt

    def first(events, text):
        return next((round(t - t_start, 2) for t, msg in events if text in msg), None)

    beat = _log_events(f"{stack.tmp}/beat.log", t_start)
    worker = _log_events(f"{stack.tmp}/worker.log", t_start)
    scored = Attempt.objects.filter(pk__in=pks[1:]).aggregate(
        first=Min("scored_at"), last=Max("scored_at")
    )
    score_tasks = sum(1 for _, msg in worker if "attempt_score_task" in msg and "received" in msg)
    return {
        "beat_starting": first(beat, "beat: Starting"),
        "expiry_sent": first(beat, "Sending due task expire-overdue-attempts"),
        "expiry_received": first(worker, "attempts_expire_overdue_task"),
        "expiry_succeeded": next(
            (
                round(t - t_start, 2)
                for t, msg in worker
                if "attempts_expire_overdue_task" in msg and "succeeded" in msg
            ),
            None,
        ),
        "first_scored": None
        if scored["first"] is None
        else round(scored["first"].timestamp() - t_start, 2),
        "last_scored": None
        if scored["last"] is None
        else round(scored["last"].timestamp() - t_start, 2),
        "score_tasks_received": score_tasks,
    }


def scenario_beat(stack: Stack, creds) -> dict:
    """Beat stopped across every deadline; one page is opened meanwhile; beat returns."""
    from ujian.models import Attempt, AttemptStatus

    pks = [c["pk"] for c in creds]
    stack.kill("beat", signal.SIGTERM)
    t0 = time.time()
    last_deadline = max(c["deadline"] for c in creds)
    time.sleep(max(0, last_deadline - time.time()) + 5)
    # A save after the deadline must be refused by the server's clock, and a page opened
    # meanwhile closes its attempt.
    c = creds[0]
    conn = http.client.HTTPConnection(HOST, stack.port, timeout=10)
    conn.request(
        "POST",
        f"/tryout/sesi/{c['uuid']}/jawab/",
        body=json.dumps({"position": 0, "choice": 1, "seq": 10**6}),
        headers={
            "Cookie": c["cookie"],
            "X-CSRFToken": c["csrf"],
            "X-Attempt-Token": c["token"],
            "Content-Type": "application/json",
        },
    )
    late = conn.getresponse()
    late_status = late.status
    late.read()
    conn.request("GET", f"/tryout/sesi/{c['uuid']}/", headers={"Cookie": c["cookie"]})
    page = conn.getresponse()
    page.read()
    closed_by_page = Attempt.objects.get(pk=c["pk"]).status != AttemptStatus.IN_PROGRESS
    time.sleep(max(0, t0 + BEAT_OUTAGE - time.time()))
    still_open = Attempt.objects.filter(pk__in=pks, status=AttemptStatus.IN_PROGRESS).count()
    t1 = time.time()
    stack.start("beat")
    took = _wait(
        lambda: (
            not Attempt.objects.filter(
                pk__in=pks, status__in=[AttemptStatus.IN_PROGRESS, AttemptStatus.SUBMITTED]
            ).exists()
        ),
        120,
    )
    timeline = beat_timeline(stack, t1, pks)
    late_submits = [
        (a.submitted_at - a.deadline).total_seconds()
        for a in Attempt.objects.filter(pk__in=pks[1:])
    ]
    return {
        "late_save_status": late_status,
        "page_status": page.status,
        "closed_by_page": closed_by_page,
        "open_when_beat_returned": still_open,
        "all_scored_after_beat_s": None if took is None else round(took, 1),
        "timeline_s": timeline,
        "submitted_at_is_deadline_max_s": round(max(abs(x) for x in late_submits), 1),
        "fault_s": round(t1 - t0, 1),
    }


# ---------------------------------------------------------------- browser (Playwright)

OFFLINE_S = 60  # the candidate's network gone while answering
OFFLINE_QUESTIONS = 20
# The exam page's service worker holds a copy of the page (as tests/e2e/test_exam_offline.py
# waits for it before going offline).
SW_KEPT = (
    "async () => !!navigator.serviceWorker.controller &&"
    " !!(await (await caches.open('cpns-exam')).match(location.pathname))"
)


class Browser:
    """Debian's Chromium, launched as tests/e2e/conftest.py does, one context per candidate
    logged in with the candidate's session cookie."""

    def __init__(self, port: int) -> None:
        from playwright.sync_api import sync_playwright

        from tests.e2e.conftest import ARGS

        # The ORM calls below run beside Playwright's event loop, as in the browser tests.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        self.base = f"http://{HOST}:{port}"
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=ARGS
        )

    def page(self, cred: dict, init_script: str | None = None):
        context = self.browser.new_context(base_url=self.base, locale="id-ID")
        if init_script:
            context.add_init_script(init_script)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": cred["cookie"].split(";")[0].split("=", 1)[1],
                    "url": self.base,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"/tryout/sesi/{cred['uuid']}/")
        page.wait_for_selector("#question")
        return page

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def scenario_offline(stack: Stack, creds) -> dict:
    """A candidate offline for OFFLINE_S seconds answers all 20 questions (grid, next button and
    arrow key), then comes back online: every clicked answer must reach the database."""
    from ujian.models import Answer

    c = creds[0]
    browser = Browser(stack.port)
    try:
        page = browser.page(c)
        end = time.monotonic() + 20
        while not page.evaluate(SW_KEPT):
            if time.monotonic() > end:
                return {"error": "the service worker kept no copy of the exam page"}
            page.wait_for_timeout(100)
        page.context.set_offline(True)
        t_off = time.time()
        clicked: dict[int, int] = {}
        for i in range(OFFLINE_QUESTIONS):
            choice = (i * 3 + 1) % 5
            page.click(f"#question .option[data-choice='{choice}']")
            clicked[i] = choice
            if i < OFFLINE_QUESTIONS - 1:
                how = ("#next", f"#grid a[data-position='{i + 1}']", "ArrowRight")[i % 3]
                if how == "ArrowRight":
                    page.keyboard.press(how)
                else:
                    page.click(how)
                page.wait_for_selector(f"#q-title:has-text('Soal {i + 2} dari')")
            # Spread the answers over the whole outage, as a candidate reading each question.
            time.sleep(max(0.0, t_off + (i + 1) * OFFLINE_S / OFFLINE_QUESTIONS - time.time()))
        stored_offline = Answer.objects.filter(attempt_id=c["pk"]).count()
        page.context.set_offline(False)
        t_on = time.time()

        def all_in() -> bool:
            got = dict(Answer.objects.filter(attempt_id=c["pk"]).values_list("position", "choice"))
            return got == clicked

        took = _wait(all_in, 120)
        got = dict(Answer.objects.filter(attempt_id=c["pk"]).values_list("position", "choice"))
        last_saved = Answer.objects.filter(attempt_id=c["pk"]).order_by("-saved_at").first()
        return {
            "offline_s": round(t_on - t_off, 1),
            "clicked": len(clicked),
            "stored_while_offline": stored_offline,
            "stored": len(got),
            "lost": sum(1 for pos, ch in clicked.items() if got.get(pos) != ch),
            "all_stored_after_online_s": None if took is None else round(took, 1),
            "last_saved_after_online_s": None
            if last_saved is None
            else round(last_saved.saved_at.timestamp() - t_on, 1),
        }
    finally:
        browser.close()


def scenario_skew(stack: Stack, creds) -> dict:
    """The same browser with its clock 10 minutes fast, then 10 minutes slow: the countdown
    must show the server's deadline within 3 s."""
    from django.utils import timezone

    from tests.e2e.test_exam_clock_skew import SKEW_SCRIPT
    from ujian.models import Attempt

    browser = Browser(stack.port)
    out: dict[str, dict] = {}
    try:
        for c, minutes in ((creds[1], 10), (creds[2], -10)):
            page = browser.page(c, SKEW_SCRIPT % (minutes * 60 * 1000))
            browser_clock = page.evaluate("Date.now()") / 1000 - time.time()
            page.wait_for_function(
                "() => /\\d+:\\d\\d/.test(document.getElementById('timer').textContent)"
            )
            parts = [int(x) for x in page.inner_text("#timer").split(":")]
            now = timezone.now()
            shown = parts[-2] * 60 + parts[-1] + (parts[0] * 3600 if len(parts) == 3 else 0)
            deadline = Attempt.objects.get(pk=c["pk"]).deadline
            left = (deadline - now).total_seconds()
            page.click("#question .option[data-choice='1']")
            page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
            out[f"{minutes:+d}min"] = {
                "browser_clock_off_s": round(browser_clock),
                "page_deadline_minus_server_s": round(shown - left, 1),
                "save_accepted": Attempt.objects.get(pk=c["pk"])
                .answers.filter(position=0, choice=1)
                .exists(),
            }
            page.context.close()
    finally:
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument(
        "--build-candidates",
        type=int,
        default=10_000,
        help="size of the bulk build the worker is killed in (big enough to be caught mid-way)",
    )
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument(
        "--keep-services", action="store_true", help="leave ports 5433 and 6390 running"
    )
    args = parser.parse_args()
    wanted = args.only.split(",")
    if unknown := set(wanted) - set(SCENARIOS):
        raise SystemExit(f"unknown scenarios: {sorted(unknown)}")
    started = time.time()
    # A SIGTERM (timeout, Ctrl-C from a job runner) still stops the stack in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    services_up()
    # This process enqueues tasks too (bulk build, scoring): same queue as the stack's worker.
    os.environ.update({k: v for k, v in env().items() if k.startswith(("CELERY_", "CPNS_"))})
    common.django_setup()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env(),
        check=True,
    )
    from django.db import connection

    stack = Stack()
    results: dict = {"candidates": args.candidates, "machine": common.machine()}
    try:
        creds = None
        if {"pg", "redis", "gunicorn"} & set(wanted):
            creds = setup_data(args.candidates, 24 * 60, "fault-save")
        for name in ("web", "worker", "beat"):
            stack.start(name)
        for name in SCENARIOS:
            if name not in wanted:
                continue
            if name in ("pg", "redis", "gunicorn"):
                results[name] = SCENARIOS[name](stack, creds)
            elif name == "build":
                results[name] = scenario_build(stack, args.build_candidates)
            elif name == "score":
                results[name] = scenario_score(
                    stack, setup_data(args.candidates, 24 * 60, "fault-score")
                )
            elif name == "beat":
                results[name] = scenario_beat(stack, setup_data(50, 1, "fault-beat"))
            else:  # the browser scenarios: one candidate offline, two with skewed clocks
                results[name] = SCENARIOS[name](stack, setup_data(3, 24 * 60, f"fault-{name}"))
            connection.close()  # the bench's own connection may have died with the fault
            print(name, json.dumps(results[name]), flush=True)
    finally:
        stack.stop()
        if not args.keep_services:
            services_down()
    results["wall_clock_s"] = round(time.time() - started, 1)
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"faults-{int(time.time())}.json").write_text(json.dumps(results, indent=2))
    print("logs in", stack.tmp)


SCENARIOS = {
    "pg": scenario_pg,
    "redis": scenario_redis,
    "gunicorn": scenario_gunicorn,
    "build": scenario_build,
    "score": scenario_score,
    "beat": scenario_beat,
    "offline": scenario_offline,
    "skew": scenario_skew,
}


if __name__ == "__main__":
    sys.exit(main())
