"""Admin pages for moving questions in and out: import (upload, then the result or every error),
the blank spreadsheet template, and exports. `QuestionAdmin.get_urls()` adds `transfer_urls(self)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.conf import settings
from django.contrib import admin
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
from .services.transfer.importing import FORMAT_CHOICES, questions_import

IMPORT_PERMISSION = "soal.add_question"
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


def import_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    _require_import_permission(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.CPNS_IMPORT_MAX_BYTES
        try:
            report = questions_import(
                # One byte past the limit is enough for the service to refuse a huge file.
                content=upload.read(limit + 1),
                filename=upload.name,
                fmt=form.cleaned_data["fmt"],
                actor=request.user,
            )
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
