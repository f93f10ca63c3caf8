"""Deployment defaults (issue 9, item 2): no demo accounts or default key unless asked for.

Docker cannot run here, so the compose file is read the way compose reads it: variables are
interpolated from a given host environment, and the web service's command is run by `sh` with
stand-ins for `python` and `gunicorn` that only record how they were called.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from cpns.models import User
from materi.models import Module

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariable(Exception):
    pass


def interpolate(value: str, host: dict[str, str]) -> str:
    """Compose's interpolation: ${X}, ${X:-default}, ${X:?error}; `$$` is a literal `$`."""
    parts = value.split("$$")

    def one(match: re.Match) -> str:
        name = match["name"] or match["bare"]
        current = host.get(name)
        op = match["op"]
        if op == ":-":
            return current if current else match["arg"]
        if op == "-":
            return current if current is not None else match["arg"]
        if op in {":?", "?"} and (current is None or (op == ":?" and current == "")):
            raise MissingVariable(f"{name}: {match['arg']}")
        return current or ""

    return "$".join(VARIABLE.sub(one, part) for part in parts)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service_environment(service: str, host: dict[str, str]) -> dict[str, str]:
    env = compose()["services"][service].get("environment", {})
    return {key: interpolate(str(value), host) for key, value in env.items()}


def run_web_command(tmp_path: Path, host: dict[str, str]) -> list[str]:
    """Runs the web service's command with recording stand-ins; returns what they were asked."""
    web = compose()["services"]["web"]
    command = web["command"]
    argv = command if isinstance(command, list) else ["sh", "-c", command]
    argv = [interpolate(arg, host) for arg in argv]
    log = tmp_path / "calls.log"
    for tool in ("python", "gunicorn", "celery"):
        stub = tmp_path / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n')
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{tmp_path}:/usr/bin:/bin",
        **service_environment("web", host),
    }
    subprocess.run(argv, env=env, check=True, timeout=30)
    return log.read_text().splitlines()


HOST = {"SECRET_KEY": "a-real-secret-from-the-operator-0123456789"}


def test_compose_refuses_to_start_without_a_secret_key():
    for service in ("web", "worker", "beat"):
        with pytest.raises(MissingVariable):
            service_environment(service, {})
        with pytest.raises(MissingVariable):
            service_environment(service, {"SECRET_KEY": ""})
        assert service_environment(service, HOST)["SECRET_KEY"] == HOST["SECRET_KEY"]


def test_compose_file_has_no_default_secret_key():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("web", "worker", "beat"):
        raw = str(compose()["services"][service]["environment"]["SECRET_KEY"])
        assert ":-" not in raw and raw.startswith("${SECRET_KEY:?"), raw
    assert "change-me" not in text


def test_compose_loads_no_demo_accounts_unless_asked(tmp_path):
    calls = run_web_command(tmp_path, HOST)
    assert calls[0] == "python manage.py demo --without-accounts", calls
    assert calls[-1].startswith("gunicorn"), calls


def test_compose_loads_the_demo_with_demo_1(tmp_path):
    calls = run_web_command(tmp_path, {**HOST, "DEMO": "1"})
    assert any("manage.py demo --force" in call for call in calls), calls
    assert calls[-1].startswith("gunicorn"), calls


@pytest.mark.parametrize("value", ["0", "", "yes please", "true1"])
def test_compose_other_demo_values_load_nothing(tmp_path, value):
    calls = run_web_command(tmp_path, {**HOST, "DEMO": value})
    assert calls[0] == "python manage.py demo --without-accounts", calls


def test_dockerfile_collects_static_files_at_build_time():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    runs = [line for line in lines if line.startswith("RUN ")]
    assert any("manage.py collectstatic --noinput" in line for line in runs), runs
    # After the whole source is copied in, or the manifest misses files.
    copy_all = next(i for i, line in enumerate(lines) if line.strip() == "COPY . .")
    collect = next(i for i, line in enumerate(lines) if "collectstatic" in line)
    assert collect > copy_all
    dockerignore = ROOT / ".dockerignore"
    if dockerignore.exists():
        assert "static" not in [p.strip().strip("/") for p in dockerignore.read_text().split()]


def test_readme_production_section_names_collectstatic():
    readme = (ROOT / "README.md").read_text()
    assert "DEMO=1" in readme
    assert "manage.py collectstatic --noinput" in readme


def test_demo_command_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not User.objects.filter(email__endswith="@demo.cpns.id").exists()


def test_demo_command_without_accounts_loads_content_only(db, settings):
    settings.DEBUG = False
    call_command("demo", "--without-accounts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not User.objects.filter(email__endswith="@demo.cpns.id").exists()
    assert Module.objects.exists()


def test_demo_command_runs_with_force_or_debug(db, settings):
    settings.DEBUG = False
    call_command("demo", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert User.objects.filter(email="admin@demo.cpns.id", is_superuser=True).exists()
    settings.DEBUG = True
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
