from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown
from .models import Module, Principle, Section, module_reading_minutes
from .services import section_index


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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        section_index([obj.pk])
        obj.module.reading_minutes = module_reading_minutes(obj.module)
        obj.module.save(update_fields=["reading_minutes"])


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "section"]
    list_filter = ["group"]
    search_fields = ["code", "name", "explanation"]
    autocomplete_fields = ["section"]
