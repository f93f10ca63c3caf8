"""`python manage.py content_load`: load modules, principles and questions from fixtures/."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from materi.services import content_load
from soal.services.loading import questions_load


class Command(BaseCommand):
    help = "Load study modules, principles and the question bank from fixtures/ (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "fixtures"))

    def handle(self, *args, **options) -> None:
        root = Path(options["dir"])
        materi = content_load(root / "materi")
        soal = questions_load(root / "soal")
        self.stdout.write(
            f"Materi: {materi['modules']} modul, {materi['sections']} bagian, "
            f"{materi['principles']} prinsip. Soal: {soal['created']} baru, "
            f"{soal['updated']} diperbarui."
        )
