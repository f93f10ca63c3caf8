"""Who may change blueprints and tryouts: tutors draft, reviewers publish (docs/ROLES.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import UjianError
from ..models import Blueprint, Tryout

PUBLISH_BLUEPRINT = "ujian.publish_blueprint"
PUBLISH_TRYOUT = "ujian.publish_tryout"


def blueprint_is_live(blueprint: Blueprint) -> bool:
    """A preset, or the recipe of a published tryout: candidates' attempts are drawn by it."""
    if blueprint.pk is None:
        return blueprint.is_preset
    return blueprint.is_preset or blueprint.tryouts.filter(is_published=True).exists()


def blueprint_can_edit(user, blueprint: Blueprint) -> bool:
    return user.has_perm(PUBLISH_BLUEPRINT) or not blueprint_is_live(blueprint)


def tryout_can_edit(user, tryout: Tryout) -> bool:
    return user.has_perm(PUBLISH_TRYOUT) or not tryout.is_published


@transaction.atomic
def blueprint_save(*, blueprint: Blueprint, actor) -> Blueprint:
    """Save a blueprint a person edited; a tutor's blueprint is never a preset."""
    if not actor.has_perm(PUBLISH_BLUEPRINT):
        stored = Blueprint.objects.select_for_update().filter(pk=blueprint.pk).first()
        if stored is not None and blueprint_is_live(stored):
            raise UjianError(
                _(
                    "Kisi-kisi ini dipakai tryout yang terbit atau menjadi preset; "
                    "hanya peninjau yang dapat mengubahnya."
                )
            )
        if blueprint.is_preset:
            raise UjianError(_("Hanya peninjau yang dapat menjadikan kisi-kisi sebagai preset."))
    blueprint.save()
    return blueprint


@transaction.atomic
def tryout_save(*, tryout: Tryout, actor) -> Tryout:
    """Save a tryout a person edited; a tutor's tryout stays unpublished."""
    if not actor.has_perm(PUBLISH_TRYOUT):
        stored = Tryout.objects.select_for_update().filter(pk=tryout.pk).first()
        if stored is not None and stored.is_published:
            raise UjianError(_("Tryout yang sudah terbit hanya dapat diubah oleh peninjau."))
        if tryout.is_published:
            raise UjianError(_("Hanya peninjau yang dapat menerbitkan tryout."))
    tryout.save()
    return tryout
