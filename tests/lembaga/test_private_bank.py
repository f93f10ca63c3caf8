"""An institution's private questions: drawn by its own tryouts only, never in public practice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lembaga.services.sessions import session_enter
from lembaga.services.tokens import token_current
from soal.models import Question
from soal.services.questions import question_duplicate
from tests.factories import create_question
from ujian.models import QuestionSnapshot
from ujian.services.building import bank_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(garuda):
    questions = [
        create_question(stem=f"Soal privat Garuda nomor {i}. Sikap Anda?") for i in range(3)
    ]
    Question.objects.filter(pk__in=[q.pk for q in questions]).update(owner=garuda)
    return questions


def test_private_questions_never_appear_in_public_practice(client, candidate, private):
    client.force_login(candidate)
    for _ in range(8):
        page = client.get(reverse("soal:aspect", args=["pelayanan-publik"])).content.decode()
        assert "Soal privat Garuda" not in page
    response = client.post(reverse("soal:answer", args=[private[0].uuid]), {"choice": 0})
    assert response.status_code == 404


def test_private_questions_fill_only_their_own_institutions_tryouts(preset, garuda, rival, private):
    Question.objects.exclude(owner=garuda).update(status="retired")
    assert bank_problems(preset, None)  # the public bank alone cannot fill it
    assert bank_problems(preset, rival.pk)
    # 3 private pelayanan questions: the pelayanan section (3) fills; jejaring (2) does not.
    problems = bank_problems(preset, garuda.pk)
    assert len(problems) == 1 and "Jejaring" in problems[0]


def test_a_session_draws_from_its_institutions_private_bank(exam_session, seated, private):
    attempt = session_enter(session=exam_session, user=seated[0], token=token_current(exam_session))
    drawn = set(
        QuestionSnapshot.objects.filter(pk__in=attempt.snapshot_ids()).values_list(
            "question__owner_id", flat=True
        )
    )
    assert drawn <= {None, exam_session.tryout.owner_id}


def test_a_copy_of_a_private_question_stays_private(garuda, private, tutor):
    copy = question_duplicate(question=Question.objects.get(pk=private[0].pk), actor=tutor)
    assert copy.owner == garuda
