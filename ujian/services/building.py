"""Building attempts: draw questions per blueprint section, fix their order and option order,
freeze the content. One attempt for a candidate who presses "Mulai", or thousands at once for an
institution (chunked bulk inserts, idempotent, with progress)."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import UjianError
from ..models import Attempt, AttemptStatus, Blueprint, BuildJob, QuestionSnapshot, Tryout
from .snapshots import pool_questions, snapshots_ensure

BULK_CHUNK = 1000
# Every order of five options, precomputed: drawing one is cheaper than shuffling a list.
_ORDERS = {
    n: ["".join(map(str, p)) for p in itertools.permutations(range(n))] for n in (2, 3, 4, 5)
}
_IDENTITY = {n: "".join(map(str, range(n))) for n in (2, 3, 4, 5)}


@dataclass
class SectionPool:
    label: str
    subtest: str
    aspect: str
    threshold: int | None
    count: int
    snapshots: list[int]  # one snapshot id per published question of the section
    question_of: dict[int, int]  # snapshot id → question id
    option_count: dict[int, int]  # snapshot id → number of options

    @property
    def all_five(self) -> bool:
        return all(n == 5 for n in self.option_count.values())


def bank_problems(blueprint: Blueprint, owner_id: int | None = None) -> list[str]:
    """What the published bank lacks to fill this blueprint (empty when it can)."""
    problems = []
    for section in blueprint.sections.all():
        available = pool_questions(section.subtest, section.aspect, owner_id).count()
        if available < section.question_count:
            problems.append(
                _("%(label)s: %(have)d soal terbit, kisi-kisi membutuhkan %(need)d")
                % {"label": section.label, "have": available, "need": section.question_count}
            )
    return problems


def bank_check(blueprint: Blueprint, owner_id: int | None = None) -> None:
    problems = bank_problems(blueprint, owner_id)
    if problems:
        raise UjianError(_("Bank soal belum cukup untuk tryout ini. ") + "; ".join(problems) + ".")


def _pools(blueprint: Blueprint, owner_id: int | None = None) -> list[SectionPool]:
    bank_check(blueprint, owner_id)
    pools = []
    for section in blueprint.sections.all():
        questions = list(pool_questions(section.subtest, section.aspect, owner_id))
        snapshot_of = snapshots_ensure(questions)
        pools.append(
            SectionPool(
                label=section.label,
                subtest=section.subtest,
                aspect=section.aspect,
                threshold=section.passing_threshold,
                count=section.question_count,
                snapshots=[snapshot_of[q.pk] for q in questions],
                question_of={snapshot_of[q.pk]: q.pk for q in questions},
                option_count={snapshot_of[q.pk]: len(q.options.all()) for q in questions},
            )
        )
    return pools


def _seen_counts(user_ids: Sequence[int]) -> dict[int, Counter]:
    """How often each user has met each question in earlier attempts."""
    seen: dict[int, Counter] = {}
    rows = [
        (u, items.get("s", []))
        for u, items in Attempt.objects.filter(user_id__in=user_ids).values_list("user_id", "items")
    ]
    rows = [(u, s) for u, s in rows if s]
    if not rows:
        return seen
    question_of = dict(
        QuestionSnapshot.objects.filter(pk__in={sid for _u, s in rows for sid in s}).values_list(
            "pk", "question_id"
        )
    )
    for user_id, snapshot_ids in rows:
        seen.setdefault(user_id, Counter()).update(question_of.get(s) for s in snapshot_ids)
    return seen


def _draw(
    pools: list[SectionPool], blueprint: Blueprint, seen: Counter | None, rng: random.Random
) -> dict[str, list]:
    """One attempt's positions: {"s": snapshot ids, "o": option orders}, section by section.

    This runs a million times per 10,000 attempts, so it works on whole sections at once."""
    snapshots: list[int] = []
    orders: list[str] = []
    for pool in pools:
        if seen:
            # Least-seen first; a random key breaks ties so equals are drawn fairly.
            ranked = sorted(
                pool.snapshots, key=lambda s: (seen.get(pool.question_of[s], 0), rng.random())
            )
            chosen = ranked[: pool.count]
            if blueprint.shuffle_questions:
                rng.shuffle(chosen)
        else:
            chosen = rng.sample(pool.snapshots, pool.count)
        if not blueprint.shuffle_questions:
            chosen.sort(key=pool.question_of.__getitem__)
        snapshots += chosen
        if not blueprint.shuffle_options:
            orders += [_IDENTITY[pool.option_count[s]] for s in chosen]
        elif pool.all_five:
            orders += rng.choices(_ORDERS[5], k=len(chosen))
        else:
            orders += [rng.choice(_ORDERS[pool.option_count[s]]) for s in chosen]
    return {"s": snapshots, "o": orders}


def _sections_data(pools: list[SectionPool]) -> list[list]:
    return [[p.label, p.subtest, p.aspect, p.threshold, p.count] for p in pools]


# --- one candidate ------------------------------------------------------------------------------


@transaction.atomic
def attempt_create(
    *, tryout: Tryout, user, now=None, closes_at=None, extra_attempts: int = 0
) -> Attempt:
    """Open (or resume) this user's attempt; the build itself runs as a task after commit.
    `closes_at` replaces the tryout's close for this user (an institution's window override);
    `extra_attempts` raises the tryout's attempt limit for this user (another attempt an
    institution's proctor granted: the caller knows about grants, this layer does not)."""
    from ..tasks import attempt_build_task

    now = now or timezone.now()
    # Serialise this user's starts (a double click must not open two attempts).
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    unfinished = Attempt.objects.filter(
        tryout=tryout,
        user=user,
        status__in=[AttemptStatus.BUILDING, AttemptStatus.READY, AttemptStatus.IN_PROGRESS],
    ).first()
    if unfinished:
        return unfinished
    still_open = tryout.is_open(now) or (
        closes_at is not None and tryout.opens_at <= now < closes_at
    )
    if not tryout.is_published or not still_open:
        raise UjianError(_("Tryout ini sedang tidak dibuka."))
    used = (
        Attempt.objects.filter(tryout=tryout, user=user)
        .exclude(status=AttemptStatus.FAILED)
        .count()
    )
    allowed = tryout.max_attempts + max(extra_attempts, 0)
    if used >= allowed:
        raise UjianError(
            _("Anda sudah memakai semua %(n)d kesempatan untuk tryout ini.") % {"n": allowed}
        )
    bank_check(tryout.blueprint, tryout.owner_id)
    number = (
        Attempt.objects.filter(tryout=tryout, user=user)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    attempt = Attempt.objects.create(
        tryout=tryout,
        user=user,
        number=number,
        status=AttemptStatus.BUILDING,
        duration_seconds=tryout.blueprint.duration_minutes * 60,
        work_queued_at=now,
    )
    attempt_build_task.delay_on_commit(attempt.pk)
    return attempt


@transaction.atomic
def attempt_build(*, attempt_id: int, seed: int | None = None) -> bool:
    """Draw and freeze one attempt's questions. Running it twice does nothing the second time."""
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("tryout__blueprint")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or attempt.status != AttemptStatus.BUILDING:
        return False
    blueprint = attempt.tryout.blueprint
    try:
        pools = _pools(blueprint, attempt.tryout.owner_id)
    except UjianError as exc:
        attempt.status, attempt.error = AttemptStatus.FAILED, exc.message
        attempt.save(update_fields=["status", "error"])
        return False
    seen = _seen_counts([attempt.user_id]).get(attempt.user_id)
    attempt.items = _draw(pools, blueprint, seen, random.Random(seed))
    attempt.sections = _sections_data(pools)
    attempt.item_count = len(attempt.items["s"])
    attempt.status = AttemptStatus.READY
    attempt.save(update_fields=["items", "sections", "item_count", "status"])
    return True


# --- many candidates ----------------------------------------------------------------------------


def build_job_create(*, tryout: Tryout, user_ids: Sequence[int]) -> BuildJob:
    bank_check(tryout.blueprint, tryout.owner_id)
    return BuildJob.objects.create(
        tryout=tryout,
        total=len(user_ids),
        user_ids=list(user_ids),
        progressed_at=timezone.now(),
    )


def attempts_build_bulk(
    *,
    tryout: Tryout,
    user_ids: Sequence[int],
    job: BuildJob | None = None,
    seed: int | None = None,
    chunk: int = BULK_CHUNK,
) -> int:
    """First attempts for many users, ready to start. Idempotent: users who already have one are
    skipped, so a retried or repeated run creates nothing twice. Returns how many it created."""
    blueprint = tryout.blueprint
    pools = _pools(blueprint, tryout.owner_id)
    sections = _sections_data(pools)
    rng = random.Random(seed)
    duration = blueprint.duration_minutes * 60
    created = 0
    for start in range(0, len(user_ids), chunk):
        part = list(user_ids[start : start + chunk])
        have = set(
            Attempt.objects.filter(tryout=tryout, user_id__in=part).values_list(
                "user_id", flat=True
            )
        )
        todo = [u for u in part if u not in have]
        seen = _seen_counts(todo)
        rows = [(user_id, _draw(pools, blueprint, seen.get(user_id), rng)) for user_id in todo]
        with transaction.atomic():
            created += _insert_attempts(
                tryout=tryout, rows=rows, sections=sections, duration=duration
            )
            if job is not None:
                # Absolute, never backwards: a task redelivered after its worker was killed
                # walks the chunks again (skipping built users) without counting them twice.
                BuildJob.objects.filter(pk=job.pk).update(
                    done=Greatest(F("done"), start + len(part)), progressed_at=timezone.now()
                )
    if job is not None:
        BuildJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    return created


_COPY_COLUMNS = (
    "uuid",
    "tryout_id",
    "user_id",
    "number",
    "status",
    "items",
    "sections",
    "item_count",
    "duration_seconds",
    "current_position",
    "created_at",
    "submit_reason",
    "error",
)


def _insert_attempts(
    *, tryout: Tryout, rows: list[tuple[int, list]], sections: list, duration: int
) -> int:
    """Insert first attempts for (user id, items) rows; returns how many were inserted.

    On PostgreSQL through COPY (Django's bulk_create quotes every JSON value client-side, which
    made the build 5 × slower than a raw COPY). Users who already had an attempt were filtered
    out by the caller; if a concurrent run got there in between, the unique key refuses the
    COPY and the chunk goes again through INSERT … ON CONFLICT DO NOTHING."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        before = Attempt.objects.filter(tryout=tryout).count()
        Attempt.objects.bulk_create(
            [
                Attempt(
                    tryout=tryout,
                    user_id=u,
                    number=1,
                    status=AttemptStatus.READY,
                    items=items,
                    sections=sections,
                    item_count=len(items["s"]),
                    duration_seconds=duration,
                )
                for u, items in rows
            ],
            ignore_conflicts=True,
        )
        return Attempt.objects.filter(tryout=tryout).count() - before
    now = timezone.now()
    sections_json = json.dumps(sections, separators=(",", ":"))
    values = [
        (
            uuid.uuid4(),
            tryout.pk,
            user_id,
            1,
            AttemptStatus.READY,
            json.dumps(items, separators=(",", ":")),
            sections_json,
            len(items["s"]),
            duration,
            0,
            now,
            "",
            "",
        )
        for user_id, items in rows
    ]
    columns = ", ".join(_COPY_COLUMNS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, "ujian_attempt", columns, values)
        return len(values)
    except IntegrityError:
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ujian_attempt_load ON COMMIT DELETE ROWS "
            f"AS SELECT {columns} FROM ujian_attempt WITH NO DATA"
        )
        _copy(cursor, "ujian_attempt_load", columns, values)
        cursor.execute(
            f"INSERT INTO ujian_attempt ({columns}) SELECT {columns} FROM ujian_attempt_load "
            "ON CONFLICT DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DELETE FROM ujian_attempt_load")
    return inserted


def _copy(cursor, table: str, columns: str, values: list[tuple]) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
