from __future__ import annotations

import re

import defusedxml.ElementTree as SafeET
import pytest

from soal.admin_transfer import export_response
from soal.errors import SoalError
from soal.models import Question, QuestionEvent, Status
from soal.services.questions import question_create, question_to_data
from soal.services.transfer.importing import questions_import
from tests.factories import (
    ModuleFactory,
    PrincipleFactory,
    SectionFactory,
    create_question,
    question_data,
)

pytestmark = pytest.mark.django_db

TRICKY_STEM = (
    "Di loket tertulis: {antrean} ~ nomor #12 = 100% \\ selesai.\n\n"
    "Paragraf *kedua*: apa yang Anda lakukan?"
)


def unnamed(problem: str) -> str:
    """A problem without the question's name and first line: "Soal ke-2 “Q”: x" → "Soal ke-2: x"."""
    return re.sub(r"^((?:Baris |Soal ke-)\d+)(?: \(baris \d+\))?(?: “[^”]*”)?:", r"\1:", problem)


def make_mixed_bank(author=None) -> list[Question]:
    """A TKP question with a section, credits and awkward characters; a TWK and a MATERI item."""
    SectionFactory(module=ModuleFactory(slug="pelayanan-publik"), slug="asas")
    PrincipleFactory(code="asas-kesamaan-hak")
    data = question_data(
        key="tkp-loket-001",
        section_ref="pelayanan-publik/asas",
        stem=TRICKY_STEM,
        explanation="Pembahasan baris satu.\n\nBaris dua: {kurung} dan #pagar.",
    )
    data.options[0].rationale = "Alasan baris satu.\nBaris dua: a = b ~ c # d."
    data.options[1].upholds = ["sq-empathy", "asas-kesamaan-hak"]
    data.options[2].text = "Pilihan dengan titik dua: dan =sama dengan"
    tkp = question_create(data=data, author=author)
    twk = create_question(
        subtest="TWK", status=Status.DRAFT, author=author, key="twk-001", scores=[0, 5, 0]
    )
    materi = create_question(subtest="MATERI", status=Status.DRAFT, author=author, scores=[5, 0])
    return [tkp, twk, materi]


def export_then_import(fmt: str, actor) -> tuple[list, list]:
    """Export the bank and import the file again: (data before, data of the imported copies)."""
    bank = make_mixed_bank(author=actor)
    before = [question_to_data(q) for q in bank]
    originals = Question.objects.filter(pk__in=[q.pk for q in bank]).order_by("pk")
    content = export_response(originals, fmt).content
    originals.update(key=None)  # free the keys so the copies may take them
    report = questions_import(content=content, filename=f"bank.{fmt}", fmt=fmt, actor=actor)
    copies = Question.objects.filter(pk__in=report.question_ids).order_by("pk")
    assert {q.status for q in copies} == {Status.DRAFT}
    return before, [question_to_data(q) for q in copies]


def moodle(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>' + "".join(questions) + "</quiz>"
    ).encode()


def multichoice(
    fractions: list[str], *, stem: str = "<p>Apa sikap Anda?</p>", tags: str = ""
) -> str:
    answers = "".join(
        f'<answer fraction="{f}" format="html"><text>&lt;p&gt;Jawaban {i}&lt;/p&gt;</text>'
        f"<feedback><text>Umpan balik {i}</text></feedback></answer>"
        for i, f in enumerate(fractions)
    )
    return (
        '<question type="multichoice"><name><text>Q</text></name>'
        f'<questiontext format="html"><text><![CDATA[{stem}]]></text></questiontext>'
        '<generalfeedback format="html"><text><![CDATA[<p>Pembahasan.</p>]]></text>'
        f"</generalfeedback><single>true</single>{answers}{tags}</question>"
    )


def test_round_trip_gives_the_same_questions_scores_and_credits(tutor):
    before, after = export_then_import("moodle", tutor)
    assert after == before
    assert QuestionEvent.objects.filter(action=QuestionEvent.Action.IMPORTED).count() == 3


def test_export_maps_scores_to_fractions_and_metadata_to_tags(tutor):
    bank = make_mixed_bank(author=tutor)
    root = SafeET.fromstring(
        export_response(Question.objects.filter(pk=bank[0].pk), "moodle").content
    )
    question = root.find("question[@type='multichoice']")
    fractions = [a.get("fraction") for a in question.findall("answer")]
    assert fractions == ["60", "100", "20", "80", "40"]  # scores 3, 5, 1, 4, 2
    tags = {t.findtext("text") for t in question.findall("tags/tag")}
    assert tags == {
        "cpns-subtes:TKP",
        "cpns-aspek:pelayanan-publik",
        "cpns-kunci:tkp-loket-001",
        "cpns-bagian:pelayanan-publik/asas",
    }
    feedback = question.find("answer/feedback/text").text
    assert feedback.endswith("[cpns menjunjung: sq-empathy | melanggar: -]")
    twk = SafeET.fromstring(
        export_response(Question.objects.filter(pk=bank[1].pk), "moodle").content
    )
    assert [a.get("fraction") for a in twk.iter("answer")] == ["0", "100", "0"]


def test_foreign_file_without_tags_is_read_from_its_fractions(tutor):
    category = (
        '<question type="category"><category><text>$course$/top/Bank</text></category></question>'
    )
    content = moodle(
        category,
        multichoice(["100", "80", "60", "40", "20"], stem="<p>Situasi <b>pelayanan</b>.</p>"),
        multichoice(["0", "100", "0", "0"]),
    )
    report = questions_import(content=content, filename="moodle.xml", fmt="moodle", actor=tutor)
    assert report.created == 2 and report.by_subtest == {"TKP": 1, "MATERI": 1}
    tkp, materi = Question.objects.order_by("pk")
    assert (tkp.subtest, tkp.aspect, tkp.scoring) == ("TKP", "pelayanan-publik", "scaled")
    assert tkp.stem == "Situasi pelayanan."
    assert [o.score for o in tkp.options.all()] == [5, 4, 3, 2, 1]
    assert tkp.options.first().text == "Jawaban 0"
    assert tkp.options.first().rationale == "Umpan balik 0"
    assert tkp.explanation == "Pembahasan."
    assert (materi.subtest, materi.aspect) == ("MATERI", "pemahaman-materi")
    assert [o.score for o in materi.options.all()] == [0, 5, 0, 0]
    assert {q.status for q in (tkp, materi)} == {Status.DRAFT}


def test_tags_decide_subtest_and_aspect(tutor):
    tags = (
        "<tags><tag><text>cpns-subtes:TKP</text></tag>"
        "<tag><text>cpns-aspek:jejaring-kerja</text></tag></tags>"
    )
    content = moodle(multichoice(["20", "40", "60", "80", "100"], tags=tags))
    questions_import(content=content, filename="m.xml", fmt="moodle", actor=tutor)
    assert Question.objects.get().aspect == "jejaring-kerja"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (multichoice(["100", "50", "0"]), "Soal ke-2: nilai jawaban 100, 50, 0 tidak cocok"),
        (multichoice(["100", "-50", "0"]), "Soal ke-2: nilai jawaban 100, -50, 0 tidak cocok"),
        (
            '<question type="essay"><questiontext><text>Jelaskan.</text></questiontext></question>',
            "Soal ke-2: jenis “esai” tidak didukung",
        ),
        (
            multichoice(
                ["100", "80", "60", "40", "0"],
                tags="<tags><tag><text>cpns-subtes:TKP</text></tag></tags>",
            ),
            "Soal ke-2: skor pilihan TKP harus 1, 2, 3, 4, 5",
        ),
    ],
)
def test_one_bad_question_among_good_ones_imports_nothing(tutor, question, message):
    content = moodle(multichoice(["0", "100"]), question, multichoice(["100", "0"]))
    with pytest.raises(SoalError) as caught:
        questions_import(content=content, filename="m.xml", fmt="moodle", actor=tutor)
    assert any(unnamed(p).startswith(message) for p in caught.value.problems), caught.value.problems
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<quiz><question type='multichoice'></quiz>", "XML rusak"),
        (b"<kuis></kuis>", "bukan berkas Moodle XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>',
            "DTD atau entitas",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<quiz>&x;</quiz>",
            "DTD atau entitas",
        ),
        (b"<quiz></quiz>", "tidak berisi soal"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(tutor, content, message):
    create_question(status=Status.DRAFT)
    with pytest.raises(SoalError, match=message):
        questions_import(content=content, filename="m.xml", fmt="moodle", actor=tutor)
    assert Question.objects.count() == 1


def test_unknown_principle_in_feedback_is_reported(tutor):
    answers = "".join(
        f'<answer fraction="{f}" format="markdown"><text>J{f}</text><feedback format="markdown">'
        f"<text>Alasan\n[cpns menjunjung: tidak-ada | melanggar: -]</text></feedback></answer>"
        for f in ("100", "0")
    )
    question = (
        '<question type="multichoice"><questiontext format="markdown"><text>Soal?</text>'
        f"</questiontext>{answers}</question>"
    )
    with pytest.raises(SoalError) as caught:
        questions_import(content=moodle(question), filename="m.xml", fmt="moodle", actor=tutor)
    assert "Soal ke-1 “Soal?”: pilihan A: kode prinsip “tidak-ada” tidak dikenal" in (
        caught.value.problems
    )
