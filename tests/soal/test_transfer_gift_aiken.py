from __future__ import annotations

import pytest

from soal.admin_transfer import export_response
from soal.errors import SoalError
from soal.models import Question, Status
from soal.services.transfer import gift
from soal.services.transfer.importing import questions_import
from tests.factories import PrincipleFactory, create_question
from tests.soal.test_transfer_moodle import (
    TRICKY_STEM,
    export_then_import,
    make_mixed_bank,
    unnamed,
)

pytestmark = pytest.mark.django_db


def import_text(text: str, fmt: str, actor):
    return questions_import(content=text.encode(), filename=f"bank.{fmt}", fmt=fmt, actor=actor)


# --- GIFT ---------------------------------------------------------------------------------------
def test_gift_round_trip_gives_the_same_questions_scores_and_credits(tutor):
    before, after = export_then_import("gift", tutor)
    assert after == before


def test_gift_export_escapes_special_characters_and_weights_tkp(tutor):
    make_mixed_bank(author=tutor)
    text = export_response(Question.objects.order_by("pk"), "gift").content.decode()
    tkp, twk, _materi = text.strip().split("\n\n")
    assert tkp.startswith(
        "// cpns: subtes=TKP aspek=pelayanan-publik kunci=tkp-loket-001 "
        "bagian=pelayanan-publik/asas\n::tkp-loket-001::[markdown]"
    )
    assert gift.escape(TRICKY_STEM) in tkp
    assert "\\{antrean\\} \\~ nomor \\#12 \\= 100% \\\\ selesai.\\n\\nParagraf" in tkp
    assert [line.split("%")[1] for line in tkp.splitlines() if "\t~%" in line] == [
        "60",
        "100",
        "20",
        "80",
        "40",
    ]
    assert "\t=Jawaban B#Alasan." in twk and "\t~Jawaban A#Alasan." in twk


def test_foreign_gift_is_read_from_its_marks_and_weights(tutor):
    text = """
$CATEGORY: $course$/top/Bank
// a plain comment
::Ibu kota::Ibu kota Indonesia menurut UU 3/2022? {
    =Nusantara#Benar.
    ~Jakarta#Sebelumnya.
    ~Bandung
    ####Lihat UU 3/2022.
}

::Sikap::[html]<p>Warga <b>marah</b> di loket.</p> {
    ~%20%Membalas
    ~%100%Mendengarkan
    ~%60%Memanggil atasan
    ~%40%Diam
    ~%80%Meminta maaf
}
"""
    report = import_text(text, "gift", tutor)
    assert report.created == 2
    materi, tkp = Question.objects.order_by("pk")
    assert (materi.subtest, materi.aspect) == ("MATERI", "pemahaman-materi")
    assert materi.stem == "Ibu kota Indonesia menurut UU 3/2022?"
    assert materi.explanation == "Lihat UU 3/2022."
    assert [(o.text, o.score, o.rationale) for o in materi.options.all()] == [
        ("Nusantara", 5, "Benar."),
        ("Jakarta", 0, "Sebelumnya."),
        ("Bandung", 0, ""),
    ]
    assert (tkp.subtest, tkp.aspect, tkp.stem) == (
        "TKP",
        "pelayanan-publik",
        "Warga marah di loket.",
    )
    assert [o.score for o in tkp.options.all()] == [1, 5, 3, 2, 4]


def test_gift_metadata_comment_sets_subtest_aspect_key_and_credits(tutor):
    PrincipleFactory(code="asas-keterbukaan")
    text = (
        "// cpns: subtes=TWK aspek=integritas kunci=twk-int-7\n"
        "Pejabat menerima hadiah dari rekanan. Sikap yang benar? {\n"
        "=Menolak dan melapor#Sesuai aturan.\\n[cpns menjunjung: asas-keterbukaan | melanggar: -]\n"
        "~Menerima diam-diam\n}\n"
    )
    import_text(text, "gift", tutor)
    question = Question.objects.get()
    assert (question.key, question.subtest, question.aspect) == ("twk-int-7", "TWK", "integritas")
    best = question.options.get(score=5)
    assert best.rationale == "Sesuai aturan."
    assert [c.principle.code for c in best.credits.all()] == ["asas-keterbukaan"]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Jumlah asas pelayanan publik? {#12}", "Soal ke-2: jenis “numerik” tidak didukung"),
        ("Jelaskan asas pelayanan publik. {}", "Soal ke-2: jenis “esai” tidak didukung"),
        ("Ibu kota Jepang? {=Tokyo =tokyo}", "Soal ke-2: jenis “isian singkat” tidak didukung"),
        ("Hanya teks tanpa jawaban.", "Soal ke-2: jenis “deskripsi” tidak didukung"),
        ("Soal? {~%100%a ~%50%b}", "Soal ke-2: nilai jawaban 100, 50 tidak cocok"),
        ("Soal? {=a ~b", "Soal ke-2: kurung kurawal penutup"),
        (
            "// cpns: subtes=TKP\nSoal? {~%100%a ~%80%b ~%60%c ~%40%d ~%0%e}",
            "Soal ke-2: skor pilihan TKP harus 1, 2, 3, 4, 5",
        ),
    ],
)
def test_gift_one_bad_question_among_good_ones_imports_nothing(tutor, question, message):
    good = "Soal baik? {=ya ~tidak}"
    with pytest.raises(SoalError) as caught:
        import_text(f"{good}\n\n{question}\n\n{good}\n", "gift", tutor)
    assert any(unnamed(p).startswith(message) for p in caught.value.problems), caught.value.problems
    assert Question.objects.count() == 0


# --- Aiken --------------------------------------------------------------------------------------
AIKEN = """Ibu kota negara menurut UU 3/2022 adalah
A. Jakarta
B) Nusantara
C. Surabaya
ANSWER: B

Pancasila ditetapkan sebagai dasar negara pada
tanggal ...
A. 1 Juni 1945
B. 18 Agustus 1945
ANSWER: b
"""


def test_aiken_creates_single_correct_study_drafts(tutor):
    report = import_text(AIKEN, "aiken", tutor)
    assert report.created == 2 and report.by_subtest == {"MATERI": 2}
    first, second = Question.objects.order_by("pk")
    assert (first.subtest, first.aspect, first.scoring) == ("MATERI", "pemahaman-materi", "single")
    assert [(o.text, o.score) for o in first.options.all()] == [
        ("Jakarta", 0),
        ("Nusantara", 5),
        ("Surabaya", 0),
    ]
    assert second.stem == "Pancasila ditetapkan sebagai dasar negara pada\ntanggal ..."
    assert [o.score for o in second.options.all()] == [0, 5]
    assert first.status == Status.DRAFT and first.author == tutor


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("Soal?\nA. satu\nB. dua\nANSWER: D", "Soal ke-2: jawaban “D” bukan salah satu pilihan"),
        ("Soal?\nA. satu\nB. dua", "Soal ke-2: baris “ANSWER: …” tidak ditemukan"),
        ("Soal?\nA. satu\nC. dua\nANSWER: A", "Soal ke-2: baris 9: diharapkan pilihan B"),
        ("Soal?\nA. satu\nANSWER: A", "Soal ke-2: soal satu-jawaban harus punya 2 sampai 5"),
    ],
)
def test_aiken_bad_item_imports_nothing(tutor, broken, message):
    create_question(status=Status.DRAFT)
    text = AIKEN.split("\n\n")[0] + "\n\n" + broken + ("\n\n" + AIKEN if "ANSWER" in broken else "")
    with pytest.raises(SoalError) as caught:
        import_text(text, "aiken", tutor)
    assert any(unnamed(p).startswith(message) for p in caught.value.problems), caught.value.problems
    assert Question.objects.count() == 1
