"""`python manage.py item_stats FILE.csv [--max-mark M]`: Moodle's quiz statistics for a results
file in the format of Moodle's test fixtures, printed as JSON (null where undefined)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from soal.analysis.moodle import quiz_statistics
from soal.analysis.results_file import results_parse
from soal.errors import SoalError

QUIZ_FIGURES = (
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "cic",
    "error_ratio",
    "standard_error",
)
SLOT_FIGURES = (
    "facility",
    "sd",
    "discrimination_index",
    "discriminative_efficiency",
    "effective_weight",
)


class Command(BaseCommand):
    help = "Item analysis (Moodle's quiz statistics) of a results CSV, printed as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV: quizattempt, slots.N.mark …, summarks")
        parser.add_argument(
            "--max-mark", type=float, default=1.0, help="maximum mark of each question (1)"
        )

    def handle(self, *args, **options) -> None:
        max_mark = options["max_mark"]
        if not max_mark > 0 or max_mark == float("inf"):
            raise CommandError(_("--max-mark harus angka positif."))
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as error:
            raise CommandError(_("Berkas tidak ditemukan: %(path)s") % {"path": path}) from error
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Berkas tidak dapat dibaca sebagai teks UTF-8: %(path)s") % {"path": path}
            ) from error
        try:
            table = results_parse(text=text, max_mark=max_mark)
        except SoalError as error:
            raise CommandError(str(error)) from error

        stats = quiz_statistics(table.marks, max_mark)
        report = {
            "quiz": {name: getattr(stats.quiz, name) for name in QUIZ_FIGURES},
            "slots": {
                str(slot): {name: getattr(item, name) for name in SLOT_FIGURES}
                for slot, item in zip(table.slots, stats.items, strict=True)
            },
        }
        self.stdout.write(json.dumps(report, indent=2, allow_nan=False))
