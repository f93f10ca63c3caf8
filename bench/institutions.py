"""Benchmark 5: institutions. The proctor console of a 500- and a 5,000-candidate session
(same run, same machine), importing 5,000 candidates (in the request's service and through the
Celery job's service), and exporting 10,000 results as CSV (streamed) and XLSX with the
tracemalloc peak of each.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpns_lbenchrun \\
        .venv/bin/python bench/institutions.py [--refreshes 50] [--console-only]
        [--export-only --export-rows 10000 40000]

`--export-rows` with several sizes exports each (a session of its own, made without answers):
the peaks side by side show whether an export's memory grows with its rows.

Data is made with set-based inserts (bulk_create and the COPY-based attempts_build_bulk) in a
database of its own; each run starts from new institutions, so it can be repeated.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
import uuid as uuidlib
from datetime import timedelta

from common import ROOT, django_setup, generated_bank, machine


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--refreshes", type=int, default=50)
    parser.add_argument("--console-only", action="store_true", help="skip import and export")
    parser.add_argument(
        "--export-only", action="store_true", help="skip the console and the import"
    )
    parser.add_argument(
        "--export-rows",
        type=int,
        nargs="+",
        default=[10_000],
        help="sizes of the exported session (several: memory must not grow with the rows)",
    )
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cpns.models import Institution, Membership, User
    from lembaga.models import Candidate, Cohort, ImportJob
    from lembaga.services import enrolment, results, sessions
    from ujian.models import Answer, Attempt, AttemptStatus, Blueprint, SubmitReason
    from ujian.services.building import attempts_build_bulk
    from ujian.services.presets import presets_load

    if not Blueprint.objects.filter(is_preset=True).exists():
        generated_bank({"TWK": 200, "TIU": 200, "TKP": 300})
        presets_load(ROOT / "fixtures" / "ujian" / "presets.yaml")
    preset = Blueprint.objects.filter(is_preset=True).order_by("pk").first()
    run = uuidlib.uuid4().hex[:8]
    rng = random.Random(7)
    now = timezone.now()
    out: dict = {"machine": machine()}

    def institution_with(size: int, tag: str):
        inst = Institution.objects.create(name=f"Bench {tag} {run}", slug=f"b-{tag}-{run}")
        admin = User.objects.create(email=f"admin-{tag}-{run}@example.com", password="!")
        Membership.objects.create(institution=inst, user=admin, role=Membership.Role.ADMIN)
        cohort = Cohort.objects.create(institution=inst, name="Angkatan")
        users = User.objects.bulk_create(
            [User(email=f"c{i}-{tag}-{run}@example.com", password="!") for i in range(size)],
            batch_size=5000,
        )
        Candidate.objects.bulk_create(
            [
                Candidate(institution=inst, user=u, cohort=cohort, number=f"N-{i:05d}")
                for i, u in enumerate(users)
            ],
            batch_size=5000,
        )
        return inst, admin, cohort, [u.pk for u in users]

    def session_with(size: int, tag: str, answers: bool = True):
        """A live session: 40 % working (with answers, some quiet for minutes), 30 % submitted
        (a tenth by timeout), 5 % locked devices, the rest not started. The exports read no
        answers, so their sessions are made without (answers=False)."""
        inst, admin, cohort, user_ids = institution_with(size, tag)
        session = sessions.session_create(
            institution=inst,
            blueprint=preset,
            name="Sesi",
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(hours=3),
            cohorts=[cohort],
        )
        t0 = time.perf_counter()
        attempts_build_bulk(tryout=session.tryout, user_ids=user_ids, seed=1)
        build = time.perf_counter() - t0
        ids = list(
            Attempt.objects.filter(tryout=session.tryout)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        working, submitted = ids[: int(size * 0.4)], ids[int(size * 0.4) : int(size * 0.7)]
        Attempt.objects.filter(pk__in=working).update(
            status=AttemptStatus.IN_PROGRESS,
            started_at=now - timedelta(minutes=20),
            deadline=now + timedelta(minutes=80),
            last_seen_at=now - timedelta(seconds=30),
        )
        quiet = working[: len(working) // 10]
        Attempt.objects.filter(pk__in=quiet).update(last_seen_at=now - timedelta(minutes=5))
        Attempt.objects.filter(pk__in=working[-len(working) // 8 :]).update(device_blocked_at=now)
        Attempt.objects.filter(pk__in=submitted).update(
            status=AttemptStatus.SCORED,
            started_at=now - timedelta(minutes=28),
            deadline=now + timedelta(minutes=72),
            submitted_at=now - timedelta(minutes=2),
            submit_reason=SubmitReason.CANDIDATE,
            total=300,
        )
        Attempt.objects.filter(pk__in=submitted[: len(submitted) // 10]).update(
            submit_reason=SubmitReason.TIMEOUT
        )
        rows = []
        for a in working + submitted if answers else []:
            for pos in range(1, rng.randint(20, 100)):
                rows.append(
                    Answer(
                        attempt_id=a,
                        position=pos,
                        choice=rng.randint(0, 4),
                        seq=pos,
                        saved_at=now - timedelta(seconds=rng.randint(60, 1200)),
                    )
                )
        Answer.objects.bulk_create(rows, batch_size=10000)
        with connection.cursor() as cur:
            # Fresh statistics, as autovacuum would have them on a live system: tens of thousands
            # of users inserted a second ago otherwise look like an empty table to the planner.
            cur.execute(
                "ANALYZE cpns_user; ANALYZE ujian_attempt; ANALYZE ujian_answer;"
                " ANALYZE lembaga_candidate"
            )
        return session, admin, build, len(rows)

    if not args.export_only:
        # --- console --------------------------------------------------------------------------
        console = {}
        for size, tag in ((500, "s"), (5000, "l")):
            t0 = time.perf_counter()
            session, admin, build, n_answers = session_with(size, tag)
            setup = time.perf_counter() - t0
            client = Client(SERVER_NAME="localhost")
            client.force_login(admin)
            url = session.get_absolute_url()
            service, http, counts_ms = [], [], []
            # A console refreshes itself every few seconds: time the steady state. The first
            # request of the process (template compilation, first queries) is timed apart;
            # with 50 refreshes it alone was the p99.
            t = time.perf_counter()
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
            first_ms = (time.perf_counter() - t) * 1000
            for _ in range(args.refreshes):
                t = time.perf_counter()
                sessions.console_counts(session)
                counts_ms.append((time.perf_counter() - t) * 1000)
                sessions.console_rows(session, page=1)
                service.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                response = client.get(url, headers={"HX-Request": "true"})
                http.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
            console[size] = {
                "setup_s": round(setup, 1),
                "build_s": round(build, 1),
                "answers": n_answers,
                "service_p50_ms": round(pct(service, 50), 1),
                "service_p99_ms": round(pct(service, 99), 1),
                "counts_p50_ms": round(pct(counts_ms, 50), 1),
                "http_p50_ms": round(pct(http, 50), 1),
                "http_p99_ms": round(pct(http, 99), 1),
                "http_first_ms": round(first_ms, 1),
            }
            print(size, console[size], flush=True)
        console["ratio_5000_over_500_http_p50"] = round(
            console[5000]["http_p50_ms"] / console[500]["http_p50_ms"], 2
        )
        out["console"] = console
        if args.console_only:
            print(json.dumps(out, indent=2))
            return

        # --- import ---------------------------------------------------------------------------
        csv_text = "nama,email,kelas\n" + "".join(
            f"Peserta {i},imp{i}-{run}@example.com,Kelas {i % 10}\n" for i in range(5000)
        )
        content = csv_text.encode()
        inst, admin, _cohort, _ids = institution_with(0, "imp")
        t0 = time.perf_counter()
        preview = enrolment.candidates_parse(institution=inst, filename="p.csv", content=content)
        parse = time.perf_counter() - t0
        t0 = time.perf_counter()
        enrolment.candidates_import(institution=inst, preview=preview)
        write = time.perf_counter() - t0
        inst2, admin2, _c, _i = institution_with(0, "job")
        content2 = content.replace(b"-" + run.encode(), b"-j" + run.encode())
        job = ImportJob.objects.create(
            institution=inst2, created_by=admin2, filename="p.csv", content=content2, total=5000
        )
        t0 = time.perf_counter()
        enrolment.import_job_run(job_id=job.pk)
        job_s = time.perf_counter() - t0
        job.refresh_from_db()
        assert job.created == 5000, job.error
        out["import_5000"] = {
            "parse_s": round(parse, 2),
            "import_s": round(write, 2),
            "job_s": round(job_s, 2),
        }
        print(out["import_5000"], flush=True)

    # --- export ---------------------------------------------------------------------------
    def export_of(size: int) -> dict:
        session, admin, _build, _n = session_with(size, f"x{size}", answers=False)
        Attempt.objects.filter(tryout=session.tryout).update(
            status=AttemptStatus.SCORED,
            started_at=now - timedelta(minutes=90),
            submitted_at=now - timedelta(minutes=5),
            submit_reason=SubmitReason.CANDIDATE,
            passed=True,
        )
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE ujian_attempt SET total = (random() * 500)::int,"
                " score_tkp = (random() * 225)::int, score_tiu = (random() * 175)::int,"
                " score_twk = (random() * 150)::int WHERE tryout_id = %s",
                [session.tryout_id],
            )
        client = Client(SERVER_NAME="localhost")
        client.force_login(admin)
        export = {}
        for fmt in ("csv", "xlsx"):
            url = f"{session.get_absolute_url()}hasil.{fmt}"
            tracemalloc.start()
            t0 = time.perf_counter()
            response = client.get(url)
            # Counted as it streams, as a client would receive it: the peak is the server's
            # memory, not a copy of the whole body made by the benchmark.
            if response.streaming:
                size_bytes = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size_bytes = len(response.content)
            seconds = time.perf_counter() - t0
            _cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert response.status_code == 200, response.status_code
            export[fmt] = {
                "seconds": round(seconds, 2),
                "tracemalloc_peak_mb": round(peak / 2**20, 1),
                "bytes": size_bytes,
                "streamed": response.streaming,
            }
            print(size, fmt, export[fmt], flush=True)
        tracemalloc.start()
        t0 = time.perf_counter()
        rows = results.ranking(session)
        rank_s = time.perf_counter() - t0
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        export["ranking"] = {
            "rows": len(rows),
            "seconds": round(rank_s, 2),
            "tracemalloc_peak_mb": round(peak / 2**20, 1),
        }
        return export

    for size in args.export_rows:
        out[f"export_{size}"] = export_of(size)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
