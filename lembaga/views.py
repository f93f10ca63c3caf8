"""HTTP for institutions. Every object comes through lembaga.access (404 for outsiders); views
parse input, call one service, render."""

from __future__ import annotations

import base64
import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cpns.models import Membership
from ujian.models import Attempt, AttemptStatus

from . import access
from .errors import LembagaError
from .forms import ActionForm, CohortForm, ImportForm, SessionForm, TokenForm
from .models import Candidate, Cohort, ExamSession, ImportJob
from .services import actions, enrolment, results, sessions, tokens

IMPORT_KEY = "lembaga-import"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    staff = Membership.objects.filter(
        user=request.user, role__in=[Membership.Role.ADMIN, Membership.Role.PROCTOR]
    ).select_related("institution")
    candidacies = list(
        Candidate.objects.filter(user=request.user, removed_at__isnull=True).select_related(
            "institution", "cohort"
        )
    )
    upcoming = []
    for c in candidacies:
        if c.cohort_id is None:
            continue
        for s in ExamSession.objects.filter(
            cohorts=c.cohort_id, ends_at__gt=timezone.now()
        ).select_related("tryout__owner"):
            upcoming.append((c, s))
    if not staff and not candidacies:
        raise Http404
    return render(
        request,
        "lembaga/index.html",
        {"staff": staff, "candidacies": candidacies, "upcoming": upcoming},
    )


@login_required
def institution(request: HttpRequest, slug: str) -> HttpResponse:
    inst, role = access.institution_for_staff(request.user, slug)
    session_list = ExamSession.objects.filter(tryout__owner=inst).select_related("tryout")
    if role == access.PROCTOR:
        session_list = session_list.filter(proctors=request.user)
    context = {"institution": inst, "role": role, "sessions": session_list}
    if role == access.ADMIN:
        context["cohorts"] = inst.cohorts.all()
        context["candidate_count"] = inst.candidates.filter(removed_at__isnull=True).count()
        context["cohort_form"] = CohortForm()
        context["pending"] = inst.candidates.filter(
            approved=False, removed_at__isnull=True
        ).select_related("user", "cohort")
        context["site_url"] = settings.SITE_URL.rstrip("/")
    return render(request, "lembaga/institution.html", context)


@login_required
@require_POST
def cohort_create(request: HttpRequest, slug: str) -> HttpResponse:
    inst = access.institution_for_admin(request.user, slug)
    form = CohortForm(request.POST)
    if form.is_valid():
        try:
            enrolment.cohort_create(institution=inst, name=form.cleaned_data["name"])
            messages.success(request, _("Kelas dibuat."))
        except LembagaError as exc:
            messages.error(request, exc.message)
    return redirect("lembaga:institution", slug=inst.slug)


@login_required
@require_POST
def cohort_invite(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    cohort = access.cohort_for_admin(request.user, slug, uuid)
    enrolment.cohort_invite_set(
        cohort=cohort,
        open_=request.POST.get("open") == "1",
        needs_approval=request.POST.get("approval") == "1",
    )
    messages.success(request, _("Pengaturan tautan pendaftaran disimpan."))
    return redirect("lembaga:institution", slug=slug)


@login_required
@require_POST
def candidate_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    inst = access.institution_for_admin(request.user, slug)
    candidate = get_object_or_404(Candidate, institution=inst, pk=pk, approved=False)
    enrolment.candidate_approve(candidate=candidate)
    messages.success(request, _("%(name)s disetujui.") % {"name": candidate.user})
    return redirect("lembaga:institution", slug=slug)


@login_required
def cohort_join(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link a candidate opens; joining is a POST (a link preview joins nobody)."""
    cohort = Cohort.objects.select_related("institution").filter(invite_code=code).first()
    if request.method == "POST":
        try:
            candidate = enrolment.cohort_join(code=code, user=request.user)
        except LembagaError as exc:
            messages.error(request, exc.message)
        else:
            if candidate.approved:
                messages.success(
                    request, _("Anda terdaftar dengan nomor %(n)s.") % {"n": candidate.number}
                )
            else:
                messages.info(request, _("Pendaftaran Anda menunggu persetujuan admin lembaga."))
            return redirect("lembaga:index")
    return render(
        request, "lembaga/join.html", {"cohort": cohort if cohort and cohort.invite_open else None}
    )


@login_required
def candidates_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → preview (nothing written) → confirm (all rows or none)."""
    inst = access.institution_for_admin(request.user, slug)
    preview = None
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(IMPORT_KEY)
        if not stored or stored.get("institution") != inst.pk:
            messages.error(request, _("Unggah berkas lagi; pratinjau sudah kedaluwarsa."))
            return redirect("lembaga:import", slug=inst.slug)
        try:
            content = base64.b64decode(stored["content"])
            preview = enrolment.candidates_parse(
                institution=inst, filename=stored["name"], content=content
            )
            if preview.ok and len(preview.rows) > settings.CPNS_IMPORT_ASYNC_ROWS:
                job = enrolment.import_job_create(
                    institution=inst,
                    user=request.user,
                    filename=stored["name"],
                    content=content,
                    total=len(preview.rows),
                )
                del request.session[IMPORT_KEY]
                return redirect("lembaga:import_job", slug=inst.slug, uuid=job.uuid)
            counts = enrolment.candidates_import(institution=inst, preview=preview)
        except LembagaError as exc:
            messages.error(request, exc.message)
        else:
            del request.session[IMPORT_KEY]
            messages.success(
                request,
                _(
                    "Impor selesai: %(created)d peserta baru, %(updated)d diperbarui, "
                    "%(new_accounts)d akun baru (tautan pembuatan kata sandi dikirim)."
                )
                % counts,
            )
            return redirect("lembaga:institution", slug=inst.slug)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                preview = enrolment.candidates_parse(
                    institution=inst, filename=upload.name, content=content
                )
            except LembagaError as exc:
                form.add_error("file", exc.message)
            else:
                if preview.ok:
                    request.session[IMPORT_KEY] = {
                        "institution": inst.pk,
                        "name": upload.name,
                        "content": base64.b64encode(content).decode(),
                    }
    return render(
        request,
        "lembaga/import.html",
        {"institution": inst, "form": form, "preview": preview, "columns": enrolment.COLUMNS},
    )


@login_required
def import_job(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    """A large import's progress; htmx polls the partial until the job is finished."""
    inst = access.institution_for_admin(request.user, slug)
    job = get_object_or_404(ImportJob.objects.defer("content"), institution=inst, uuid=uuid)
    template = "lembaga/import_job.html#progress" if request.htmx else "lembaga/import_job.html"
    return render(
        request,
        template,
        {"institution": inst, "job": job, "done": enrolment.import_job_done(job=job)},
    )


@login_required
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    inst = access.institution_for_admin(request.user, slug)
    form = SessionForm(request.POST or None, institution=inst)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = sessions.session_create(
                institution=inst,
                blueprint=data["blueprint"],
                name=data["name"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                cohorts=list(data["cohorts"]),
                room=data["room"],
                proctors=list(data["proctors"]),
                token_minutes=data["token_minutes"],
            )
        except LembagaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Sesi dibuat. Siapkan soal peserta sebelum sesi dibuka."))
            return redirect(session.get_absolute_url())
    return render(request, "lembaga/session_form.html", {"institution": inst, "form": form})


def _console_context(request: HttpRequest, session: ExamSession) -> dict:
    now = timezone.now()
    try:
        page = max(int(request.GET.get("hal", "1")), 1)
    except ValueError:
        page = 1
    per_page = 50
    rows, total = sessions.console_rows(session, page=page, per_page=per_page, now=now)
    page = min(page, max((total + per_page - 1) // per_page, 1))
    return {
        "session": session,
        "counts": sessions.console_counts(session, now=now, enrolled=total),
        "rows": rows,
        "page": page,
        "pages": max((total + per_page - 1) // per_page, 1),
        "token": tokens.token_current(session, now),
        "token_until": tokens.token_rotates_at(session, now),
        "job": session.build_job,
        "now": now,
    }


@never_cache
@login_required
def session_detail(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    session, role = access.session_for_staff(request.user, slug, uuid)
    context = _console_context(request, session)
    context.update(
        {
            "institution": session.tryout.owner,
            "role": role,
            "audit": session.audit.select_related("actor", "target")[:100],
            "cohorts": session.cohorts.all(),
            "action_form": ActionForm(),
        }
    )
    template = "lembaga/session.html#console" if request.htmx else "lembaga/session.html"
    return render(request, template, context)


@login_required
@require_POST
def session_build(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    session = access.session_for_admin(request.user, slug, uuid)
    try:
        count = sessions.session_build(session=session, actor=request.user)
        messages.success(request, _("Menyiapkan soal untuk %(n)d peserta.") % {"n": count})
    except LembagaError as exc:
        messages.error(request, exc.message)
    return redirect(session.get_absolute_url())


@login_required
@require_POST
def session_action(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    session, _unused = access.session_for_staff(request.user, slug, uuid)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tindakan tidak valid."))
    else:
        try:
            done = actions.proctor_act(
                session=session,
                actor=request.user,
                action=form.cleaned_data["action"],
                candidate_ids=form.candidate_ids()
                or actions.cohort_candidate_ids(session, form.cleaned_data["cohort"]),
                reason=form.cleaned_data["reason"] or "",
                minutes=form.cleaned_data["minutes"],
            )
            messages.success(request, _("Tindakan diterapkan pada %(n)d peserta.") % {"n": done})
        except LembagaError as exc:
            messages.error(request, exc.message)
    return redirect(session.get_absolute_url())


@login_required
def session_results(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    session = access.session_for_admin(request.user, slug, uuid)
    cohorts = list(session.cohorts.all())
    cohort = next((c for c in cohorts if str(c.uuid) == request.GET.get("kelas")), None)
    return render(
        request,
        "lembaga/results.html",
        {
            "institution": session.tryout.owner,
            "session": session,
            "cohorts": cohorts,
            "cohort": cohort,
            "rows": results.ranking(session, cohort),
            "summary": results.summary(session, cohort),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def session_export(request: HttpRequest, slug: str, uuid, fmt: str) -> HttpResponse:
    session = access.session_for_admin(request.user, slug, uuid)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"hasil-{session.tryout.slug}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in results.export_rows(session)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    # Sent from a temporary file in blocks; FileResponse closes it (which removes it) when the
    # response is closed, also when the client goes away mid-download.
    return FileResponse(
        results.export_xlsx(session),
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


PRINTABLES = {
    "kartu": _("Kartu Peserta"),
    "hadir": _("Daftar Hadir"),
    "berita-acara": _("Berita Acara Pelaksanaan Ujian"),
}


@login_required
def session_print(request: HttpRequest, slug: str, uuid, kind: str) -> HttpResponse:
    """Kartu peserta, daftar hadir and berita acara as print-ready pages (print CSS, no PDF
    library): the proctor prints them from the browser."""
    session, _unused = access.session_for_staff(request.user, slug, uuid)
    if kind not in PRINTABLES:
        raise Http404
    present = set(
        session.tryout.attempts.exclude(
            status__in=[AttemptStatus.BUILDING, AttemptStatus.READY]
        ).values_list("user_id", flat=True)
    )
    context = {
        "institution": session.tryout.owner,
        "session": session,
        "kind": kind,
        "title": PRINTABLES[kind],
        "candidates": sessions.session_candidates(session).order_by("number"),
        "present": present,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    if kind == "berita-acara":
        context["counts"] = sessions.console_counts(session)
        context["audit"] = session.audit.select_related("actor", "target").order_by("created_at")
    return render(request, "lembaga/print.html", context)


@login_required
def session_enter(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    """The candidate's door: the session's time and the token prompt."""
    session, candidate = access.session_for_candidate(request.user, slug, uuid)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = sessions.session_enter(
                session=session,
                user=request.user,
                token=form.cleaned_data["token"],
                ip=request.META.get("REMOTE_ADDR"),
                candidate=candidate,
            )
        except LembagaError as exc:
            form.add_error("token", exc.message)
        else:
            return redirect(reverse("ujian:attempt", args=[attempt.uuid]))
    attempt = (
        Attempt.objects.filter(tryout_id=session.tryout_id, user=request.user)
        .only("uuid", "status", "number")
        .order_by("-number")
        .first()
    )
    return render(
        request,
        "lembaga/enter.html",
        {
            "session": session,
            "candidate": candidate,
            "form": form,
            "attempt": attempt,
            "another_attempt": sessions.another_attempt_waiting(session, candidate, attempt),
            "is_open": session.is_open()
            or bool(
                candidate.window_ends_at
                and session.starts_at <= timezone.now() < candidate.window_ends_at
            ),
        },
    )
