from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from soal.models import PracticeAnswer, RetryItem
from soal.services.practice import PracticeSet, practice_answer, practice_progress
from tests.factories import SectionFactory, create_question


def test_practice_page_never_shows_scores_before_answering(candidate_client):
    q = create_question(explanation="Pembahasan rahasia tentang empati petugas.")
    for option in q.options.all():
        option.rationale = f"Alasan rahasia {option.position}"
        option.save()
    html = candidate_client.get(reverse("soal:aspect", args=["pelayanan-publik"])).content.decode()
    assert q.stem in html
    assert "Pembahasan rahasia" not in html and "Alasan rahasia" not in html
    assert "score-pill" not in html and "sq-empathy" not in html


def test_answering_shows_every_score_rationale_principle_and_explanation(candidate_client):
    section = SectionFactory(title="Prinsip pelayanan")
    q = create_question(section_ref=None)
    q.section = section
    q.save()
    response = candidate_client.post(
        reverse("soal:answer", args=[q.uuid]),
        {"position": 0, "kind": "aspek", "value": "pelayanan-publik"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Anda mendapat 3 dari 5 poin" in html
    for option in q.options.all():
        assert option.rationale in html
    assert "Menjunjung" in html and "Melanggar" in html
    assert "Pembahasan" in html and section.get_absolute_url() in html


def test_missed_questions_come_back_until_answered_best(candidate):
    q = create_question()
    practice_answer(user=candidate, question=q, position=2)  # worth 1
    item = RetryItem.objects.get(user=candidate, question=q)
    assert item.due_at > timezone.now()
    assert list(PracticeSet("ulangi", "-").questions(candidate)) == []  # not due yet
    RetryItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert list(PracticeSet("ulangi", "-").questions(candidate)) == [q]
    practice_answer(user=candidate, question=q, position=1)  # the best option
    assert not RetryItem.objects.filter(user=candidate).exists()


def test_progress_per_aspect_and_principle(candidate):
    q1 = create_question(stem="Soal satu")
    q2 = create_question(stem="Soal dua", aspect="jejaring-kerja")
    practice_answer(user=candidate, question=q1, position=1)  # 5
    practice_answer(user=candidate, question=q2, position=2)  # 1
    aspects, principles = practice_progress(candidate)
    assert {(a.aspect, a.earned, a.available) for a in aspects} == {
        ("pelayanan-publik", 5, 5),
        ("jejaring-kerja", 1, 5),
    }
    assert {(p.code, p.earned, p.available) for p in principles} == {
        ("sq-empathy", 6, 10),
        ("asas-tidak-diskriminatif", 6, 10),
    }
    assert PracticeAnswer.objects.count() == 2


def test_bad_answer_input_gets_a_clear_message(candidate_client):
    q = create_question()
    response = candidate_client.post(reverse("soal:answer", args=[q.uuid]), {"position": "x"})
    assert response.status_code == 400
    assert "Pilih salah satu jawaban" in response.content.decode()
    assert not PracticeAnswer.objects.exists()


def test_practice_needs_an_account(client, db):
    response = client.get(reverse("soal:index"))
    assert response.status_code == 302
