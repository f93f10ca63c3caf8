"""Blueprint presets and public tryouts, loaded from fixtures/ujian/presets.yaml (idempotent)."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from ..models import Blueprint, BlueprintSection, Tryout


@transaction.atomic
def presets_load(path: Path) -> dict[str, int]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in data["blueprints"]:
        sections = item.pop("sections")
        blueprint, _ = Blueprint.objects.update_or_create(
            slug=item.pop("slug"), defaults={**item, "is_preset": True}
        )
        blueprint.sections.all().delete()
        BlueprintSection.objects.bulk_create(
            BlueprintSection(blueprint=blueprint, order=i, aspect=s.pop("aspect", ""), **s)
            for i, s in enumerate(sections, start=1)
        )
    for item in data["tryouts"]:
        blueprint = Blueprint.objects.get(slug=item.pop("blueprint"))
        Tryout.objects.update_or_create(
            slug=item.pop("slug"), defaults={**item, "blueprint": blueprint}
        )
    return {"blueprints": len(data["blueprints"]), "tryouts": len(data["tryouts"])}
