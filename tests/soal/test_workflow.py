from __future__ import annotations

import pytest
from django.urls import reverse

from soal.errors import SoalError
from soal.models import QuestionEvent, Status
from soal.services import questions as svc
from tests.factories import create_question


def test_tutor_submits_reviewer_publishes_with_history(tutor, reviewer):
    q = create_question(status=Status.DRAFT, author=tutor)
    svc.question_submit(question=q, actor=tutor)
    with pytest.raises(SoalError, match="Hanya peninjau"):
        svc.question_publish(question=q, actor=tutor)
    svc.question_publish(question=q, actor=reviewer)
    q.refresh_from_db()
    assert q.status == Status.PUBLISHED and q.reviewer == reviewer and q.published_at
    actions = list(q.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["created", "submitted", "published"]


def test_return_needs_a_comment_and_goes_back_to_draft(tutor, reviewer):
    q = create_question(status=Status.DRAFT, author=tutor)
    svc.question_submit(question=q, actor=tutor)
    with pytest.raises(SoalError, match="catatan"):
        svc.question_return(question=q, actor=reviewer, comment=" ")
    svc.question_return(question=q, actor=reviewer, comment="Pilihan D terlalu mirip C.")
    q.refresh_from_db()
    assert q.status == Status.DRAFT and q.review_comment == "Pilihan D terlalu mirip C."
    assert q.events.filter(action=QuestionEvent.Action.RETURNED).exists()


def test_tutor_changes_own_drafts_only(tutor, other_tutor, reviewer):
    q = create_question(status=Status.DRAFT, author=tutor)
    assert svc.can_edit(tutor, q)
    assert not svc.can_edit(other_tutor, q)
    with pytest.raises(SoalError):
        svc.question_submit(question=q, actor=other_tutor)


def test_published_question_is_never_edited_in_place(tutor, reviewer):
    q = create_question(status=Status.PUBLISHED, author=tutor)
    assert not svc.can_edit(tutor, q) and not svc.can_edit(reviewer, q)
    new = svc.question_duplicate(question=q, actor=tutor)
    assert new.status == Status.DRAFT and new.previous_version == q and new.version == 2
    svc.question_submit(question=new, actor=tutor)
    svc.question_publish(question=new, actor=reviewer)
    q.refresh_from_db()
    assert q.status == Status.RETIRED  # the new version replaces it


def test_admin_tutor_cannot_open_another_tutors_draft_for_editing(client, tutor, other_tutor):
    q = create_question(status=Status.DRAFT, author=other_tutor)
    client.force_login(tutor)
    url = reverse("admin:soal_question_change", args=[q.pk])
    page = client.get(url)
    assert page.status_code == 200  # may read it ...
    response = client.post(url, {"stem": "diubah"})
    assert response.status_code == 403  # ... but not change it
    q.refresh_from_db()
    assert q.stem != "diubah"


def test_admin_tutor_cannot_publish_through_workflow(client, tutor):
    q = create_question(status=Status.DRAFT, author=tutor)
    client.force_login(tutor)
    client.post(reverse("admin:soal_question_workflow", args=[q.pk]), {"action": "publish"})
    q.refresh_from_db()
    assert q.status == Status.DRAFT


def test_admin_preview_and_list_filters(client, tutor):
    q = create_question(status=Status.DRAFT, author=tutor)
    client.force_login(tutor)
    preview = client.get(reverse("admin:soal_question_preview", args=[q.pk]))
    assert preview.status_code == 200 and "Seperti yang dilihat peserta" in preview.content.decode()
    listing = client.get(reverse("admin:soal_question_changelist") + "?status__exact=draft")
    assert listing.status_code == 200


def test_candidate_cannot_reach_admin(client, candidate):
    client.force_login(candidate)
    response = client.get(reverse("admin:soal_question_changelist"))
    assert response.status_code == 302


def test_admin_add_and_own_draft_pages_render_for_a_tutor(client, tutor):
    client.force_login(tutor)
    add = client.get(reverse("admin:soal_question_add"))
    assert add.status_code == 200 and "id_options-4-text" in add.content.decode()
    q = create_question(status=Status.DRAFT, author=tutor)
    change = client.get(reverse("admin:soal_question_change", args=[q.pk]))
    assert change.status_code == 200 and "Ajukan untuk ditinjau" in change.content.decode()
