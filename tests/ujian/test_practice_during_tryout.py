"""Practice waits while the candidate's tryout runs: it would otherwise score the very questions
of the attempt and show every option's score (issue 9, item 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from soal.models import PracticeAnswer, Question
from ujian.models import AttemptStatus, QuestionSnapshot

WAIT = "Latihan ditutup sementara"


def attempt_questions(attempt) -> list[Question]:
    ids = QuestionSnapshot.objects.filter(pk__in=attempt.snapshot_ids()).values("question_id")
    return list(Question.objects.filter(pk__in=ids))


def practice_urls(question: Question) -> list[str]:
    return [
        reverse("soal:index"),
        reverse("soal:aspect", args=[question.aspect]),
        reverse("soal:principle", args=["sq-empathy"]),
        reverse("soal:retry"),
    ]


def assert_reveals_nothing(html: str) -> None:
    assert "score-pill" not in html
    assert "Anda mendapat" not in html
    assert "Alasan untuk skor" not in html  # every option's rationale in the factories
    assert "Pembahasan:" not in html  # the question's explanation
    assert "Menjunjung" not in html and "Melanggar" not in html


def test_practice_pages_wait_for_the_running_tryout(candidate_client, started):
    question = attempt_questions(started)[0]
    for url in practice_urls(question):
        response = candidate_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert WAIT in html, url
        assert started.get_absolute_url() in html, url  # the way back to the running tryout
        assert question.stem not in html, url
        assert reverse("soal:answer", args=[question.uuid]) not in html, url
        assert_reveals_nothing(html)


@pytest.mark.parametrize("htmx", [False, True])
def test_practice_answer_for_a_question_of_the_attempt_returns_no_score(
    candidate_client, started, htmx
):
    for question in attempt_questions(started):
        response = candidate_client.post(
            reverse("soal:answer", args=[question.uuid]),
            {"position": 1, "kind": "aspek", "value": question.aspect},
            headers={"HX-Request": "true"} if htmx else {},
        )
        html = response.content.decode()
        assert response.status_code == (200 if htmx else 409)
        assert WAIT in html and started.get_absolute_url() in html
        assert_reveals_nothing(html)
    assert not PracticeAnswer.objects.exists()


def test_practice_opens_again_after_submit(
    candidate_client, started, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    started.refresh_from_db()
    assert started.status == AttemptStatus.SCORED
    question = attempt_questions(started)[0]
    page = candidate_client.get(reverse("soal:aspect", args=[question.aspect])).content.decode()
    assert WAIT not in page and 'class="option"' in page
    response = candidate_client.post(
        reverse("soal:answer", args=[question.uuid]),
        {"position": 1, "kind": "aspek", "value": question.aspect},
    )
    assert response.status_code == 200
    assert "Anda mendapat" in response.content.decode()


def test_an_overdue_attempt_no_longer_holds_practice_back(
    candidate_client, started, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    type(started).objects.filter(pk=started.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        html = candidate_client.get(reverse("soal:index")).content.decode()
    assert WAIT not in html
    started.refresh_from_db()
    assert started.status == AttemptStatus.SCORED


def test_another_candidates_tryout_does_not_hold_back_practice(client, started, other_candidate):
    client.force_login(other_candidate)
    question = attempt_questions(started)[0]
    response = client.post(
        reverse("soal:answer", args=[question.uuid]),
        {"position": 1, "kind": "aspek", "value": question.aspect},
    )
    assert response.status_code == 200 and "Anda mendapat" in response.content.decode()


def test_review_of_an_earlier_attempt_waits_while_another_runs(
    candidate_client, started, candidate, django_capture_on_commit_callbacks
):
    """The same key, one tab away: an earlier attempt's review shows every option's score for
    questions the running attempt may have drawn again."""
    from ujian.models import Attempt

    earlier = Attempt.objects.create(
        tryout=started.tryout,
        user=candidate,
        number=started.number + 1,
        status=AttemptStatus.SCORED,
        items=started.items,
        sections=started.sections,
        item_count=started.item_count,
        total=0,
        score_tkp=0,
        score_tiu=0,
        score_twk=0,
        result={"maximum": 25, "total": 0, "sections": [], "principles": []},
    )
    url = reverse("ujian:review", args=[earlier.uuid])
    response = candidate_client.get(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][0] == reverse("ujian:result", args=[earlier.uuid])
    assert "Pembahasan ditutup sementara" in html
    assert_reveals_nothing(html)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    html = candidate_client.get(url).content.decode()
    assert "score-pill" in html and "Alasan untuk skor" in html
