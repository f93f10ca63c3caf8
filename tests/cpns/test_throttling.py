"""Log-in, sign-up and password reset are throttled (issue 9, item 6)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from cpns.models import User
from tests.factories import UserFactory

LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def _login(client, email: str, password: str, ip: str = "198.51.100.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return client.get(reverse("home")).context["user"].is_authenticated


def test_five_wrong_passwords_lock_the_account_with_an_indonesian_message(client, candidate):
    for _ in range(4):
        assert _login(client, candidate.email, "salah-sandi").status_code == 200
    assert _login(client, candidate.email.upper(), "salah-sandi").status_code == 429
    response = _login(client, candidate.email, "rahasia-123")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "15 menit" in html
    assert '<html lang="id">' in html
    assert not _logged_in(client)


def test_the_lock_lifts_after_the_cool_down(client, candidate):
    for _ in range(5):
        _login(client, candidate.email, "salah-sandi")
    assert _login(client, candidate.email, "rahasia-123").status_code == 429
    later = timezone.now() + dt.timedelta(minutes=16)
    with mock.patch("axes.handlers.proxy.now", return_value=later):
        response = _login(client, candidate.email, "rahasia-123")
    assert response.status_code == 302
    assert _logged_in(client)


def test_four_failures_then_the_right_password_logs_in(client, candidate):
    for _ in range(4):
        _login(client, candidate.email, "salah-sandi")
    assert _login(client, candidate.email, "rahasia-123").status_code == 302
    assert _logged_in(client)


def test_failures_from_many_addresses_lock_the_account(client, candidate):
    for n in range(5):
        _login(client, candidate.email, "salah-sandi", ip=f"203.0.113.{n + 1}")
    response = _login(client, candidate.email, "rahasia-123", ip="203.0.113.99")
    assert response.status_code == 429
    assert not _logged_in(client)


def test_failures_on_many_accounts_lock_the_address(client, candidate):
    for n in range(5):
        _login(client, f"tebak{n}@example.com", "salah-sandi", ip="192.0.2.50")
    assert _login(client, candidate.email, "rahasia-123", ip="192.0.2.50").status_code == 429
    assert not _logged_in(client)
    # Another address is not affected.
    assert _login(client, candidate.email, "rahasia-123", ip="192.0.2.51").status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(client, candidate, settings):
    settings.CPNS_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": f"tebak{n}@example.com", "password": "salah"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.60",
        )
    other = client.post(
        reverse("login"),
        {"username": candidate.email, "password": "rahasia-123"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.61",
    )
    assert other.status_code == 302  # the proxy's own address is not what got locked


def _signup(client, n: int, ip: str = "198.51.100.20"):
    return client.post(
        reverse("signup"),
        {
            "full_name": "Budi",
            "email": f"budi{n}@example.com",
            "password1": "kuat-sekali-987",
            "password2": "kuat-sekali-987",
        },
        REMOTE_ADDR=ip,
    )


def test_sign_up_is_throttled_per_address(client, db, settings):
    settings.CPNS_SIGNUP_LIMIT = 3
    for n in range(3):
        assert _signup(client, n).status_code == 302
        client.logout()
    response = _signup(client, 99)
    assert response.status_code == 429
    assert "Terlalu banyak pendaftaran" in response.content.decode()
    assert not User.objects.filter(email="budi99@example.com").exists()
    assert _signup(client, 100, ip="198.51.100.21").status_code == 302


def test_password_reset_is_throttled_per_address(client, db, settings, mailoutbox):
    settings.CPNS_PASSWORD_RESET_LIMIT = 2
    user = UserFactory(email="lupa@example.com")
    for _ in range(2):
        response = client.post(
            reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.30"
        )
        assert response.status_code == 302
    response = client.post(
        reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.30"
    )
    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in response.content.decode()
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("path", ["/admin/login/"])
def test_admin_log_in_counts_too(client, candidate, path):
    for _ in range(5):
        client.post(path, {"username": candidate.email, "password": "salah"}, REMOTE_ADDR="1.2.3.4")
    response = _login(client, candidate.email, "rahasia-123", ip="1.2.3.4")
    assert response.status_code == 429
