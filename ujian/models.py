"""Tryouts: blueprints, tryouts, attempts and their answers.

An attempt's questions live in the attempt row itself (`items`: the snapshot id and the option
order of every position, as two parallel lists) and point at frozen `QuestionSnapshot`s shared by
every attempt that drew the same content. Building 10,000 attempts writes 10,000 rows, not
1.1 million, and a question edited tomorrow never changes today's attempt. Answers are rows,
written one conditional upsert at a time (see services/attempts.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpns.models import Institution
from soal.models import Aspect, Question, Subtest


class Blueprint(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    regulation = models.CharField(_("dasar aturan"), max_length=200, blank=True)
    description = models.TextField(_("keterangan"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("durasi (menit)"))
    shuffle_questions = models.BooleanField(_("acak urutan soal dalam bagian"), default=True)
    shuffle_options = models.BooleanField(_("acak urutan pilihan"), default=True)
    total_threshold = models.PositiveIntegerField(_("ambang batas total"), null=True, blank=True)
    owner = models.ForeignKey(
        Institution,
        verbose_name=_("lembaga pemilik"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="blueprints",
    )
    is_preset = models.BooleanField(_("preset"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kisi-kisi")
        verbose_name_plural = _("kisi-kisi")
        ordering = ["name"]
        permissions = [
            ("publish_blueprint", _("Dapat menjadikan preset dan mengubah kisi-kisi yang dipakai"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="ujian_blueprint_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def question_count(self) -> int:
        return sum(s.question_count for s in self.sections.all())


class BlueprintSection(models.Model):
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("urutan"))
    label = models.CharField(_("label"), max_length=40)
    subtest = models.CharField(_("subtes"), max_length=8, choices=Subtest.choices)
    aspect = models.CharField(
        _("aspek"),
        max_length=32,
        choices=Aspect.choices,
        blank=True,
        help_text=_("Kosongkan untuk semua aspek subtes ini."),
    )
    question_count = models.PositiveSmallIntegerField(_("jumlah soal"))
    passing_threshold = models.PositiveIntegerField(_("ambang batas"), null=True, blank=True)

    class Meta:
        verbose_name = _("bagian kisi-kisi")
        verbose_name_plural = _("bagian kisi-kisi")
        ordering = ["blueprint", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "order"], name="ujian_bpsection_order_unique"
            ),
            models.UniqueConstraint(
                fields=["blueprint", "label"], name="ujian_bpsection_label_unique"
            ),
            models.CheckConstraint(
                condition=Q(question_count__gte=1), name="ujian_bpsection_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.question_count})"


class ReviewPolicy(models.TextChoices):
    IMMEDIATE = "immediate", _("Langsung setelah selesai")
    AFTER_CLOSE = "after_close", _("Setelah tryout ditutup")


class TryoutQuerySet(models.QuerySet):
    def public(self) -> TryoutQuerySet:
        return self.filter(owner__isnull=True, is_published=True)


class Tryout(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="tryouts")
    owner = models.ForeignKey(
        Institution,
        verbose_name=_("lembaga penyelenggara"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tryouts",
        help_text=_("Kosong = tryout publik untuk semua peserta."),
    )
    opens_at = models.DateTimeField(_("dibuka"), default=timezone.now)
    closes_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("batas percobaan"), default=3)
    review_policy = models.CharField(
        _("pembahasan"),
        max_length=12,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.IMMEDIATE,
    )
    is_published = models.BooleanField(_("terbit"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TryoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("tryout")
        verbose_name_plural = _("tryout")
        ordering = ["-opens_at"]
        permissions = [("publish_tryout", _("Dapat menerbitkan tryout dan mengubah tryout terbit"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="ujian_tryout_window_order",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="ujian_tryout_attempts_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ujian:tryout", args=[self.slug])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    def review_open(self, now=None) -> bool:
        if self.review_policy == ReviewPolicy.IMMEDIATE:
            return True
        now = now or timezone.now()
        return self.closes_at is not None and now >= self.closes_at


class QuestionSnapshot(models.Model):
    """Frozen content of a question as attempts saw it; shared by identical content."""

    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots"
    )
    content_hash = models.CharField(max_length=64, unique=True)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("salinan beku soal")
        verbose_name_plural = _("salinan beku soal")


class AttemptStatus(models.TextChoices):
    BUILDING = "building", _("Sedang disiapkan")
    READY = "ready", _("Siap dimulai")
    IN_PROGRESS = "in_progress", _("Sedang berlangsung")
    SUBMITTED = "submitted", _("Diserahkan, menunggu nilai")
    SCORED = "scored", _("Selesai dinilai")
    FAILED = "failed", _("Gagal disiapkan")


class SubmitReason(models.TextChoices):
    CANDIDATE = "candidate", _("diselesaikan peserta")
    TIMEOUT = "timeout", _("waktu habis")
    PROCTOR = "proctor", _("diselesaikan pengawas")


class Attempt(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tryout = models.ForeignKey(Tryout, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.BUILDING
    )
    # {"s": [snapshot id per position], "o": [option order per position, e.g. "31042" = the
    # options' original positions as shown A..E]}; positions run section after section.
    # After a regrade also "r": {position: snapshot id whose option scores now score it}; "s"
    # keeps what the candidate saw.
    items = models.JSONField(default=dict)
    # [[label, subtest, aspect, threshold, question count]] copied from the blueprint at build
    sections = models.JSONField(default=list)
    item_count = models.PositiveSmallIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(default=0)
    current_position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submit_reason = models.CharField(max_length=12, choices=SubmitReason.choices, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # When the task for this attempt's pending work (its build, or its scoring) was last sent.
    # A task can be lost on the broker (a worker killed between taking it off the Redis list
    # and recording it as unacknowledged); beat sends it again from here (attempts_resend_stalled).
    work_queued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Exam-day evidence and the one-device rule (institution tryouts). The device is a random
    # cookie bound at first open; unlocking clears it and bumps the token version, which
    # invalidates the save token the old device holds.
    # Database defaults too: the bulk build COPYs rows without naming these columns.
    device_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    device_blocked_at = models.DateTimeField(null=True, blank=True)
    token_version = models.PositiveSmallIntegerField(default=0, db_default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    ip_changes = models.PositiveIntegerField(default=0, db_default=0)
    focus_losses = models.PositiveIntegerField(default=0, db_default=0)
    page_loads = models.PositiveIntegerField(default=0, db_default=0)
    # Results, written once by the scoring task.
    total = models.IntegerField(null=True, blank=True)
    score_tkp = models.IntegerField(null=True, blank=True)
    score_tiu = models.IntegerField(null=True, blank=True)
    score_twk = models.IntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    # Set when a regrade changed this attempt's result ("nilai diperbarui" on the result page).
    regraded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("percobaan")
        verbose_name_plural = _("percobaan")
        constraints = [
            models.UniqueConstraint(
                fields=["tryout", "user", "number"], name="ujian_attempt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(started_at__isnull=False),
                name="ujian_attempt_deadline_needs_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="ujian_attempt_overdue_idx"),
            models.Index(
                fields=["tryout", "status", "total", "score_tkp", "score_tiu", "score_twk"],
                name="ujian_attempt_rank_idx",
            ),
            models.Index(fields=["user", "created_at"], name="ujian_attempt_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tryout} — {self.user} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("ujian:attempt", args=[self.uuid])

    def item_rows(self) -> list[tuple[int, str, int]]:
        """(snapshot id, option order, section index) for every position."""
        section_of = [i for i, s in enumerate(self.sections) for _ in range(s[4])]
        return list(zip(self.items.get("s", []), self.items.get("o", []), section_of, strict=True))

    def item(self, position: int) -> tuple[int, str, int]:
        section, start = 0, 0
        for index, s in enumerate(self.sections):
            if position < start + s[4]:
                section = index
                break
            start += s[4]
        return self.items["s"][position], self.items["o"][position], section

    def snapshot_ids(self) -> set[int]:
        return set(self.items.get("s", []))


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    # Index of the option as displayed in this attempt (0 = A); null = no answer, only a flag.
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    seq = models.BigIntegerField(default=0)
    saved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("jawaban")
        verbose_name_plural = _("jawaban")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="ujian_answer_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(choice__isnull=True) | Q(choice__lte=4),
                name="ujian_answer_choice_range",
            ),
        ]
        indexes = [
            # The proctor console counts working candidates not heard from lately: "no save
            # since the cutoff" is then a range read of the last minutes' saves, not a scan of
            # every answer ever saved (the table grows with every session the platform holds).
            models.Index(fields=["saved_at"], name="ujian_answer_saved_at"),
        ]


class BuildJob(models.Model):
    """Progress of a bulk build, for the institution's progress bar."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tryout = models.ForeignKey(Tryout, on_delete=models.CASCADE, related_name="build_jobs")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Whom to build for, and when the job last moved (sent, or a chunk done): a job whose task
    # was lost on the broker is sent again from here (ujian/services/recovery.py).
    user_ids = models.JSONField(default=list, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True)


class TryoutStat(models.Model):
    """Test-level item-analysis figures of a tryout, computed by a task (never on page load)."""

    tryout = models.OneToOneField(Tryout, on_delete=models.CASCADE, related_name="stat")
    computed_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    # {"subtests": {"TKP": {"attempts", "items", "moodle": {...}, "classical"|"tkp": {...},
    #  "sample_warning"}}, "random_forms": bool}
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("statistik tryout")
        verbose_name_plural = _("statistik tryout")


class ItemStat(models.Model):
    """One question version's figures in one tryout (one frozen snapshot)."""

    tryout = models.ForeignKey(Tryout, on_delete=models.CASCADE, related_name="item_stats")
    snapshot = models.ForeignKey(
        QuestionSnapshot, on_delete=models.CASCADE, related_name="item_stats"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="item_stats"
    )
    version = models.PositiveIntegerField(default=1)
    subtest = models.CharField(max_length=8, choices=Subtest.choices)
    presented = models.PositiveIntegerField(default=0)
    flag_count = models.PositiveSmallIntegerField(default=0)
    facility = models.FloatField(null=True, blank=True)
    discrimination = models.FloatField(null=True, blank=True)
    # {"moodle": {...}, "classical": {...}, "tkp": {...}, "flags": [...]}
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("statistik butir")
        verbose_name_plural = _("statistik butir")
        constraints = [
            models.UniqueConstraint(
                fields=["tryout", "snapshot"], name="ujian_itemstat_tryout_snapshot_unique"
            ),
        ]


class RegradeStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Menghitung pratinjau")
    PREVIEWED = "previewed", _("Pratinjau siap")
    APPLYING = "applying", _("Sedang menilai ulang")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class Regrade(models.Model):
    """Re-scoring one question version in one tryout with a fixed version: its dry run, its
    progress and, once applied, the audit entry (who, when, which versions, how many changed)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tryout = models.ForeignKey(Tryout, on_delete=models.CASCADE, related_name="regrades")
    old_snapshot = models.ForeignKey(
        QuestionSnapshot, on_delete=models.PROTECT, related_name="regrades_from"
    )
    new_snapshot = models.ForeignKey(
        QuestionSnapshot, on_delete=models.PROTECT, related_name="regrades_to"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=RegradeStatus.choices, default=RegradeStatus.PREVIEWING
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(null=True, blank=True)
    # Dry run: [{"attempt", "user", "old": {...}, "new": {...}}] for attempts whose result changes.
    preview = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("penilaian ulang")
        verbose_name_plural = _("penilaian ulang")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_snapshot=models.F("new_snapshot")),
                name="ujian_regrade_snapshots_differ",
            ),
        ]
