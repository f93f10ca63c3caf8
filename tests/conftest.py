"""Shared fixtures: personas and the rules for tests that need real services.

A test that needs PostgreSQL, Redis or Chromium is skipped with a reason on a laptop without them,
and fails in CI (CI=true), where nothing may be skipped for that reason.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings

from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _throttle_counters_empty() -> None:
    """Sign-up and password-reset counters start at zero in every test (cpns/throttle.py)."""
    from django.core.cache import caches

    caches[settings.CPNS_THROTTLE_CACHE].clear()


@pytest.fixture
def needs_postgres() -> None:
    require(settings.USING_POSTGRES, "needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    require(bool(url), "needs Redis: set REDIS_URL")
    return url


@pytest.fixture
def chromium_path() -> str:
    require(
        bool(shutil.which(CHROMIUM)), f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    return CHROMIUM


@pytest.fixture
def candidate(db):
    return UserFactory(email="peserta@example.com")


@pytest.fixture
def other_candidate(db):
    return UserFactory(email="peserta.lain@example.com")


@pytest.fixture
def tutor(db):
    return UserFactory(email="tutor@example.com", tutor=True)


@pytest.fixture
def other_tutor(db):
    return UserFactory(email="tutor.lain@example.com", tutor=True)


@pytest.fixture
def reviewer(db):
    return UserFactory(email="reviewer@example.com", reviewer=True)


@pytest.fixture
def institution(db):
    return InstitutionFactory(name="Bimbel Garuda", slug="bimbel-garuda")


@pytest.fixture
def institution_admin(db, institution):
    user = UserFactory(email="admin@garuda.example.com")
    MembershipFactory(user=user, institution=institution, role="admin")
    return user


@pytest.fixture
def candidate_client(client, candidate):
    client.force_login(candidate)
    return client
