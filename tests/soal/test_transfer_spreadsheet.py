from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from soal.errors import SoalError
from soal.models import Question, QuestionEvent, Status
from soal.services.transfer import MAX_ITEMS, spreadsheet
from soal.services.transfer.importing import questions_import
from tests.factories import PrincipleFactory, SectionFactory, create_question
from tests.soal.test_transfer_moodle import export_then_import, unnamed

pytestmark = pytest.mark.django_db

HEADER = spreadsheet.COLUMNS


def tkp_row(key: str = "", scores=(3, 5, 1, 4, 2), **cells) -> dict:
    row = {
        "kunci": key,
        "subtes": "TKP",
        "aspek": "pelayanan-publik",
        "soal": "Warga mengeluh antrean panjang. Apa yang Anda lakukan?",
        "pembahasan": "Yang terbaik mendengarkan dan menjelaskan.",
    }
    for letter, score in zip("ABCDE", scores, strict=True):
        row[f"pilihan_{letter}"] = f"Tindakan {letter}"
        row[f"skor_{letter}"] = score
        row[f"alasan_{letter}"] = f"Alasan {letter}"
    row.update(cells)
    return row


def twk_row(**cells) -> dict:
    row = {
        "subtes": "twk",  # people type lower case; it is accepted
        "aspek": "nasionalisme",
        "soal": "Sila ketiga Pancasila adalah ...",
        "pilihan_A": "Persatuan Indonesia",
        "skor_A": 5,
        "pilihan_B": "Keadilan sosial",
        "skor_B": 0,
        "pilihan_C": "Kerakyatan",
        "skor_C": 0,
    }
    row.update(cells)
    return row


def xlsx(rows: list[dict], header: list[str] = HEADER, labels: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(labels or header)
    for row in rows:
        sheet.append([row.get(column, None) for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(column, "") for column in HEADER])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def run(content: bytes, fmt: str, actor):
    return questions_import(content=content, filename=f"soal.{fmt}", fmt=fmt, actor=actor)


def refused(content: bytes, fmt: str, actor) -> SoalError:
    before = Question.objects.count()
    with pytest.raises(SoalError) as caught:
        run(content, fmt, actor)
    assert Question.objects.count() == before  # all or nothing
    return caught.value


def problems_of(content: bytes, fmt: str, actor) -> list[str]:
    return refused(content, fmt, actor).problems


# --- good files ---------------------------------------------------------------------------------
def test_xlsx_creates_drafts_with_scores_credits_and_section(tutor):
    PrincipleFactory(code="sq-empathy")
    PrincipleFactory(code="asas-tidak-diskriminatif")
    section = SectionFactory()
    ref = f"{section.module.slug}/{section.slug}"
    row = tkp_row(
        key="pp-antre-001",
        bagian=ref,
        menjunjung_B="sq-empathy, asas-tidak-diskriminatif",
        melanggar_C="asas-tidak-diskriminatif",
    )
    report = run(xlsx([row, twk_row()]), "xlsx", tutor)
    assert report.created == 2 and report.by_subtest == {"TKP": 1, "TWK": 1}
    tkp = Question.objects.get(key="pp-antre-001")
    assert (tkp.status, tkp.author, tkp.section, tkp.scoring) == (
        Status.DRAFT,
        tutor,
        section,
        "scaled",
    )
    assert [o.score for o in tkp.options.all()] == [3, 5, 1, 4, 2]
    best = tkp.options.get(score=5)
    assert best.rationale == "Alasan B"
    assert sorted(c.principle.code for c in best.credits.filter(effect="upholds")) == [
        "asas-tidak-diskriminatif",
        "sq-empathy",
    ]
    assert tkp.options.get(score=1).credits.get().effect == "violates"
    assert tkp.events.get().action == QuestionEvent.Action.IMPORTED
    twk = Question.objects.get(subtest="TWK")
    assert [(o.text, o.score) for o in twk.options.all()] == [
        ("Persatuan Indonesia", 5),
        ("Keadilan sosial", 0),
        ("Kerakyatan", 0),
    ]


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (",", True), (";", True)])
def test_csv_in_utf8_with_or_without_bom_and_semicolons(tutor, delimiter, bom):
    content = csv_bytes([tkp_row(soal="Pelayanan “prima” — é"), twk_row()], delimiter, bom)
    assert run(content, "csv", tutor).created == 2
    assert Question.objects.filter(stem="Pelayanan “prima” — é").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_blank_template_example_row_imports_cleanly(tutor, fmt):
    PrincipleFactory(code="asas-kesamaan-hak")
    PrincipleFactory(code="asas-tidak-diskriminatif")
    content = spreadsheet.template_bytes(fmt, ["asas-kesamaan-hak", "asas-tidak-diskriminatif"])
    report = run(content, fmt, tutor)
    assert report.created == 1
    question = Question.objects.get()
    assert question.options.get(score=5).credits.get().principle.code == "asas-kesamaan-hak"


def test_xlsx_template_has_instructions_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.template_bytes("xlsx", [])))
    assert workbook.sheetnames == ["Soal", "Petunjuk"]
    help_text = " ".join(str(c.value) for row in workbook["Petunjuk"].iter_rows() for c in row)
    assert "pelayanan-publik" in help_text and "nasionalisme" in help_text and "TKP" in help_text


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_spreadsheet_round_trip_gives_the_same_questions(tutor, fmt):
    before, after = export_then_import(fmt, tutor)
    assert after == before


def test_xlsx_export_keeps_text_starting_with_equals_as_text(tutor):
    data = spreadsheet.template_example([])
    data.stem = "=SUM(A1:A9) bukan rumus"
    content = spreadsheet.export_xlsx([data])
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Soal"]
    assert sheet["E2"].value == data.stem and sheet["E2"].data_type == "s"
    run(content, "xlsx", tutor)
    assert Question.objects.get().stem == data.stem


# --- bad rows: every one reported with its row number, nothing stored ---------------------------
@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"skor_A": 0}, "Baris 3: skor pilihan TKP harus 1, 2, 3, 4, 5 masing-masing sekali"),
        ({"skor_A": 6}, "Baris 3: skor pilihan TKP harus 1, 2, 3, 4, 5"),
        ({"skor_A": 5}, "Baris 3: skor pilihan TKP harus 1, 2, 3, 4, 5 masing-masing sekali"),
        ({"skor_A": "lima"}, "Baris 3: skor_A “lima” bukan angka"),
        ({"skor_A": 2.5}, "Baris 3: skor_A “2.5” harus bilangan bulat"),
        ({"skor_A": None}, "Baris 3: skor_A kosong"),
        ({"aspek": "nasionalisme"}, "Baris 3: aspek “nasionalisme” bukan aspek subtes TKP"),
        ({"subtes": "SKB"}, "Baris 3: subtes “SKB” tidak dikenal"),
        ({"soal": ""}, "Baris 3: teks soal kosong"),
        ({"pilihan_E": None, "skor_E": None}, "Baris 3: soal TKP harus punya tepat 5 pilihan"),
        ({"pilihan_C": None}, "Baris 3: teks pilihan C kosong"),
        (
            {"menjunjung_A": "tidak-ada"},
            "Baris 3: pilihan A: kode prinsip “tidak-ada” tidak dikenal",
        ),
        ({"kunci": "kunci dengan spasi"}, "Baris 3: kunci “kunci dengan spasi” hanya boleh"),
        ({"bagian": "modul/tidak-ada"}, "Baris 3: bagian materi “modul/tidak-ada” tidak ditemukan"),
    ],
)
def test_one_bad_row_among_good_rows_imports_nothing(tutor, cells, message):
    rows = [tkp_row(), tkp_row(**cells), twk_row()]
    problems = problems_of(xlsx(rows), "xlsx", tutor)
    assert any(unnamed(p).startswith(message) for p in problems), problems


def test_every_bad_row_is_reported_with_the_row_number_the_user_sees(tutor):
    rows = [tkp_row(), tkp_row(skor_A=6), {}, twk_row(skor_B=5)]  # row 4 is blank and skipped
    problems = problems_of(csv_bytes(rows), "csv", tutor)
    assert len(problems) == 2
    assert unnamed(problems[0]).startswith("Baris 3: skor pilihan TKP harus")
    assert unnamed(problems[1]).startswith("Baris 5: soal satu-jawaban harus punya tepat satu")


def test_csv_row_numbers_count_records_not_lines(tutor):
    rows = [tkp_row(soal="Baris\nbanyak\ndi satu sel"), twk_row(skor_A=0)]
    problems = problems_of(csv_bytes(rows), "csv", tutor)
    assert problems[0].startswith("Baris 3 “Sila ketiga Pancasila adalah ...”:"), problems


def test_duplicate_keys_in_the_file_or_in_the_bank_are_errors(tutor):
    create_question(status=Status.DRAFT, key="sudah-ada")
    rows = [tkp_row(key="kembar"), tkp_row(key="kembar"), tkp_row(key="sudah-ada")]
    problems = problems_of(xlsx(rows), "xlsx", tutor)
    assert problems == [
        "Baris 2 “kembar”: kunci “kembar” dipakai lebih dari sekali di berkas",
        "Baris 3 “kembar”: kunci “kembar” dipakai lebih dari sekali di berkas",
        "Baris 4 “sudah-ada”: kunci “sudah-ada” sudah dipakai soal lain di bank",
    ]


# --- bad files: a clear message, never a stack trace, nothing stored ----------------------------
def test_missing_unknown_and_doubled_columns_are_named(tutor):
    header = [c for c in HEADER if c not in ("aspek", "skor_B")] + ["skor_F", "soal"]
    error = refused(xlsx([tkp_row()], header=header), "xlsx", tutor)
    assert error.message.startswith("Judul kolom di baris 1 tidak sesuai templat")
    assert error.problems == [
        "kolom wajib tidak ada: aspek, skor_B",
        "kolom tidak dikenal: skor_F",
        "kolom muncul dua kali: soal",
    ]


def test_headers_are_matched_loosely():
    labels = [f" {c.upper().replace('_', ' ')} " for c in HEADER]
    result = spreadsheet.parse_xlsx(xlsx([tkp_row()], labels=labels))
    assert len(result.items) == 1 and not result.problems


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"bukan zip", "xlsx", "Berkas bukan XLSX yang sah"),
        (b"PK\x03\x04rusak", "xlsx", "Berkas bukan XLSX yang sah"),
        ("kunci,subtes\nx,TKP é".encode("latin-1"), "csv", "harus berenkode UTF-8"),
        (b"", "csv", "Berkas kosong"),
        (b"  \n ", "csv", "Berkas kosong"),
        (b",,,\n", "csv", "Baris pertama berkas harus berisi judul kolom"),
        (",".join(HEADER).encode() + b"\n", "csv", "Berkas tidak berisi soal"),
        (b"nama,umur\nAni,30\n", "csv", "kolom wajib tidak ada: subtes, aspek, soal"),
    ],
)
def test_bad_files_get_a_clear_message(tutor, content, fmt, message):
    assert message in str(refused(content, fmt, tutor))


def test_xlsx_uploaded_as_csv_gets_a_hint(tutor):
    error = refused(xlsx([tkp_row()]), "csv", tutor)
    assert str(error) == "Berkas ini tampaknya XLSX, bukan CSV. Pilih format XLSX."


def test_file_over_the_size_limit_is_refused(tutor, settings):
    settings.CPNS_IMPORT_MAX_BYTES = 1000
    error = refused(csv_bytes([tkp_row()] * 20), "csv", tutor)
    assert str(error).startswith("Berkas terlalu besar")


def test_too_many_rows_is_refused(tutor):
    content = csv_bytes([twk_row()] * (MAX_ITEMS + 1))
    error = refused(content, "csv", tutor)
    assert (
        str(error) == f"Berkas berisi lebih dari {MAX_ITEMS} soal. Pecah menjadi beberapa berkas."
    )
