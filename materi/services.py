"""What the materi app does: load content, keep the search index, record reading progress,
search."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from .models import Module, ModuleVisit, Principle, Section, SectionProgress, module_reading_minutes

SEARCH_CONFIG = "indonesian"


class MateriError(Exception):
    """An error whose message is safe to show a user."""


# --- content loading --------------------------------------------------------------------------


@transaction.atomic
def content_load(directory: Path) -> dict[str, int]:
    """Load principles.yaml and modules/*.yaml; records are matched by code/slug (idempotent)."""
    modules = 0
    sections = 0
    for path in sorted((directory / "modules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        module, _ = Module.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "title": data["title"],
                "order": data.get("order", 0),
                "intro": data.get("intro", ""),
                "summary": data.get("summary", ""),
                "is_published": data.get("published", True),
            },
        )
        keep = []
        for order, item in enumerate(data["sections"], start=1):
            section, _ = Section.objects.update_or_create(
                module=module,
                slug=item["slug"],
                defaults={
                    "title": item["title"],
                    "order": order,
                    "body": item["body"],
                    "key_points": "\n".join(item.get("key_points", [])),
                },
            )
            keep.append(section.pk)
            sections += 1
        module.sections.exclude(pk__in=keep).delete()
        module.reading_minutes = module_reading_minutes(module)
        module.save(update_fields=["reading_minutes"])
        modules += 1

    principles = yaml.safe_load((directory / "principles.yaml").read_text(encoding="utf-8"))
    for order, item in enumerate(principles, start=1):
        Principle.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "group": item["group"],
                "explanation": item["explanation"].strip(),
                "section": section_by_ref(item.get("section")),
                "order": order,
            },
        )
    # Section → principles links need the principles, so they come last.
    for path in sorted((directory / "modules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["sections"]:
            section = Section.objects.get(module__slug=data["slug"], slug=item["slug"])
            codes = item.get("principles", [])
            found = list(Principle.objects.filter(code__in=codes))
            missing = set(codes) - {p.code for p in found}
            if missing:
                raise MateriError(f"{path.name}: unknown principle codes {sorted(missing)}")
            section.principles.set(found)
    section_index()
    return {"modules": modules, "sections": sections, "principles": len(principles)}


def section_by_ref(ref: str | None) -> Section | None:
    if not ref:
        return None
    module_slug, _sep, section_slug = ref.partition("/")
    return Section.objects.filter(module__slug=module_slug, slug=section_slug).first()


def section_index(section_ids: list[int] | None = None) -> None:
    """Refresh the full-text vectors (PostgreSQL only): titles weigh more than bodies."""
    if not settings.USING_POSTGRES:
        return
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("key_points", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )
    qs = Section.objects.all()
    if section_ids is not None:
        qs = qs.filter(pk__in=section_ids)
    qs.update(search_vector=vector)


# --- reading progress ---------------------------------------------------------------------------


def section_visit(*, user, section: Section) -> None:
    if not user.is_authenticated:
        return
    ModuleVisit.objects.update_or_create(
        user=user, module_id=section.module_id, defaults={"section": section}
    )


def section_mark_done(*, user, section: Section, done: bool = True) -> bool:
    if done:
        SectionProgress.objects.get_or_create(user=user, section=section)
    else:
        SectionProgress.objects.filter(user=user, section=section).delete()
    return done


def progress_by_module(user) -> dict[int, int]:
    """Module id → number of sections the user marked done."""
    if not user.is_authenticated:
        return {}
    counts: dict[int, int] = {}
    for module_id in SectionProgress.objects.filter(user=user).values_list(
        "section__module_id", flat=True
    ):
        counts[module_id] = counts.get(module_id, 0) + 1
    return counts


def resume_section(user, module: Module) -> Section | None:
    if not user.is_authenticated:
        return None
    visit = ModuleVisit.objects.filter(user=user, module=module).select_related("section").first()
    return visit.section if visit else None


# --- search -------------------------------------------------------------------------------------

_MARK_START, _MARK_END = "\x02", "\x03"
_MD_NOISE = re.compile(r"[#>*_`|\[\]]+")


@dataclass
class SearchHit:
    section: Section
    snippet: str  # HTML: escaped text with <mark> around the matches


def _highlight(text: str) -> str:
    escaped = html.escape(_MD_NOISE.sub(" ", text))
    return escaped.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def search_sections(query: str, limit: int = 20) -> list[SearchHit]:
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    published = Section.objects.filter(module__is_published=True).select_related("module")
    if settings.USING_POSTGRES:
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        sq = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        # The Indonesian stemmer folds some words onto others ("empati" and "empat" both become
        # "empat"), so sections that use the exact word the reader typed rank higher: an
        # unstemmed ("simple") rank is added, computed only for the rows the index matched.
        exact = SearchQuery(query, config="simple", search_type="websearch")
        exact_vector = (
            SearchVector("title", weight="A", config="simple")
            + SearchVector("key_points", weight="B", config="simple")
            + SearchVector("body", weight="C", config="simple")
        )
        rows = (
            published.filter(search_vector=sq)
            .annotate(
                rank=SearchRank(F("search_vector"), sq) + SearchRank(exact_vector, exact),
                snippet=SearchHeadline(
                    "body",
                    sq,
                    config=SEARCH_CONFIG,
                    start_sel=_MARK_START,
                    stop_sel=_MARK_END,
                    max_words=30,
                    min_words=12,
                    max_fragments=2,
                ),
            )
            .order_by("-rank", "module__order", "order")[:limit]
        )
        return [SearchHit(row, _highlight(row.snippet)) for row in rows]
    # SQLite fallback: every word must appear; titles first.
    words = query.split()
    cond = Q()
    for word in words:
        cond &= Q(title__icontains=word) | Q(body__icontains=word) | Q(key_points__icontains=word)
    hits = []
    for row in published.filter(cond)[: limit * 3]:
        hits.append(SearchHit(row, _snippet_plain(row.body, words)))
    hits.sort(
        key=lambda h: (
            not any(w.lower() in h.section.title.lower() for w in words),
            h.section.module.order,
            h.section.order,
        )
    )
    return hits[:limit]


def _snippet_plain(body: str, words: list[str]) -> str:
    lower = body.lower()
    at = min((lower.find(w.lower()) for w in words if w.lower() in lower), default=0)
    start = max(0, at - 80)
    text = body[start : at + 160]
    for word in words:
        text = re.sub(
            re.escape(word), lambda m: f"{_MARK_START}{m.group(0)}{_MARK_END}", text, flags=re.I
        )
    return ("… " if start else "") + _highlight(text) + " …"


def search_principles(query: str, limit: int = 10) -> list[Principle]:
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    return list(
        Principle.objects.filter(
            Q(name__icontains=query) | Q(explanation__icontains=query) | Q(code__icontains=query)
        )[:limit]
    )


# --- authoring: tutors draft, reviewers publish (docs/ROLES.md) ----------------------------------

PUBLISH_MODULE = "materi.publish_module"


def module_can_edit(user, module: Module) -> bool:
    """Once readers see a module, only a reviewer changes it or its sections."""
    return not module.is_published or user.has_perm(PUBLISH_MODULE)


@transaction.atomic
def module_save(*, module: Module, actor) -> Module:
    """Save a module a person edited; a tutor's module stays unpublished."""
    if not actor.has_perm(PUBLISH_MODULE):
        stored = Module.objects.select_for_update().filter(pk=module.pk).first()
        if stored is not None and stored.is_published:
            raise MateriError(_("Modul yang sudah terbit hanya dapat diubah oleh peninjau."))
        if module.is_published:
            raise MateriError(_("Hanya peninjau yang dapat menerbitkan modul."))
    module.save()
    return module


@transaction.atomic
def section_save(*, section: Section, actor) -> Section:
    """Save a section a person edited; a tutor neither edits nor adds to a published module."""
    stored = Section.objects.select_for_update().filter(pk=section.pk).first()
    modules = [section.module] + ([stored.module] if stored is not None else [])
    if not all(module_can_edit(actor, module) for module in modules):
        raise MateriError(
            _("Bagian modul yang sudah terbit hanya dapat diubah atau ditambah oleh peninjau.")
        )
    section.save()
    section_index([section.pk])
    for module in {m.pk: m for m in modules}.values():
        module.reading_minutes = module_reading_minutes(module)
        module.save(update_fields=["reading_minutes"])
    return section
