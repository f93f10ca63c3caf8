from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from materi.models import Module, Principle

from .errors import SoalError
from .gates import practice_block_for
from .models import Aspect, Question, Status
from .services import practice as svc

KIND_URLS = {"modul": "soal:module", "aspek": "soal:aspect", "prinsip": "soal:principle"}


def _set_title(kind: str, value: str) -> str:
    if kind == "modul":
        return get_object_or_404(Module.objects.published(), slug=value).title
    if kind == "aspek":
        if value not in Aspect.values:
            raise Http404
        return Aspect(value).label
    if kind == "prinsip":
        return get_object_or_404(Principle, code=value).name
    return "Ulangi yang salah"


def _set_url(kind: str, value: str) -> str:
    return reverse("soal:retry") if kind == "ulangi" else reverse(KIND_URLS[kind], args=[value])


def practice_open(view):
    """Practice waits while something registered in soal.gates holds it back (a running tryout):
    the page says why and links back; a posted answer is refused with no score (409)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        block = practice_block_for(request.user)
        if block is None:
            return view(request, *args, **kwargs)
        context = {"wait": block}  # not "block": templates reserve that name
        if request.htmx:  # htmx swaps only 2xx responses into #practice
            return render(request, "soal/wait.html#notice", context)
        status = 409 if request.method == "POST" else 200
        return render(request, "soal/wait.html", context, status=status)

    return wrapped


@login_required
@practice_open
def index(request: HttpRequest) -> HttpResponse:
    published = Question.objects.public()
    modules = [(m, published.filter(section__module=m).count()) for m in Module.objects.published()]
    aspects = [
        (value, label, published.filter(aspect=value).count())
        for value, label in Aspect.choices
        if published.filter(aspect=value).exists()
    ]
    due, waiting = svc.retry_counts(request.user)
    aspect_progress, principle_progress = svc.practice_progress(request.user)
    names = dict(Principle.objects.values_list("code", "name"))
    return render(
        request,
        "soal/index.html",
        {
            "modules": modules,
            "aspects": aspects,
            "principles": Principle.objects.all(),
            "due": due,
            "waiting": waiting,
            "aspect_progress": aspect_progress,
            "principle_progress": [(names.get(p.code, p.code), p) for p in principle_progress],
        },
    )


def _question_id(value: str) -> int | None:
    """A question id from the query, or None: `"²".isdigit()` is true yet int() refuses it."""
    if not (value.isascii() and value.isdecimal()) or len(value) > 18:
        return None
    return int(value)


@login_required
@practice_open
def practice(request: HttpRequest, kind: str, value: str) -> HttpResponse:
    title = _set_title(kind, value)
    question = svc.practice_next(
        user=request.user,
        practice_set=svc.PracticeSet(kind, value),
        exclude=_question_id(request.GET.get("setelah", "")),
    )
    context = {
        "question": question,
        "title": title,
        "kind": kind,
        "value": value,
        "set_url": _set_url(kind, value),
    }
    template = "soal/practice.html#question" if request.htmx else "soal/practice.html"
    return render(request, template, context)


@login_required
@require_POST
@practice_open
def answer(request: HttpRequest, question_uuid) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.prefetch_related("options__credits__principle"),
        uuid=question_uuid,
        status=Status.PUBLISHED,
        owner__isnull=True,
    )
    kind, value = request.POST.get("kind", "aspek"), request.POST.get("value", question.aspect)
    if kind not in (*KIND_URLS, "ulangi"):
        kind, value = "aspek", question.aspect
    context = {
        "question": question,
        "kind": kind,
        "value": value,
        "set_url": _set_url(kind, value),
        "title": _set_title(kind, value),
    }
    try:
        position = int(request.POST.get("position", ""))
        result = svc.practice_answer(user=request.user, question=question, position=position)
    except (ValueError, SoalError) as exc:
        context["error"] = (
            exc.message
            if isinstance(exc, SoalError)
            else ("Pilih salah satu jawaban terlebih dahulu.")
        )
        template = "soal/practice.html#question" if request.htmx else "soal/practice.html"
        return render(request, template, context, status=400)
    context["result"] = result
    template = "soal/practice.html#feedback" if request.htmx else "soal/practice.html"
    return render(request, template, context)
