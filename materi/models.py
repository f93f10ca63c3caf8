"""Knowledge: modules, their sections, the principles they teach, and reading progress."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")


def word_count(*texts: str) -> int:
    return sum(len(_WORD.findall(t or "")) for t in texts)


class Principle(models.Model):
    class Group(models.TextChoices):
        ASAS = "asas", _("Asas pelayanan publik (UU 25/2009 Pasal 4)")
        SERVQUAL = "servqual", _("Dimensi SERVQUAL")
        PRINSIP_PELAYANAN = "prinsip-pelayanan", _("Prinsip pelayanan")
        ETIKA = "etika", _("Etika ASN")
        JEJARING_KERJA = "jejaring-kerja", _("Jejaring kerja")
        KEBANGSAAN = "kebangsaan", _("Wawasan kebangsaan")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    group = models.CharField(_("kelompok"), max_length=32, choices=Group.choices)
    explanation = models.TextField(_("penjelasan singkat"))
    section = models.ForeignKey(
        "Section",
        verbose_name=_("bagian yang mengajarkan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_principles",
    )
    order = models.PositiveIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("prinsip")
        verbose_name_plural = _("prinsip")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("materi:glossary") + f"#{self.code}"


class ModuleQuerySet(models.QuerySet):
    def published(self) -> ModuleQuerySet:
        return self.filter(is_published=True)


class Module(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("judul"), max_length=200)
    order = models.PositiveIntegerField(_("urutan"), default=0)
    intro = models.TextField(_("pengantar (Markdown)"), blank=True)
    summary = models.TextField(_("ringkasan (Markdown)"), blank=True)
    is_published = models.BooleanField(_("terbit"), default=False)
    reading_minutes = models.PositiveIntegerField(
        _("waktu baca (menit)"), default=1, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("modul")
        verbose_name_plural = _("modul")
        ordering = ["order", "title"]
        permissions = [("publish_module", _("Dapat menerbitkan modul dan mengubah modul terbit"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("materi:module", args=[self.slug])


class Section(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(_("slug"))
    title = models.CharField(_("judul"), max_length=200)
    order = models.PositiveIntegerField(_("urutan"), default=0)
    body = models.TextField(_("isi (Markdown)"))
    key_points = models.TextField(
        _("poin penting"), blank=True, help_text=_("Satu poin per baris.")
    )
    principles = models.ManyToManyField(
        Principle, verbose_name=_("prinsip yang diajarkan"), blank=True, related_name="sections"
    )
    words = models.PositiveIntegerField(default=0, editable=False)
    # Filled by services.section_index on PostgreSQL ('indonesian' configuration); GIN-indexed.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("bagian")
        verbose_name_plural = _("bagian")
        ordering = ["module__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="materi_section_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.module.title} — {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.words = word_count(self.title, self.body, self.key_points)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("materi:section", args=[self.module.slug, self.slug])

    @property
    def key_point_list(self) -> list[str]:
        return [line.strip() for line in self.key_points.splitlines() if line.strip()]

    @property
    def reference(self) -> str:
        return f"{self.module.slug}/{self.slug}"


def module_reading_minutes(module: Module) -> int:
    words = word_count(module.intro, module.summary) + sum(
        module.sections.values_list("words", flat=True)
    )
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class SectionProgress(models.Model):
    """A section the reader marked as done ("tandai selesai")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "section"], name="materi_progress_unique"),
        ]


class ModuleVisit(models.Model):
    """Where a reader was last in a module, so they can resume there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    module = models.ForeignKey(Module, on_delete=models.CASCADE)
    section = models.ForeignKey(Section, on_delete=models.CASCADE)
    visited_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="materi_visit_unique"),
        ]
