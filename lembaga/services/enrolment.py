"""Cohorts and candidates: create a cohort, import candidates from a spreadsheet (all or nothing),
remove a candidate (their results stay)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpns.models import Institution, Membership

from ..errors import LembagaError
from ..models import Candidate, Cohort, ImportJob

COLUMNS = ("nama", "email", "nomor_peserta", "kelas")
MAX_ROWS = 10_000
IMPORT_CHUNK = 500


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    number: str
    cohort: str


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing_accounts: int = 0
    new_cohorts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def cohort_create(*, institution: Institution, name: str) -> Cohort:
    name = " ".join(name.split())
    if not name:
        raise LembagaError(_("Nama kelas wajib diisi."))
    if Cohort.objects.filter(institution=institution, name__iexact=name).exists():
        raise LembagaError(_("Kelas “%(name)s” sudah ada.") % {"name": name})
    return Cohort.objects.create(institution=institution, name=name)


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    if len(content) > settings.CPNS_IMPORT_MAX_BYTES:
        raise LembagaError(_("Berkas terlalu besar."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            return [
                ["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise LembagaError(_("Berkas XLSX tidak dapat dibaca.")) from exc
    if lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LembagaError(_("Berkas CSV harus berenkode UTF-8.")) from exc
        dialect = csv.excel
        with contextlib.suppress(csv.Error):  # one column or an odd file: plain commas
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise LembagaError(_("Format berkas harus .xlsx atau .csv."))


def candidates_parse(*, institution: Institution, filename: str, content: bytes) -> ImportPreview:
    """Read and check every row; nothing is written. Each error names its row."""
    table = [row for row in _read_table(filename, content) if any(row)]
    preview = ImportPreview()
    if not table:
        preview.errors.append(_("Berkas kosong."))
        return preview
    header = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in table[0]]
    header = ["email" if h == "e_mail" else h for h in header]
    missing = [c for c in ("nama", "email") if c not in header]
    if missing:
        preview.errors.append(
            _("Baris 1: kolom wajib tidak ada: %(cols)s. Kolom yang dikenal: %(known)s.")
            % {"cols": ", ".join(missing), "known": ", ".join(COLUMNS)}
        )
        return preview
    if len(table) - 1 > MAX_ROWS:
        preview.errors.append(_("Paling banyak %(n)d peserta sekali impor.") % {"n": MAX_ROWS})
        return preview
    index = {name: header.index(name) for name in COLUMNS if name in header}

    def cell(row: list[str], name: str) -> str:
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    seen_emails: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    taken_numbers = dict(
        Candidate.objects.filter(institution=institution).values_list("number", "user__email")
    )
    for line, row in enumerate(table[1:], start=2):
        item = ImportRow(
            line=line,
            name=cell(row, "nama"),
            email=cell(row, "email").lower(),
            number=cell(row, "nomor_peserta"),
            cohort=" ".join(cell(row, "kelas").split()),
        )
        if not item.name:
            preview.errors.append(_("Baris %(line)d: nama kosong.") % {"line": line})
        try:
            validate_email(item.email)
        except ValidationError:
            preview.errors.append(
                _("Baris %(line)d: e-mail “%(email)s” tidak valid.")
                % {"line": line, "email": item.email}
            )
        if item.email in seen_emails:
            preview.errors.append(
                _("Baris %(line)d: e-mail %(email)s sudah ada di baris %(other)d.")
                % {"line": line, "email": item.email, "other": seen_emails[item.email]}
            )
        seen_emails.setdefault(item.email, line)
        if item.number:
            if item.number in seen_numbers:
                preview.errors.append(
                    _("Baris %(line)d: nomor peserta %(number)s sudah ada di baris %(other)d.")
                    % {"line": line, "number": item.number, "other": seen_numbers[item.number]}
                )
            elif taken_numbers.get(item.number, item.email) != item.email:
                preview.errors.append(
                    _("Baris %(line)d: nomor peserta %(number)s sudah dipakai peserta lain.")
                    % {"line": line, "number": item.number}
                )
            seen_numbers.setdefault(item.number, line)
        preview.rows.append(item)
    user_model = get_user_model()
    preview.existing_accounts = user_model.objects.filter(email__in=list(seen_emails)).count()
    existing = set(Cohort.objects.filter(institution=institution).values_list("name", flat=True))
    preview.new_cohorts = sorted({r.cohort for r in preview.rows if r.cohort} - existing)
    return preview


def _next_numbers(institution: Institution, count: int) -> list[str]:
    year = timezone.localdate().year
    prefix = f"{year}-"
    used = set(
        Candidate.objects.filter(institution=institution, number__startswith=prefix).values_list(
            "number", flat=True
        )
    )
    numbers, n = [], 1
    while len(numbers) < count:
        candidate = f"{prefix}{n:05d}"
        if candidate not in used:
            numbers.append(candidate)
        n += 1
    return numbers


@transaction.atomic
def candidates_import(
    *,
    institution: Institution,
    preview: ImportPreview,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Commit a checked preview: all rows or none. An e-mail already registered links the
    existing account; new accounts get no password (they set one through a link), so no
    password is hashed inside the request."""
    if not preview.ok:
        raise LembagaError(_("Perbaiki kesalahan di berkas dulu; tidak ada yang diimpor."))
    user_model = get_user_model()
    emails = [r.email for r in preview.rows]
    users = {u.email: u for u in user_model.objects.filter(email__in=emails)}
    new_users = []
    for row in preview.rows:
        if row.email not in users:
            user = user_model(email=row.email, full_name=row.name)
            user.set_unusable_password()
            new_users.append(user)
    user_model.objects.bulk_create(new_users)
    users = {u.email: u for u in user_model.objects.filter(email__in=emails)}
    cohorts = {c.name: c for c in Cohort.objects.filter(institution=institution)}
    for name in {r.cohort for r in preview.rows if r.cohort} - set(cohorts):
        cohorts[name] = Cohort.objects.create(institution=institution, name=name)
    current = {c.user_id: c for c in Candidate.objects.filter(institution=institution)}
    blank_numbers = iter(
        _next_numbers(
            institution,
            sum(1 for r in preview.rows if not r.number and users[r.email].pk not in current),
        )
    )
    created = updated = 0
    to_create = []
    for row in preview.rows:
        user = users[row.email]
        cohort = cohorts.get(row.cohort) if row.cohort else None
        existing = current.get(user.pk)
        if existing is None:
            to_create.append(
                Candidate(
                    institution=institution,
                    user=user,
                    cohort=cohort,
                    number=row.number or next(blank_numbers),
                )
            )
            created += 1
        else:
            existing.cohort = cohort or existing.cohort
            existing.number = row.number or existing.number
            existing.removed_at = None
            existing.save(update_fields=["cohort", "number", "removed_at"])
            updated += 1
    for start in range(0, len(to_create), IMPORT_CHUNK):
        Candidate.objects.bulk_create(to_create[start : start + IMPORT_CHUNK])
        if progress is not None:
            progress(updated + min(start + IMPORT_CHUNK, len(to_create)))
    Membership.objects.bulk_create(
        [
            Membership(institution=institution, user=users[r.email], role=Membership.Role.CANDIDATE)
            for r in preview.rows
        ],
        ignore_conflicts=True,
    )
    new_ids = [u.pk for u in users.values() if u.email in {n.email for n in new_users}]
    if new_ids:
        from ..tasks import set_password_links_send_task

        set_password_links_send_task.delay_on_commit(new_ids)
    return {"created": created, "updated": updated, "new_accounts": len(new_users)}


@transaction.atomic
def candidate_remove(*, candidate: Candidate) -> None:
    """The candidate leaves the institution's lists; attempts and results are kept."""
    Candidate.objects.filter(pk=candidate.pk).update(removed_at=timezone.now())


@transaction.atomic
def cohort_invite_set(*, cohort: Cohort, open_: bool, needs_approval: bool) -> Cohort:
    Cohort.objects.filter(pk=cohort.pk).update(
        invite_open=open_, invite_needs_approval=needs_approval
    )
    cohort.invite_open, cohort.invite_needs_approval = open_, needs_approval
    return cohort


@transaction.atomic
def cohort_join(*, code: str, user) -> Candidate:
    """Self-enrolment through a cohort's invite link; waits for approval when the cohort asks."""
    cohort = (
        Cohort.objects.select_for_update().select_related("institution").filter(invite_code=code)
    ).first()
    if cohort is None or not cohort.invite_open:
        raise LembagaError(_("Tautan pendaftaran ini tidak berlaku atau sudah ditutup."))
    existing = Candidate.objects.filter(institution=cohort.institution, user=user).first()
    if existing is not None and existing.removed_at is None:
        raise LembagaError(
            _("Anda sudah terdaftar di %(name)s.") % {"name": cohort.institution.name}
        )
    approved = not cohort.invite_needs_approval
    if existing is not None:  # rejoining after being removed: the old number stays theirs
        existing.cohort, existing.removed_at, existing.approved = cohort, None, approved
        existing.save(update_fields=["cohort", "removed_at", "approved"])
        candidate = existing
    else:
        candidate = Candidate.objects.create(
            institution=cohort.institution,
            user=user,
            cohort=cohort,
            number=_next_numbers(cohort.institution, 1)[0],
            approved=approved,
        )
    Membership.objects.get_or_create(
        institution=cohort.institution, user=user, defaults={"role": Membership.Role.CANDIDATE}
    )
    return candidate


@transaction.atomic
def candidate_approve(*, candidate: Candidate) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(approved=True)


def _progress_key(job: ImportJob) -> str:
    return f"lembaga:import:{job.uuid}:done"


def import_job_done(*, job: ImportJob) -> int:
    """Rows written so far. The task's transaction is all-or-nothing, so its progress can't be
    read from the database before it commits: it goes through the cache instead."""
    if job.finished_at is not None:
        return job.done
    return min(int(cache.get(_progress_key(job)) or 0), job.total)


@transaction.atomic
def import_job_create(
    *, institution: Institution, user, filename: str, content: bytes, total: int
) -> ImportJob:
    """Store a previewed file for the worker and enqueue it (after commit)."""
    job = ImportJob.objects.create(
        institution=institution, created_by=user, filename=filename, content=content, total=total
    )
    from ..tasks import import_job_run_task

    import_job_run_task.delay_on_commit(job.pk)
    return job


@transaction.atomic
def import_job_run(*, job_id: int) -> bool:
    """Run a queued import: re-read and re-check the file, then write all rows or none.
    A finished job (or a second delivery of the task) does nothing."""
    job = ImportJob.objects.select_for_update().select_related("institution").get(pk=job_id)
    if job.finished_at is not None:
        return False
    key = _progress_key(job)
    try:
        with transaction.atomic():  # a savepoint: a failed import leaves no row behind
            preview = candidates_parse(
                institution=job.institution, filename=job.filename, content=bytes(job.content)
            )
            if not preview.ok:
                raise LembagaError(
                    _("Tidak ada yang diimpor: %(errors)s")
                    % {"errors": " ".join(preview.errors[:20])}
                )
            counts = candidates_import(
                institution=job.institution,
                preview=preview,
                progress=lambda n: cache.set(key, n, 3600),
            )
    except LembagaError as exc:
        job.error = exc.message
    else:
        job.created, job.updated = counts["created"], counts["updated"]
        job.new_accounts = counts["new_accounts"]
        job.done = job.total = len(preview.rows)
    job.content = b""  # the file is not needed once the job has run
    job.finished_at = timezone.now()
    job.save()
    cache.delete(key)
    return True
