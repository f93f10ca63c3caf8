"""Import a file of questions: all or nothing, each problem reported with its row/item number."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from cpns.models import User
from materi.models import Section

from ...errors import SoalError
from ...models import Question, QuestionEvent, Status
from ..questions import known_principle_codes, question_create
from ..rules import QuestionData, structural_problems
from . import ParseResult, aiken, check_item_count, gift, moodle_xml, spreadsheet

PARSERS: dict[str, Callable[[bytes], ParseResult]] = {
    "xlsx": spreadsheet.parse_xlsx,
    "csv": spreadsheet.parse_csv,
    "moodle": moodle_xml.parse,
    "gift": gift.parse,
    "aiken": aiken.parse,
}
FORMAT_CHOICES = [
    ("xlsx", _l("Spreadsheet Excel (.xlsx)")),
    ("csv", _l("CSV UTF-8 (.csv)")),
    ("moodle", _l("Moodle XML (.xml)")),
    ("gift", _l("GIFT (.txt/.gift)")),
    ("aiken", _l("Aiken (.txt), satu jawaban benar")),
]
_KEY = re.compile(r"^[-a-zA-Z0-9_]+$")
KEY_MAX_LENGTH = Question._meta.get_field("key").max_length


@dataclass
class ImportReport:
    filename: str
    fmt: str
    created: int = 0
    by_subtest: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)


def questions_import(*, content: bytes, filename: str, fmt: str, actor: User) -> ImportReport:
    """Create every question in the file as a draft by `actor`, or nothing at all.

    Raises SoalError listing every bad row/item ("Baris 7: …", "Soal ke-3: …").
    """
    limit = settings.CPNS_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise SoalError(
            _("Berkas terlalu besar: batasnya %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    parser = PARSERS.get(fmt)
    if parser is None:
        raise SoalError(_("Format impor “%(f)s” tidak dikenal.") % {"f": fmt})
    if not content.strip():
        raise SoalError(_("Berkas kosong."))
    result = parser(content)
    total = len(result.items) + len({number for number, _p in result.problems})
    check_item_count(total)
    if total == 0:
        raise SoalError(_("Berkas tidak berisi soal."))
    problems = result.problems + _validation_problems(result.items)
    if problems:
        problems.sort(key=lambda pair: pair[0])
        raise SoalError(
            _("Berkas tidak diimpor; tidak ada soal yang disimpan. Perbaiki lalu unggah ulang:"),
            [f"{result.label(number)}: {message}" for number, message in problems],
        )
    return _create_all(result.items, filename=filename, fmt=fmt, actor=actor)


def _validation_problems(items: list[tuple[int, QuestionData]]) -> list[tuple[int, str]]:
    known = known_principle_codes()
    keys = Counter(data.key for _n, data in items if data.key)
    taken = set(Question.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    sections = _existing_sections(data.section_ref for _n, data in items)
    problems: list[tuple[int, str]] = []
    for number, data in items:
        # Drafts may lack credits and an explanation, but are never structurally broken.
        found = structural_problems(data, known_principles=known)
        if data.key:
            if not _KEY.match(data.key) or len(data.key) > KEY_MAX_LENGTH:
                found.append(
                    _(
                        "kunci “%(k)s” hanya boleh berisi huruf, angka, - dan _ "
                        "(paling panjang %(m)d karakter)"
                    )
                    % {"k": data.key, "m": KEY_MAX_LENGTH}
                )
            elif keys[data.key] > 1:
                found.append(
                    _("kunci “%(k)s” dipakai lebih dari sekali di berkas") % {"k": data.key}
                )
            elif data.key in taken:
                found.append(_("kunci “%(k)s” sudah dipakai soal lain di bank") % {"k": data.key})
        if data.section_ref and data.section_ref not in sections:
            found.append(
                _("bagian materi “%(b)s” tidak ditemukan (tulis <slug-modul>/<slug-bagian>)")
                % {"b": data.section_ref}
            )
        problems.extend((number, problem) for problem in found)
    return problems


def _existing_sections(refs: Iterable[str | None]) -> set[str]:
    wanted = {ref for ref in refs if ref}
    if not wanted:
        return set()
    modules = {ref.partition("/")[0] for ref in wanted}
    rows = Section.objects.filter(module__slug__in=modules).values_list("module__slug", "slug")
    return {f"{module}/{slug}" for module, slug in rows} & wanted


def _create_all(
    items: list[tuple[int, QuestionData]], *, filename: str, fmt: str, actor: User
) -> ImportReport:
    report = ImportReport(filename=filename, fmt=fmt)
    try:
        with transaction.atomic():
            for _number, data in items:
                question = question_create(
                    data=data,
                    status=Status.DRAFT,
                    author=actor,
                    action=QuestionEvent.Action.IMPORTED,
                )
                report.question_ids.append(question.pk)
    except IntegrityError:
        # Another import took one of the keys between our check and our insert.
        raise SoalError(
            _("Sebagian kunci baru saja dipakai oleh impor lain. Tidak ada soal yang disimpan.")
        ) from None
    report.created = len(items)
    report.by_subtest = dict(Counter(str(data.subtest) for _n, data in items))
    return report
