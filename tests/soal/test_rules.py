from __future__ import annotations

import pytest

from soal.errors import SoalError
from soal.models import Question, Status
from soal.services.questions import question_create
from soal.services.rules import publication_problems, structural_problems
from tests.factories import question_data


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([1, 2, 3, 4], "tepat 5 pilihan (ada 4)"),
        ([1, 2, 3, 4, 4], "1, 2, 3, 4, 5 masing-masing sekali"),
        ([0, 2, 3, 4, 5], "1, 2, 3, 4, 5 masing-masing sekali"),
        ([1, 2, 3, 4, 6], "1, 2, 3, 4, 5 masing-masing sekali"),
    ],
)
def test_scaled_needs_five_distinct_scores(db, scores, message):
    problems = structural_problems(question_data(scores=scores))
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("scores", "ok"),
    [
        ([5, 0], True),
        ([0, 0, 5, 0, 0], True),
        ([5], False),
        ([5, 5, 0], False),
        ([0, 0, 0], False),
        ([5, 0, 1], False),
        ([5, 0, 0, 0, 0, 0], False),
    ],
)
def test_single_correct_needs_one_five_and_zeros(db, scores, ok):
    assert (structural_problems(question_data("TWK", scores=scores)) == []) is ok


def test_every_scaled_option_needs_a_principle_to_publish(db):
    data = question_data()
    data.options[2].upholds, data.options[2].violates = [], []
    assert structural_problems(data) == []
    assert publication_problems(data) == [
        "pilihan C belum ditandai dengan prinsip yang dijunjung atau dilanggar"
    ]


def test_empty_texts_and_missing_explanation(db):
    data = question_data(stem="  ", explanation="")
    data.options[0].text = ""
    problems = publication_problems(data)
    assert "teks soal kosong" in problems
    assert "teks pilihan A kosong" in problems
    assert "pembahasan belum diisi" in problems


def test_unknown_principle_and_aspect(db):
    data = question_data(aspect="jejaring-kerja")
    data.options[0].upholds = ["tidak-ada"]
    problems = structural_problems(data, known_principles={"sq-empathy"})
    assert "pilihan A: kode prinsip “tidak-ada” tidak dikenal" in problems
    assert structural_problems(question_data("TWK", aspect="pelayanan-publik"))


def test_create_refuses_a_broken_question_and_writes_nothing(db):
    with pytest.raises(SoalError) as info:
        question_create(data=question_data(scores=[1, 1, 3, 4, 5]), status=Status.DRAFT)
    assert "masing-masing sekali" in str(info.value)
    assert not Question.objects.exists()


def test_database_holds_score_range_and_one_position(db):
    from django.db import IntegrityError, transaction

    from soal.models import Option
    from tests.factories import create_question

    question = create_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.filter(question=question, position=0).update(score=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.create(question=question, position=0, text="dobel", score=1)
