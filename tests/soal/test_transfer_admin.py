from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from soal.admin_transfer import EXPORT_ACTIONS, export_response
from soal.models import Question, QuestionEvent, Status
from soal.services.transfer.importing import questions_import
from tests.factories import PrincipleFactory, UserFactory, create_question

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:soal_question_import"


def upload(client, content: bytes, fmt: str, name: str = "soal.csv"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content), "fmt": fmt})


def upload_and_confirm(client, content: bytes, fmt: str, name: str = "soal.csv"):
    preview = upload(client, content, fmt, name)
    assert preview.status_code == 200 and Question.objects.count() == 0
    assert 'id="import-preview"' in preview.content.decode(), preview.content.decode()
    return client.post(reverse(IMPORT_URL), {"token": preview.context["token"]})


def template(client, fmt: str):
    return client.get(reverse("admin:soal_question_template", args=[fmt]))


def test_tutor_opens_the_import_page(client, tutor):
    client.force_login(tutor)
    page = client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unggah berkas soal" in html and "Moodle XML" in html
    assert reverse("admin:soal_question_template", args=["xlsx"]) in html


def test_candidate_is_sent_to_the_admin_login(client, candidate):
    client.force_login(candidate)
    for response in (client.get(reverse(IMPORT_URL)), template(client, "xlsx")):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_add_permission_is_refused(client):
    client.force_login(UserFactory(email="staf@example.com", is_staff=True))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert template(client, "csv").status_code == 403
    assert Question.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_tutor_downloads_the_template_and_uploads_it_back(client, tutor, fmt):
    PrincipleFactory(code="asas-kepentingan-umum")
    PrincipleFactory(code="asas-kepastian-hukum")
    client.force_login(tutor)
    download = template(client, fmt)
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="templat-soal.{fmt}"'
    page = upload_and_confirm(client, download.content, fmt, name=f"templat.{fmt}")
    assert page.status_code == 200
    assert "1 soal diimpor sebagai draf" in page.content.decode()
    question = Question.objects.get()
    assert (question.status, question.author) == (Status.DRAFT, tutor)
    assert question.events.get().action == QuestionEvent.Action.IMPORTED
    assert reverse("admin:soal_question_change", args=[question.pk]) in page.content.decode()


def test_unknown_template_format_is_404(client, tutor):
    client.force_login(tutor)
    assert template(client, "moodle").status_code == 404


def test_errors_are_shown_in_the_page_in_indonesian_and_nothing_is_saved(client, tutor):
    client.force_login(tutor)
    good = template(client, "csv").content.decode("utf-8-sig")
    header, example = good.strip().split("\r\n")
    bad = example.replace(",3,", ",6,", 1)  # option E's score 3 becomes 6
    content = "\r\n".join([header, example, bad]).encode()
    page = upload(client, content, "csv")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Berkas tidak diimpor; tidak ada soal yang disimpan." in html
    assert "Baris 3 “Seorang warga yang tergesa-gesa meminta…”: skor pilihan TKP harus" in (html)
    assert "Traceback" not in html
    assert Question.objects.count() == 0


def test_broken_file_gets_a_message_not_a_stack_trace(client, tutor):
    client.force_login(tutor)
    page = upload(client, b"<quiz><question>", "moodle", name="bank.xml")
    assert page.status_code == 200
    assert "XML rusak" in page.content.decode()


def test_missing_file_is_a_form_error(client, tutor):
    client.force_login(tutor)
    page = client.post(reverse(IMPORT_URL), {"fmt": "csv"})
    assert page.status_code == 200 and "errorlist" in page.content.decode()


def test_huge_upload_is_refused(client, tutor, settings):
    settings.CPNS_IMPORT_MAX_BYTES = 2048
    client.force_login(tutor)
    page = upload(client, b"x" * 10_000, "csv")
    assert "Berkas terlalu besar" in page.content.decode()
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("csv", "text/csv; charset=utf-8", "csv"),
        ("moodle", "application/xml; charset=utf-8", "xml"),
        ("gift", "text/plain; charset=utf-8", "gift.txt"),
    ],
)
def test_export_response_is_an_attachment_that_imports_back(tutor, fmt, content_type, extension):
    question = create_question(status=Status.PUBLISHED, key="asli-001")
    response = export_response(Question.objects.all(), fmt)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    Question.objects.filter(pk=question.pk).update(key=None)
    report = questions_import(content=response.content, filename="x", fmt=fmt, actor=tutor)
    copy = Question.objects.get(pk=report.question_ids[0])
    assert (copy.key, copy.status, copy.stem) == ("asli-001", Status.DRAFT, question.stem)


@pytest.mark.parametrize("fmt", ["xlsx", "moodle"])
def test_export_reads_the_bank_in_a_fixed_number_of_queries(django_assert_max_num_queries, fmt):
    for _i in range(6):
        create_question(status=Status.DRAFT)
    with django_assert_max_num_queries(5):
        export_response(Question.objects.all(), fmt)


def test_export_actions_return_the_file(tutor):
    from django.contrib import admin

    create_question(status=Status.DRAFT)
    request = RequestFactory().post("/")
    request.user = tutor
    model_admin = admin.site._registry[Question]
    names = [action.__name__ for action in EXPORT_ACTIONS]
    assert names == ["export_xlsx", "export_csv", "export_moodle", "export_gift"]
    response = EXPORT_ACTIONS[2](model_admin, request, Question.objects.all())
    assert b"<quiz>" in response.content


def test_question_list_links_to_import_and_exports_selected_questions(client, tutor):
    question = create_question(author=tutor)
    client.force_login(tutor)
    changelist = reverse("admin:soal_question_changelist")
    html = client.get(changelist).content.decode()
    assert reverse(IMPORT_URL) in html
    assert "export_moodle" in html  # the export actions are offered on the list
    response = client.post(
        changelist,
        {"action": "export_moodle", "_selected_action": [question.pk], "index": 0},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xml"')
    assert question.stem.split()[0].encode() in response.content
