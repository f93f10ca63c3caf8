"""Institutions running exam days: cohorts, enrolled candidates, sessions and their audit log.

Everything hangs off an `Institution` (cpns); an institution's tryouts are ordinary `ujian`
tryouts whose `owner` is the institution, and a session's attempts are ordinary attempts.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpns.models import Institution
from ujian.models import BuildJob, Tryout

# A cap on another-attempt grants per candidate and session: a typo'd loop must not hand out
# hundreds; a real exam day needs one or two.
MAX_EXTRA_ATTEMPTS = 10


def _token_secret() -> str:
    return secrets.token_hex(16)


def _invite_code() -> str:
    return secrets.token_urlsafe(9)


class Cohort(models.Model):
    """A kelas/angkatan of an institution's candidates."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("nama"), max_length=120)
    # Self-enrolment: anyone with the link joins; with approval on, an admin confirms first.
    invite_code = models.CharField(max_length=32, unique=True, default=_invite_code)
    invite_open = models.BooleanField(_("pendaftaran lewat tautan dibuka"), default=False)
    invite_needs_approval = models.BooleanField(_("perlu persetujuan admin"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kelas")
        verbose_name_plural = _("kelas")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="lembaga_cohort_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """A user enrolled as a candidate of an institution, with the exam number it gave them.
    Removing a candidate sets `removed_at`; their attempts and results stay."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="candidates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidacies"
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    number = models.CharField(_("nomor peserta"), max_length=32)
    # False while a self-enrolment waits for the admin's approval.
    approved = models.BooleanField(default=True)
    # An override: this candidate may still start (and finish) until then, after the session's
    # own window has closed (e.g. someone who arrived late for a reason the proctor accepted).
    window_ends_at = models.DateTimeField(_("jendela pribadi sampai"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("peserta lembaga")
        verbose_name_plural = _("peserta lembaga")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user"], name="lembaga_candidate_user_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "number"], name="lembaga_candidate_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.user}"


class ExamSession(models.Model):
    """A sitting of an institution's tryout: a window, a room, who sits it and who proctors it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tryout = models.ForeignKey(Tryout, on_delete=models.CASCADE, related_name="exam_sessions")
    name = models.CharField(_("nama sesi"), max_length=120)
    room = models.CharField(_("ruang"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    cohorts = models.ManyToManyField(Cohort, blank=True, related_name="sessions")
    proctors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="proctored_sessions"
    )
    ip_allowlist = models.TextField(
        _("jaringan yang diizinkan"),
        blank=True,
        help_text=_("Alamat IP atau subnet, dipisah koma (kosong = dari mana saja)."),
    )
    token_secret = models.CharField(max_length=64, default=_token_secret, editable=False)
    token_minutes = models.PositiveSmallIntegerField(_("token berganti tiap (menit)"), default=15)
    token_grace_minutes = models.PositiveSmallIntegerField(
        _("token lama masih berlaku (menit)"), default=5
    )
    build_job = models.ForeignKey(
        BuildJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sesi ujian")
        verbose_name_plural = _("sesi ujian")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="lembaga_session_window_order"
            ),
            models.CheckConstraint(
                condition=Q(token_minutes__gte=1), name="lembaga_session_token_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lembaga:session", args=[self.tryout.owner.slug, self.uuid])

    @property
    def institution(self) -> Institution:
        return self.tryout.owner

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class AuditAction(models.TextChoices):
    """What the audit log records: the bulk build and every proctor action (their labels are
    what the session page and the berita acara print)."""

    BUILD = "build", _("Menyiapkan soal peserta")
    ADD_MINUTES = "add_minutes", _("Tambah waktu")
    UNLOCK = "unlock", _("Buka kunci perangkat")
    FORCE_SUBMIT = "force_submit", _("Paksa selesai")
    REOPEN = "reopen", _("Buka kembali (lanjutkan)")
    EXTEND_WINDOW = "extend_window", _("Perpanjang jendela sesi peserta")
    GRANT_ATTEMPT = "grant_attempt", _("Beri percobaan lagi")
    REVOKE_ATTEMPT = "revoke_attempt", _("Batalkan percobaan tambahan")


class AuditEntry(models.Model):
    """Append-only: who did what to whom in a session, and why. Never updated or deleted
    (the model refuses, and on PostgreSQL a trigger refuses too)."""

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        ordering = ["-created_at", "-pk"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only")


class AttemptGrant(models.Model):
    """An override: how many attempts beyond the tryout's limit a proctor granted one candidate
    in one session (a wrong person at the desk, a device that died). Per session, so a grant
    never carries over to the institution's other sessions; the tryout stays as it is for
    everyone else. Raised only with F() under the candidate's row lock."""

    session = models.ForeignKey(
        ExamSession, on_delete=models.CASCADE, related_name="attempt_grants"
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="attempt_grants"
    )
    extra_attempts = models.PositiveSmallIntegerField(_("percobaan tambahan"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("percobaan tambahan")
        verbose_name_plural = _("percobaan tambahan")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate"], name="lembaga_attemptgrant_unique"
            ),
            models.CheckConstraint(
                condition=Q(extra_attempts__lte=MAX_EXTRA_ATTEMPTS),
                name="lembaga_attemptgrant_extra_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} +{self.extra_attempts}"


class ImportJob(models.Model):
    """A large candidate import run by Celery. The checked file is kept in the row (not in the
    session) so the worker reads exactly what the admin previewed; it is emptied once done."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    new_accounts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("impor peserta")
        verbose_name_plural = _("impor peserta")
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="lembaga_importjob_done_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
