"""The product's roles as Django groups with their permissions.

candidate: any user; tutor: staff in "Tutor" (authors content); reviewer: staff in "Reviewer"
(may publish); institution admin: a Membership with role admin.
"""

from __future__ import annotations

from django.db.models import Q

TUTOR_GROUP = "Tutor"
REVIEWER_GROUP = "Reviewer"

# (app_label, model) pairs a tutor may view/add/change in the admin.
TUTOR_MODELS = [
    ("materi", "module"),
    ("materi", "section"),
    ("materi", "principle"),
    ("soal", "question"),
    ("soal", "option"),
    ("soal", "optionprinciple"),
    ("ujian", "blueprint"),
    ("ujian", "blueprintsection"),
    ("ujian", "tryout"),
]
# Tutors draft, reviewers publish; the full matrix is in docs/ROLES.md.
REVIEWER_EXTRA = [
    ("soal", "publish_question"),
    ("materi", "publish_module"),
    ("ujian", "publish_blueprint"),
    ("ujian", "publish_tryout"),
]


def roles_ensure() -> None:
    """Create the groups and give them their permissions; safe to run again."""
    from django.contrib.auth.models import Group, Permission

    tutor, _ = Group.objects.get_or_create(name=TUTOR_GROUP)
    reviewer, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    q = Q(pk__in=[])
    for app_label, model in TUTOR_MODELS:
        q |= Q(content_type__app_label=app_label, content_type__model=model) & Q(
            codename__regex=r"^(view|add|change)_"
        )
    tutor_perms = list(Permission.objects.filter(q))
    tutor.permissions.add(*tutor_perms)
    reviewer.permissions.add(*tutor_perms)
    for app_label, codename in REVIEWER_EXTRA:
        reviewer.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
