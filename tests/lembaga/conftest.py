from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lembaga.models import Candidate, Cohort
from lembaga.services.sessions import session_create
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
    make_bank,
    make_blueprint,
)


@pytest.fixture
def garuda(db):
    return InstitutionFactory(name="Bimbel Garuda", slug="garuda")


@pytest.fixture
def rival(db):
    return InstitutionFactory(name="Bimbel Rajawali", slug="rajawali")


@pytest.fixture
def garuda_admin(garuda):
    user = UserFactory(email="admin@garuda.example.com")
    MembershipFactory(user=user, institution=garuda, role="admin")
    return user


@pytest.fixture
def rival_admin(rival):
    user = UserFactory(email="admin@rajawali.example.com")
    MembershipFactory(user=user, institution=rival, role="admin")
    return user


@pytest.fixture
def proctor(garuda):
    user = UserFactory(email="pengawas@garuda.example.com", full_name="Pak Pengawas")
    MembershipFactory(user=user, institution=garuda, role="proctor")
    return user


@pytest.fixture
def other_proctor(garuda):
    user = UserFactory(email="pengawas2@garuda.example.com")
    MembershipFactory(user=user, institution=garuda, role="proctor")
    return user


@pytest.fixture
def cohort(garuda):
    return Cohort.objects.create(institution=garuda, name="Angkatan 1")


def enrol(institution, cohort, email: str, number: str):
    user = UserFactory(email=email, full_name=email.split("@")[0].title())
    MembershipFactory(user=user, institution=institution, role="candidate")
    Candidate.objects.create(institution=institution, user=user, cohort=cohort, number=number)
    return user


@pytest.fixture
def seated(garuda, cohort):
    """Three enrolled candidates of Angkatan 1."""
    return [
        enrol(garuda, cohort, f"peserta{i}@garuda.example.com", f"G-{i:03d}") for i in (1, 2, 3)
    ]


@pytest.fixture
def preset(db):
    make_bank()
    blueprint = make_blueprint(slug="preset-uji")
    blueprint.is_preset = True
    blueprint.save()
    return blueprint


@pytest.fixture
def exam_session(garuda, cohort, preset, proctor, seated):
    now = timezone.now()
    return session_create(
        institution=garuda,
        blueprint=preset,
        name="Sesi Pagi",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        cohorts=[cohort],
        proctors=[proctor],
    )
