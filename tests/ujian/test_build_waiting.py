"""A build that waits on a stopped Celery worker: the page explains itself and keeps polling."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ujian.models import Attempt, AttemptStatus
from ujian.services.building import attempt_create

SLOW = "Penyiapan soal lebih lama dari biasanya"


def _building(tryout, candidate, age_seconds: int) -> Attempt:
    # Without running the on-commit build: exactly what a stopped worker leaves behind.
    attempt = attempt_create(tryout=tryout, user=candidate)
    Attempt.objects.filter(pk=attempt.pk).update(
        created_at=timezone.now() - timedelta(seconds=age_seconds)
    )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.BUILDING
    return attempt


def test_a_fresh_build_shows_only_the_progress(client, tryout, candidate):
    attempt = _building(tryout, candidate, age_seconds=2)
    client.force_login(candidate)
    body = client.get(reverse("ujian:build_status", args=[attempt.uuid])).content.decode()
    assert "Soal sedang disiapkan" in body
    assert SLOW not in body


def test_a_stalled_build_explains_itself_and_keeps_polling(client, tryout, candidate):
    attempt = _building(tryout, candidate, age_seconds=30)
    client.force_login(candidate)
    for url in (
        reverse("ujian:build_status", args=[attempt.uuid]),
        reverse("ujian:attempt", args=[attempt.uuid]),
    ):
        body = client.get(url).content.decode()
        assert SLOW in body, url
        assert reverse("ujian:build_status", args=[attempt.uuid]) in body  # still polling
        assert 'hx-trigger="every' in body
