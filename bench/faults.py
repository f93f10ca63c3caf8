"""Fault campaign (issue 12 §3): the full stack as README starts it, a few hundred candidates
saving answers over HTTP, and one fault at a time.

    .venv/bin/python bench/faults.py [--candidates 200] [--only pg,redis,gunicorn,build,score,beat]

Database cpns_faultbench (created, migrated, loaded here), Redis db 6, gunicorn with
gunicorn.conf.py on a free port of 127.0.0.1, `celery -A cpns worker` and `celery -A cpns beat`.
PostgreSQL and Redis are shared with other people on this machine: outages stay short and the
campaign is meant to be run rarely. Prints one JSON line per scenario and a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import common
from common import ROOT, generated_bank

# The campaign's own database and Redis db: never the benchmarks' or anyone's tests'.
common.BENCH_DB = os.environ.get(
    "FAULT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cpns_faultbench"
)
common.BENCH_REDIS = os.environ.get("FAULT_REDIS_URL", "redis://127.0.0.1:6379/6")

HOST = "127.0.0.1"
EXPIRE_EVERY = 5  # beat interval (CPNS_EXPIRE_EVERY_SECONDS) during the campaign
BEAT_OUTAGE = 60  # "beat stopped 5 minutes" scaled down to 60 s
REDIS_OUTAGE = 30
PG_VERSION = "15"
VENV = ROOT / ".venv/bin"
PORT = [0]  # gunicorn's, picked when the stack is made


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


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
                "WARNING",
                "--concurrency",
                "2",
                "--hostname",
                f"faultbench-{secrets.token_hex(3)}@%h",
            ],
            "beat": [
                str(VENV / "celery"),
                "-A",
                "cpns",
                "beat",
                "-l",
                "WARNING",
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
        self.seq = [0] * len(creds)
        self.lock = threading.Lock()

    def _worker(self, k: int) -> None:
        rng = random.Random(k)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        i = k
        while not self.stop_flag.is_set():
            i = (i + self.n) % len(self.creds)
            c = self.creds[i]
            with self.lock:
                self.seq[i] += 1
                seq = self.seq[i]
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
    def fault():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"],
            check=True,
        )

    return _load_around(stack, creds, fault)


def scenario_redis(stack: Stack, creds) -> dict:
    def fault():
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
        time.sleep(REDIS_OUTAGE)
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )

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
    """SIGKILL the worker while it builds attempts for n candidates; restart; each built once."""
    from cpns.models import User
    from ujian.models import Attempt, BuildJob, Tryout
    from ujian.services.building import build_job_create
    from ujian.tasks import attempts_build_bulk_task

    tryout = Tryout.objects.get(slug="fault-save")
    Attempt.objects.filter(tryout=tryout).delete()
    user_ids = list(
        User.objects.filter(email__startswith="fault-fault-save-").values_list("pk", flat=True)[:n]
    )
    job = build_job_create(tryout=tryout, user_ids=user_ids)
    attempts_build_bulk_task.delay(job.pk, user_ids)
    _wait(
        lambda: (
            BuildJob.objects.get(pk=job.pk).done > 0
            or Attempt.objects.filter(tryout=tryout).exists()
        ),
        30,
    )
    t0 = time.time()
    stack.kill("worker")
    done_at_kill = BuildJob.objects.get(pk=job.pk).done
    stack.start("worker")
    took = _wait(
        lambda: (
            BuildJob.objects.get(pk=job.pk).finished_at is not None
            and Attempt.objects.filter(tryout=tryout).count() >= n
        ),
        600,
    )
    per_user = Attempt.objects.filter(tryout=tryout).values("user").distinct().count()
    return {
        "done_at_kill": done_at_kill,
        "attempts": Attempt.objects.filter(tryout=tryout).count(),
        "users": per_user,
        "expected": n,
        "recovered_after_s": None if took is None else round(took, 1),
        "fault_s": round(time.time() - t0, 1),
    }


def scenario_score(stack: Stack, creds) -> dict:
    from ujian.models import Attempt, AttemptStatus
    from ujian.services.attempts import attempt_submit

    stack.kill("worker")  # submits queue their scoring; the worker dies as it starts on them
    for c in creds:
        attempt_submit(attempt_id=c["pk"])
    stack.start("worker")
    time.sleep(1.5)
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
        "submitted_at_is_deadline_max_s": round(max(abs(x) for x in late_submits), 1),
        "fault_s": round(t1 - t0, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--only", default="pg,redis,gunicorn,build,score,beat")
    args = parser.parse_args()
    wanted = args.only.split(",")
    started = time.time()
    # A SIGTERM (timeout, Ctrl-C from a job runner) still stops the stack in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
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

    creds = setup_data(args.candidates, 24 * 60, "fault-save")
    stack = Stack()
    results: dict[str, dict] = {}
    try:
        for name in ("web", "worker", "beat"):
            stack.start(name)
        for name, run in (
            ("pg", scenario_pg),
            ("redis", scenario_redis),
            ("gunicorn", scenario_gunicorn),
        ):
            if name in wanted:
                results[name] = run(stack, creds)
                connection.close()  # the bench's own connection may have died with the fault
                print(name, json.dumps(results[name]), flush=True)
        if "build" in wanted:
            results["build"] = scenario_build(stack, args.candidates)
            print("build", json.dumps(results["build"]), flush=True)
        if "score" in wanted:
            results["score"] = scenario_score(
                stack, setup_data(args.candidates, 24 * 60, "fault-score")
            )
            print("score", json.dumps(results["score"]), flush=True)
        if "beat" in wanted:
            results["beat"] = scenario_beat(stack, setup_data(50, 1, "fault-beat"))
            print("beat", json.dumps(results["beat"]), flush=True)
    finally:
        stack.stop()
    results["wall_clock_s"] = round(time.time() - started, 1)
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"faults-{int(time.time())}.json").write_text(json.dumps(results, indent=2))
    print("logs in", stack.tmp)


if __name__ == "__main__":
    sys.exit(main())
