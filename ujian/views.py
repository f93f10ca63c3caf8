"""HTTP for tryouts. Views parse input, call one service, render; htmx requests get a partial."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from materi.markdown import render_markdown

from .errors import UjianError
from .models import Answer, AttemptStatus, QuestionSnapshot, Tryout
from .services import attempts as svc
from .services import building, gates, results
from .services.attempts import get_attempt_for_user

REVIEW_FILTER = "salah-ragu"


def _visible_tryouts(user):
    return Tryout.objects.public().select_related("blueprint")


def index(request: HttpRequest) -> HttpResponse:
    tryouts = list(_visible_tryouts(request.user))
    mine = []
    if request.user.is_authenticated:
        mine = list(request.user.attempts.select_related("tryout").order_by("-created_at")[:20])
    return render(request, "ujian/index.html", {"tryouts": tryouts, "attempts": mine})


def tryout(request: HttpRequest, slug: str) -> HttpResponse:
    obj = get_object_or_404(_visible_tryouts(request.user), slug=slug)
    sections = list(obj.blueprint.sections.all())
    attempts = []
    if request.user.is_authenticated:
        attempts = list(obj.attempts.filter(user=request.user).order_by("-number"))
    return render(
        request,
        "ujian/tryout.html",
        {
            "tryout": obj,
            "sections": sections,
            "attempts": attempts,
            "problems": building.bank_problems(obj.blueprint),
            "is_open": obj.is_open(),
            "total_questions": sum(s.question_count for s in sections),
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    obj = get_object_or_404(_visible_tryouts(request.user), slug=slug)
    try:
        attempt = building.attempt_create(tryout=obj, user=request.user)
    except UjianError as exc:
        messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())
    return redirect(attempt.get_absolute_url())


def _exam_context(request: HttpRequest, attempt, number: int) -> dict:
    number = max(1, min(number, attempt.item_count))
    position = number - 1
    snapshot_id, order, section_index = attempt.item(position)
    data = QuestionSnapshot.objects.values_list("data", flat=True).get(pk=snapshot_id)
    answers = {a.position: a for a in Answer.objects.filter(attempt=attempt)}
    current = answers.get(position)
    # Only text and pictures go to the page: no score, rationale, principle or explanation.
    options = [
        {
            "letter": "ABCDE"[i],
            "index": i,
            "text": data["options"][int(o)]["text"],
            "figure_svg": data["options"][int(o)].get("figure_svg", ""),
        }
        for i, o in enumerate(order)
    ]
    grid = [
        {
            "number": p + 1,
            "answered": p in answers and answers[p].choice is not None,
            "flagged": p in answers and answers[p].flagged,
        }
        for p in range(attempt.item_count)
    ]
    return {
        "attempt": attempt,
        "number": number,
        "position": position,
        "section": attempt.sections[section_index][0],
        "stem": render_markdown(data["stem"]),
        "figure": data.get("figure"),
        "options": options,
        "choice": current.choice if current else None,
        "flagged": bool(current and current.flagged),
        "grid": grid,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < attempt.item_count else None,
        "state": {str(p): [a.choice, a.flagged] for p, a in answers.items()},
        "max_seq": max((a.seq for a in answers.values()), default=0),
    }


@never_cache
@login_required
def attempt(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    svc.attempt_expire_if_overdue(obj)
    obj.refresh_from_db()
    if obj.status == AttemptStatus.BUILDING:
        return render(request, "ujian/building.html", {"attempt": obj})
    if obj.status == AttemptStatus.FAILED:
        return render(request, "ujian/building.html", {"attempt": obj})
    if obj.status in (AttemptStatus.SUBMITTED, AttemptStatus.SCORED):
        return redirect("ujian:result", uuid=obj.uuid)
    if obj.status == AttemptStatus.READY and obj.tryout.owner_id is not None:
        # An institution's session starts only through its token prompt, never by opening
        # the attempt's address.
        messages.info(request, "Mulai sesi ini dengan token dari pengawas di halaman Lembaga.")
        return redirect("home")
    if obj.status == AttemptStatus.READY:
        try:
            obj = svc.attempt_start(attempt=obj)
        except UjianError as exc:
            messages.error(request, exc.message)
            return redirect(obj.tryout.get_absolute_url())
    context = _exam_context(request, obj, obj.current_position + 1)
    now = timezone.now()
    context["config"] = {
        "uuid": str(obj.uuid),
        "saveUrl": reverse("ujian:save", args=[obj.uuid]),
        "submitUrl": reverse("ujian:submit", args=[obj.uuid]),
        "resultUrl": reverse("ujian:result", args=[obj.uuid]),
        "questionUrl": reverse("ujian:question", args=[obj.uuid, 0]).rsplit("/0/", 1)[0] + "/",
        "deadline": int(obj.deadline.timestamp() * 1000),
        "serverNow": int(now.timestamp() * 1000),
        "count": obj.item_count,
        "maxSeq": context["max_seq"],
        "token": svc.save_token(obj),
        "state": context["state"],
    }
    return render(request, "ujian/exam.html", context)


@never_cache
@login_required
def build_status(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    if obj.status != AttemptStatus.BUILDING:
        return HttpResponseClientRedirect(obj.get_absolute_url())
    return render(request, "ujian/building.html#progress", {"attempt": obj})


@never_cache
@login_required
def question(request: HttpRequest, uuid, number: int) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    if svc.attempt_expire_if_overdue(obj) or obj.status != AttemptStatus.IN_PROGRESS:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("ujian:result", args=[obj.uuid]))
        return redirect("ujian:attempt", uuid=obj.uuid)
    if not 1 <= number <= obj.item_count:
        raise Http404
    type(obj).objects.filter(pk=obj.pk).update(current_position=number - 1)
    obj.current_position = number - 1
    if not request.htmx:
        return redirect("ujian:attempt", uuid=obj.uuid)
    return render(request, "ujian/exam.html#question", _exam_context(request, obj, number))


@require_POST
def save(request: HttpRequest, uuid) -> JsonResponse:
    """The hot path: no session or user lookup when the page's signed token is sent."""
    token = request.headers.get("X-Attempt-Token")
    if token:  # a bad token is refused outright, never retried as the session's user
        user_id = svc.save_token_user(token, uuid)
    else:
        user_id = request.user.pk if request.user.is_authenticated else None
    if user_id is None:
        return JsonResponse(
            {
                "status": "forbidden",
                "message": "Sesi tidak valid. Muat ulang halaman.",
                "now": int(timezone.now().timestamp() * 1000),
            },
            status=403,
        )
    try:
        body = json.loads(request.body or b"{}")
        choice = body.get("choice")
        result = svc.answer_save(
            attempt_uuid=uuid,
            user_id=user_id,
            position=int(body["position"]),
            choice=None if choice is None else int(choice),
            flagged=bool(body.get("flagged")),
            seq=int(body["seq"]),
        )
    except (ValueError, KeyError, TypeError):
        result = svc.SaveResult(svc.INVALID, "Data jawaban tidak valid.")
    status = {svc.SAVED: 200, svc.STALE: 200, svc.CLOSED: 409, svc.NOT_FOUND: 404}.get(
        result.status, 400
    )
    return JsonResponse(
        {
            "status": result.status,
            "message": result.message,
            "now": int(timezone.now().timestamp() * 1000),
        },
        status=status,
    )


@login_required
@require_POST
def submit(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    svc.attempt_submit(attempt_id=obj.pk)
    url = reverse("ujian:result", args=[obj.uuid])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@never_cache
@login_required
def result(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    svc.attempt_expire_if_overdue(obj)
    obj.refresh_from_db()
    if obj.status in (AttemptStatus.BUILDING, AttemptStatus.READY, AttemptStatus.IN_PROGRESS):
        return redirect("ujian:attempt", uuid=obj.uuid)
    context = {"attempt": obj, "tryout": obj.tryout, "review_open": obj.tryout.review_open()}
    if obj.status == AttemptStatus.SCORED:
        rank, count, percentile = results.rank_of(obj)
        rows = results.principle_rows(obj.result)
        weak_codes = obj.result.get("weakest", [])
        context.update(
            {
                "r": obj.result,
                "rank": rank,
                "count": count,
                "percentile": percentile,
                "min_ranked": results.MIN_ATTEMPTS_FOR_PERCENTILE,
                "principles": rows,
                "weakest": [r for code in weak_codes for r in rows if r.code == code],
            }
        )
    template = "ujian/result.html#body" if request.htmx else "ujian/result.html"
    return render(request, template, context)


@login_required
def review(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    if obj.status != AttemptStatus.SCORED:
        return redirect("ujian:result", uuid=obj.uuid)
    if not obj.tryout.review_open():
        messages.info(request, "Pembahasan dibuka setelah tryout ditutup.")
        return redirect("ujian:result", uuid=obj.uuid)
    if gates.running_attempt(request.user) is not None:
        messages.info(
            request,
            _(
                "Pembahasan ditutup sementara karena tryout Anda sedang berlangsung. Selesaikan "
                "tryout terlebih dahulu."
            ),
        )
        return redirect("ujian:result", uuid=obj.uuid)
    items = results.review_items(obj)
    # "?tampil=salah-ragu" keeps only what is worth rereading; a plain link, no script needed.
    only_review = request.GET.get("tampil") == REVIEW_FILTER
    return render(
        request,
        "ujian/review.html",
        {
            "attempt": obj,
            "items": [i for i in items if i.to_review] if only_review else items,
            "only_review": only_review,
            "review_filter": REVIEW_FILTER,
            "review_count": sum(i.to_review for i in items),
        },
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    attempts = results.history(request.user)
    return render(request, "ujian/history.html", results.history_context(attempts))
