"""Benchmark 1: build 10,000 attempts × 110 questions (SKD blueprint) and compare with a raw
PostgreSQL COPY of the same information (1.1 M rows: attempt, position, question id, option
order) into a table with only a primary key, measured in the same run.

    .venv/bin/python bench/build.py [--attempts 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import time

from common import django_setup, generated_bank, machine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    django_setup()

    from common import ROOT
    from django.db import connection

    from cpns.models import User
    from ujian.models import Attempt, QuestionSnapshot
    from ujian.services.building import attempts_build_bulk
    from ujian.services.presets import presets_load

    generated_bank({"TWK": 200, "TIU": 200, "TKP": 300})
    presets_load(ROOT / "fixtures" / "ujian" / "presets.yaml")
    from ujian.models import Tryout

    tryout = Tryout.objects.get(slug="simulasi-skd-cat-bkn")
    existing = User.objects.filter(email__startswith="bench-build-").count()
    User.objects.bulk_create(
        [
            User(email=f"bench-build-{i}@example.com", password="!")
            for i in range(existing, args.attempts)
        ],
        batch_size=5000,
    )
    user_ids = list(
        User.objects.filter(email__startswith="bench-build-")
        .order_by("pk")
        .values_list("pk", flat=True)[: args.attempts]
    )
    question_ids = list(range(1, 701))
    rng = random.Random(5)

    def copy_baseline() -> float:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy")
            cur.execute(
                "CREATE TABLE bench_copy (attempt int, position smallint, question int, "
                "option_order text, PRIMARY KEY (attempt, position))"
            )
        buf = io.StringIO()
        for a in range(args.attempts):
            for p in range(110):
                buf.write(
                    f"{a}\t{p}\t{rng.choice(question_ids)}\t{''.join(rng.sample('01234', 5))}\n"
                )
        data = buf.getvalue()
        raw = connection.connection
        start = time.perf_counter()
        with raw.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy:
            copy.write(data)
        raw.commit()
        elapsed = time.perf_counter() - start
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM bench_copy")
            assert cur.fetchone()[0] == args.attempts * 110
            cur.execute("DROP TABLE bench_copy")
        return elapsed

    def build() -> float:
        Attempt.objects.filter(tryout=tryout).delete()
        QuestionSnapshot.objects.all().delete()
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
        start = time.perf_counter()
        created = attempts_build_bulk(tryout=tryout, user_ids=user_ids)
        elapsed = time.perf_counter() - start
        assert created == args.attempts
        items = sum(
            len(i["s"])
            for i in Attempt.objects.filter(tryout=tryout).values_list("items", flat=True)
        )
        assert items == args.attempts * 110, items
        return elapsed

    copies, builds = [], []
    for _ in range(args.repeat):
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
        copies.append(copy_baseline())
        builds.append(build())
    start = time.perf_counter()
    again = attempts_build_bulk(tryout=tryout, user_ids=user_ids)
    rerun = time.perf_counter() - start
    assert again == 0
    result = {
        "machine": machine(),
        "attempts": args.attempts,
        "rows_equivalent": args.attempts * 110,
        "copy_seconds": [round(x, 3) for x in copies],
        "build_seconds": [round(x, 3) for x in builds],
        "copy_median": round(statistics.median(copies), 3),
        "build_median": round(statistics.median(builds), 3),
        "ratio_median": round(
            statistics.median(b / c for b, c in zip(builds, copies, strict=True)), 2
        ),
        "idempotent_rerun_seconds": round(rerun, 3),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
