"""Banks as they come out of real Moodle courses: format markers, HTML with scripts and Markdown
characters, media, mixed question types, sloppy Aiken files. Every message names its question."""

from __future__ import annotations

from pathlib import Path

import pytest

from materi.markdown import render_markdown
from soal.errors import SoalError
from soal.models import Question
from soal.services.transfer import html_to_text
from soal.services.transfer.importing import questions_import

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MIXED_GIFT = (FIXTURES / "mixed_bank.gift.txt").read_bytes()


def import_text(text: str, fmt: str, actor, **kwargs):
    return questions_import(
        content=text.encode(), filename=f"bank.{fmt}", fmt=fmt, actor=actor, **kwargs
    )


def problems_of(text: str, fmt: str, actor, **kwargs) -> list[str]:
    with pytest.raises(SoalError) as caught:
        import_text(text, fmt, actor, **kwargs)
    assert Question.objects.count() == 0
    return caught.value.problems


def moodle(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>' + "".join(questions) + "</quiz>"


def xml_question(kind: str, name: str, stem: str, answers: str = "", extra: str = "") -> str:
    return (
        f'<question type="{kind}"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text><![CDATA[{stem}]]></text>{extra}</questiontext>'
        f"{answers}</question>"
    )


def xml_answer(fraction: int, text: str, feedback: str = "", fmt: str = "html") -> str:
    return (
        f'<answer fraction="{fraction}" format="{fmt}"><text><![CDATA[{text}]]></text>'
        f'<feedback format="html"><text><![CDATA[{feedback}]]></text></feedback></answer>'
    )


# --- 1. GIFT format markers ---------------------------------------------------------------------
def test_gift_format_markers_on_answers_and_feedback_are_honoured(tutor):
    text = """::Warna::Warna di antara jingga dan hijau? {
    =kuning # benar
    ~red # [html]<p>salah, yang benar <b>kuning</b></p>
    ~[plain]biru # salah
    ~[markdown]ungu#[moodle]salah juga
    ~[html]<span>hijau</span>#[plain]bukan
    ####[html]<p>Urutannya <i>me-ji-ku-hi-bi-ni-u</i>.</p>
}
"""
    import_text(text, "gift", tutor)
    question = Question.objects.get()
    assert [(o.text, o.rationale) for o in question.options.all()] == [
        ("kuning", "benar"),
        ("red", "salah, yang benar kuning"),
        ("biru", "salah"),
        ("ungu", "salah juga"),
        ("hijau", "bukan"),
    ]
    assert question.explanation == "Urutannya me-ji-ku-hi-bi-ni-u."


def test_gift_plain_stem_is_stored_so_that_it_renders_literally(tutor):
    import_text("::Judul::[plain]# Bukan judul *bukan tebal* {=ya ~tidak}\n", "gift", tutor)
    html = render_markdown(Question.objects.get().stem)
    assert "<h1>" not in html and "<em>" not in html
    assert "# Bukan judul *bukan tebal*" in html


# --- 3. HTML → text -----------------------------------------------------------------------------
def test_html_drops_script_and_style_and_escapes_markdown():
    html = (
        "<style>p { color: red }</style><p># Bukan judul</p>"
        "<script>alert('x')</script><p>*bukan tebal* dan 1. bukan daftar &lt;b&gt;</p>"
        "<ul><li>butir satu</li><li>- bukan sub</li></ul>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "color" not in text
    rendered = render_markdown(text)
    assert "<h1>" not in rendered and "<em>" not in rendered and "<ol>" not in rendered
    assert "# Bukan judul" in rendered
    assert "*bukan tebal* dan 1. bukan daftar &lt;b&gt;" in rendered
    assert rendered.count("<li>") == 2 and "- bukan sub" in rendered


def test_html_line_start_markers_are_escaped_in_a_moodle_stem(tutor):
    stem = "<p># Bukan judul</p><p>1. bukan daftar</p><p>&gt; bukan kutipan</p><script>x()</script>"
    content = moodle(
        xml_question("multichoice", "Q", stem, xml_answer(100, "ya") + xml_answer(0, "tidak"))
    )
    import_text(content, "moodle", tutor)
    question = Question.objects.get()
    assert "x()" not in question.stem
    rendered = render_markdown(question.stem)
    for tag in ("<h1>", "<ol>", "<blockquote>"):
        assert tag not in rendered
    assert "# Bukan judul" in rendered and "&gt; bukan kutipan" in rendered


# --- 2. Aiken -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "answer_line",
    [
        "ANSWER: B ",
        "ANSWER:  B",
        "answer: b",
        "ANSWER:B",
        "Answer: B.",
        "ANSWER: (B)",
        "ANSWER: B)",
    ],
)
def test_aiken_tolerant_answer_lines_are_recognised(tutor, answer_line):
    text = f"Soal pertama?\nA. satu\nB. dua\n{answer_line}\n\nSoal kedua?\nA. x\nB. y\nANSWER: A\n"
    report = import_text(text, "aiken", tutor)
    assert report.created == 2
    first = Question.objects.order_by("pk").first()
    assert [o.score for o in first.options.all()] == [0, 5]


def test_aiken_options_without_a_space_are_read(tutor):
    import_text("Soal?\nA)Salah\nB)Benar\nANSWER: B\n", "aiken", tutor)
    assert [o.text for o in Question.objects.get().options.all()] == ["Salah", "Benar"]


def test_aiken_item_without_answer_is_reported_by_name_and_line_not_merged(tutor):
    text = (
        "Soal baik pertama?\nA. a\nB. b\nANSWER: A\n\n"
        "Soal tanpa kunci jawaban sama sekali di sini\nA. a\nB. b\n\n"
        "Soal baik kedua?\nA. x\nB. y\nANSWER: B\n"
    )
    problems = problems_of(text, "aiken", tutor)
    assert problems == [
        "Soal ke-2 (baris 6) “Soal tanpa kunci jawaban sama sekali…”: "
        "baris “ANSWER: …” tidak ditemukan"
    ]


def test_aiken_answer_with_spaces_inside_is_reported_not_merged(tutor):
    text = "Soal pertama?\nA. a\nB. b\nANSWER: A B\n\nSoal kedua?\nA. x\nB. y\nANSWER: A\n"
    problems = problems_of(text, "aiken", tutor)
    assert problems == [
        "Soal ke-1 (baris 1) “Soal pertama?”: jawaban “A B” tidak dikenali "
        "(tulis ANSWER: lalu satu huruf pilihan)"
    ]


def test_aiken_stray_line_after_options_starts_the_next_question(tutor):
    text = "Soal pertama?\nA. a\nB. b\nSoal kedua?\nA. x\nB. y\nANSWER: A\n"
    problems = problems_of(text, "aiken", tutor)
    assert problems == ["Soal ke-1 (baris 1) “Soal pertama?”: baris “ANSWER: …” tidak ditemukan"]


# --- 4. media -----------------------------------------------------------------------------------
def test_moodle_questions_that_lose_media_are_named(tutor):
    picture = xml_question(
        "multichoice",
        "Logo instansi",
        '<p>Logo ini milik <img src="@@PLUGINFILE@@/logo.png" alt="logo"> siapa?</p>',
        xml_answer(100, "Kemenpan") + xml_answer(0, "BKN"),
        extra='<file name="logo.png" encoding="base64">iVBORw0KGgo=</file>',
    )
    plain = xml_question(
        "multichoice",
        "Tanpa media",
        "<p>Soal biasa?</p>",
        xml_answer(100, "ya") + xml_answer(0, "b"),
    )
    sound = xml_question(
        "multichoice",
        "Rekaman",
        "<p>Dengarkan rekaman.</p>",
        xml_answer(100, "ya", '<p><audio src="@@PLUGINFILE@@/a.mp3"></audio></p>')
        + xml_answer(0, "tidak"),
    )
    report = import_text(moodle(picture, plain, sound), "moodle", tutor)
    assert report.created == 3
    assert report.warnings == [
        "Soal ke-1 “Logo instansi”: gambar tidak ikut diimpor",
        "Soal ke-3 “Rekaman”: audio tidak ikut diimpor",
    ]


def test_gift_questions_that_lose_media_are_named(tutor):
    report = import_text(MIXED_GIFT.decode(), "gift", tutor, skip_unsupported=True)
    assert report.warnings == [
        "Soal ke-2 (baris 8) “Warna pelangi”: gambar tidak ikut diimpor",
        "Soal ke-9 (baris 38) “Dengar”: audio tidak ikut diimpor",
    ]


# --- 5. true/false and skipping the rest --------------------------------------------------------
@pytest.mark.parametrize(
    ("mark", "scores"), [("T", [5, 0]), ("TRUE", [5, 0]), ("F", [0, 5]), ("FALSE", [0, 5])]
)
def test_gift_true_false_becomes_two_options(tutor, mark, scores):
    import_text(f"::BS::Nusantara adalah ibu kota negara.{{{mark}}}\n", "gift", tutor)
    question = Question.objects.get()
    assert (question.subtest, question.aspect, question.scoring) == (
        "MATERI",
        "pemahaman-materi",
        "single",
    )
    assert [(o.text, o.score) for o in question.options.all()] == list(
        zip(["Benar", "Salah"], scores, strict=True)
    )


def test_gift_true_false_feedback_goes_to_the_wrong_and_right_option(tutor):
    import_text(
        "Pasal 4 memuat tiga asas.{FALSE#Hitung lagi.#Betul.####Ada dua belas.}", "gift", tutor
    )
    question = Question.objects.get()
    assert [(o.text, o.score, o.rationale) for o in question.options.all()] == [
        ("Benar", 0, "Hitung lagi."),
        ("Salah", 5, "Betul."),
    ]
    assert question.explanation == "Ada dua belas."


def test_moodle_true_false_becomes_two_options(tutor):
    answers = xml_answer(0, "true", "<p>Bukan.</p>", "moodle_auto_format") + xml_answer(
        100, "false", "<p>Tepat.</p>", "moodle_auto_format"
    )
    content = moodle(xml_question("truefalse", "Akronim", "<p>ASN singkatan dari X.</p>", answers))
    import_text(content, "moodle", tutor)
    question = Question.objects.get()
    assert [(o.text, o.score, o.rationale) for o in question.options.all()] == [
        ("Benar", 0, "Bukan."),
        ("Salah", 5, "Tepat."),
    ]


def test_mixed_bank_without_skipping_lists_every_unsupported_question_by_name(tutor):
    with pytest.raises(SoalError) as caught:
        questions_import(content=MIXED_GIFT, filename="campur.txt", fmt="gift", actor=tutor)
    assert "lewati sisanya" in caught.value.message
    assert caught.value.problems == [
        "Soal ke-1 (baris 5) “Esai keterbukaan”: jenis “esai” tidak didukung",
        "Soal ke-4 (baris 19) “Jumlah asas”: jenis “numerik” tidak didukung",
        "Soal ke-5 (baris 22) “Pasangan”: jenis “menjodohkan” tidak didukung",
        "Soal ke-7 (baris 32) “Singkatan”: jenis “isian singkat” tidak didukung",
        "Soal ke-8 (baris 35) “Petunjuk”: jenis “deskripsi” tidak didukung",
    ]
    assert Question.objects.count() == 0


def test_mixed_bank_with_skipping_imports_the_supported_questions(tutor):
    report = questions_import(
        content=MIXED_GIFT, filename="campur.txt", fmt="gift", actor=tutor, skip_unsupported=True
    )
    assert report.created == 4
    assert [q.stem.split("\n")[0] for q in Question.objects.order_by("pk")] == [
        "Warna apa yang ada di antara jingga dan hijau?",
        "Ibu kota negara menurut UU 3/2022 adalah Nusantara.",
        "Pasal 4 UU 25/2009 memuat tiga asas.",
        "Dengarkan rekaman keluhan warga ini.",
    ]
    assert [reason.split(":")[1].strip() for reason in report.skipped] == [
        "jenis “esai” tidak didukung",
        "jenis “numerik” tidak didukung",
        "jenis “menjodohkan” tidak didukung",
        "jenis “isian singkat” tidak didukung",
        "jenis “deskripsi” tidak didukung",
    ]


def test_skipping_never_lets_a_broken_supported_question_through(tutor):
    bank = MIXED_GIFT.decode() + "\n::Rusak::Soal rusak? {~%100%a ~%30%b}\n"
    problems = problems_of(bank, "gift", tutor, skip_unsupported=True)
    assert len(problems) == 1 and problems[0].startswith("Soal ke-10 (baris 43) “Rusak”: nilai")


def test_a_file_of_only_unsupported_questions_imports_nothing_even_when_skipping(tutor):
    problems = problems_of("::E:: Jelaskan. {}\n", "gift", tutor, skip_unsupported=True)
    assert problems == ["Soal ke-1 (baris 1) “E”: jenis “esai” tidak didukung"]


def test_multiple_response_questions_are_an_unsupported_type_not_an_error(tutor):
    gift_text = "::Warna::Warna hangat? {~%50%merah ~%50%kuning ~%-100%biru}\n"
    assert problems_of(gift_text, "gift", tutor) == [
        "Soal ke-1 (baris 1) “Warna”: jenis “pilihan ganda jawaban banyak” tidak didukung"
    ]
    answers = xml_answer(50, "merah") + xml_answer(50, "kuning") + xml_answer(-100, "biru")
    xml = moodle(xml_question("multichoice", "Warna", "<p>Warna hangat?</p>", answers))
    assert problems_of(xml, "moodle", tutor) == [
        "Soal ke-1 “Warna”: jenis “pilihan ganda jawaban banyak” tidak didukung"
    ]
    report = import_text(
        gift_text + "\n::Baik::Soal? {=ya ~tidak}\n", "gift", tutor, skip_unsupported=True
    )
    assert report.created == 1 and len(report.skipped) == 1


def test_media_linked_from_the_text_or_in_old_image_fields_is_reported(tutor):
    linked = xml_question(
        "multichoice",
        "Sapaan",
        '<p><a href="@@PLUGINFILE@@/bonjour.mp3">Dengarkan sapaan ini</a>: bahasa apa?</p>',
        xml_answer(100, "Prancis") + xml_answer(0, "Jerman"),
    )
    old = xml_question(
        "multichoice",
        "Gambar lama",
        "<p>Logo apa ini?</p>",
        xml_answer(100, "Moodle") + xml_answer(0, "Lain"),
    ).replace("</questiontext>", "</questiontext><image>moodle.png</image>")
    cloze = xml_question("cloze", "Rumpang", "<p>Ibu kota {1:SHORTANSWER:=Nusantara}</p>")
    report = import_text(moodle(linked, old, cloze), "moodle", tutor, skip_unsupported=True)
    assert report.warnings == [
        "Soal ke-1 “Sapaan”: audio tidak ikut diimpor",
        "Soal ke-2 “Gambar lama”: gambar tidak ikut diimpor",
    ]
    assert report.skipped == ["Soal ke-3 “Rumpang”: jenis “isian rumpang (cloze)” tidak didukung"]
    gift_text = '::Sapaan::[html]<a href="@@PLUGINFILE@@/halo.ogg">Dengar</a>. Bahasa? {=a ~b}'
    assert import_text(gift_text, "gift", tutor).warnings == [
        "Soal ke-1 (baris 1) “Sapaan”: audio tidak ikut diimpor"
    ]


# --- 6. one vocabulary and names everywhere -----------------------------------------------------
def test_every_format_uses_the_same_indonesian_type_names(tutor):
    from soal.services.transfer import KIND_NAMES

    xml_problems = problems_of(
        moodle(
            xml_question("essay", "Esai XML", "<p>Jelaskan.</p>"),
            xml_question("shortanswer", "Isian XML", "<p>ASN?</p>", xml_answer(100, "ASN")),
            xml_question("matching", "Jodoh XML", "<p>Pasangkan.</p>"),
            xml_question("numerical", "Angka XML", "<p>12?</p>", xml_answer(100, "12")),
            xml_question("description", "Teks XML", "<p>Baca.</p>"),
        ),
        "moodle",
        tutor,
    )
    assert xml_problems == [
        f"Soal ke-{n} “{name}”: jenis “{KIND_NAMES[kind]}” tidak didukung"
        for n, (kind, name) in enumerate(
            [
                ("essay", "Esai XML"),
                ("shortanswer", "Isian XML"),
                ("matching", "Jodoh XML"),
                ("numerical", "Angka XML"),
                ("description", "Teks XML"),
            ],
            start=1,
        )
    ]
    assert {KIND_NAMES[k] for k in ("essay", "shortanswer", "matching", "numerical")} == {
        "esai",
        "isian singkat",
        "menjodohkan",
        "numerik",
    }
    assert (KIND_NAMES["multichoice"], KIND_NAMES["truefalse"], KIND_NAMES["description"]) == (
        "pilihan ganda",
        "benar/salah",
        "deskripsi",
    )


def test_moodle_error_names_the_question(tutor):
    content = moodle(
        xml_question(
            "multichoice", "Nilai aneh", "<p>Soal?</p>", xml_answer(100, "a") + xml_answer(50, "b")
        )
    )
    problems = problems_of(content, "moodle", tutor)
    assert problems[0].startswith("Soal ke-1 “Nilai aneh”: nilai jawaban 100, 50 tidak cocok")


def test_gift_without_title_is_named_by_its_first_words(tutor):
    problems = problems_of(
        "Soal baik? {=ya ~tidak}\n\nSatu dua tiga empat lima enam tujuh delapan? {~%100%a ~%50%b}",
        "gift",
        tutor,
    )
    assert problems[0].startswith("Soal ke-2 (baris 3) “Satu dua tiga empat lima enam…”: nilai")


def test_spreadsheet_errors_name_the_question(client, tutor):
    from soal.services.transfer.spreadsheet import COLUMNS

    header = ",".join(COLUMNS)
    row = ["", "TWK", "integritas", "", "Pejabat menerima hadiah dari rekanan", ""]
    row += ["Menolak", "5", "", "", "", "Menerima", "5", "", "", ""]
    row += [""] * (len(COLUMNS) - len(row))
    content = header + "\n" + ",".join(row) + "\n"
    problems = problems_of(content, "csv", tutor)
    assert problems[0].startswith(
        "Baris 2 “Pejabat menerima hadiah dari rekanan”: soal satu-jawaban"
    )


# --- the admin import page: upload, preview, confirm --------------------------------------------
def test_tutor_previews_a_mixed_bank_skips_the_rest_and_confirms(client, tutor):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(tutor)
    url = reverse("admin:soal_question_import")
    upload = SimpleUploadedFile("campur.gift.txt", MIXED_GIFT)
    page = client.post(url, {"file": upload, "fmt": "gift", "skip_unsupported": "on"})
    html = page.content.decode()
    assert page.status_code == 200
    assert Question.objects.count() == 0  # a preview saves nothing
    assert 'id="import-preview"' in html and "4 soal siap diimpor" in html
    assert "Soal ke-1 (baris 5) “Esai keterbukaan”: jenis “esai” tidak didukung" in html
    assert "Soal ke-2 (baris 8) “Warna pelangi”: gambar tidak ikut diimpor" in html
    token = page.context["token"]

    result = client.post(url, {"token": token})
    assert "4 soal diimpor sebagai draf" in result.content.decode()
    assert Question.objects.filter(author=tutor, status="draft").count() == 4
    assert "Soal ke-9 (baris 38) “Dengar”: audio tidak ikut diimpor" in result.content.decode()

    again = client.post(url, {"token": token})  # a second click on the same preview
    assert "Pratinjau tidak ditemukan" in again.content.decode()
    assert Question.objects.count() == 4


def test_preview_of_another_tutor_cannot_be_confirmed(client, tutor, other_tutor):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("admin:soal_question_import")
    client.force_login(tutor)
    upload = SimpleUploadedFile("campur.gift.txt", MIXED_GIFT)
    token = client.post(url, {"file": upload, "fmt": "gift", "skip_unsupported": "on"}).context[
        "token"
    ]
    client.force_login(other_tutor)
    page = client.post(url, {"token": token})
    assert "Pratinjau tidak ditemukan" in page.content.decode()
    assert Question.objects.count() == 0


def test_mixed_bank_without_the_checkbox_shows_every_unsupported_question(client, tutor):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(tutor)
    upload = SimpleUploadedFile("campur.gift.txt", MIXED_GIFT)
    page = client.post(reverse("admin:soal_question_import"), {"file": upload, "fmt": "gift"})
    html = page.content.decode()
    assert "Berkas tidak diimpor" in html and page.context["token"] is None
    assert "Soal ke-8 (baris 35) “Petunjuk”: jenis “deskripsi” tidak didukung" in html
    assert Question.objects.count() == 0
