"""`python manage.py demo`: migrate, load the content and demo accounts, say how to log in.

Lives in lembaga, the top layer, because it touches every app. Safe to run again.
The demo accounts share a published password, so with DEBUG off the command refuses unless
forced (`--force`); `--without-accounts` loads only migrations and content, safe anywhere.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cpns.demo import DEMO_PASSWORD, demo_accounts_ensure
from lembaga.demo import demo_session_ensure
from ujian.services.presets import presets_load


class Command(BaseCommand):
    help = "Migrate, load content and demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo accounts even with DEBUG off (their password is public).",
        )
        parser.add_argument(
            "--without-accounts",
            action="store_true",
            help="Only migrate and load content and presets; no demo accounts.",
        )

    def handle(self, *args, **options) -> None:
        with_accounts = not options["without_accounts"]
        if with_accounts and not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG mati: akun demo memakai kata sandi yang dipublikasikan dan tidak dibuat "
                "di server produksi. Jalankan dengan DEBUG=1 untuk pengembangan, tambahkan "
                "--force bila memang ingin, atau --without-accounts untuk konten saja."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("content_load", stdout=self.stdout)
        presets_load(Path(settings.BASE_DIR) / "fixtures" / "ujian" / "presets.yaml")
        if not with_accounts:
            return
        accounts = demo_accounts_ensure()
        session = demo_session_ensure()
        self.stdout.write(self.style.SUCCESS("Demo siap. Masuk dengan salah satu akun berikut:"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<14} {account.email:<26} sandi: {DEMO_PASSWORD}")
        if session is not None:
            self.stdout.write(
                f"Sesi lembaga “{session.name}”: konsol pengawas di {session.get_absolute_url()} "
                "(masuk sebagai lembaga@ atau pengawas@; token tampil di konsol), peserta@ "
                "memulai dari menu Lembaga dengan token itu."
            )
