"""The spreadsheet template (one row per question), read from and written to XLSX and CSV.

Columns are documented in docs/IMPORT.md. Row numbers in messages are the ones the user sees in
the spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from ...errors import SoalError
from ...models import ASPECTS_BY_SUBTEST, LETTERS, Subtest
from ..rules import OptionData, QuestionData
from . import MAX_ITEMS, ParseResult, check_item_count, short_name, split_codes

OPTION_FIELDS = ["pilihan", "skor", "alasan", "menjunjung", "melanggar"]
COLUMNS = [
    "kunci",
    "subtes",
    "aspek",
    "bagian",
    "soal",
    "pembahasan",
    *(f"{name}_{letter}" for letter in LETTERS for name in OPTION_FIELDS),
]
REQUIRED = ["subtes", "aspek", "soal", "pilihan_A", "skor_A", "pilihan_B", "skor_B"]
QUESTIONS_SHEET = "Soal"
HELP_SHEET = "Petunjuk"
# An XLSX is a zip; its size on disk says little about what it unpacks to.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

Cell = object
Rows = Iterable[tuple[int, list[Cell]]]


# --- reading ------------------------------------------------------------------------------------
def parse_xlsx(content: bytes) -> ParseResult:
    return _parse_rows(_xlsx_rows(content))


def parse_csv(content: bytes) -> ParseResult:
    return _parse_rows(_csv_rows(content))


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    import openpyxl  # imported here: only imports and exports need it

    not_xlsx = _(
        "Berkas bukan XLSX yang sah (mungkin .xls lama atau CSV yang diberi nama .xlsx). "
        "Simpan ulang sebagai “Excel Workbook (.xlsx)” atau pilih format CSV."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SoalError(not_xlsx) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SoalError(_("Isi berkas XLSX terlalu besar setelah dibuka."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, …) for a bad package
        raise SoalError(not_xlsx) from None
    try:
        names = workbook.sheetnames
        sheet = workbook[QUESTIONS_SHEET] if QUESTIONS_SHEET in names else workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except Exception as exc:  # a damaged sheet inside a valid package: as many kinds as above
        raise SoalError(_("Lembar kerja XLSX rusak dan tidak dapat dibaca.")) from exc
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if content.startswith(b"PK"):
            raise SoalError(_("Berkas ini tampaknya XLSX, bukan CSV. Pilih format XLSX.")) from None
        raise SoalError(
            _(
                "Berkas CSV harus berenkode UTF-8 (di Excel: Simpan Sebagai → “CSV UTF-8”). "
                "Ditemukan byte yang bukan UTF-8 pada posisi %(pos)d."
            )
            % {"pos": exc.start}
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel in an Indonesian locale writes ";"-separated CSV (the comma is the decimal mark).
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Each record is one row in a spreadsheet program, even when a cell spans lines.
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise SoalError(
            _("Berkas CSV tidak dapat dibaca: %(e)s (sekitar baris %(n)d).")
            % {"e": exc, "n": reader.line_num}
        ) from None


def _normalise_header(value: Cell) -> str:
    name = _text(value).lower().replace(" ", "_").replace("-", "_")
    for column in COLUMNS:
        if column.lower() == name:
            return column
    return _text(value)


def _header(values: list[Cell]) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown, doubled = [], []
    for index, value in enumerate(values):
        if _text(value) == "":
            continue  # spreadsheet programs keep empty trailing header cells
        name = _normalise_header(value)
        if name not in COLUMNS:
            unknown.append(name)
        elif name in positions:
            doubled.append(name)
        else:
            positions[name] = index
    problems = []
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        problems.append(_("kolom wajib tidak ada: %(c)s") % {"c": ", ".join(missing)})
    if unknown:
        problems.append(_("kolom tidak dikenal: %(c)s") % {"c": ", ".join(unknown)})
    if doubled:
        problems.append(_("kolom muncul dua kali: %(c)s") % {"c": ", ".join(doubled)})
    if problems:
        raise SoalError(
            _(
                "Judul kolom di baris 1 tidak sesuai templat (unduh templat kosong untuk "
                "melihat kolom yang benar):"
            ),
            problems,
        )
    return positions


def _parse_rows(rows: Rows) -> ParseResult:
    result = ParseResult(unit="row")
    rows = iter(rows)
    first = next(rows, None)
    if first is None or all(_text(v) == "" for v in first[1]):
        raise SoalError(_("Baris pertama berkas harus berisi judul kolom templat."))
    columns = _header(first[1])
    seen = 0
    for number, values in rows:
        row = {name: values[i] if i < len(values) else None for name, i in columns.items()}
        if all(_text(v) == "" for v in row.values()):
            continue
        seen += 1
        check_item_count(seen)
        data, problems = _row_to_data(row)
        if data.key or data.stem:
            result.names[number] = data.key or short_name(data.stem)
        if problems:
            result.problems.extend((number, p) for p in problems)
        else:
            result.items.append((number, data))
    return result


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _score(value: Cell, column: str) -> tuple[int, str | None]:
    text = _text(value)
    if text == "":
        return 0, _("%(c)s kosong") % {"c": column}
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return 0, _("%(c)s “%(v)s” bukan angka") % {"c": column, "v": text}
    if not number.is_integer():
        return 0, _("%(c)s “%(v)s” harus bilangan bulat") % {"c": column, "v": text}
    return int(number), None


def _row_to_data(row: dict[str, Cell]) -> tuple[QuestionData, list[str]]:
    problems: list[str] = []
    filled = [
        letter
        for letter in LETTERS
        if _text(row.get(f"pilihan_{letter}")) or _text(row.get(f"skor_{letter}"))
    ]
    # Options with empty text at the end are absent; a gap in the middle is reported by the rules.
    count = LETTERS.index(filled[-1]) + 1 if filled else 0
    options = []
    for letter in LETTERS[:count]:
        score, problem = _score(row.get(f"skor_{letter}"), f"skor_{letter}")
        if problem and (_text(row.get(f"pilihan_{letter}")) or _text(row.get(f"skor_{letter}"))):
            problems.append(problem)
        options.append(
            OptionData(
                text=_text(row.get(f"pilihan_{letter}")),
                score=score,
                rationale=_text(row.get(f"alasan_{letter}")),
                upholds=split_codes(_text(row.get(f"menjunjung_{letter}"))),
                violates=split_codes(_text(row.get(f"melanggar_{letter}"))),
            )
        )
    data = QuestionData(
        key=_text(row.get("kunci")) or None,
        subtest=_text(row.get("subtes")).upper(),
        aspect=_text(row.get("aspek")).lower(),
        section_ref=_text(row.get("bagian")) or None,
        stem=_text(row.get("soal")),
        explanation=_text(row.get("pembahasan")),
        options=options,
    )
    return data, problems


# --- writing ------------------------------------------------------------------------------------
def data_to_row(data: QuestionData) -> list[str | int]:
    row: list[str | int] = [
        data.key or "",
        data.subtest,
        data.aspect,
        data.section_ref or "",
        data.stem,
        data.explanation,
    ]
    for i in range(len(LETTERS)):
        if i < len(data.options):
            o = data.options[i]
            row += [o.text, o.score, o.rationale, ", ".join(o.upholds), ", ".join(o.violates)]
        else:
            row += [""] * len(OPTION_FIELDS)
    return row


def export_csv(items: Iterable[QuestionData]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for data in items:
        writer.writerow(data_to_row(data))
    # The BOM makes Excel open the file as UTF-8; the importer accepts it.
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(items: Iterable[QuestionData]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = QUESTIONS_SHEET
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, data in enumerate(items, start=2):
        for column, value in enumerate(data_to_row(data), start=1):
            if value == "":
                continue
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                # A stem starting with "=" is text, never a formula to run in Excel.
                cell.data_type = "s"
                cell.alignment = wrap
    for letter, width in {"A": 18, "B": 9, "C": 18, "D": 22, "E": 60, "F": 50}.items():
        sheet.column_dimensions[letter].width = width
    subtests = DataValidation(type="list", formula1=f'"{",".join(Subtest.values)}"')
    subtests.add(f"B2:B{MAX_ITEMS + 1}")
    sheet.add_data_validation(subtests)
    _write_help(workbook.create_sheet(HELP_SHEET))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_help(sheet) -> None:
    from openpyxl.styles import Font

    rows = [
        (_("Kolom"), _("Isi")),
        ("kunci", _("Opsional. Pengenal tetap (huruf kecil, angka, tanda -), unik.")),
        ("subtes", _("Wajib. Salah satu: %(v)s.") % {"v": ", ".join(Subtest.values)}),
        ("aspek", _("Wajib. Harus cocok dengan subtes (lihat daftar di bawah).")),
        ("bagian", _("Opsional. Bagian materi: <slug-modul>/<slug-bagian>.")),
        ("soal", _("Wajib. Teks soal (Markdown).")),
        ("pembahasan", _("Pembahasan. Boleh kosong untuk draf; wajib sebelum terbit.")),
        ("pilihan_A … pilihan_E", _("Teks pilihan. TKP: tepat 5. Lainnya: 2 sampai 5.")),
        ("skor_A … skor_E", _("TKP: 1–5, masing-masing sekali. Lainnya: satu 5, sisanya 0.")),
        ("alasan_A … alasan_E", _("Opsional. Mengapa pilihan ini mendapat skornya.")),
        ("menjunjung_A … _E", _("Opsional. Kode prinsip yang dijunjung, pisahkan dengan koma.")),
        ("melanggar_A … _E", _("Opsional. Kode prinsip yang dilanggar, pisahkan dengan koma.")),
        ("", ""),
        (_("Subtes"), _("Aspek yang sah")),
        *((subtest, ", ".join(sorted(ASPECTS_BY_SUBTEST[subtest]))) for subtest in Subtest.values),
        ("", ""),
        ("", _("Satu baris = satu soal. Baris 1 adalah judul kolom; jangan diubah.")),
        ("", _("Semua soal diimpor sebagai draf.")),
        ("", _("Bila ada satu baris salah, tidak ada soal yang disimpan.")),
    ]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def template_example(codes: list[str]) -> QuestionData:
    """The example row of the blank template: a valid TKP draft (credits only with known codes)."""
    up = codes[:1]
    down = codes[1:2]
    texts = [
        ("Melayani warga itu lebih dulu karena ia tergesa-gesa.", 2, [], down),
        (
            "Menjelaskan dengan sopan bahwa semua warga dilayani sesuai nomor antrean, lalu "
            "membantu warga itu memahami persyaratannya sambil menunggu.",
            5,
            up,
            [],
        ),
        ("Meminta warga itu menunggu tanpa penjelasan.", 1, [], down),
        ("Menyampaikan perkiraan waktu tunggu dan tetap melayani sesuai antrean.", 4, up, []),
        ("Menyerahkan urusan itu kepada satpam.", 3, [], []),
    ]
    return QuestionData(
        stem=(
            "Seorang warga yang tergesa-gesa meminta didahulukan di loket pelayanan, padahal "
            "banyak warga lain sudah mengantre. Apa yang Anda lakukan?"
        ),
        subtest=Subtest.TKP,
        aspect="pelayanan-publik",
        explanation=(
            "Pelayanan yang adil melayani semua warga menurut antrean, dengan penjelasan yang "
            "sopan dan bantuan yang tetap diberikan."
        ),
        options=[
            OptionData(
                text=text,
                score=score,
                rationale=_("Contoh alasan untuk skor %(s)d.") % {"s": score},
                upholds=list(upholds),
                violates=list(violates),
            )
            for text, score, upholds, violates in texts
        ],
    )


def template_bytes(fmt: str, codes: list[str]) -> bytes:
    example = [template_example(codes)]
    return export_xlsx(example) if fmt == "xlsx" else export_csv(example)
