"""`python manage.py demo`: migrate, load the content and demo accounts, say how to log in.

Lives in ujian, the top layer, because it touches every app. Safe to run again.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cpns.demo import DEMO_PASSWORD, demo_accounts_ensure
from ujian.services.presets import presets_load


class Command(BaseCommand):
    help = "Migrate, load content and demo accounts (idempotent)."

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("content_load", stdout=self.stdout)
        presets_load(Path(settings.BASE_DIR) / "fixtures" / "ujian" / "presets.yaml")
        accounts = demo_accounts_ensure()
        self.stdout.write(self.style.SUCCESS("Demo siap. Masuk dengan salah satu akun berikut:"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<14} {account.email:<26} sandi: {DEMO_PASSWORD}")
