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
class ImportPlan:
    """What a file would import, checked but not saved: the preview the tutor confirms."""

    filename: str
    fmt: str
    items: list[tuple[int, QuestionData]]
    labels: dict[int, str]
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def by_subtest(self) -> dict[str, int]:
        return dict(Counter(str(data.subtest) for _n, data in self.items))


@dataclass
class ImportReport:
    filename: str
    fmt: str
    created: int = 0
    by_subtest: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def questions_import_check(
    *, content: bytes, filename: str, fmt: str, skip_unsupported: bool = False
) -> ImportPlan:
    """Read and check the whole file without saving anything.

    Raises SoalError listing every bad row/item ("Baris 7 “…”: …", "Soal ke-3 “…”: …"). Questions
    of a type we do not store are errors too, unless `skip_unsupported`: then they are listed in
    `ImportPlan.skipped` and the rest must still be free of errors.
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
    numbers = {n for n, _d in result.items} | {n for n, _p in result.problems}
    total = len(numbers | {n for n, _p in result.unsupported})
    check_item_count(total)
    if total == 0:
        raise SoalError(_("Berkas tidak berisi soal."))

    def labelled(pairs: list[tuple[int, str]]) -> list[str]:
        return [f"{result.label(n)}: {message}" for n, message in sorted(pairs, key=_first)]

    problems = result.problems + _validation_problems(result.items)
    if not skip_unsupported:
        problems += result.unsupported
    if problems:
        message = _(
            "Berkas tidak diimpor; tidak ada soal yang disimpan. Perbaiki lalu unggah ulang:"
        )
        if result.unsupported and not skip_unsupported:
            message = _(
                "Berkas tidak diimpor; tidak ada soal yang disimpan. Ada soal berjenis yang "
                "tidak didukung: centang “Impor yang didukung, lewati sisanya” untuk "
                "melewatinya, atau perbaiki lalu unggah ulang:"
            )
        raise SoalError(message, labelled(problems))
    if not result.items:
        raise SoalError(
            _("Berkas tidak berisi soal yang didukung; tidak ada soal yang disimpan:"),
            labelled(result.unsupported),
        )
    return ImportPlan(
        filename=filename,
        fmt=fmt,
        items=result.items,
        labels={n: result.label(n) for n, _d in result.items},
        skipped=labelled(result.unsupported),
        warnings=labelled(result.warnings),
    )


def questions_import(
    *, content: bytes, filename: str, fmt: str, actor: User, skip_unsupported: bool = False
) -> ImportReport:
    """Create every (supported) question in the file as a draft by `actor`, or nothing at all."""
    plan = questions_import_check(
        content=content, filename=filename, fmt=fmt, skip_unsupported=skip_unsupported
    )
    report = _create_all(plan.items, filename=filename, fmt=fmt, actor=actor)
    report.skipped, report.warnings = plan.skipped, plan.warnings
    return report


def _first(pair: tuple[int, str]) -> int:
    return pair[0]


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
