from django.contrib import admin

from .models import Attempt, Blueprint, BlueprintSection, BuildJob, Tryout


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


@admin.register(Tryout)
class TryoutAdmin(admin.ModelAdmin):
    list_display = ["title", "blueprint", "owner", "opens_at", "closes_at", "is_published"]
    list_filter = ["is_published", "owner", "review_policy"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["blueprint"]


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
    readonly_fields = ["tryout", "total", "done", "created_at", "finished_at", "error"]
