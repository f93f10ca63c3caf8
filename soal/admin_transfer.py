"""Admin pages for moving questions in and out: import (upload → preview with every error,
skipped question and warning → confirm → result), the blank spreadsheet template, and exports.
`QuestionAdmin.get_urls()` adds `transfer_urls(self)`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from materi.models import Principle

from .errors import SoalError
from .models import Question
from .services.questions import question_to_data
from .services.rules import QuestionData
from .services.transfer import gift, moodle_xml, spreadsheet
from .services.transfer.importing import (
    FORMAT_CHOICES,
    ImportPlan,
    ImportReport,
    questions_import,
    questions_import_check,
)

IMPORT_PERMISSION = "soal.add_question"
# The checked file waits this long for the tutor's confirmation, in the shared cache (not in the
# web process, so any worker can take the confirmation).
PREVIEW_SECONDS = 30 * 60
_TOKEN = re.compile(r"^[-\w]{16,64}$")
EXPORTS: dict[str, tuple[Callable[[Iterable[QuestionData]], bytes], str, str]] = {
    "xlsx": (
        spreadsheet.export_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "csv": (spreadsheet.export_csv, "text/csv; charset=utf-8", "csv"),
    "moodle": (moodle_xml.export, "application/xml; charset=utf-8", "xml"),
    "gift": (gift.export, "text/plain; charset=utf-8", "gift.txt"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Berkas"))
    fmt = forms.ChoiceField(
        label=_l("Format"), choices=FORMAT_CHOICES, widget=forms.RadioSelect, initial="xlsx"
    )
    skip_unsupported = forms.BooleanField(
        label=_l("Impor yang didukung, lewati sisanya"),
        required=False,
        help_text=_l(
            "Soal berjenis yang tidak didukung (esai, isian singkat, menjodohkan, numerik, "
            "deskripsi, …) dilewati dan didaftar. Soal yang didukung tetap harus benar semua."
        ),
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(queryset: QuerySet[Question], fmt: str) -> HttpResponse:
    """The questions as a downloadable file; fmt is one of xlsx, csv, moodle, gift."""
    if fmt not in EXPORTS:
        raise Http404
    write, content_type, extension = EXPORTS[fmt]
    questions = queryset.select_related("section__module").prefetch_related(
        "options__credits__principle"
    )
    content = write(question_to_data(q) for q in questions)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _attachment(content, content_type, f"soal-{stamp}.{extension}")


def _export_action(fmt: str, label: str):
    @admin.action(description=label, permissions=["view"])
    def action(model_admin, request: HttpRequest, queryset: QuerySet[Question]):
        return export_response(queryset, fmt)

    action.__name__ = f"export_{fmt}"
    return action


# Ready for `QuestionAdmin.actions`: "Ekspor ke …" on the selected questions.
EXPORT_ACTIONS = [
    _export_action("xlsx", _l("Ekspor ke XLSX")),
    _export_action("csv", _l("Ekspor ke CSV")),
    _export_action("moodle", _l("Ekspor ke Moodle XML")),
    _export_action("gift", _l("Ekspor ke GIFT")),
]


def _require_import_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def _preview_key(request: HttpRequest, token: str) -> str:
    return f"soal:impor:{request.user.pk}:{token}"


def _preview(request: HttpRequest, form: ImportForm) -> tuple[ImportPlan, str]:
    """Check the uploaded file and keep it for the confirmation; nothing is saved yet."""
    upload = form.cleaned_data["file"]
    stored = {
        # One byte past the limit is enough for the service to refuse a huge file.
        "content": upload.read(settings.CPNS_IMPORT_MAX_BYTES + 1),
        "filename": upload.name,
        "fmt": form.cleaned_data["fmt"],
        "skip_unsupported": form.cleaned_data["skip_unsupported"],
    }
    plan = questions_import_check(**stored)
    token = secrets.token_urlsafe(24)
    cache.set(_preview_key(request, token), stored, PREVIEW_SECONDS)
    return plan, token


def _confirm(request: HttpRequest) -> ImportReport:
    token = request.POST.get("token", "")
    key = _preview_key(request, token)
    stored = cache.get(key) if _TOKEN.match(token) else None
    # Only the request that removes the preview imports it: a double click imports once.
    if stored is None or not cache.delete(key):
        raise SoalError(
            _(
                "Pratinjau tidak ditemukan: sudah disimpan, sudah kedaluwarsa, atau milik orang "
                "lain. Unggah berkasnya lagi."
            )
        )
    return questions_import(**stored, actor=request.user)


def import_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    _require_import_permission(request)
    confirming = request.method == "POST" and "token" in request.POST
    form = ImportForm(None if confirming else request.POST or None, request.FILES or None)
    plan = report = error = token = None
    try:
        if confirming:
            report = _confirm(request)
        elif request.method == "POST" and form.is_valid():
            plan, token = _preview(request, form)
    except SoalError as exc:
        error = exc
    created = []
    if report is not None:
        created = list(Question.objects.filter(pk__in=report.question_ids).order_by("pk"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Question._meta,
        "title": _("Impor soal"),
        "form": form,
        "plan": plan,
        "planned": [(plan.labels[n], data) for n, data in plan.items] if plan else [],
        "token": token,
        "report": report,
        "created": created,
        "error": error,
        "max_bytes": settings.CPNS_IMPORT_MAX_BYTES,
    }
    return render(request, "admin/soal/question/import.html", context)


def template_view(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_import_permission(request)
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    codes = list(Principle.objects.order_by("order", "code").values_list("code", flat=True)[:2])
    _write, content_type, extension = EXPORTS[fmt]
    content = spreadsheet.template_bytes(fmt, codes)
    return _attachment(content, content_type, f"templat-soal.{extension}")


def transfer_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "impor/",
            wrap(lambda request: import_view(request, model_admin)),
            name="soal_question_import",
        ),
        path("templat/<str:fmt>/", wrap(template_view), name="soal_question_template"),
    ]
