"""WAL bytes per answer save, per exam start and per hand-in, measured with PostgreSQL itself.

    .venv/bin/python bench/wal.py [--candidates 200] [--saves 20]

The cluster is shared with other work, so `pg_current_wal_lsn()` before/after counts everyone's
WAL. This script reads the records between the two positions with `pg_walinspect`
(PostgreSQL ≥ 15 contrib) and keeps only the transactions that touched the benchmark database
(block references `…/<database oid>/…`) — their data records and their commit records.
Full-page images are included as they occur (the first change of a page after a checkpoint),
so the figure is an honest average over a run, not a best case.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from common import BENCH_DB, django_setup


def wal_between(conn, start: str, end: str, db_oid: int) -> dict:
    rows = conn.execute(
        "SELECT xid::text::bigint, record_length, fpi_length, block_ref "
        "FROM pg_get_wal_records_info(%s, %s)",
        [start, end],
    ).fetchall()
    mark = f"/{db_oid}/"
    ours = {xid for xid, _, _, ref in rows if ref and mark in ref and xid}
    total = sum(length for xid, length, _, _ in rows if xid in ours)
    fpi = sum(f for xid, _, f, _ in rows if xid in ours)
    return {"bytes": total, "fpi_bytes": fpi, "transactions": len(ours)}


def lsn(conn) -> str:
    return conn.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone()[0]


def measured(watcher, db_oid: int, items: list, operation, chunk: int = 20) -> dict:
    """WAL of `operation` over `items`, read back every `chunk` operations."""
    total = {"bytes": 0, "fpi_bytes": 0, "transactions": 0}
    for i in range(0, len(items), chunk):
        start = lsn(watcher)
        for item in items[i : i + chunk]:
            operation(item)
        part = wal_between(watcher, start, lsn(watcher), db_oid)
        for key in part:
            total[key] += part[key]
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--saves", type=int, default=20, help="saves per candidate")
    args = parser.parse_args()
    django_setup()
    import psycopg
    from django.db import connection
    from exams import prepare_exams

    from ujian.models import Attempt
    from ujian.services.attempts import answer_save, attempt_start, attempt_submit

    creds = prepare_exams(args.candidates)
    attempts = list(Attempt.objects.filter(uuid__in=[c["uuid"] for c in creds]))
    watcher = psycopg.connect(BENCH_DB, autocommit=True)
    watcher.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    db_oid = watcher.execute(
        "SELECT oid FROM pg_database WHERE datname = current_database()"
    ).fetchone()[0]
    watcher.execute("CHECKPOINT")  # every phase starts after a checkpoint: full-page images count
    result = {}

    result["start"] = measured(watcher, db_oid, attempts, lambda a: attempt_start(attempt=a))

    rng = random.Random(3)
    elapsed, n = 0.0, 0
    result["save"] = {"bytes": 0, "fpi_bytes": 0, "transactions": 0}
    for k in range(args.saves):
        # one round at a time, read at once: other work on the cluster recycles WAL segments fast
        start = lsn(watcher)
        t = time.perf_counter()
        for a in attempts:
            answer_save(
                attempt_uuid=a.uuid,
                user_id=a.user_id,
                position=k % a.item_count,
                choice=rng.randrange(5),
                flagged=False,
                seq=k + 1,
            )
            n += 1
        elapsed += time.perf_counter() - t
        part = wal_between(watcher, start, lsn(watcher), db_oid)
        for key in part:
            result["save"][key] += part[key]
    result["save"]["count"] = n
    result["save"]["serial_saves_per_s"] = round(n / elapsed, 1)

    result["submit"] = measured(
        watcher, db_oid, attempts, lambda a: attempt_submit(attempt_id=a.pk)
    )

    for phase, count in (("start", len(attempts)), ("save", n), ("submit", len(attempts))):
        result[phase]["bytes_per_op"] = round(result[phase]["bytes"] / count)
        result[phase]["fpi_share"] = round(
            result[phase]["fpi_bytes"] / max(result[phase]["bytes"], 1), 2
        )
    connection.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
