"""Benchmarks 2 and 3: saving answers and showing a question, over real HTTP against gunicorn
and PostgreSQL.

    .venv/bin/python bench/answers.py [--workers 4] [--threads 4] [--duration 60]

(a) highest sustained save throughput with 64 connections of logged-in candidates (wrk + Lua),
    and the same for a trivial Django view (/ping) served the same way: the ratio;
(b) an offered rate of 1,000 saves/s spread over 1,000 candidates for --duration seconds
    (an asyncio client with fixed send times, so queueing counts in the latency): p50/p99, and
    afterwards every acknowledged save checked against the database;
(3) p50 time to serve a question with its grid (htmx partial and full page), one connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

from common import ROOT, bench_env, django_setup, generated_bank, machine

PORT = 8011
# A save whose response never arrived whole: counted as a failure, then the client reconnects.
BROKEN = (TimeoutError, OSError, ValueError, IndexError, asyncio.IncompleteReadError)
HOST = "127.0.0.1"


def prepare(n_candidates: int) -> list[dict]:
    """Candidates with started attempts and live sessions; returns their credentials."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cpns.models import User
    from ujian.models import Attempt, Blueprint, BlueprintSection, Tryout
    from ujian.services.attempts import attempt_start, save_token
    from ujian.services.building import attempts_build_bulk

    generated_bank({"TKP": 300})
    blueprint, _ = Blueprint.objects.get_or_create(
        slug="bench-answers", defaults={"name": "Bench", "duration_minutes": 24 * 60}
    )
    if not blueprint.sections.exists():
        BlueprintSection.objects.create(
            blueprint=blueprint, order=1, label="TKP", subtest="TKP", question_count=45
        )
    tryout, _ = Tryout.objects.get_or_create(
        slug="bench-answers", defaults={"title": "Bench", "blueprint": blueprint, "max_attempts": 1}
    )
    Attempt.objects.filter(tryout=tryout).delete()
    have = User.objects.filter(email__startswith="bench-save-").count()
    User.objects.bulk_create(
        [User(email=f"bench-save-{i}@example.com", password="!") for i in range(have, n_candidates)]
    )
    users = list(User.objects.filter(email__startswith="bench-save-").order_by("pk")[:n_candidates])
    attempts_build_bulk(tryout=tryout, user_ids=[u.pk for u in users])
    creds = []
    for user in users:
        attempt = Attempt.objects.get(tryout=tryout, user=user)
        attempt_start(attempt=attempt)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        creds.append(
            {
                "uuid": str(attempt.uuid),
                "cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
                "csrf": csrf,
                "count": attempt.item_count,
                "token": save_token(attempt),
            }
        )
    return creds


def start_server(workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, **bench_env()}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "cpns.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
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
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            import urllib.request

            urllib.request.urlopen(f"http://{HOST}:{PORT}/ping", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


DONE = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "JSON {\"requests\": %d, \"errors\": %d, \"non2xx\": %d, "
    .. "\"p50_ms\": %.2f, \"p99_ms\": %.2f}\n",
    summary.requests, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""

LUA = r"""
local creds = {CREDS}
local seq = {}
local n = 0
function setup(thread)
  thread:set("offset", n)
  n = n + 1
end
function init(args)
  counter = 0
end
request = function()
  counter = counter + 1
  local i = ((counter * 2 + offset) % #creds) + 1
  local c = creds[i]
  seq[i] = (seq[i] or 0) + 1
  local body = string.format('{"position": %d, "choice": %d, "seq": %d}',
                             math.random(0, c.count - 1), math.random(0, 4), seq[i])
  return wrk.format("POST", c.path, {["Cookie"] = c.cookie, ["X-CSRFToken"] = c.csrf,
                    ["X-Attempt-Token"] = c.token, ["Content-Type"] = "application/json"}, body)
end
"""


def _lua(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(text)
    return f.name


def wrk(url: str, seconds: int, connections: int, script: str) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = round(data["requests"] / seconds, 1)
    return data


def throughput(creds: list[dict], seconds: int) -> dict:
    chosen = creds[:64]
    entries = ",".join(
        f'{{path="/tryout/sesi/{c["uuid"]}/jawab/", cookie="{c["cookie"]}", '
        f'csrf="{c["csrf"]}", token="{c["token"]}", count={c["count"]}}}'
        for c in chosen
    )
    saves_script = _lua(LUA.replace("{CREDS}", "{" + entries + "}") + DONE)
    ping_script = _lua(DONE)
    wrk(f"http://{HOST}:{PORT}/ping", 5, 64, ping_script)  # warm up every worker
    saves = wrk(f"http://{HOST}:{PORT}/", seconds, 64, saves_script)
    ping = wrk(f"http://{HOST}:{PORT}/ping", seconds, 64, ping_script)
    return {"saves": saves, "ping": ping, "ratio": round(saves["rps"] / ping["rps"], 3)}


async def fixed_rate(creds: list[dict], rate: int, seconds: int, connections: int) -> dict:
    """Send `rate` saves per second at fixed times; latency counts from the planned send time."""
    queue: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    acked: list[tuple[str, int, int, int]] = []
    failures: dict[str, int] = {}
    seqs = [0] * len(creds)
    rng = random.Random(11)

    async def one_request(reader, writer, job) -> None:
        planned, index, position, choice, seq = job
        c = creds[index]
        body = json.dumps({"position": position, "choice": choice, "seq": seq}).encode()
        head = (
            f"POST /tryout/sesi/{c['uuid']}/jawab/ HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Cookie: {c['cookie']}\r\nX-CSRFToken: {c['csrf']}\r\n"
            f"X-Attempt-Token: {c['token']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        length = None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length is None:
            raise ConnectionError("response without Content-Length")
        payload = await reader.readexactly(length)
        latencies.append(time.perf_counter() - planned)
        status = int(status_line.split()[1])
        if status == 200 and b'"saved"' in payload:
            acked.append((c["uuid"], position, choice, seq))
        elif status != 200:
            failures[str(status)] = failures.get(str(status), 0) + 1

    async def connection_worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, PORT)
        while True:
            job = await queue.get()
            if job is None:
                writer.close()
                return
            try:
                await asyncio.wait_for(one_request(reader, writer, job), timeout=30)
            except (
                TimeoutError,
                OSError,
                ValueError,
                IndexError,
                asyncio.IncompleteReadError,
            ) as exc:
                # Counted, never hidden: the save was not acknowledged. Reconnect and go on.
                name = type(exc).__name__
                failures[name] = failures.get(name, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, PORT)

    workers = [asyncio.create_task(connection_worker()) for _ in range(connections)]
    start = time.perf_counter()
    total = rate * seconds
    for k in range(total):
        planned = start + k / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index = k % len(creds)
        seqs[index] += 1
        queue.put_nowait(
            (planned, index, rng.randrange(creds[index]["count"]), rng.randrange(5), seqs[index])
        )
    while not queue.empty():
        await asyncio.sleep(0.05)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "offered_per_second": rate,
        "sent": total,
        "elapsed_s": round(elapsed, 1),
        "achieved_per_second": round(total / elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 2),
        "max_ms": round(1000 * latencies[-1], 2),
        "acknowledged": len(acked),
        "failures": failures,
        "_acked": acked,
    }


def check_acknowledged(acked: list[tuple[str, int, int, int]]) -> dict:
    """Every acknowledged save must be in the database: its item holds that save or a newer."""
    from ujian.models import Answer

    newest: dict[tuple[str, int], tuple[int, int]] = {}
    for uuid, position, choice, seq in acked:
        if seq > newest.get((uuid, position), (0, 0))[0]:
            newest[(uuid, position)] = (seq, choice)
    stored = {
        (str(u), p): (s, c)
        for u, p, s, c in Answer.objects.filter(
            attempt__uuid__in={k[0] for k in newest}
        ).values_list("attempt__uuid", "position", "seq", "choice")
    }
    lost = sum(
        1
        for key, (seq, choice) in newest.items()
        if key not in stored
        or stored[key][0] < seq
        or (stored[key][0] == seq and stored[key][1] != choice)
    )
    return {"items_checked": len(newest), "lost": lost}


def question_page(creds: list[dict], n: int = 1000) -> dict:
    import http.client

    c = creds[0]
    conn = http.client.HTTPConnection(HOST, PORT)
    timings = {"partial": [], "full": []}
    for i in range(n):
        for kind in ("partial", "full"):
            number = i % c["count"] + 1
            path = (
                f"/tryout/sesi/{c['uuid']}/soal/{number}/"
                if kind == "partial"
                else f"/tryout/sesi/{c['uuid']}/"
            )
            headers = {"Cookie": c["cookie"]}
            if kind == "partial":
                headers["HX-Request"] = "true"
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            timings[kind].append(time.perf_counter() - t)
            assert response.status == 200 and b'id="question"' in body, response.status
    return {
        kind: {
            "p50_ms": round(1000 * statistics.median(v), 2),
            "p90_ms": round(1000 * sorted(v)[int(len(v) * 0.9)], 2),
        }
        for kind, v in timings.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--throughput-seconds", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", choices=["page", "throughput", "fixed"], default=None)
    args = parser.parse_args()
    django_setup()
    creds = prepare(args.candidates)
    server = start_server(args.workers, args.threads)
    try:
        result = {
            "machine": machine(),
            "server": f"gunicorn gthread {args.workers} workers x {args.threads} threads",
        }
        if args.only in (None, "page"):
            result["question_page"] = question_page(creds, 500)
        if args.only in (None, "throughput"):
            result["throughput_64_connections"] = throughput(creds, args.throughput_seconds)
        if args.only in (None, "fixed"):
            fixed = asyncio.run(fixed_rate(creds, args.rate, args.duration, args.connections))
            acked = fixed.pop("_acked")
            result["fixed_rate"] = fixed
            result["fixed_rate"]["check"] = check_acknowledged(acked)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"answers-{int(time.time())}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
