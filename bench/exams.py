"""Whole-exam capacity: simulated candidates sit complete 110-item exams over real HTTP.

    .venv/bin/python bench/exams.py --levels 50,100,200 --think 0.5 --servers gunicorn,granian

Each candidate (a force-made session, a pre-built public attempt) opens the exam page (which
starts the attempt), then for each of the 110 items waits a think time, saves one answer
(every 10th item also flagged), sends a heartbeat every 5th item (the idle page's presence
beat), and finally hands in. Two request mixes:

- ``today``: navigation is an htmx partial GET (`ujian:question`) before every save;
- ``offline``: no navigation requests; the one-time payload is simulated as a second GET of the
  exam page at open.

Think time is compressed (uniform 0.5–1.5 × --think); the request mix per candidate is kept, so
the server sees the same requests at a higher rate. For each server, mix and level it reports
p50/p99 per request kind, errors, the server's and the generator's CPU, and PostgreSQL WAL bytes;
`/ping` throughput (closed loop, 32 connections, 5 s) is measured with the same server in the
same run. The generator is a single asyncio process with raw keep-alive HTTP/1.1 connections (one
per candidate) and shares the two cores with the server and PostgreSQL.

``--scenario spike``: the synchronised start of an institution session: N enrolled candidates
with pre-built attempts (`attempts_build_bulk` through `session_build`) each GET the token prompt
(`lembaga:enter`) and POST the current token (`token_current`) within --window seconds, follow
the redirect to the exam page, while --savers other candidates save at real pace compressed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psutil
from common import ROOT, bench_env, django_setup, generated_bank, machine

HOST = "127.0.0.1"
PORTS = {"gunicorn": 8021, "granian": 8022}
TOKEN_RE = re.compile(rb'"token": "([^"]+)"')
CSRF_FORM_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ITEMS = {"TWK": 30, "TIU": 35, "TKP": 45}


# ---------------------------------------------------------------------------------- preparation


def _session_cookie(user) -> tuple[str, str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return f"sessionid={session.session_key}; csrftoken={csrf}", csrf


def _blueprint(slug: str, preset: bool = False):
    from ujian.models import Blueprint, BlueprintSection

    generated_bank({"TWK": 120, "TIU": 140, "TKP": 180})
    blueprint, _ = Blueprint.objects.get_or_create(
        slug=slug, defaults={"name": "Bench SKD", "duration_minutes": 24 * 60, "is_preset": preset}
    )
    if not blueprint.sections.exists():
        for order, (subtest, count) in enumerate(ITEMS.items(), 1):
            BlueprintSection.objects.create(
                blueprint=blueprint,
                order=order,
                label=subtest,
                subtest=subtest,
                question_count=count,
            )
    return blueprint


def _users(prefix: str, n: int) -> list:
    from cpns.models import User

    have = User.objects.filter(email__startswith=prefix).count()
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.com", password="!") for i in range(have, n)]
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("pk")[:n])


def prepare_exams(n: int) -> list[dict]:
    """n candidates, each with a freshly built (not started) public attempt and a session."""
    from ujian.models import Attempt, Tryout
    from ujian.services.building import attempts_build_bulk

    blueprint = _blueprint("bench-exams")
    tryout, _ = Tryout.objects.get_or_create(
        slug="bench-exams", defaults={"title": "Bench", "blueprint": blueprint, "max_attempts": 1}
    )
    Attempt.objects.filter(tryout=tryout).delete()
    users = _users("bench-exam-", n)
    attempts_build_bulk(tryout=tryout, user_ids=[u.pk for u in users])
    uuids = dict(Attempt.objects.filter(tryout=tryout).values_list("user_id", "uuid"))
    creds = []
    for user in users:
        cookie, csrf = _session_cookie(user)
        creds.append({"uuid": str(uuids[user.pk]), "cookie": cookie, "csrf": csrf})
    return creds


def prepare_spike(n: int) -> tuple[list[dict], str]:
    """n enrolled candidates of one institution session whose attempts are pre-built."""
    from datetime import timedelta

    from django.utils import timezone

    from cpns.models import Institution, Membership
    from lembaga.models import Candidate, Cohort, ExamSession
    from lembaga.services.sessions import session_build, session_create
    from ujian.models import Attempt

    blueprint = _blueprint("bench-spike-preset", preset=True)
    institution, _ = Institution.objects.get_or_create(slug="bench-lembaga", defaults={"name": "B"})
    cohort, _ = Cohort.objects.get_or_create(institution=institution, name="Bench")
    users = _users("bench-spike-", n)
    have = set(Candidate.objects.filter(institution=institution).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(user=u, institution=institution, role="candidate")
            for u in users
            if u.pk not in have
        ],
        ignore_conflicts=True,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(institution=institution, user=u, cohort=cohort, number=f"B-{u.pk}")
            for u in users
            if u.pk not in have
        ],
        ignore_conflicts=True,
    )
    admin = _users("bench-spike-admin-", 1)[0]
    Membership.objects.get_or_create(user=admin, institution=institution, role="admin")
    for old in ExamSession.objects.filter(tryout__owner=institution):
        Attempt.objects.filter(tryout=old.tryout).delete()
    now = timezone.now()
    session = session_create(
        institution=institution,
        blueprint=blueprint,
        name=f"Bench {int(time.time())}",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=3),
        cohorts=[cohort],
    )
    t = time.perf_counter()
    session_build(session=session, actor=admin)
    built = Attempt.objects.filter(tryout=session.tryout).count()
    print(f"built {built} attempts in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    path = f"/lembaga/{institution.slug}/ikut/{session.uuid}/"
    creds = []
    for user in users:
        cookie, csrf = _session_cookie(user)
        creds.append({"cookie": cookie, "csrf": csrf})
    return creds, path, session


# ---------------------------------------------------------------------------------- servers


def start_server(kind: str, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, **bench_env()}
    port = PORTS[kind]
    if kind == "gunicorn":
        cmd = [
            str(ROOT / ".venv/bin/gunicorn"),
            "cpns.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ]
    else:
        cmd = [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "cpns.wsgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "4096",
            "--log-level",
            "warning",
            "--no-ws",
        ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    import urllib.request

    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/ping", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{kind} did not start")


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (the server's workers)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the benchmark database (the cluster
    is shared with other work, so its other processes are not counted). A pair of these gives
    the CPU between them with `cpu_between`; backends that connected in between count from 0."""
    import psycopg
    from common import BENCH_DB

    name = BENCH_DB.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_DB, autocommit=True) as conn:
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
        ]
    seconds = {}
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            seconds[pid] = t.user + t.system
        except psutil.Error:
            pass
    return seconds


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def wal_lsn() -> int:
    # A plain connection: Django's refuses to run inside the event loop.
    import psycopg
    from common import BENCH_DB

    with psycopg.connect(BENCH_DB, autocommit=True) as conn:
        return int(conn.execute("SELECT pg_current_wal_lsn() - '0/0'").fetchone()[0])


# ---------------------------------------------------------------------------------- client


class Client:
    """One keep-alive HTTP/1.1 connection (Content-Length responses only, as Django sends)."""

    def __init__(self, port: int, cookie: str, csrf: str) -> None:
        self.port, self.cookie, self.csrf = port, cookie, csrf
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", headers=()) -> tuple:
        reused = self.writer is not None
        try:
            return await self._request(method, path, body, headers)
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            if not reused:
                raise
            # The server closed an idle keep-alive connection (gunicorn after 30 s) before
            # reading this request: a browser opens a new connection and sends it again.
            return await self._request(method, path, body, headers)

    async def _request(self, method: str, path: str, body: bytes, headers) -> tuple:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", f"Cookie: {self.cookie}"]
        if method == "POST":
            head += [f"X-CSRFToken: {self.csrf}", f"Content-Length: {len(body)}"]
        head += list(headers)
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
            length, location, cookies = 0, None, []
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"location":
                    location = value.strip().decode()
                elif name == b"set-cookie":
                    cookies.append(value.strip().split(b";", 1)[0].decode())
            payload = await self.reader.readexactly(length)
            for c in cookies:  # e.g. the device cookie of an institution attempt
                if c.split("=", 1)[0] not in self.cookie:
                    self.cookie += "; " + c
            return int(status_line.split()[1]), payload, location
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    async def timed(self, kind: str, coro, ok=(200,)):
        t = time.perf_counter()
        try:
            status, payload, location = await asyncio.wait_for(coro, timeout=30)
        except Exception as exc:  # counted, never hidden
            key = f"{kind}:{type(exc).__name__}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return None
        self.lat.setdefault(kind, []).append(time.perf_counter() - t)
        if status not in ok:
            key = f"{kind}:{status}"
            self.errors[key] = self.errors.get(key, 0) + 1
            return None
        return status, payload, location

    def summary(self) -> dict:
        out = {}
        for kind, values in sorted(self.lat.items()):
            values.sort()
            out[kind] = {
                "n": len(values),
                "p50_ms": round(1000 * values[len(values) // 2], 1),
                "p99_ms": round(1000 * values[min(len(values) - 1, int(len(values) * 0.99))], 1),
            }
        return out


async def candidate(port: int, c: dict, mix: str, think: float, rng: random.Random, st: Stats):
    client = Client(port, c["cookie"], c["csrf"])
    base = f"/tryout/sesi/{c['uuid']}/"
    got = await st.timed("open", client.request("GET", base))
    if got is None:
        return
    match = TOKEN_RE.search(got[1])
    if match is None:
        st.errors["open:no-token"] = st.errors.get("open:no-token", 0) + 1
        return
    token = match[1].decode()
    if mix == "offline":  # the one-time payload of the client-side navigation
        await st.timed("payload", client.request("GET", base))
    save_headers = [f"X-Attempt-Token: {token}", "Content-Type: application/json"]
    for position in range(110):
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        if mix == "today":
            await st.timed(
                "question",
                client.request("GET", f"{base}soal/{position + 1}/", headers=["HX-Request: true"]),
            )
        body = {
            "position": position,
            "choice": rng.randrange(5),
            "seq": position + 1,
            "flagged": position % 10 == 9,
        }
        await st.timed(
            "save",
            client.request("POST", base + "jawab/", json.dumps(body).encode(), save_headers),
        )
        if position % 5 == 4:
            await st.timed(
                "heartbeat",
                client.request("POST", base + "detak/", b'{"focus": 0}', save_headers),
            )
    await st.timed(
        "submit",
        client.request("POST", base + "selesai/", headers=["HX-Request: true"]),
    )
    client.close()


async def ping_throughput(port: int, seconds: float = 5, connections: int = 32) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def loop():
        nonlocal done
        client = Client(port, "", "")
        while time.perf_counter() < stop:
            status, _, _ = await client.request("GET", "/ping")
            done += status == 200
        client.close()

    t = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(connections)))
    return round(done / (time.perf_counter() - t), 1)


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def run_exams(
    port: int, server_pid: int, creds: list[dict], mix: str, think: float, ramp: float | None
):
    st = Stats()
    rng = random.Random(7)
    wal0, srv0, pg0, gen0, t0 = (
        wal_lsn(),
        tree_cpu(server_pid),
        postgres_cpu(),
        cpu_self(),
        time.perf_counter(),
    )

    async def staggered(i, c):
        # Arrivals spread over the ramp (default two think times) so the level is steady, not
        # a stampede: a compressed think time would otherwise compress the arrivals too, and
        # the synchronised start is measured on its own (--scenario spike).
        await asyncio.sleep((2 * think if ramp is None else ramp) * i / len(creds))
        await candidate(port, c, mix, think, random.Random(i), st)

    await asyncio.gather(*(staggered(i, c) for i, c in enumerate(creds)))
    wall = time.perf_counter() - t0
    requests = sum(len(v) for v in st.lat.values())
    result = {
        "candidates": len(creds),
        "mix": mix,
        "think_s": think,
        "ramp_s": 2 * think if ramp is None else ramp,
        "wall_s": round(wall, 1),
        "requests": requests,
        "req_per_s": round(requests / wall, 1),
        "kinds": st.summary(),
        "errors": st.errors,
        "server_cpu_s": round(tree_cpu(server_pid) - srv0, 1),
        "postgres_cpu_s": round(cpu_between(pg0, postgres_cpu()), 1),
        "generator_cpu_s": round(cpu_self() - gen0, 1),
        "wal_bytes": wal_lsn() - wal0,
    }
    del rng
    result["server_cpu_ms_per_req"] = round(1000 * result["server_cpu_s"] / max(requests, 1), 2)
    result["postgres_cpu_ms_per_req"] = round(1000 * result["postgres_cpu_s"] / max(requests, 1), 2)
    result["wal_bytes_per_exam"] = result["wal_bytes"] // max(len(creds), 1)
    result["pass"] = not st.errors and all(v["p99_ms"] <= 100 for v in result["kinds"].values())
    return result


# ---------------------------------------------------------------------------------- spike


async def run_spike(port, server_pid, creds, path, token, window, savers, think, prompt_first):
    st = Stats()
    done = asyncio.Event()
    forms: dict[int, bytes] = {}

    async def open_prompt(i, c, client):
        got = await st.timed("enter_get", client.request("GET", path))
        if got is not None:
            m = CSRF_FORM_RE.search(got[1])
            forms[i] = f"csrfmiddlewaretoken={m[1].decode() if m else ''}&token={token}".encode()

    async def starter(i, c):
        await asyncio.sleep(window * i / len(creds))
        client = Client(port, c["cookie"], c["csrf"])
        if not prompt_first:
            await open_prompt(i, c, client)
        form = forms.get(i)
        if form is None:
            return
        pressed = time.perf_counter()
        got = await st.timed(
            "enter_post",
            client.request("POST", path, form, ["Content-Type: application/x-www-form-urlencoded"]),
            ok=(302,),
        )
        if got is None or not got[2]:
            return
        await st.timed("exam_page", client.request("GET", got[2]))
        # A start as the candidate lives it: from pressing "Mulai" to the exam on screen.
        st.lat.setdefault("start", []).append(time.perf_counter() - pressed)
        client.close()

    opening = asyncio.Semaphore(16)  # savers open their exam pages before the spike, 16 at once
    ready, all_ready = [0], asyncio.Event()

    async def saver(c):
        client = Client(port, c["cookie"], c["csrf"])
        base = f"/tryout/sesi/{c['uuid']}/"
        async with opening:
            got = await client.request("GET", base)
        ready[0] += 1
        if ready[0] == len(savers):
            all_ready.set()
        token_ = TOKEN_RE.search(got[1])[1].decode()
        headers = [f"X-Attempt-Token: {token_}", "Content-Type: application/json"]
        rng, seq = random.Random(c["uuid"]), 0
        await all_ready.wait()
        await asyncio.sleep(think * rng.random())  # spread the first saves over one think time
        while not done.is_set():
            seq += 1
            body = {"position": seq % 110, "choice": rng.randrange(5), "seq": seq}
            await st.timed(
                "save", client.request("POST", base + "jawab/", json.dumps(body).encode(), headers)
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=think * rng.uniform(0.5, 1.5))
        client.close()

    saver_tasks = [asyncio.create_task(saver(c)) for c in savers]
    if savers:
        await all_ready.wait()
        await asyncio.sleep(min(think, 10))  # saves at their steady rate before the first start
    if prompt_first:
        # As in the exam room: candidates log in and open the session's page while they wait;
        # the proctor then reads out the token and everyone presses "Mulai" within the window.
        gate = asyncio.Semaphore(16)

        async def early(i, c):
            client = Client(port, c["cookie"], c["csrf"])
            async with gate:
                await open_prompt(i, c, client)
            client.close()

        await asyncio.gather(*(early(i, c) for i, c in enumerate(creds)))
    st.lat.pop("save", None)
    srv0, pg0, gen0, t0 = tree_cpu(server_pid), postgres_cpu(), cpu_self(), time.perf_counter()
    await asyncio.gather(*(starter(i, c) for i, c in enumerate(creds)))
    wall = time.perf_counter() - t0
    done.set()
    await asyncio.gather(*saver_tasks)
    return {
        "starters": len(creds),
        "prompt_opened": "before the window" if prompt_first else "inside the window",
        "window_s": window,
        "wall_s": round(wall, 1),
        "savers": len(savers),
        "kinds": st.summary(),
        "errors": st.errors,
        "server_cpu_s": round(tree_cpu(server_pid) - srv0, 1),
        "postgres_cpu_s": round(cpu_between(pg0, postgres_cpu()), 1),
        "generator_cpu_s": round(cpu_self() - gen0, 1),
    }


# ---------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=["exams", "spike"], default="exams")
    parser.add_argument("--servers", default="gunicorn,granian")
    parser.add_argument("--mixes", default="today,offline")
    parser.add_argument("--levels", default="50,100,200")
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--starters", type=int, default=5000)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--savers", type=int, default=100)
    parser.add_argument("--saver-think", type=float, default=2.0)
    parser.add_argument(
        "--ramp", type=float, default=None, help="exams: seconds over which candidates arrive"
    )
    parser.add_argument(
        "--prompt-in-window",
        action="store_true",
        help="open the token prompt inside the start window too (default: before it)",
    )
    args = parser.parse_args()
    django_setup()
    from cpns.celery import app as celery_app

    # This process only prepares data: its bulk builds run here, not on a worker (the server
    # under test is a separate process with its own settings).
    celery_app.conf.task_always_eager = True
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **bench_env()},
        check=True,
    )
    results = {"machine": machine(), "scenario": args.scenario, "runs": []}
    for kind in args.servers.split(","):
        server = start_server(kind, args.workers, args.threads)
        label = f"{kind} {args.workers} workers x {args.threads} threads"
        try:
            ping = asyncio.run(ping_throughput(PORTS[kind]))
            if args.scenario == "exams":
                for mix in args.mixes.split(","):
                    for level in [int(x) for x in args.levels.split(",")]:
                        creds = prepare_exams(level)
                        r = asyncio.run(
                            run_exams(PORTS[kind], server.pid, creds, mix, args.think, args.ramp)
                        )
                        r.update(server=label, ping_per_s=ping)
                        print(json.dumps(r), flush=True)
                        results["runs"].append(r)
            else:
                from lembaga.services.tokens import token_current

                creds, path, session = prepare_spike(args.starters)
                savers = prepare_exams(args.savers)
                r = asyncio.run(
                    run_spike(
                        PORTS[kind],
                        server.pid,
                        creds,
                        path,
                        token_current(session),
                        args.window,
                        savers,
                        args.saver_think,
                        not args.prompt_in_window,
                    )
                )
                r.update(server=label, ping_per_s=ping)
                r["ping_after_per_s"] = asyncio.run(ping_throughput(PORTS[kind]))
                print(json.dumps(r), flush=True)
                results["runs"].append(r)
        finally:
            server.terminate()
            server.wait(timeout=30)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    Path(out / f"{args.scenario}-{int(time.time())}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
