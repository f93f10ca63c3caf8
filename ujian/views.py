"""HTTP for tryouts. Views parse input, call one service, render; htmx requests get a partial."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import exam_page
from .errors import UjianError
from .models import AttemptStatus, Tryout
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


@never_cache
@login_required
def attempt(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    if svc.attempt_expire_if_overdue(obj):
        obj.refresh_from_db()
    if obj.status == AttemptStatus.BUILDING:
        return render(request, "ujian/building.html", _building_context(obj))
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
    device, new_device = _device_key(request)
    if obj.tryout.owner_id is not None and not svc.attempt_device_check(
        attempt=obj, device_key=device, ip=request.META.get("REMOTE_ADDR")
    ):
        response = render(request, "ujian/locked.html", {"attempt": obj}, status=423)
        return _with_device_cookie(response, device, new_device)
    content = exam_page.rendered(obj.snapshot_ids())
    context = exam_page.exam_context(obj, obj.current_position + 1, content)
    context["grid"] = exam_page.grid_html(
        attempt=obj, answers=context["answers"], number=context["number"]
    )
    now = timezone.now()
    context["config"] = {
        "uuid": str(obj.uuid),
        "saveUrl": reverse("ujian:save", args=[obj.uuid]),
        "submitUrl": reverse("ujian:submit", args=[obj.uuid]),
        "resultUrl": reverse("ujian:result", args=[obj.uuid]),
        "questionUrl": exam_page.question_url_prefix(obj),
        "deadline": int(obj.deadline.timestamp() * 1000),
        "serverNow": int(now.timestamp() * 1000),
        "count": obj.item_count,
        "maxSeq": context["max_seq"],
        "token": svc.save_token(obj),
        "state": context["state"],
        "heartbeatUrl": reverse("ujian:heartbeat", args=[obj.uuid]),
        "swUrl": reverse("ujian:service_worker"),
        "swScope": reverse("ujian:index") + "sesi/",
    }
    context["payload"] = exam_page.payload_script(exam_page.exam_payload(obj, content))
    response = render(request, "ujian/exam.html", context)
    return _with_device_cookie(response, device, new_device)


DEVICE_COOKIE = "cpns_perangkat"


def _device_key(request: HttpRequest) -> tuple[str, bool]:
    """This browser's random device key (a cookie), and whether it is new."""
    key = request.COOKIES.get(DEVICE_COOKIE, "")
    if 20 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum():
        return key, False
    return secrets.token_urlsafe(24), True


def _with_device_cookie(response: HttpResponse, key: str, new: bool) -> HttpResponse:
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            key,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@never_cache
@login_required
def build_status(request: HttpRequest, uuid) -> HttpResponse:
    obj = get_attempt_for_user(uuid, request.user)
    if obj.status != AttemptStatus.BUILDING:
        return HttpResponseClientRedirect(obj.get_absolute_url())
    return render(request, "ujian/building.html#progress", _building_context(obj))


# A build normally takes well under a second; past this the worker is probably down or busy, and
# the candidate deserves to know why the page is still waiting (it keeps polling regardless).
BUILD_SLOW_AFTER_SECONDS = 20


def _building_context(obj) -> dict:
    waited = (timezone.now() - obj.created_at).total_seconds()
    return {"attempt": obj, "slow": waited > BUILD_SLOW_AFTER_SECONDS}


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
    if obj.tryout.owner_id is not None and obj.device_key:
        device, _new = _device_key(request)
        if device != obj.device_key:  # another device holds it: back to the locked page
            if request.htmx:
                return HttpResponseClientRedirect(reverse("ujian:attempt", args=[obj.uuid]))
            return redirect("ujian:attempt", uuid=obj.uuid)
    type(obj).objects.filter(pk=obj.pk).update(current_position=number - 1)
    obj.current_position = number - 1
    if not request.htmx:
        return redirect("ujian:attempt", uuid=obj.uuid)
    return render(request, "ujian/exam.html#question", exam_page.exam_context(obj, number))


# A save's body is about 70 bytes; anything far bigger is not an answer and is not read.
SAVE_BODY_MAX_BYTES = 4096
_SMALLINT_MAX, _BIGINT_MAX = 2**15 - 1, 2**63 - 1


class _BadAnswer(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _is_int(value) -> bool:
    # JSON true/false arrive as bool, a subclass of int: an answer is never a boolean.
    return type(value) is int


def _answer_fields(request: HttpRequest) -> tuple[int, int | None, bool, int]:
    """(position, choice, flagged, seq) from the body, exactly typed; else _BadAnswer."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_big = _BadAnswer(_("Data jawaban terlalu besar."), status=413)
    if length > SAVE_BODY_MAX_BYTES:
        raise too_big
    try:
        raw = request.body
    except RequestDataTooBig:
        raise too_big from None
    except RawPostDataException:
        raise _BadAnswer(_("Data jawaban harus berupa objek JSON.")) from None
    if len(raw) > SAVE_BODY_MAX_BYTES:
        raise too_big
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        body = None
    if not isinstance(body, dict):
        raise _BadAnswer(_("Data jawaban harus berupa objek JSON."))
    position, choice = body.get("position"), body.get("choice")
    flagged, seq = body.get("flagged", False), body.get("seq")
    if not _is_int(position) or not 0 <= position <= _SMALLINT_MAX:
        raise _BadAnswer(_("Nomor soal tidak valid."))
    # null clears the answer (the flag may stay); the item's own option count is checked by
    # the service, against the attempt.
    if choice is not None and (not _is_int(choice) or not 0 <= choice <= _SMALLINT_MAX):
        raise _BadAnswer(_("Pilihan jawaban tidak valid."))
    if not isinstance(flagged, bool):
        raise _BadAnswer(_("Tanda ragu-ragu harus bernilai true atau false."))
    if not _is_int(seq) or not 1 <= seq <= _BIGINT_MAX:
        raise _BadAnswer(_("Nomor urut penyimpanan tidak valid."))
    return position, choice, flagged, seq


def _save_reply(status_code: int, status: str, message: str, **extra) -> JsonResponse:
    body = {"status": status, "message": message, **extra}
    body["now"] = int(timezone.now().timestamp() * 1000)
    return JsonResponse(body, status=status_code)


@require_POST
def save(request: HttpRequest, uuid) -> JsonResponse:
    """The hot path: no session or user lookup when the page's signed token is sent."""
    user_id, version = _save_caller(request, uuid)
    if user_id is None:
        return _save_reply(403, "forbidden", "Sesi tidak valid. Muat ulang halaman.")
    try:
        position, choice, flagged, seq = _answer_fields(request)
    except _BadAnswer as exc:
        return _save_reply(exc.status, svc.INVALID, exc.message)
    try:
        result = svc.answer_save(
            attempt_uuid=uuid,
            user_id=user_id,
            position=position,
            choice=choice,
            flagged=flagged,
            seq=seq,
            token_version=version,
        )
    except DatabaseError:
        # The database is down or the connection broke; the page keeps the answer queued and
        # sends it again. The broken connection is closed at the end of this request
        # (request_finished → close_if_unusable_or_obsolete), so the next save reconnects.
        return _save_reply(
            503, "error", _("Server sedang sibuk; jawaban akan dikirim ulang otomatis.")
        )
    status = {
        svc.SAVED: 200,
        svc.STALE: 200,
        svc.CLOSED: 409,
        svc.NOT_FOUND: 404,
        svc.LOCKED: 403,
    }.get(result.status, 400)
    extra = {}
    if result.stored is not None:
        extra = {"position": position, "choice": result.stored[0], "flagged": result.stored[1]}
    if result.deadline is not None:
        extra["deadline"] = int(result.deadline.timestamp() * 1000)
    return _save_reply(status, result.status, result.message, **extra)


def _save_caller(request: HttpRequest, uuid) -> tuple[int | None, int | None]:
    """(user id, token version) behind a save or heartbeat: the page's signed token, else the
    session's user (no version check then). A bad token is refused outright, never retried as
    the session's user."""
    token = request.headers.get("X-Attempt-Token")
    if token:
        owner = svc.save_token_owner(token, uuid)
        return (None, None) if owner is None else owner
    return (request.user.pk if request.user.is_authenticated else None), None


@require_POST
def heartbeat(request: HttpRequest, uuid) -> JsonResponse:
    """Presence for the proctor console, sent by an idle page (a saving page is seen through
    its saves), with the focus losses since the last beat. Answers the deadline, so an
    extension reaches an idle candidate too."""
    user_id, version = _save_caller(request, uuid)
    if user_id is None:
        return _save_reply(403, "forbidden", "Sesi tidak valid. Muat ulang halaman.")
    try:
        body = json.loads(request.body[:SAVE_BODY_MAX_BYTES] or b"{}")
    except ValueError:
        body = {}
    focus = body.get("focus", 0) if isinstance(body, dict) else 0
    position = body.get("position") if isinstance(body, dict) else None
    if not _is_int(focus) or not 0 <= focus <= 1000:
        return _save_reply(400, svc.INVALID, _("Data tidak valid."))
    if position is not None and (not _is_int(position) or not 0 <= position <= _SMALLINT_MAX):
        return _save_reply(400, svc.INVALID, _("Nomor soal tidak valid."))
    try:
        beat = svc.attempt_heartbeat(
            attempt_uuid=uuid,
            user_id=user_id,
            token_version=version,
            focus_losses=focus,
            position=position,
        )
    except DatabaseError:
        return _save_reply(503, "error", _("Server sedang sibuk."))
    if beat is None:
        return _save_reply(409, svc.CLOSED, _("Ujian ini tidak sedang berlangsung."))
    if beat.status == svc.LOCKED:
        return _save_reply(403, svc.LOCKED, beat.message)
    return _save_reply(200, "ok", "", deadline=int(beat.deadline.timestamp() * 1000))


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


SERVICE_WORKER = settings.BASE_DIR / "static" / "js" / "sw.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """The exam's service worker, served under /tryout/ so that its scope can cover the exam
    pages (/tryout/sesi/…); a script under /static/ could only control /static/."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("ujian:index") + "sesi/"
    return response
