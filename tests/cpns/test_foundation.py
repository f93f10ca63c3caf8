from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from cpns.models import User

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CPNS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_fails_with_a_clear_message():
    result = run_manage("check", env={"DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_malformed_boolean_setting_names_the_variable():
    result = run_manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_home_page_speaks_indonesian_and_sends_csrf_on_htmx(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Materi" in html and "Latihan" in html and "Tryout" in html
    assert "X-CSRFToken" in html
    assert "htmx" in html  # the copy django-htmx ships


def test_lembaga_menu_only_for_institution_members(client, candidate, institution_admin):
    client.force_login(candidate)
    assert reverse("lembaga:index") not in client.get("/").content.decode()
    assert client.get(reverse("lembaga:index")).status_code == 404
    client.force_login(institution_admin)
    assert reverse("lembaga:index") in client.get("/").content.decode()
    assert client.get(reverse("lembaga:index")).status_code == 200


def test_signup_logs_in_and_rejects_duplicate_email(client, db):
    data = {
        "full_name": "Siti Aminah",
        "email": "Siti@Example.com",
        "password1": "kuat-sekali-987",
        "password2": "kuat-sekali-987",
    }
    response = client.post(reverse("signup"), data)
    assert response.status_code == 302
    assert User.objects.get().email == "siti@example.com"
    client.logout()
    again = client.post(reverse("signup"), data)
    assert again.status_code == 200
    assert "sudah terdaftar" in again.content.decode()
    assert User.objects.count() == 1


def test_login_with_email_and_logout(client, candidate):
    response = client.post(
        reverse("login"), {"username": candidate.email, "password": "rahasia-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated
    client.post(reverse("logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_password_reset_sends_indonesian_mail(client, candidate, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": candidate.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "Atur ulang kata sandi" in mailoutbox[0].subject


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_account_pages_are_in_indonesian(client, db, name):
    html = client.get(reverse(name)).content.decode()
    assert "Kata sandi" in html or "kata sandi" in html or "e-mail" in html.lower()


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["database"] == "ok"


def test_healthz_503_when_broker_unreachable(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error" and body["database"] == "ok" and body["broker"] != "ok"


def test_healthz_ok_with_real_broker(client, db, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["broker"] == "ok"


def test_healthz_503_when_database_unreachable(client, settings):
    # A separate process with a database URL nobody listens on: the page must say so, not crash.
    code = (
        "import django,json;django.setup();"
        "from django.test import Client;r=Client().get('/healthz');"
        "print(r.status_code, json.loads(r.content)['database'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CPNS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "cpns.settings",
            "DEBUG": "1",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "REDIS_URL": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split()[0] == "503", result.stderr
