"""A session's results: ranking (ties broken TKP → TIU → TWK), pass rates, exports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

from ujian.models import Attempt, AttemptStatus

from ..models import Candidate, ExamSession

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


def _scored(session: ExamSession):
    return (
        Attempt.objects.filter(tryout=session.tryout, status=AttemptStatus.SCORED)
        .select_related("user")
        .order_by(
            F("total").desc(nulls_last=True),
            F("score_tkp").desc(nulls_last=True),
            F("score_tiu").desc(nulls_last=True),
            F("score_twk").desc(nulls_last=True),
            "submitted_at",
        )
    )


def ranking(session: ExamSession) -> list[ResultRow]:
    candidates = {
        c.user_id: c
        for c in Candidate.objects.filter(institution=session.tryout.owner).select_related("cohort")
    }
    rows: list[ResultRow] = []
    previous_key, rank = None, 0
    for position, a in enumerate(_scored(session).iterator(chunk_size=2000), start=1):
        key = (a.total, a.score_tkp, a.score_tiu, a.score_twk)
        if key != previous_key:  # equal on every tie-breaker: equal rank
            rank, previous_key = position, key
        c = candidates.get(a.user_id)
        used = None
        if a.started_at and a.submitted_at:
            used = round((a.submitted_at - a.started_at).total_seconds() / 60, 1)
        rows.append(
            ResultRow(
                rank=rank,
                number=c.number if c else "",
                name=a.user.full_name or a.user.email,
                cohort=c.cohort.name if c and c.cohort else "",
                twk=a.score_twk,
                tiu=a.score_tiu,
                tkp=a.score_tkp,
                total=a.total,
                passed=a.passed,
                minutes_used=used,
                reason=a.get_submit_reason_display(),
                attempt_uuid=str(a.uuid),
            )
        )
    return rows


def summary(session: ExamSession) -> dict:
    rows = ranking(session)
    count = len(rows)
    passed = sum(1 for r in rows if r.passed)
    return {
        "count": count,
        "passed": passed,
        "pass_rate": round(100 * passed / count, 1) if count else None,
    }


def export_rows(session: ExamSession) -> Iterator[list]:
    yield HEADER
    for r in ranking(session):
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
        ]


def export_xlsx(session: ExamSession) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Hasil")[:31])
    for row in export_rows(session):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
