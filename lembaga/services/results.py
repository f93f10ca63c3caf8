"""A session's results: ranking (ties broken TKP → TIU → TWK), pass rates, exports."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext as _

from ujian.models import Attempt, AttemptStatus

from ..models import Candidate, ExamSession

# Rows per round trip of the exports' server-side cursor.
EXPORT_CHUNK = 2000

HEADER = [
    "peringkat",
    "nomor_peserta",
    "nama",
    "kelas",
    "twk",
    "tiu",
    "tkp",
    "total",
    "lulus",
    "waktu_pengerjaan_menit",
    "cara_selesai",
    "percobaan",
]


@dataclass
class ResultRow:
    rank: int
    number: str
    name: str
    cohort: str
    twk: int | None
    tiu: int | None
    tkp: int | None
    total: int | None
    passed: bool | None
    minutes_used: float | None
    reason: str
    attempt_uuid: str
    attempt_number: int


SUBMITTED = (AttemptStatus.SUBMITTED, AttemptStatus.SCORED)


def counted_attempts(session: ExamSession):
    """The one rule for which attempt is a candidate's result in a session: their newest
    submitted one (after a proctor granted another attempt, the new one counts; the earlier
    stays in the candidate's own history). Ranking, summary and exports all start here."""
    newer = Attempt.objects.filter(
        tryout=session.tryout,
        user_id=OuterRef("user_id"),
        number__gt=OuterRef("number"),
        status__in=SUBMITTED,
    )
    return Attempt.objects.filter(tryout=session.tryout, status__in=SUBMITTED).exclude(
        Exists(newer)
    )


def _scored(session: ExamSession, cohort=None):
    # Newest submitted first, then only once scored: while the newest waits for the scoring
    # task (under a minute), the candidate has no row rather than their older result.
    attempts = counted_attempts(session).filter(status=AttemptStatus.SCORED)
    if cohort is not None:
        attempts = attempts.filter(
            user_id__in=Candidate.objects.filter(cohort=cohort).values("user_id")
        )
    return attempts.select_related("user").order_by(
        F("total").desc(nulls_last=True),
        F("score_tkp").desc(nulls_last=True),
        F("score_tiu").desc(nulls_last=True),
        F("score_twk").desc(nulls_last=True),
        "submitted_at",
    )


def ranking_iter(session: ExamSession, cohort=None) -> Iterator[ResultRow]:
    """The ranking one row at a time, read through a server-side cursor in chunks: the exports
    hold one chunk in memory, not the session (10,000 rows or 100,000 alike)."""
    owner_id = session.tryout.owner_id
    # The candidate's number and cohort come in the same query (a candidate is unique per
    # institution and user, so the join adds no rows), not from a dict of every candidate.
    candidacy = FilteredRelation(
        "user__candidacies", condition=Q(user__candidacies__institution_id=owner_id)
    )
    # Only the columns a row shows: an attempt also carries its frozen items (tens of KB of
    # JSON), and loading those for 10,000 attempts made the export take most of a minute.
    attempts = (
        _scored(session, cohort)
        .annotate(candidacy=candidacy)
        .annotate(c_number=F("candidacy__number"), c_cohort=F("candidacy__cohort__name"))
        .only(
            "uuid",
            "number",
            "user_id",
            "user__full_name",
            "user__email",
            "total",
            "score_tkp",
            "score_tiu",
            "score_twk",
            "passed",
            "started_at",
            "submitted_at",
            "submit_reason",
        )
    )
    previous_key, rank = None, 0
    for position, a in enumerate(attempts.iterator(chunk_size=EXPORT_CHUNK), start=1):
        key = (a.total, a.score_tkp, a.score_tiu, a.score_twk)
        if key != previous_key:  # equal on every tie-breaker: equal rank
            rank, previous_key = position, key
        used = None
        if a.started_at and a.submitted_at:
            used = round((a.submitted_at - a.started_at).total_seconds() / 60, 1)
        yield ResultRow(
            rank=rank,
            number=a.c_number or "",
            name=a.user.full_name or a.user.email,
            cohort=a.c_cohort or "",
            twk=a.score_twk,
            tiu=a.score_tiu,
            tkp=a.score_tkp,
            total=a.total,
            passed=a.passed,
            minutes_used=used,
            reason=a.get_submit_reason_display(),
            attempt_uuid=str(a.uuid),
            attempt_number=a.number,
        )


def ranking(session: ExamSession, cohort=None) -> list[ResultRow]:
    return list(ranking_iter(session, cohort))


@dataclass
class Bar:
    x: int
    height: int
    y: int
    label: str
    count: int


HISTOGRAM_BINS = 10
HISTOGRAM_HEIGHT = 120


def histogram(totals: list[int], maximum: int) -> list[Bar]:
    """Score distribution in ten equal bins of the possible range, as SVG-ready integers
    (computed here so no number in the SVG passes through the locale's formatting)."""
    if not totals or maximum <= 0:
        return []
    width = maximum / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for total in totals:
        counts[min(int(max(total, 0) / width), HISTOGRAM_BINS - 1)] += 1
    peak = max(counts)
    bars = []
    for i, count in enumerate(counts):
        height = round(HISTOGRAM_HEIGHT * count / peak) if peak else 0
        low = round(i * width)
        bars.append(
            Bar(
                x=40 + i * 56,
                height=height,
                y=10 + HISTOGRAM_HEIGHT - height,
                label=f"{low}–{round((i + 1) * width)}",
                count=count,
            )
        )
    return bars


def summary(session: ExamSession, cohort=None) -> dict:
    """Pass rates per threshold, the distribution and the principles the group loses most
    points on (linked to the sections that teach them)."""
    from ujian.services.results import principle_rows

    attempts = list(_scored(session, cohort).select_related(None).only("total", "passed", "result"))
    count = len(attempts)
    passed = sum(1 for a in attempts if a.passed)
    sections: dict[str, dict] = {}
    principles: dict[str, dict] = {}
    maximum = 0
    for a in attempts:
        result = a.result or {}
        maximum = max(maximum, result.get("maximum") or 0)
        for s in result.get("sections", []):
            row = sections.setdefault(
                s["label"], {"label": s["label"], "threshold": s["threshold"], "passed": 0}
            )
            row["passed"] += 1 if s.get("passed") else 0
        for p in result.get("principles", []):
            acc = principles.setdefault(
                p["code"],
                {"code": p["code"], "earned": 0, "available": 0, "questions": 0, "violations": []},
            )
            acc["earned"] += p["earned"]
            acc["available"] += p["available"]
            acc["questions"] += p["questions"]
    for row in sections.values():
        row["rate"] = round(100 * row["passed"] / count, 1) if count else None
    weakest = principle_rows({"principles": list(principles.values())})[:5]
    return {
        "count": count,
        "passed": passed,
        "pass_rate": round(100 * passed / count, 1) if count else None,
        "sections": [s for s in sections.values() if s["threshold"] is not None],
        "bars": histogram([a.total or 0 for a in attempts], maximum),
        "weakest": weakest,
    }


def export_rows(session: ExamSession) -> Iterator[list]:
    yield HEADER
    for r in ranking_iter(session):
        yield [
            r.rank,
            r.number,
            r.name,
            r.cohort,
            r.twk,
            r.tiu,
            r.tkp,
            r.total,
            _("ya") if r.passed else _("tidak"),
            r.minutes_used,
            r.reason,
            r.attempt_number,
        ]


def export_xlsx(session: ExamSession) -> BinaryIO:
    """The results as an XLSX in an anonymous temporary file, rewound, for a FileResponse to
    send and close. A write-only workbook streams each row to disk as it is appended and the
    rows come from a server-side cursor, so memory stays flat whatever the session's size; the
    file has no name on disk and disappears when it is closed (or the process dies)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Hasil")[:31])
    for row in export_rows(session):
        sheet.append(row)
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
