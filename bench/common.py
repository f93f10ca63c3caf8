"""Shared helpers for the benchmarks: Django setup against the benchmark database, a generated
bank, machine description."""

from __future__ import annotations

import os
import platform
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cpns_bench")
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def bench_env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "cpns.settings",
        "DATABASE_URL": BENCH_DB,
        "REDIS_URL": BENCH_REDIS,
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }


def database_ensure() -> None:
    """Create the benchmark database on a fresh machine (it is never the development one)."""
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup() -> None:
    os.environ.update(bench_env())
    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {pg}, "
        f"{platform.platform()}"
    )


def generated_bank(per_subtest: dict[str, int], seed: int = 1) -> None:
    """Published questions with plausible shapes, created through the normal service."""
    from materi.models import Principle
    from soal.models import Question
    from soal.services.questions import question_create
    from soal.services.rules import OptionData, QuestionData

    Principle.objects.get_or_create(
        code="sq-empathy", defaults={"name": "Empati", "group": "servqual", "explanation": "-"}
    )
    rng = random.Random(seed)
    aspects = {
        "TWK": ["nasionalisme", "pilar-negara"],
        "TIU": ["verbal", "numerik"],
        "TKP": ["pelayanan-publik", "jejaring-kerja", "profesionalisme"],
    }
    for subtest, count in per_subtest.items():
        have = Question.objects.filter(subtest=subtest, status="published").count()
        for i in range(have, count):
            if subtest == "TKP":
                scores = rng.sample([1, 2, 3, 4, 5], 5)
                options = [
                    OptionData(f"Pilihan {j} soal {i}", s, "alasan", ["sq-empathy"])
                    for j, s in enumerate(scores)
                ]
            else:
                right = rng.randrange(5)
                options = [
                    OptionData(f"Jawaban {j} soal {i}", 5 if j == right else 0, "alasan")
                    for j in range(5)
                ]
            question_create(
                data=QuestionData(
                    stem=f"Soal {subtest} nomor {i} " + "kata " * 40,
                    subtest=subtest,
                    aspect=rng.choice(aspects[subtest]),
                    options=options,
                    explanation="Pembahasan " * 20,
                ),
                status="published",
            )
