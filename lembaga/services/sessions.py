"""Sessions: create one from a preset, pre-build its attempts, let a candidate in with the token,
and the proctor console's counts and rows. The proctor's actions are in `actions`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpns.models import Institution
from ujian.errors import UjianError
from ujian.models import Answer, Attempt, AttemptStatus, Blueprint, SubmitReason, Tryout
from ujian.services import attempts as attempt_svc
from ujian.services import building

from ..errors import LembagaError
from ..models import (
    AttemptGrant,
    AuditEntry,
    Candidate,
    Cohort,
    ExamSession,
)
from .tokens import token_valid


def presets_for(institution: Institution):
    return Blueprint.objects.filter(Q(is_preset=True) | Q(owner=institution)).order_by("name")


def _unique_slug(base: str) -> str:
    slug, n = base[:45], 1
    while Tryout.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[:40]}-{n}"
    return slug


@transaction.atomic
def session_create(
    *,
    institution: Institution,
    blueprint: Blueprint,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    cohorts: list[Cohort],
    room: str = "",
    proctors=(),
    token_minutes: int = 15,
) -> ExamSession:
    """A private tryout of the institution and its one session. Refused before it opens when
    the bank cannot fill the blueprint."""
    name = " ".join(name.split())
    if not name:
        raise LembagaError(_("Nama sesi wajib diisi."))
    if ends_at <= starts_at:
        raise LembagaError(_("Waktu selesai harus setelah waktu mulai."))
    if blueprint.owner_id not in (None, institution.pk) or (
        blueprint.owner_id is None and not blueprint.is_preset
    ):
        raise LembagaError(_("Kisi-kisi ini tidak tersedia untuk lembaga Anda."))
    if any(c.institution_id != institution.pk for c in cohorts):
        raise LembagaError(_("Kelas tidak ditemukan."))
    if not cohorts:
        raise LembagaError(_("Pilih sedikitnya satu kelas peserta."))
    problems = building.bank_problems(blueprint, institution.pk)
    if problems:
        raise LembagaError(_("Bank soal belum cukup: ") + "; ".join(problems) + ".")
    tryout = Tryout.objects.create(
        slug=_unique_slug(slugify(f"{institution.slug}-{name}") or "sesi"),
        title=name,
        blueprint=blueprint,
        owner=institution,
        opens_at=starts_at,
        closes_at=ends_at,
        max_attempts=1,
        is_published=True,
    )
    session = ExamSession.objects.create(
        tryout=tryout,
        name=name,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        token_minutes=token_minutes,
    )
    session.cohorts.set(cohorts)
    session.proctors.set(proctors)
    return session


def session_candidates(session: ExamSession):
    return Candidate.objects.filter(
        cohort__in=session.cohorts.all(), removed_at__isnull=True, approved=True
    ).select_related("user", "cohort")


def session_build(*, session: ExamSession, actor) -> int:
    """Pre-build every enrolled candidate's attempt before the session opens (a thousand
    "Mulai" at 08:00 then each do a lookup, not a build). Idempotent: candidates who have an
    attempt are skipped. Returns how many candidates the job covers."""
    from ujian.tasks import attempts_build_bulk_task

    user_ids = list(session_candidates(session).values_list("user_id", flat=True))
    if not user_ids:
        raise LembagaError(_("Belum ada peserta di kelas sesi ini."))
    try:
        with transaction.atomic():
            job = building.build_job_create(tryout=session.tryout, user_ids=user_ids)
            ExamSession.objects.filter(pk=session.pk).update(build_job=job)
            session.build_job = job
            AuditEntry.objects.create(
                session=session,
                actor=actor,
                action="build",
                reason=_("Menyiapkan soal peserta"),
                data={"candidates": len(user_ids)},
            )
            attempts_build_bulk_task.delay_on_commit(job.pk, user_ids)
    except UjianError as exc:
        raise LembagaError(exc.message) from exc
    return len(user_ids)


FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.SCORED)


def window_end(session: ExamSession, candidate: Candidate | None) -> datetime:
    """When this candidate's window closes: the session's, or their personal one if later."""
    personal = candidate.window_ends_at if candidate else None
    return max(session.ends_at, personal) if personal else session.ends_at


def extra_attempts_of(session: ExamSession, candidate: Candidate | None) -> int:
    """How many attempts beyond the tryout's limit proctors granted this candidate here."""
    if candidate is None:
        return 0
    return (
        AttemptGrant.objects.filter(session=session, candidate=candidate)
        .values_list("extra_attempts", flat=True)
        .first()
        or 0
    )


def attempts_used(attempts) -> int:
    # A build that failed was never sat: it does not use up a chance (as in ujian).
    return sum(1 for a in attempts if a.status != AttemptStatus.FAILED)


def another_attempt_waiting(
    session: ExamSession, candidate: Candidate | None, attempt: Attempt | None
) -> bool:
    """The candidate finished their newest attempt and a proctor granted one they have not
    used yet: the door builds it when they type the token."""
    if candidate is None or attempt is None or attempt.status not in FINISHED:
        return False
    extra = extra_attempts_of(session, candidate)
    if not extra:
        return False
    used = attempts_used(
        Attempt.objects.filter(tryout=session.tryout, user_id=candidate.user_id).only("status")
    )
    return used < session.tryout.max_attempts + extra


def _ip_allowed(allowlist: str, ip: str | None) -> bool:
    nets = [n.strip() for n in allowlist.replace("\n", ",").split(",") if n.strip()]
    if not nets:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in nets)


def session_enter(
    *,
    session: ExamSession,
    user,
    token: str,
    ip: str | None = None,
    now: datetime | None = None,
    candidate: Candidate | None = None,
) -> Attempt:
    """A candidate types the token: the attempt (pre-built, or built now for a late enrolment)
    is started and its deadline fixed. `candidate` is the user's enrolment when the caller has
    looked it up already (the token prompt has): a thousand starts at 08:00 spare a query each."""
    now = now or timezone.now()
    if now < session.starts_at:
        raise LembagaError(
            _("Sesi belum dibuka. Sesi dimulai %(when)s.")
            % {"when": timezone.localtime(session.starts_at).strftime("%d-%m-%Y %H:%M")}
        )
    if candidate is None:
        candidate = Candidate.objects.filter(
            institution_id=session.tryout.owner_id, user=user, removed_at__isnull=True
        ).first()
    ends_at = window_end(session, candidate)
    if now >= ends_at:
        raise LembagaError(_("Sesi sudah ditutup."))
    if not _ip_allowed(session.ip_allowlist, ip):
        raise LembagaError(_("Perangkat Anda tidak berada di jaringan ruang ujian."))
    if not token_valid(session, token, now):
        raise LembagaError(_("Token salah atau sudah kedaluwarsa. Tanyakan token kepada pengawas."))
    attempt = (
        Attempt.objects.filter(tryout=session.tryout, user=user)
        # What decides the start; the exam page reads the whole row.
        .only("id", "uuid", "status", "error", "number", "duration_seconds", "tryout_id", "user_id")
        .order_by("-number")
        .first()
    )
    if attempt is not None:
        attempt.tryout = session.tryout  # loaded with the session: no query for its close
    # Grants matter only once the newest attempt is handed in: the 08:00 start skips the query.
    finished = attempt is not None and attempt.status in FINISHED
    extra = extra_attempts_of(session, candidate) if finished else 0
    try:
        closes = ends_at if ends_at != session.ends_at else None
        if attempt is None or (extra and attempt.status in FINISHED):
            # No attempt yet (a late enrolment), or another one a proctor granted: built here,
            # at the door. The earlier attempt and its result stay as they are.
            attempt = building.attempt_create(
                tryout=session.tryout, user=user, now=now, closes_at=closes, extra_attempts=extra
            )
        if attempt.status == AttemptStatus.BUILDING:
            # Enrolled after the bulk build (or the worker is behind): one build is quick, so
            # do it here rather than keep a candidate waiting at the door.
            building.attempt_build(attempt_id=attempt.pk)
            attempt.refresh_from_db()
        if attempt.status == AttemptStatus.FAILED:
            raise LembagaError(attempt.error or _("Soal gagal disiapkan. Hubungi pengawas."))
        if attempt.status == AttemptStatus.READY:
            attempt = attempt_svc.attempt_start(attempt=attempt, now=now, closes_at=closes)
    except UjianError as exc:
        raise LembagaError(exc.message) from exc
    return attempt


# --- the proctor console ------------------------------------------------------------------------


@dataclass
class ConsoleRow:
    candidate_id: int
    number: str
    name: str
    cohort: str
    attempt_uuid: str | None
    attempt_number: int | None
    state: str
    answered: int
    flagged: int
    seconds_left: int | None
    last_seen: datetime | None
    total: int | None
    locked: bool = False
    disconnected: bool = False
    focus_losses: int = 0
    ip_changes: int = 0
    page_loads: int = 0
    # Handed in, and a proctor granted another attempt the candidate has not started yet.
    another_attempt: bool = False


# A working candidate's page saves or sends a heartbeat at least once a minute.
DISCONNECTED_AFTER = timedelta(seconds=90)


def newest_attempts(session: ExamSession):
    """Each candidate's newest attempt of the session (the one the console shows and acts on;
    an earlier one stays in the candidate's history after another attempt was granted)."""
    newer = Attempt.objects.filter(
        tryout=session.tryout, user_id=OuterRef("user_id"), number__gt=OuterRef("number")
    )
    return Attempt.objects.filter(tryout=session.tryout).exclude(Exists(newer))


def console_counts(
    session: ExamSession, now: datetime | None = None, *, enrolled: int | None = None
) -> dict[str, int]:
    """The counts at the top of the console: one aggregate over the session's newest attempts
    (plus the count of its candidates unless the caller already has it, as the console page
    does from `console_rows`), whatever the cohort size."""
    now = now or timezone.now()
    if enrolled is None:
        enrolled = session_candidates(session).count()
    cutoff = now - DISCONNECTED_AFTER
    # Working, not heard from since the cutoff (no heartbeat, no save). The saves side is a range
    # read of the `ujian_answer_saved_at` index (only the last minutes' saves), so it costs the
    # same for a session of 500 or 5,000 and for a platform with one session or a thousand.
    recent_save = Answer.objects.filter(attempt=OuterRef("pk"), saved_at__gte=cutoff)
    working = Q(status=AttemptStatus.IN_PROGRESS, deadline__gt=now)
    finished = Q(status__in=[AttemptStatus.SUBMITTED, AttemptStatus.SCORED])
    agg = newest_attempts(session).aggregate(
        in_progress=Count("pk", filter=working),
        overdue=Count("pk", filter=Q(status=AttemptStatus.IN_PROGRESS, deadline__lte=now)),
        submitted=Count("pk", filter=finished & ~Q(submit_reason=SubmitReason.TIMEOUT)),
        timeout=Count("pk", filter=finished & Q(submit_reason=SubmitReason.TIMEOUT)),
        started=Count("pk", filter=~Q(status__in=[AttemptStatus.BUILDING, AttemptStatus.READY])),
        locked=Count(
            "pk",
            filter=Q(status=AttemptStatus.IN_PROGRESS, device_blocked_at__isnull=False),
        ),
        disconnected=Count(
            "pk",
            filter=working
            & (Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True))
            & ~Exists(recent_save),
        ),
    )
    return {
        "enrolled": enrolled,
        "not_started": max(enrolled - agg["started"], 0),
        "in_progress": agg["in_progress"],
        "submitted": agg["submitted"],
        "timeout": agg["timeout"] + agg["overdue"],
        "locked": agg["locked"],
        "disconnected": agg["disconnected"],
    }


def _state_of(status: str | None, reason: str | None) -> str:
    if status is None or status == AttemptStatus.READY:
        return "not_started"
    if status == AttemptStatus.BUILDING:
        return "building"
    if status == AttemptStatus.IN_PROGRESS:
        return "in_progress"
    return "timeout" if reason == SubmitReason.TIMEOUT else "submitted"


def console_rows(
    session: ExamSession, *, page: int = 1, per_page: int = 50, now: datetime | None = None
) -> tuple[list[ConsoleRow], int]:
    """One page of the console table, problem rows first (working, least time left first; then
    those still to start; then the finished). Sorting and paging happen in the database, so a
    refresh reads one page whatever the session's size: a count, the page, and one grouped
    query over the page's answers."""
    now = now or timezone.now()
    # One LEFT JOIN to each candidate's newest attempt (number 1 from the bulk build or the
    # door; 2 and on after a proctor granted another attempt) brings every attempt column —
    # not one correlated subquery per column. "Newest" is one uncorrelated set (an anti-join
    # over the tryout's attempts, hashed once): a subquery for the newest number per candidate
    # ran twice per candidate, the part of a 5,000-candidate refresh that grew the most.
    newest = newest_attempts(session).values("pk")
    rank = Case(
        # Locked devices first: a candidate is waiting for the proctor.
        When(a_status=AttemptStatus.IN_PROGRESS, a_blocked__isnull=False, then=Value(-1)),
        *[
            When(a_status=status, then=Value(i))
            for status, i in (
                (AttemptStatus.IN_PROGRESS, 0),
                (AttemptStatus.BUILDING, 1),
                (AttemptStatus.READY, 2),
            )
        ],
        When(a_status__isnull=True, then=Value(2)),
        When(a_reason=SubmitReason.TIMEOUT, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    base = session_candidates(session)
    total = base.count()
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))
    order = ("rank", F("a_deadline").asc(nulls_last=True), "number")

    def with_attempt(qs, which: Q, *columns: tuple[str, str]):
        # A FilteredRelation is resolved into the query it joins, so each query gets its own.
        sat = FilteredRelation(
            "user__attempts", condition=Q(user__attempts__tryout=session.tryout) & which
        )
        return qs.annotate(sat=sat).annotate(**{f"a_{c}": F(f"sat__{f}") for c, f in columns})

    ordering_columns = (
        ("status", "status"),
        ("reason", "submit_reason"),
        ("deadline", "deadline"),
        ("blocked", "device_blocked_at"),
    )
    # The sort runs over narrow rows (candidate id, number and the four attempt columns the
    # order needs) and keeps one page of (candidate, attempt) ids; only those 50 rows are then
    # read with their user, cohort and the other attempt columns, by those ids. Sorting the
    # full joined rows carried every candidate's user row through the sort.
    page_ids = list(
        with_attempt(
            base.select_related(None),
            Q(user__attempts__in=Subquery(newest)),
            *ordering_columns,
            ("id", "id"),
        )
        .annotate(rank=rank)
        .order_by(*order)
        .values_list("pk", "a_id")[(page - 1) * per_page : page * per_page]
    )
    page_rows = list(
        with_attempt(
            base.filter(pk__in=[pk for pk, _ in page_ids]),
            # [0] matches no attempt: an empty list would empty the whole query, not the join.
            Q(user__attempts__in=[a for _, a in page_ids if a is not None] or [0]),
            *ordering_columns,
            ("id", "id"),
            ("uuid", "uuid"),
            ("number", "number"),
            ("total", "total"),
            ("seen", "last_seen_at"),
            ("focus", "focus_losses"),
            ("ips", "ip_changes"),
            ("loads", "page_loads"),
        )
        .annotate(
            extra=Subquery(
                AttemptGrant.objects.filter(session=session, candidate=OuterRef("pk")).values(
                    "extra_attempts"
                )[:1]
            ),
        )
        .annotate(rank=rank)
        .order_by(*order)
    )
    ids = [c.a_id for c in page_rows if c.a_id]
    stats = {
        row["attempt_id"]: row
        for row in Answer.objects.filter(attempt_id__in=ids)
        .values("attempt_id")
        .annotate(
            answered=Count("pk", filter=Q(choice__isnull=False)),
            flagged=Count("pk", filter=Q(flagged=True)),
            last=Max("saved_at"),
        )
    }
    rows = []
    for c in page_rows:
        s = stats.get(c.a_id, {})
        state = _state_of(c.a_status, c.a_reason)
        left = None
        if state == "in_progress" and c.a_deadline:
            left = max(int((c.a_deadline - now).total_seconds()), 0)
        seen = max((t for t in (s.get("last"), c.a_seen) if t is not None), default=None)
        rows.append(
            ConsoleRow(
                candidate_id=c.pk,
                number=c.number,
                name=c.user.full_name or c.user.email,
                cohort=c.cohort.name if c.cohort else "",
                attempt_uuid=str(c.a_uuid) if c.a_uuid else None,
                attempt_number=c.a_number,
                state=state,
                answered=s.get("answered", 0),
                flagged=s.get("flagged", 0),
                seconds_left=left,
                last_seen=seen,
                total=c.a_total,
                locked=state == "in_progress" and c.a_blocked is not None,
                disconnected=state == "in_progress"
                and (seen is None or now - seen > DISCONNECTED_AFTER),
                focus_losses=c.a_focus or 0,
                ip_changes=c.a_ips or 0,
                page_loads=c.a_loads or 0,
                another_attempt=state in ("submitted", "timeout")
                and bool(c.extra)
                and (c.a_number or 0) < session.tryout.max_attempts + c.extra,
            )
        )
    return rows, total
