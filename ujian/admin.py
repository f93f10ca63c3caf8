from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .errors import UjianError
from .models import Attempt, Blueprint, BlueprintSection, BuildJob, Tryout
from .services.authoring import (
    PUBLISH_BLUEPRINT,
    PUBLISH_TRYOUT,
    blueprint_can_edit,
    blueprint_save,
    tryout_can_edit,
    tryout_save,
)


class BlueprintSectionInline(admin.TabularInline):
    model = BlueprintSection
    extra = 1


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "total_threshold", "owner", "is_preset"]
    list_filter = ["is_preset", "owner"]
    search_fields = ["name", "regulation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BlueprintSectionInline]

    # --- permissions: tutors draft, reviewers publish (docs/ROLES.md)
    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or blueprint_can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(PUBLISH_BLUEPRINT):
            fields.append("is_preset")
        return fields

    def save_model(self, request, obj: Blueprint, form, change) -> None:
        try:
            blueprint_save(blueprint=obj, actor=request.user)
        except UjianError as exc:
            raise PermissionDenied(exc.message) from exc


@admin.register(Tryout)
class TryoutAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "blueprint",
        "owner",
        "opens_at",
        "closes_at",
        "is_published",
        "analysis_link",
    ]
    list_filter = ["is_published", "owner", "review_policy"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["blueprint"]

    @admin.display(description=_("Analisis butir"))
    def analysis_link(self, obj: Tryout) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("ujian:analysis_report", args=[obj.uuid]), _("Laporan")
        )

    # --- permissions: tutors draft, reviewers publish (docs/ROLES.md)
    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or tryout_can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("analysis_link")
        if not request.user.has_perm(PUBLISH_TRYOUT):
            fields.append("is_published")
        return fields

    def save_model(self, request, obj: Tryout, form, change) -> None:
        if not change and not request.user.has_perm(PUBLISH_TRYOUT):
            obj.is_published = False  # the field's default is "published"; a tutor adds a draft
        try:
            tryout_save(tryout=obj, actor=request.user)
        except UjianError as exc:
            raise PermissionDenied(exc.message) from exc


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["tryout", "user", "number", "status", "total", "passed", "started_at"]
    list_filter = ["status", "tryout"]
    search_fields = ["user__email"]
    list_select_related = ["tryout", "user"]
    readonly_fields = [f.name for f in Attempt._meta.fields]
    exclude = ["items"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(BuildJob)
class BuildJobAdmin(admin.ModelAdmin):
    list_display = ["tryout", "total", "done", "created_at", "finished_at"]
    readonly_fields = [
        "tryout",
        "total",
        "done",
        "created_at",
        "progressed_at",
        "finished_at",
        "error",
    ]
    exclude = ["user_ids"]  # thousands of ids, kept only to send a lost build again
