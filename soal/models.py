"""The question bank: questions, options, their principle credits, history and practice."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from materi.models import Principle, Section

from .figures import validate_figure

LETTERS = "ABCDE"


class Subtest(models.TextChoices):
    TWK = "TWK", _("TWK — Tes Wawasan Kebangsaan")
    TIU = "TIU", _("TIU — Tes Intelegensia Umum")
    TKP = "TKP", _("TKP — Tes Karakteristik Pribadi")
    MATERI = "MATERI", _("Pemahaman materi (bukan soal SKD)")


class Aspect(models.TextChoices):
    # TKP aspects (PermenPANRB 27/2021)
    PELAYANAN_PUBLIK = "pelayanan-publik", _("Pelayanan publik")
    JEJARING_KERJA = "jejaring-kerja", _("Jejaring kerja")
    SOSIAL_BUDAYA = "sosial-budaya", _("Sosial budaya")
    TIK = "tik", _("Teknologi informasi dan komunikasi")
    PROFESIONALISME = "profesionalisme", _("Profesionalisme")
    ANTI_RADIKALISME = "anti-radikalisme", _("Anti radikalisme")
    # TWK topics
    NASIONALISME = "nasionalisme", _("Nasionalisme")
    INTEGRITAS = "integritas", _("Integritas")
    BELA_NEGARA = "bela-negara", _("Bela negara")
    PILAR_NEGARA = "pilar-negara", _("Pilar negara")
    BAHASA_NEGARA = "bahasa-negara", _("Bahasa negara")
    # TIU topics
    VERBAL = "verbal", _("Verbal")
    NUMERIK = "numerik", _("Numerik")
    FIGURAL = "figural", _("Figural")
    # Study checks on the modules' facts
    PEMAHAMAN_MATERI = "pemahaman-materi", _("Pemahaman materi")


ASPECTS_BY_SUBTEST: dict[str, set[str]] = {
    Subtest.TKP: {
        "pelayanan-publik",
        "jejaring-kerja",
        "sosial-budaya",
        "tik",
        "profesionalisme",
        "anti-radikalisme",
    },
    Subtest.TWK: {"nasionalisme", "integritas", "bela-negara", "pilar-negara", "bahasa-negara"},
    Subtest.TIU: {"verbal", "numerik", "figural"},
    Subtest.MATERI: {"pemahaman-materi"},
}


class Scoring(models.TextChoices):
    SCALED = "scaled", _("Berjenjang 1–5 (TKP)")
    SINGLE = "single", _("Satu jawaban benar (5/0)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draf")
    REVIEW = "review", _("Ditinjau")
    PUBLISHED = "published", _("Terbit")
    RETIRED = "retired", _("Pensiun")


class QuestionQuerySet(models.QuerySet):
    def published(self) -> QuestionQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def public(self) -> QuestionQuerySet:
        """Published and not an institution's private question: what public practice and
        public tryouts may show."""
        return self.published().filter(owner__isnull=True)

    def drawable_by(self, owner_id: int | None) -> QuestionQuerySet:
        """What a tryout may draw: the public bank, plus its own institution's private bank."""
        qs = self.published()
        if owner_id is None:
            return qs.filter(owner__isnull=True)
        return qs.filter(Q(owner__isnull=True) | Q(owner_id=owner_id))


class Question(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(
        _("kunci eksternal"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Pengenal tetap dari berkas impor/fixture."),
    )
    stem = models.TextField(_("soal (Markdown)"))
    explanation = models.TextField(_("pembahasan"), blank=True)
    # A figure shown under the stem (figural items). Always passed through
    # soal.figures.svg_sanitise before it reaches a page, since a tutor may edit it.
    figure_svg = models.TextField(_("gambar soal (SVG)"), blank=True, validators=[validate_figure])
    figure_alt = models.TextField(
        _("deskripsi gambar"),
        blank=True,
        help_text=_("Teks pengganti gambar untuk pembaca layar: jelaskan setiap panel."),
    )
    subtest = models.CharField(_("subtes"), max_length=8, choices=Subtest.choices)
    aspect = models.CharField(_("aspek"), max_length=32, choices=Aspect.choices)
    scoring = models.CharField(_("jenis penilaian"), max_length=8, choices=Scoring.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penulis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_questions",
    )
    # An institution's private question: drawn only by that institution's own tryouts, never
    # shown in public practice or public tryouts.
    owner = models.ForeignKey(
        "cpns.Institution",
        verbose_name=_("lembaga pemilik"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text=_("Kosong = soal publik. Diisi = bank soal privat lembaga itu."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("peninjau"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_questions",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("bagian materi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    review_comment = models.TextField(_("catatan peninjau"), blank=True)
    previous_version = models.ForeignKey(
        "self",
        verbose_name=_("versi sebelumnya"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    version = models.PositiveIntegerField(_("versi"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("soal")
        verbose_name_plural = _("soal")
        ordering = ["-updated_at"]
        permissions = [("publish_question", _("Dapat menerbitkan soal"))]
        indexes = [models.Index(fields=["status", "subtest", "aspect"], name="soal_q_draw_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scoring="scaled", subtest="TKP") | ~Q(subtest="TKP"),
                name="soal_question_tkp_is_scaled",
            ),
        ]

    def __str__(self) -> str:
        first = self.stem.strip().splitlines()[0] if self.stem.strip() else ""
        return (self.key or f"#{self.pk}") + " — " + first[:70]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("posisi"))
    text = models.TextField(_("teks pilihan"))
    score = models.PositiveSmallIntegerField(_("skor"))
    rationale = models.TextField(_("alasan skor"), blank=True)
    # An option that is a picture; its text stays the description (the alt text).
    figure_svg = models.TextField(
        _("gambar pilihan (SVG)"), blank=True, validators=[validate_figure]
    )
    principles = models.ManyToManyField(
        Principle, through="OptionPrinciple", related_name="options", blank=True
    )

    class Meta:
        verbose_name = _("pilihan")
        verbose_name_plural = _("pilihan")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="soal_option_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=5), name="soal_option_score_range"
            ),
            models.CheckConstraint(condition=Q(position__lte=4), name="soal_option_position_range"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}. {self.text[:60]}"

    @property
    def letter(self) -> str:
        return LETTERS[self.position] if self.position < len(LETTERS) else "?"


class Effect(models.TextChoices):
    UPHOLDS = "upholds", _("menjunjung")
    VIOLATES = "violates", _("melanggar")


class OptionPrinciple(models.Model):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="credits")
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="credits")
    effect = models.CharField(_("pengaruh"), max_length=8, choices=Effect.choices)

    class Meta:
        verbose_name = _("kredit prinsip")
        verbose_name_plural = _("kredit prinsip")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "principle"], name="soal_option_principle_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_effect_display()} {self.principle.code}"


class QuestionEvent(models.Model):
    """Change history: who did what to a question, and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("dibuat")
        EDITED = "edited", _("diubah")
        IMPORTED = "imported", _("diimpor")
        SUBMITTED = "submitted", _("diajukan untuk ditinjau")
        PUBLISHED = "published", _("diterbitkan")
        RETURNED = "returned", _("dikembalikan")
        RETIRED = "retired", _("dipensiunkan")
        DUPLICATED = "duplicated", _("diduplikasi")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat soal")
        verbose_name_plural = _("riwayat soal")
        ordering = ["-at", "-pk"]


class PracticeAnswer(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="practice")
    position = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    best_score = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "question"], name="soal_practice_user_q_idx")]


class RetryItem(models.Model):
    """The "ulangi yang salah" queue: a question due again for this user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    interval_days = models.PositiveIntegerField(default=1)
    misses = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="soal_retry_unique"),
        ]
        indexes = [models.Index(fields=["user", "due_at"], name="soal_retry_due_idx")]
