from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Module, Principle, Section, SectionProgress


def _published_module(slug: str) -> Module:
    return get_object_or_404(Module.objects.published(), slug=slug)


def index(request: HttpRequest) -> HttpResponse:
    modules = Module.objects.published().annotate(section_count=Count("sections"))
    done = services.progress_by_module(request.user)
    rows = [
        {
            "module": m,
            "done": done.get(m.pk, 0),
            "percent": round(100 * done.get(m.pk, 0) / m.section_count) if m.section_count else 0,
        }
        for m in modules
    ]
    return render(request, "materi/index.html", {"rows": rows})


def module(request: HttpRequest, module_slug: str) -> HttpResponse:
    mod = _published_module(module_slug)
    sections = list(mod.sections.all())
    done_ids = set()
    if request.user.is_authenticated:
        done_ids = set(
            SectionProgress.objects.filter(user=request.user, section__module=mod).values_list(
                "section_id", flat=True
            )
        )
    return render(
        request,
        "materi/module.html",
        {
            "module": mod,
            "sections": sections,
            "done_ids": done_ids,
            "resume": services.resume_section(request.user, mod),
            "percent": round(100 * len(done_ids) / len(sections)) if sections else 0,
        },
    )


def section(request: HttpRequest, module_slug: str, section_slug: str) -> HttpResponse:
    mod = _published_module(module_slug)
    sections = list(mod.sections.only("id", "slug", "title", "order", "module_id"))
    current = get_object_or_404(
        Section.objects.prefetch_related("principles"), module=mod, slug=section_slug
    )
    index = next(i for i, s in enumerate(sections) if s.pk == current.pk)
    services.section_visit(user=request.user, section=current)
    done = (
        request.user.is_authenticated
        and SectionProgress.objects.filter(user=request.user, section=current).exists()
    )
    done_count = (
        SectionProgress.objects.filter(user=request.user, section__module=mod).count()
        if request.user.is_authenticated
        else 0
    )
    return render(
        request,
        "materi/section.html",
        {
            "module": mod,
            "section": current,
            "position": index + 1,
            "total": len(sections),
            "previous": sections[index - 1] if index > 0 else None,
            "next": sections[index + 1] if index + 1 < len(sections) else None,
            "is_last": index + 1 == len(sections),
            "done": done,
            "percent": round(100 * done_count / len(sections)) if sections else 0,
        },
    )


@login_required
@require_POST
def section_done(request: HttpRequest, module_slug: str, section_slug: str) -> HttpResponse:
    mod = _published_module(module_slug)
    current = get_object_or_404(Section, module=mod, slug=section_slug)
    done = services.section_mark_done(
        user=request.user, section=current, done=request.POST.get("done", "1") == "1"
    )
    if request.htmx:
        return render(
            request,
            "materi/section.html#done-button",
            {"section": current, "module": mod, "done": done},
        )
    return redirect(current.get_absolute_url())


def glossary(request: HttpRequest) -> HttpResponse:
    principles = Principle.objects.select_related("section__module").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.filter(module__is_published=True).select_related("module"),
        )
    )
    groups: dict[str, list[Principle]] = {}
    for p in principles:
        groups.setdefault(p.get_group_display(), []).append(p)
    return render(request, "materi/glossary.html", {"groups": groups})


def search(request: HttpRequest) -> HttpResponse:
    # PostgreSQL text cannot hold NUL; such a character is never part of a real search.
    query = request.GET.get("q", "").replace("\x00", "")
    context = {
        "query": query,
        "hits": services.search_sections(query),
        "principles": services.search_principles(query),
    }
    template = "materi/search.html#results" if request.htmx else "materi/search.html"
    return render(request, template, context)
