"""The rotating session token: current, previous within the grace period, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lembaga.services.tokens import ALPHABET, token_current, token_rotates_at, token_valid

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a step boundary for 15 minutes


def test_token_is_six_unambiguous_characters(exam_session):
    token = token_current(exam_session, T0)
    assert len(token) == 6 and set(token) <= set(ALPHABET)


def test_token_rotates_every_interval(exam_session):
    first = token_current(exam_session, T0)
    assert token_current(exam_session, T0 + timedelta(minutes=14, seconds=59)) == first
    assert token_current(exam_session, T0 + timedelta(minutes=15)) != first
    assert token_rotates_at(exam_session, T0 + timedelta(minutes=3)) == T0 + timedelta(minutes=15)


def test_previous_token_valid_only_during_grace(exam_session):
    old = token_current(exam_session, T0)
    assert token_valid(exam_session, old, T0 + timedelta(minutes=15, seconds=30))
    assert token_valid(exam_session, old, T0 + timedelta(minutes=19, seconds=59))
    assert not token_valid(exam_session, old, T0 + timedelta(minutes=20))


def test_token_typed_loosely_is_accepted_and_wrong_tokens_are_not(exam_session):
    token = token_current(exam_session, T0)
    assert token_valid(exam_session, f" {token[:3].lower()} {token[3:]} ", T0)
    assert not token_valid(exam_session, "", T0)
    assert not token_valid(exam_session, "AAAAAA" if token != "AAAAAA" else "BBBBBB", T0)
    # A token from two steps ago is never valid.
    assert not token_valid(exam_session, old_token(exam_session), T0)


def old_token(session):
    return token_current(session, T0 - timedelta(minutes=30))


def test_sessions_have_different_tokens(exam_session, garuda, cohort, preset):
    from lembaga.services.sessions import session_create

    other = session_create(
        institution=garuda,
        blueprint=preset,
        name="Sesi Siang",
        starts_at=exam_session.starts_at,
        ends_at=exam_session.ends_at,
        cohorts=[cohort],
    )
    assert token_current(other, T0) != token_current(exam_session, T0)
