"""An attempt's life after building: start (the deadline is fixed), answers saved one by one,
submitted by the candidate or by the server at the deadline, scored once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import UjianError
from ..models import Answer, Attempt, AttemptStatus, SubmitReason


def get_attempt_for_user(uuid, user) -> Attempt:
    """The user's own attempt; anyone else's is a 404 (never a 403 that confirms it exists)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Attempt.objects.select_related("tryout"), uuid=uuid, user=user)


def grace() -> timedelta:
    return timedelta(seconds=settings.CPNS_ANSWER_GRACE_SECONDS)


def _deadline(attempt: Attempt, now: datetime, closes_at: datetime | None) -> datetime:
    closes = closes_at or attempt.tryout.closes_at
    if closes is not None and now >= closes:
        raise UjianError(_("Tryout ini sudah ditutup."))
    deadline = now + timedelta(seconds=attempt.duration_seconds)
    return min(deadline, closes) if closes is not None else deadline


def attempt_start(
    *, attempt: Attempt, now: datetime | None = None, closes_at: datetime | None = None
) -> Attempt:
    """Ready → in progress. The deadline is fixed here: min(start + duration, tryout close).
    `closes_at` replaces the tryout's close for this one attempt (an institution's override of
    a candidate's window).

    A thousand candidates start within a minute at 08:00, so the usual case is one conditional
    UPDATE that claims the start: it matches only while the attempt is still ready and its
    duration is the one the deadline was computed from (a proctor may add minutes to a ready
    attempt). Anything else — a second tab, a changed duration — goes through the locked path,
    which re-reads the attempt and decides again."""
    now = now or timezone.now()
    if attempt.status == AttemptStatus.READY:
        deadline = _deadline(attempt, now, closes_at)
        claimed = Attempt.objects.filter(
            pk=attempt.pk, status=AttemptStatus.READY, duration_seconds=attempt.duration_seconds
        ).update(status=AttemptStatus.IN_PROGRESS, started_at=now, deadline=deadline)
        if claimed:
            attempt.status, attempt.started_at, attempt.deadline = (
                AttemptStatus.IN_PROGRESS,
                now,
                deadline,
            )
            return attempt
    return _attempt_start_locked(attempt_id=attempt.pk, now=now, closes_at=closes_at)


@transaction.atomic
def _attempt_start_locked(*, attempt_id: int, now: datetime, closes_at: datetime | None) -> Attempt:
    attempt = Attempt.objects.select_for_update().select_related("tryout").get(pk=attempt_id)
    if attempt.status != AttemptStatus.READY:
        return attempt
    attempt.status, attempt.started_at, attempt.deadline = (
        AttemptStatus.IN_PROGRESS,
        now,
        _deadline(attempt, now, closes_at),
    )
    attempt.save(update_fields=["status", "started_at", "deadline"])
    return attempt


# --- saving an answer: the hot path ---------------------------------------------------------

_TOKEN_SALT = "ujian.answer-save"


def save_token(attempt: Attempt) -> str:
    """A signed (attempt, user, version) triple handed to the exam page. The save endpoint
    trusts it instead of loading the session and the user on every click: one query per save
    instead of three. It only lets its holder save answers to this attempt before the deadline,
    and only while the attempt's token version is the one it names (a proctor's device unlock
    bumps the version, so the old device's token stops working)."""
    return signing.dumps(
        [str(attempt.uuid), attempt.user_id, attempt.token_version],
        salt=_TOKEN_SALT,
        compress=False,
    )


def save_token_owner(token: str, attempt_uuid) -> tuple[int, int] | None:
    """(user id, token version) a valid token for this attempt was issued for, else None."""
    owner = _token_owner(token)
    if owner is None or owner[0] != str(attempt_uuid):
        return None
    return owner[1], owner[2]


def save_token_user(token: str, attempt_uuid) -> int | None:
    """The user id a valid token for this attempt was issued to, else None."""
    owner = save_token_owner(token, attempt_uuid)
    return None if owner is None else owner[0]


@lru_cache(maxsize=8192)
def _token_owner(token: str) -> tuple[str, int, int] | None:
    # A token never changes meaning, so each process checks its signature once: a candidate's
    # page sends the same token with every one of its ~110 saves.
    try:
        token_uuid, user_id, version = signing.loads(token, salt=_TOKEN_SALT)
        return str(token_uuid), int(user_id), int(version)
    except (signing.BadSignature, ValueError, TypeError):
        return None


SAVED, STALE, CLOSED, NOT_FOUND, INVALID = "saved", "stale", "closed", "not_found", "invalid"
LOCKED = "locked"

# One statement does the whole job: ownership, status, deadline, token version, position and
# the item's own option count are the SELECT's WHERE; the per-item sequence is the upsert's
# WHERE, so a late older save changes nothing. This one is SQLite's (3.35+, the embedded default).
_UPSERT = """
INSERT INTO ujian_answer (attempt_id, position, choice, flagged, seq, saved_at)
SELECT a.id, %(position)s, %(choice)s, %(flagged)s, %(seq)s, %(now)s FROM ujian_attempt a
WHERE a.uuid = %(uuid)s AND a.user_id = %(user)s AND a.status = 'in_progress'
  AND a.deadline >= %(late)s AND %(position)s < a.item_count
  AND (%(choice)s IS NULL
       OR %(choice)s < length(json_extract(a.items, '$.o[' || %(position)s || ']')))
  AND (%(version)s IS NULL OR a.token_version = %(version)s)
ON CONFLICT (attempt_id, position) DO UPDATE
  SET choice = excluded.choice, flagged = excluded.flagged, seq = excluded.seq,
      saved_at = excluded.saved_at
  WHERE ujian_answer.seq < excluded.seq
RETURNING seq
"""
# PostgreSQL runs it prepared (server-side binding, planned once per connection); the casts give
# every parameter a type the planner does not have to guess. `items -> 'o' ->> position` is the
# item's option order ("3102"): its length is the number of options the candidate saw. The CTE
# also hands back the attempt's deadline in the same statement, so a proctor's extension reaches
# the candidate's countdown with the next save at no extra query.
_UPSERT_PG = """
WITH a AS (
  SELECT id, deadline FROM ujian_attempt
  WHERE uuid = %(uuid)s::uuid AND user_id = %(user)s::bigint AND status = 'in_progress'
    AND deadline >= %(late)s::timestamptz AND %(position)s::smallint < item_count
    AND (%(choice)s::smallint IS NULL
         OR %(choice)s::smallint < char_length(items -> 'o' ->> %(position)s::smallint::int))
    AND (%(version)s::int IS NULL OR token_version = %(version)s::int)
), saved AS (
  INSERT INTO ujian_answer (attempt_id, position, choice, flagged, seq, saved_at)
  SELECT a.id, %(position)s::smallint, %(choice)s::smallint, %(flagged)s::boolean,
         %(seq)s::bigint, %(now)s::timestamptz
  FROM a
  ON CONFLICT (attempt_id, position) DO UPDATE
    SET choice = excluded.choice, flagged = excluded.flagged, seq = excluded.seq,
        saved_at = excluded.saved_at
    WHERE ujian_answer.seq < excluded.seq
  RETURNING seq
)
SELECT saved.seq, a.deadline FROM saved, a
"""
# Column ranges: anything outside them is refused before it reaches the database.
_SMALLINT_MAX, _BIGINT_MAX = 2**15 - 1, 2**63 - 1


@dataclass(frozen=True)
class SaveResult:
    status: str
    message: str = ""
    # For STALE: what the server keeps for the item, so the page can show it instead.
    stored: tuple[int | None, bool] | None = None
    # The attempt's deadline as the server holds it now: a proctor may have extended it, and
    # the page's countdown follows whatever the last response said.
    deadline: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in (SAVED, STALE)


def answer_save(
    *,
    attempt_uuid,
    user_id: int,
    position: int,
    choice: int | None,
    flagged: bool,
    seq: int,
    token_version: int | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Save one item's state (choice and flag). Idempotent and ordered by `seq`. With a
    `token_version` (from the page's save token) it saves only while the attempt still has that
    version: a device whose lock the proctor released can no longer write."""
    if (
        not 0 <= position <= _SMALLINT_MAX
        or not 0 < seq <= _BIGINT_MAX
        or (choice is not None and not 0 <= choice <= 4)
    ):
        return SaveResult(INVALID, _("Data jawaban tidak valid."))
    now = now or timezone.now()
    uuid_db = Attempt._meta.get_field("uuid").get_db_prep_value(attempt_uuid, connection)
    params = {
        "position": position,
        "choice": choice,
        "flagged": flagged,
        "seq": seq,
        "now": now,
        "uuid": uuid_db,
        "user": user_id,
        "late": now - grace(),
        "version": token_version,
    }
    if connection.vendor == "postgresql":
        row = _upsert_prepared(params)
        if row is not None:
            return SaveResult(SAVED, deadline=row[1])
    else:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, params)
            row = cursor.fetchone()
        if row is not None:
            deadline = (
                Attempt.objects.filter(uuid=attempt_uuid).values_list("deadline", flat=True).first()
            )
            return SaveResult(SAVED, deadline=deadline)
    return _why_not_saved(attempt_uuid, user_id, position, choice, flagged, seq, now, token_version)


def _upsert_prepared(params: dict) -> tuple | None:
    """The hot path's statement as a prepared statement. Django's cursors bind parameters on
    the client, so PostgreSQL would parse and plan the upsert on every save; a plain psycopg
    cursor on the same connection (same transaction and autocommit state) prepares it once."""
    reused = connection.connection is not None
    try:
        return _execute_prepared(params)
    except OperationalError:
        if not reused or connection.in_atomic_block:
            raise
        # A persistent connection that died while idle (PostgreSQL restarted, a backend
        # terminated): reconnect once. Safe to repeat: the upsert is idempotent by `seq`. If the
        # database is really down, the reconnect fails and the caller answers 503.
        connection.close()
        return _execute_prepared(params)


def _execute_prepared(params: dict) -> tuple | None:
    import psycopg

    connection.ensure_connection()
    # Django's wrapper turns psycopg's own errors into django.db's (a DatabaseError the view
    # answers with 503) and marks the connection, so that close_if_unusable_or_obsolete drops
    # it at the end of the request instead of handing a dead connection to the next save.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_UPSERT_PG, params, prepare=True)
        return cursor.fetchone()


def _why_not_saved(
    attempt_uuid,
    user_id: int,
    position: int,
    choice: int | None,
    flagged: bool,
    seq: int,
    now,
    token_version: int | None = None,
) -> SaveResult:
    attempt = (
        Attempt.objects.filter(uuid=attempt_uuid, user_id=user_id)
        .only("id", "status", "deadline", "item_count", "items", "token_version")
        .first()
    )
    if attempt is None:
        return SaveResult(NOT_FOUND, _("Sesi ujian tidak ditemukan."))
    if attempt.status != AttemptStatus.IN_PROGRESS or (
        attempt.deadline is not None and attempt.deadline < now - grace()
    ):
        return SaveResult(
            CLOSED,
            _("Waktu ujian sudah habis atau ujian sudah diselesaikan; jawaban ini tidak disimpan."),
        )
    if token_version is not None and token_version != attempt.token_version:
        return SaveResult(
            LOCKED,
            _(
                "Ujian ini sudah dipindahkan ke perangkat lain oleh pengawas; jawaban dari "
                "perangkat ini tidak disimpan lagi. Lanjutkan di perangkat yang baru."
            ),
        )
    if position >= attempt.item_count:
        return SaveResult(INVALID, _("Nomor soal tidak ada."))
    orders = attempt.items.get("o", [])  # the option order of each item, e.g. "3102"
    if choice is not None and (position >= len(orders) or choice >= len(orders[position])):
        return SaveResult(INVALID, _("Pilihan jawaban itu tidak ada pada soal ini."))
    # The row exists with a newer (or the same) sequence. The very same save sent again (its
    # response was lost) is stored: acknowledge it. Anything else lost to a newer save from
    # another tab or device: the newer state stays, and the page must show it, not its own.
    stored = (
        Answer.objects.filter(attempt_id=attempt.id, position=position)
        .values_list("choice", "flagged", "seq")
        .first()
    )
    if stored is None:  # deleted in between; nothing is kept for the item
        stored = (None, False, 0)
    if stored == (choice, flagged, seq):
        return SaveResult(SAVED, deadline=attempt.deadline)
    answer = _("kosong") if stored[0] is None else "ABCDE"[stored[0]]
    if stored[1]:
        answer = _("%(answer)s (ragu-ragu)") % {"answer": answer}
    message = _(
        "Jawaban soal %(number)s diubah dari perangkat/tab lain; jawaban tersimpan: %(answer)s."
    ) % {"number": position + 1, "answer": answer}
    return SaveResult(STALE, message, stored=(stored[0], stored[1]))


# --- submitting and scoring -----------------------------------------------------------------


@transaction.atomic
def attempt_submit(
    *, attempt_id: int, reason: str = SubmitReason.CANDIDATE, now: datetime | None = None
) -> bool:
    """In progress → submitted, then scored by a task after commit. Only the first call acts:
    a double click, a retry and the beat task together submit (and score) once."""
    from ..tasks import attempt_score_task

    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None or attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    if attempt.deadline is not None and now >= attempt.deadline:
        # The server's clock decides: a submit arriving at or after the deadline is a time-out,
        # whatever the client meant (the page posts here itself when its countdown hits zero).
        reason = SubmitReason.TIMEOUT
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = min(now, attempt.deadline) if reason == SubmitReason.TIMEOUT else now
    attempt.submit_reason = reason
    attempt.work_queued_at = now
    attempt.save(update_fields=["status", "submitted_at", "submit_reason", "work_queued_at"])
    attempt_score_task.delay_on_commit(attempt.pk)
    return True


def attempts_expire_overdue(*, now: datetime | None = None) -> int:
    """Submit every attempt whose deadline (plus grace) has passed, browser or not."""
    now = now or timezone.now()
    overdue = list(
        Attempt.objects.filter(
            status=AttemptStatus.IN_PROGRESS, deadline__lt=now - grace()
        ).values_list("pk", flat=True)
    )
    return sum(
        attempt_submit(attempt_id=pk, reason=SubmitReason.TIMEOUT, now=now) for pk in overdue
    )


def attempt_expire_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Called when a page of an attempt is opened: the server's clock decides, not the browser."""
    now = now or timezone.now()
    if (
        attempt.status == AttemptStatus.IN_PROGRESS
        and attempt.deadline is not None
        and attempt.deadline < now - grace()
    ):
        return attempt_submit(attempt_id=attempt.pk, reason=SubmitReason.TIMEOUT, now=now)
    return False


def answers_by_position(attempt: Attempt) -> dict[int, Answer]:
    return {a.position: a for a in Answer.objects.filter(attempt=attempt)}


@transaction.atomic
def attempt_extend(*, attempt_id: int, seconds: int) -> bool:
    """Give an attempt more time (an institution's override). One not yet started gets a longer
    duration; one in progress gets a later deadline, which its page picks up from the server.
    A finished attempt is left alone. Returns whether anything changed."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None or seconds <= 0:
        return False
    if attempt.status in (AttemptStatus.BUILDING, AttemptStatus.READY):
        attempt.duration_seconds += seconds
        attempt.save(update_fields=["duration_seconds"])
        return True
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    attempt.deadline += timedelta(seconds=seconds)
    attempt.save(update_fields=["deadline"])
    return True


# --- exam-day presence and the one-device rule ------------------------------------------------


@dataclass(frozen=True)
class Beat:
    status: str
    deadline: datetime | None = None
    message: str = ""


def attempt_heartbeat(
    *,
    attempt_uuid,
    user_id: int,
    token_version: int | None,
    focus_losses: int = 0,
    position: int | None = None,
    now=None,
) -> Beat | None:
    """One UPDATE: last seen, focus losses added, the page's current question (the exam page
    navigates without the server, so it reports where the candidate is for resuming); returns
    the deadline. None when the attempt is not in progress (or not this user's)."""
    now = now or timezone.now()
    qs = Attempt.objects.filter(
        uuid=attempt_uuid, user_id=user_id, status=AttemptStatus.IN_PROGRESS
    )
    fields = {"last_seen_at": now, "focus_losses": F("focus_losses") + focus_losses}
    if position is not None:
        # Out-of-range positions are clamped on display (_exam_context), never trusted further.
        fields["current_position"] = position
    if token_version is not None:
        changed = qs.filter(token_version=token_version).update(**fields)
        if not changed and qs.exists():
            return Beat(
                LOCKED,
                message=_("Ujian ini sudah dipindahkan ke perangkat lain oleh pengawas."),
            )
    else:
        changed = qs.update(**fields)
    if not changed:
        return None
    return Beat("ok", deadline=qs.values_list("deadline", flat=True).first())


# One statement binds the attempt to the device on its first open, records the evidence (page
# loads, IP changes), marks a second device's try, and hands back who holds the attempt and the
# token version. Every SET reads the row as it was, under the row's lock, so two devices
# opening at once cannot both win. Plain SQL (the same on PostgreSQL and SQLite): at 08:00 a
# whole session opens this page within a minute, and the ORM's CASE expressions cost more to
# build than the statement costs to run.
_DEVICE_CHECK = """
UPDATE ujian_attempt SET
    page_loads = page_loads + 1,
    last_seen_at = %(now)s,
    ip_changes = ip_changes + CASE
        WHEN %(ip)s IS NULL OR last_ip IS NULL OR last_ip = %(ip)s THEN 0 ELSE 1 END,
    last_ip = COALESCE(%(ip)s, last_ip),
    device_key = CASE WHEN device_key = '' THEN %(device)s ELSE device_key END,
    device_blocked_at = CASE
        WHEN device_key <> '' AND device_key <> %(device)s AND device_blocked_at IS NULL
        THEN %(now)s ELSE device_blocked_at END
WHERE id = %(id)s
RETURNING device_key, token_version
"""


def attempt_device_check(*, attempt: Attempt, device_key: str, ip: str | None) -> bool:
    """Called when the exam page of an institution's attempt opens: binds the attempt to this
    device on first open and records evidence (page loads, IP changes). Returns False when
    another device holds it: the page then asks the candidate to call the proctor, and the
    console shows the attempt as locked. `attempt` is given the current token version, which a
    proctor's unlock may just have bumped, so the page's save token is the current one."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = {"now": now, "ip": ip or None, "device": device_key, "id": attempt.pk}
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_CHECK, params)
        held, attempt.token_version = cursor.fetchone()
    return held == device_key


@transaction.atomic
def attempt_device_unlock(*, attempt_id: int) -> bool:
    """Release the device lock: the next device to open the attempt takes it, and the old
    device's save token stops working (answers already saved stay)."""
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None or attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    if not attempt.device_key and attempt.device_blocked_at is None:
        return False
    attempt.device_key, attempt.device_blocked_at = "", None
    attempt.token_version += 1
    attempt.save(update_fields=["device_key", "device_blocked_at", "token_version"])
    return True


@transaction.atomic
def attempt_reopen(*, attempt_id: int, seconds: int, now: datetime | None = None) -> bool:
    """An institution's override: a handed-in attempt goes back in progress for `seconds` more
    (within the tryout's window), answers kept; its score is cleared and computed again when it
    is handed in anew. Only submitted or scored attempts, and only while the tryout is open."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().select_related("tryout").get(pk=attempt_id)
    if attempt.status not in (AttemptStatus.SUBMITTED, AttemptStatus.SCORED) or seconds <= 0:
        return False
    closes = attempt.tryout.closes_at
    if closes is not None and now >= closes:
        return False
    deadline = now + timedelta(seconds=seconds)
    if closes is not None:
        deadline = min(deadline, closes)
    attempt.status, attempt.deadline = AttemptStatus.IN_PROGRESS, deadline
    attempt.submitted_at, attempt.submit_reason, attempt.scored_at = None, "", None
    attempt.total = attempt.score_tkp = attempt.score_tiu = attempt.score_twk = None
    attempt.passed, attempt.result = None, None
    attempt.save(
        update_fields=[
            "status",
            "deadline",
            "submitted_at",
            "submit_reason",
            "scored_at",
            "total",
            "score_tkp",
            "score_tiu",
            "score_twk",
            "passed",
            "result",
        ]
    )
    return True
