"""Authoring in the admin: tutors write drafts, reviewers publish. Every write goes through
soal.services so the rules and the history are the same as for importers."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from materi.models import Principle

from .admin_transfer import EXPORT_ACTIONS, transfer_urls
from .errors import SoalError
from .models import Effect, Option, OptionPrinciple, Question, QuestionEvent, Status, Subtest
from .services import questions as svc
from .services.rules import OptionData, QuestionData, structural_problems


class OptionForm(forms.ModelForm):
    upholds = forms.ModelMultipleChoiceField(
        Principle.objects.all(), required=False, label=_l("Menjunjung")
    )
    violates = forms.ModelMultipleChoiceField(
        Principle.objects.all(), required=False, label=_l("Melanggar")
    )

    class Meta:
        model = Option
        fields = ["position", "text", "score", "rationale", "figure_svg"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "rationale": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def __init__(self, *args, admin_site=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = OptionPrinciple._meta.get_field("principle")
        for name in ("upholds", "violates"):
            widget = AutocompleteSelectMultiple(field, admin_site)
            widget.choices = self.fields[name].choices
            self.fields[name].widget = widget
        if self.instance.pk:
            credits = list(self.instance.credits.all())
            self.initial["upholds"] = [
                c.principle_id for c in credits if c.effect == Effect.UPHOLDS
            ]
            self.initial["violates"] = [
                c.principle_id for c in credits if c.effect == Effect.VIOLATES
            ]

    def save(self, commit: bool = True) -> Option:
        option = super().save(commit=commit)
        if commit:
            self.save_credits()
        return option

    def save_credits(self) -> None:
        option = self.instance
        option.credits.all().delete()
        OptionPrinciple.objects.bulk_create(
            [
                OptionPrinciple(option=option, principle=p, effect=Effect.UPHOLDS)
                for p in self.cleaned_data.get("upholds", [])
            ]
            + [
                OptionPrinciple(option=option, principle=p, effect=Effect.VIOLATES)
                for p in self.cleaned_data.get("violates", [])
            ]
        )


class OptionFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        subtest = self.data.get("subtest") or getattr(self.instance, "subtest", "")
        options = []
        for form in sorted(
            (f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
            key=lambda f: f.cleaned_data.get("position", 0),
        ):
            data = form.cleaned_data
            options.append(
                OptionData(
                    text=data.get("text", ""),
                    score=data.get("score", 0),
                    upholds=[p.code for p in data.get("upholds", [])],
                    violates=[p.code for p in data.get("violates", [])],
                )
            )
        positions = [
            f.cleaned_data.get("position")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        problems = []
        if len(positions) != len(set(positions)):
            problems.append(_("dua pilihan memakai posisi yang sama"))
        check = QuestionData(
            stem="-", subtest=subtest, aspect=self.data.get("aspect", ""), options=options
        )
        problems += [
            p for p in structural_problems(check) if "aspek" not in p and "subtes" not in p
        ]
        if problems:
            raise ValidationError([_("Pilihan belum benar: ") + p for p in problems])


class OptionInline(admin.StackedInline):
    model = Option
    form = OptionForm
    formset = OptionFormSet
    fields = ["position", "text", "score", "rationale", "upholds", "violates", "figure_svg"]
    extra = 0
    max_num = 5

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 5 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        site = self.admin_site

        class Form(formset.form):
            def __init__(self, *args, **kw):
                super().__init__(*args, admin_site=site, **kw)

        formset.form = Form
        return formset


class EventInline(admin.TabularInline):
    model = QuestionEvent
    fields = ["at", "actor", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _l("Riwayat perubahan")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["short", "subtest", "aspect", "status", "author", "version", "updated_at"]
    list_filter = [
        "status",
        "subtest",
        "aspect",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("options__principles", admin.RelatedOnlyFieldListFilter),
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["stem", "key", "explanation", "options__text"]
    autocomplete_fields = ["section"]
    readonly_fields = [
        "status",
        "author",
        "reviewer",
        "review_comment",
        "version",
        "previous_version",
        "preview_link",
        "created_at",
        "updated_at",
        "published_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["subtest", "aspect", "section", "stem", "explanation", "key", "owner"]},
        ),
        (
            _l("Gambar (soal figural)"),
            {"classes": ["collapse"], "fields": ["figure_svg", "figure_alt"]},
        ),
        (
            _l("Alur kerja"),
            {
                "fields": [
                    "status",
                    "preview_link",
                    "review_comment",
                    "author",
                    "reviewer",
                    "version",
                    "previous_version",
                    "created_at",
                    "updated_at",
                    "published_at",
                ]
            },
        ),
    ]
    inlines = [OptionInline, EventInline]
    actions = [
        "action_submit",
        "action_publish",
        "action_retire",
        "action_duplicate",
        *EXPORT_ACTIONS,
    ]
    change_form_template = "admin/soal/question/change_form.html"
    change_list_template = "admin/soal/question/change_list.html"
    list_select_related = ["author"]

    @admin.display(description=_l("Soal"))
    def short(self, obj: Question) -> str:
        return str(obj)

    @admin.display(description=_l("Pratinjau"))
    def preview_link(self, obj: Question) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:soal_question_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Lihat seperti peserta"))

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OptionInline) and obj.pk is None and request.method == "GET":
            kwargs["initial"] = [{"position": i} for i in range(5)]  # A..E ready to fill
        return kwargs

    # --- permissions: tutors edit their own drafts; published questions are never edited in place
    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or svc.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (obj.status == Status.DRAFT and svc.can_edit(request.user, obj))

    def save_model(self, request, obj: Question, form, change) -> None:
        if not change:
            obj.author = request.user
        obj.scoring = "scaled" if obj.subtest == Subtest.TKP else "single"
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        for formset in formsets:
            if formset.model is Option and formset.has_changed():
                changed.append("options")
        QuestionEvent.objects.create(
            question=form.instance,
            actor=request.user,
            action=QuestionEvent.Action.EDITED if change else QuestionEvent.Action.CREATED,
            detail=", ".join(changed),
        )

    # --- workflow ---------------------------------------------------------------------------
    def _run(self, request, queryset, func, done_message: str) -> None:
        ok = 0
        for question in queryset:
            try:
                func(question=question, actor=request.user)
                ok += 1
            except SoalError as exc:
                self.message_user(request, f"{question}: {exc}", messages.ERROR)
        if ok:
            self.message_user(request, done_message % {"n": ok}, messages.SUCCESS)

    @admin.action(description=_l("Ajukan untuk ditinjau"))
    def action_submit(self, request, queryset) -> None:
        self._run(request, queryset, svc.question_submit, _("%(n)d soal diajukan untuk ditinjau."))

    @admin.action(description=_l("Terbitkan (peninjau)"))
    def action_publish(self, request, queryset) -> None:
        self._run(request, queryset, svc.question_publish, _("%(n)d soal diterbitkan."))

    @admin.action(description=_l("Pensiunkan (peninjau)"))
    def action_retire(self, request, queryset) -> None:
        self._run(request, queryset, svc.question_retire, _("%(n)d soal dipensiunkan."))

    @admin.action(description=_l("Duplikasi / buat versi baru"))
    def action_duplicate(self, request, queryset) -> None:
        self._run(request, queryset, svc.question_duplicate, _("%(n)d draf baru dibuat."))

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/pratinjau/",
                self.admin_site.admin_view(self.preview_view),
                name="soal_question_preview",
            ),
            path(
                "<int:pk>/alur/",
                self.admin_site.admin_view(self.workflow_view),
                name="soal_question_workflow",
            ),
        ]
        return urls + transfer_urls(self) + super().get_urls()

    def preview_view(self, request: HttpRequest, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(Question.objects.prefetch_related("options"), pk=pk)
        return render(
            request,
            "admin/soal/question/preview.html",
            {
                **self.admin_site.each_context(request),
                "question": question,
                "opts": self.model._meta,
                "title": _("Pratinjau soal"),
            },
        )

    @transaction.non_atomic_requests
    def workflow_view(self, request: HttpRequest, pk: int):
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(Question, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "submit":
                svc.question_submit(question=question, actor=request.user)
            elif action == "publish":
                svc.question_publish(question=question, actor=request.user)
            elif action == "return":
                svc.question_return(
                    question=question, actor=request.user, comment=request.POST.get("comment", "")
                )
            elif action == "retire":
                svc.question_retire(question=question, actor=request.user)
            elif action == "duplicate":
                copy = svc.question_duplicate(question=question, actor=request.user)
                self.message_user(request, _("Draf baru dibuat."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:soal_question_change", args=[copy.pk]))
            else:
                raise SoalError(_("Tindakan tidak dikenal."))
            self.message_user(request, _("Berhasil."), messages.SUCCESS)
        except SoalError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:soal_question_change", args=[pk]))
