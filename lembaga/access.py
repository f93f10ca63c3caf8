"""Tenancy in one place: every lembaga view gets its objects through these helpers, which answer
404 to anyone who is not a member of the institution with the right role (never a 403 that
confirms the object exists)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from cpns.models import Institution, Membership

from .models import Candidate, Cohort, ExamSession

ADMIN = Membership.Role.ADMIN
PROCTOR = Membership.Role.PROCTOR


def _role(user, institution: Institution) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, institution=institution)
        .values_list("role", flat=True)
        .first()
    )


def institution_for_admin(user, slug: str) -> Institution:
    institution = get_object_or_404(Institution, slug=slug)
    if _role(user, institution) != ADMIN:
        raise Http404
    return institution


def institution_for_staff(user, slug: str) -> tuple[Institution, str]:
    """An institution whose admin or pengawas the user is, with the role."""
    institution = get_object_or_404(Institution, slug=slug)
    role = _role(user, institution)
    if role not in (ADMIN, PROCTOR):
        raise Http404
    return institution, role


def cohort_for_admin(user, slug: str, uuid) -> Cohort:
    institution = institution_for_admin(user, slug)
    return get_object_or_404(Cohort, institution=institution, uuid=uuid)


def session_for_staff(user, slug: str, uuid) -> tuple[ExamSession, str]:
    """A session for its institution's admin, or for a pengawas assigned to that session."""
    institution, role = institution_for_staff(user, slug)
    session = get_object_or_404(
        ExamSession.objects.select_related("tryout__blueprint", "tryout__owner", "build_job"),
        tryout__owner=institution,
        uuid=uuid,
    )
    if role == PROCTOR and not session.proctors.filter(pk=user.pk).exists():
        raise Http404
    return session, role


def session_for_admin(user, slug: str, uuid) -> ExamSession:
    session, role = session_for_staff(user, slug, uuid)
    if role != ADMIN:
        raise Http404
    return session


def session_for_candidate(user, slug: str, uuid) -> tuple[ExamSession, Candidate]:
    """A session the user sits as an enrolled candidate (through a cohort or in person)."""
    if not user.is_authenticated:
        raise Http404
    candidate = get_object_or_404(
        Candidate,
        institution__slug=slug,
        user=user,
        removed_at__isnull=True,
        approved=True,
    )
    if candidate.cohort_id is None:
        raise Http404
    session = get_object_or_404(
        ExamSession.objects.select_related("tryout__blueprint", "tryout__owner"),
        tryout__owner_id=candidate.institution_id,
        uuid=uuid,
        cohorts=candidate.cohort_id,
    )
    return session, candidate
