"""The demo institution's exam day: a cohort with the demo candidate, and a session that is open
now, pre-built, with the demo pengawas assigned — so a newcomer sees the console working."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cpns.demo import DEMO_INSTITUTION
from cpns.models import Institution, User
from ujian.models import Blueprint, Tryout
from ujian.services.building import bank_problems

from .models import Candidate, Cohort, ExamSession
from .services.sessions import session_build, session_create

DEMO_SESSION = "Tryout Demo Lembaga"
# The SKD simulation when the bank fills it, else the TKP tryout.
PRESETS = ["skd-cat-bkn", "tkp-pelayanan-jejaring"]


@transaction.atomic
def demo_session_ensure() -> ExamSession | None:
    institution = Institution.objects.get(slug=DEMO_INSTITUTION[1])
    existing = ExamSession.objects.filter(tryout__owner=institution, name=DEMO_SESSION).first()
    if existing is not None:
        if not existing.is_open():
            # `make run` a month later: the demo's window has passed; open it again.
            now = timezone.now()
            ends = now + timedelta(days=30)
            ExamSession.objects.filter(pk=existing.pk).update(ends_at=ends)
            Tryout.objects.filter(pk=existing.tryout_id).update(closes_at=ends)
            existing.refresh_from_db()
        return existing
    blueprint = next(
        (
            b
            for slug in PRESETS
            if (b := Blueprint.objects.filter(slug=slug).first()) and not bank_problems(b)
        ),
        None,
    )
    if blueprint is None:
        return None
    cohort, _ = Cohort.objects.get_or_create(institution=institution, name="Kelas Demo")
    candidate = User.objects.get(email="peserta@demo.cpns.id")
    Candidate.objects.get_or_create(
        institution=institution, user=candidate, defaults={"cohort": cohort, "number": "DEMO-001"}
    )
    admin = User.objects.get(email="lembaga@demo.cpns.id")
    now = timezone.now()
    session = session_create(
        institution=institution,
        blueprint=blueprint,
        name=DEMO_SESSION,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=30),
        cohorts=[cohort],
        room="Ruang Demo",
        proctors=list(User.objects.filter(email="pengawas@demo.cpns.id")),
    )
    session_build(session=session, actor=admin)
    return session
