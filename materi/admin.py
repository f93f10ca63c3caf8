from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown
from .models import Module, Principle, Section, module_reading_minutes
from .services import PUBLISH_MODULE, MateriError, module_can_edit, module_save, section_save


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "title", "slug"]
    extra = 0
    show_change_link = True
    ordering = ["order"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "order", "is_published", "reading_minutes", "updated_at"]
    list_editable = ["order", "is_published"]
    search_fields = ["title", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["reading_minutes", "intro_preview"]
    inlines = [SectionInline]

    # --- permissions: tutors draft, reviewers publish (docs/ROLES.md)
    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or module_can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(PUBLISH_MODULE):
            fields.append("is_published")
        return fields

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not request.user.has_perm(PUBLISH_MODULE):
            # Saving the list skips the per-module check, so only reviewers edit there.
            changelist.list_editable = ()
        return changelist

    def save_model(self, request, obj: Module, form, change) -> None:
        try:
            module_save(module=obj, actor=request.user)
        except MateriError as exc:
            raise PermissionDenied(str(exc)) from exc

    @admin.display(description=_("Pratinjau pengantar"))
    def intro_preview(self, obj: Module) -> str:
        return format_html('<div class="prose">{}</div>', render_markdown(obj.intro))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.reading_minutes = module_reading_minutes(form.instance)
        form.instance.save(update_fields=["reading_minutes"])


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "order", "words"]
    list_filter = ["module", "principles__group"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["principles"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview"]
    fields = ["module", "order", "title", "slug", "body", "key_points", "principles", "preview"]

    @admin.display(description=_("Pratinjau (tersimpan terakhir)"))
    def preview(self, obj: Section) -> str:
        return format_html(
            '<div class="prose" style="max-width:68ch">{}</div>', render_markdown(obj.body)
        )

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or module_can_edit(request.user, obj.module)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class SectionForm(form):
            def clean_module(self) -> Module:
                module = self.cleaned_data["module"]
                if module is not None and not module_can_edit(user, module):
                    raise ValidationError(
                        _(
                            "Modul ini sudah terbit; hanya peninjau yang dapat menambahkan "
                            "atau memindahkan bagian ke dalamnya."
                        )
                    )
                return module

        return SectionForm

    def save_model(self, request, obj: Section, form, change) -> None:
        try:
            section_save(section=obj, actor=request.user)
        except MateriError as exc:
            raise PermissionDenied(str(exc)) from exc


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "section"]
    list_filter = ["group"]
    search_fields = ["code", "name", "explanation"]
    autocomplete_fields = ["section"]
