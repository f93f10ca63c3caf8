"""Large candidate imports run as a Celery task with a progress bar."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lembaga.models import Candidate, ImportJob
from lembaga.services.enrolment import import_job_create, import_job_run

ROWS = (
    b"nama,email,kelas\nAni,ani@example.com,A\nBudi,budi@example.com,B\nCici,cici@example.com,A\n"
)


@pytest.fixture
def small_threshold(settings):
    settings.CPNS_IMPORT_ASYNC_ROWS = 2


def _upload(content: bytes = ROWS) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = "peserta.csv"
    return upload


def test_large_import_runs_as_a_job_with_a_progress_bar(
    client, garuda, garuda_admin, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(garuda_admin)
    url = reverse("lembaga:import", args=["garuda"])
    assert "3 peserta" in client.post(url, {"file": _upload()}).content.decode()
    assert not Candidate.objects.exists()  # the preview writes nothing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"confirm": "1"})
    job = ImportJob.objects.get()
    job_url = reverse("lembaga:import_job", args=["garuda", job.uuid])
    assert response.status_code == 302 and response["Location"] == job_url
    assert len(callbacks) == 1 and not Candidate.objects.exists()  # queued, not yet run
    waiting = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert "0 dari 3" in waiting and "hx-get" in waiting and "<html" not in waiting
    callbacks[0]()  # the worker picks the job up
    assert Candidate.objects.filter(institution=garuda).count() == 3
    done = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert "Impor selesai: 3 peserta baru" in done and "hx-get" not in done
    job.refresh_from_db()
    assert (job.done, job.total, job.created, bytes(job.content)) == (3, 3, 3, b"")


def test_small_import_stays_in_the_request(client, garuda, garuda_admin):
    client.force_login(garuda_admin)
    url = reverse("lembaga:import", args=["garuda"])
    client.post(url, {"file": _upload()})
    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "Impor selesai: 3 peserta baru" in done.content.decode()
    assert not ImportJob.objects.exists()


def test_running_a_finished_job_again_does_nothing(
    garuda, garuda_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            institution=garuda, user=garuda_admin, filename="p.csv", content=ROWS, total=3
        )
    job.refresh_from_db()
    assert job.finished_at is not None and job.created == 3
    Candidate.objects.filter(institution=garuda).delete()
    assert import_job_run(job_id=job.pk) is False
    assert not Candidate.objects.exists()  # the second run wrote nothing
    job.refresh_from_db()
    assert job.created == 3


def test_job_with_bad_rows_writes_nothing_and_says_why(
    client, garuda, garuda_admin, django_capture_on_commit_callbacks
):
    # The worker re-checks the stored file: a file that fails (e.g. an account registered
    # since the preview took a number) writes no row at all.
    content = ROWS + b"Dodi,bukan-email,B\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            institution=garuda, user=garuda_admin, filename="p.csv", content=content, total=4
        )
    assert not Candidate.objects.exists()
    assert not get_user_model().objects.filter(email="ani@example.com").exists()
    client.force_login(garuda_admin)
    page = client.get(reverse("lembaga:import_job", args=["garuda", job.uuid])).content.decode()
    assert "Tidak ada yang diimpor" in page and "Baris 5" in page


def test_job_of_another_institution_is_a_404(
    client, garuda, garuda_admin, rival, rival_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            institution=garuda, user=garuda_admin, filename="p.csv", content=ROWS, total=3
        )
    client.force_login(rival_admin)
    assert client.get(reverse("lembaga:import_job", args=["garuda", job.uuid])).status_code == 404
    assert client.get(reverse("lembaga:import_job", args=["rajawali", job.uuid])).status_code == 404
