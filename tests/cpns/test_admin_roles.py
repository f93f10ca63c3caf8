"""Who may do what in the admin: role × model × action, through the admin's own HTTP pages.

Tutors draft, reviewers publish (docs/ROLES.md). A candidate is not staff: every admin page sends
them to the admin log-in and nothing changes.
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from materi.models import Module, Section
from materi.services import MateriError, module_save, section_save
from soal.models import Question, Status
from tests.factories import ModuleFactory, SectionFactory, create_question, make_tryout
from ujian.errors import UjianError
from ujian.models import Blueprint, Tryout
from ujian.services.authoring import blueprint_save, tryout_save

pytestmark = pytest.mark.django_db

ROLES = ["tutor", "reviewer", "candidate"]
MODELS = ["module", "section", "blueprint", "tryout", "question"]
ACTIONS = ["view_list", "add", "change_draft", "change_published", "publish"]
NEW_TITLE = "Judul diubah lewat admin"
_serial = itertools.count(1)


def allowed(role: str, model: str, action: str) -> bool:
    if role == "candidate":
        return False
    if action in {"view_list", "add", "change_draft"}:
        return True
    if action == "change_published":
        # Published questions are never edited in place, not even by a reviewer: new version.
        return role == "reviewer" and model != "question"
    return role == "reviewer"  # publish


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def slug(stem: str) -> str:
    return f"{stem}-{next(_serial)}"


def new_blueprint(**kwargs) -> Blueprint:
    return Blueprint.objects.create(
        slug=slug("kisi"), name="Kisi-kisi uji", duration_minutes=10, **kwargs
    )


class ModuleCase:
    model = Module
    title_field = "title"
    publish_flag = {"is_published": "on"}

    def draft(self, actor):
        return ModuleFactory(is_published=False)

    def published(self):
        return ModuleFactory(is_published=True)

    def form(self, obj=None) -> dict:
        data = {
            "slug": obj.slug if obj else slug("modul-baru"),
            "title": NEW_TITLE,
            "order": 5,
            "intro": "Pengantar modul.",
            "summary": "Ringkasan modul.",
            **management("sections"),
        }
        if obj is not None and obj.is_published:
            data["is_published"] = "on"
        return data

    def is_published(self, obj) -> bool:
        return obj.is_published

    def publish(self, client, obj):
        return client.post(change_url(obj), self.form(obj) | self.publish_flag)


class SectionCase:
    model = Section
    title_field = "title"
    publish_flag: dict = {}

    def draft(self, actor):
        return SectionFactory(module=ModuleFactory(is_published=False))

    def published(self):
        return SectionFactory(module=ModuleFactory(is_published=True))

    def form(self, obj=None) -> dict:
        module = obj.module if obj else ModuleFactory(is_published=False)
        return {
            "module": module.pk,
            "order": 1,
            "title": NEW_TITLE,
            "slug": obj.slug if obj else slug("bagian-baru"),
            "body": "Isi bagian yang baru.",
            "key_points": "",
        }

    def is_published(self, obj) -> bool:
        return obj.module.is_published

    def publish(self, client, obj):
        # A section is published by putting it into a published module.
        target = ModuleFactory(is_published=True)
        return client.post(change_url(obj), self.form(obj) | {"module": target.pk})


class BlueprintCase:
    model = Blueprint
    title_field = "name"
    publish_flag = {"is_preset": "on"}

    def draft(self, actor):
        return new_blueprint()

    def published(self):
        # Live: a published tryout draws its questions by this recipe.
        blueprint = new_blueprint()
        make_tryout(blueprint=blueprint, slug=slug("tryout"), is_published=True)
        return blueprint

    def form(self, obj=None) -> dict:
        data = {
            "slug": obj.slug if obj else slug("kisi-baru"),
            "name": NEW_TITLE,
            "regulation": "",
            "description": "",
            "duration_minutes": 30,
            "shuffle_questions": "on",
            "shuffle_options": "on",
            "total_threshold": "",
            "owner": "",
            **management("sections"),
        }
        if obj is not None and obj.is_preset:
            data["is_preset"] = "on"
        return data

    def is_published(self, obj) -> bool:
        return obj.is_preset or obj.tryouts.filter(is_published=True).exists()

    def publish(self, client, obj):
        return client.post(change_url(obj), self.form(obj) | self.publish_flag)


class TryoutCase:
    model = Tryout
    title_field = "title"
    publish_flag = {"is_published": "on"}

    def draft(self, actor):
        return make_tryout(blueprint=new_blueprint(), slug=slug("tryout"), is_published=False)

    def published(self):
        return make_tryout(blueprint=new_blueprint(), slug=slug("tryout"), is_published=True)

    def form(self, obj=None) -> dict:
        data = {
            "slug": obj.slug if obj else slug("tryout-baru"),
            "title": NEW_TITLE,
            "description": "",
            "blueprint": obj.blueprint_id if obj else new_blueprint().pk,
            "owner": "",
            "opens_at_0": "2026-01-01",
            "opens_at_1": "08:00:00",
            "closes_at_0": "",
            "closes_at_1": "",
            "max_attempts": 3,
            "review_policy": "immediate",
        }
        if obj is not None and obj.is_published:
            data["is_published"] = "on"
        return data

    def is_published(self, obj) -> bool:
        return obj.is_published

    def publish(self, client, obj):
        return client.post(change_url(obj), self.form(obj) | self.publish_flag)


class QuestionCase:
    model = Question
    title_field = "stem"
    publish_flag: dict = {}

    def draft(self, actor):
        return create_question(status=Status.DRAFT, author=actor, subtest="TWK")

    def published(self):
        return create_question(status=Status.PUBLISHED, subtest="TWK")

    def form(self, obj=None) -> dict:
        data = {
            "subtest": "TWK",
            "aspect": "nasionalisme",
            "section": "",
            "stem": NEW_TITLE,
            "explanation": "Pembahasan singkat.",
            "key": (obj.key or "") if obj else "",
            **management("events"),
        }
        options = list(obj.options.order_by("position")) if obj else [None] * 4
        data |= management("options", total=len(options), initial=len(options) if obj else 0)
        for i, option in enumerate(options):
            data |= {
                f"options-{i}-id": option.pk if option else "",
                f"options-{i}-question": obj.pk if obj else "",
                f"options-{i}-position": i,
                f"options-{i}-text": f"Jawaban {i}",
                f"options-{i}-score": 5 if i == 2 else 0,
                f"options-{i}-rationale": "Alasan.",
            }
        return data

    def is_published(self, obj) -> bool:
        return obj.status == Status.PUBLISHED

    def publish(self, client, obj):
        url = reverse("admin:soal_question_workflow", args=[obj.pk])
        return client.post(url, {"action": "publish"})


CASES = {
    "module": ModuleCase(),
    "section": SectionCase(),
    "blueprint": BlueprintCase(),
    "tryout": TryoutCase(),
    "question": QuestionCase(),
}


def admin_url(model, name: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def change_url(obj) -> str:
    return admin_url(type(obj), "change", obj.pk)


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_admin_role_matrix(client, request, role, model, action):
    user = request.getfixturevalue(role)
    client.force_login(user)
    case = CASES[model]
    may = allowed(role, model, action)

    if action == "view_list":
        response = client.get(admin_url(case.model, "changelist"))
        if may:
            assert response.status_code == 200
        else:
            assert_sent_to_login(response)

    elif action == "add":
        before = set(case.model.objects.values_list("pk", flat=True))
        response = client.post(admin_url(case.model, "add"), case.form() | case.publish_flag)
        created = case.model.objects.exclude(pk__in=before)
        if not may:
            assert_sent_to_login(response)
            assert not created.exists()
            return
        assert response.status_code == 302, response.content.decode()[:3000]
        obj = created.get()
        assert getattr(obj, case.title_field) == NEW_TITLE
        # What a tutor adds is a draft, whatever the form claimed.
        assert case.is_published(obj) == (bool(case.publish_flag) and role == "reviewer")

    elif action in {"change_draft", "change_published"}:
        obj = case.draft(user) if action == "change_draft" else case.published()
        was_published = case.is_published(obj)
        url = change_url(obj)
        response = client.post(url, case.form(obj))
        obj.refresh_from_db()
        if may:
            assert response.status_code == 302, response.content.decode()[:3000]
            assert getattr(obj, case.title_field) == NEW_TITLE
        else:
            if role == "candidate":
                assert_sent_to_login(response)
            else:
                assert response.status_code == 403
                assert client.get(url).status_code == 200  # staff may still read it
            assert getattr(obj, case.title_field) != NEW_TITLE
        assert case.is_published(obj) == was_published

    else:  # publish
        obj = case.draft(user)
        response = case.publish(client, obj)
        obj.refresh_from_db()
        if role == "candidate":
            assert_sent_to_login(response)
        assert case.is_published(obj) == may


def test_tutor_cannot_publish_a_module_from_the_list(client, tutor):
    module = ModuleFactory(is_published=False, order=1)
    client.force_login(tutor)
    response = client.post(
        admin_url(Module, "changelist"),
        {
            **management("form", total=1, initial=1),
            "form-0-id": module.pk,
            "form-0-order": 1,
            "form-0-is_published": "on",
            "_save": "Simpan",
        },
    )
    assert response.status_code in {200, 302}
    module.refresh_from_db()
    assert not module.is_published


def test_reviewer_publishes_a_module_from_the_list(client, reviewer):
    module = ModuleFactory(is_published=False, order=1)
    client.force_login(reviewer)
    response = client.post(
        admin_url(Module, "changelist"),
        {
            **management("form", total=1, initial=1),
            "form-0-id": module.pk,
            "form-0-order": 1,
            "form-0-is_published": "on",
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.is_published


def test_tutor_moving_a_section_into_a_published_module_is_told_why(client, tutor):
    section = SectionFactory(module=ModuleFactory(is_published=False))
    target = ModuleFactory(is_published=True)
    client.force_login(tutor)
    response = client.post(change_url(section), SectionCase().form(section) | {"module": target.pk})
    assert response.status_code == 200
    assert "hanya peninjau yang dapat menambahkan" in response.content.decode()
    section.refresh_from_db()
    assert section.module_id != target.pk


def test_the_rules_hold_outside_the_admin_too(tutor, reviewer):
    module = ModuleFactory(is_published=False)
    module.is_published = True
    with pytest.raises(MateriError, match="Hanya peninjau"):
        module_save(module=module, actor=tutor)
    module_save(module=module, actor=reviewer)
    section = SectionFactory(module=module)
    section.title = NEW_TITLE
    with pytest.raises(MateriError, match="oleh peninjau"):
        section_save(section=section, actor=tutor)

    tryout = TryoutCase().draft(tutor)
    tryout.is_published = True
    with pytest.raises(UjianError, match="Hanya peninjau"):
        tryout_save(tryout=tryout, actor=tutor)
    tryout_save(tryout=tryout, actor=reviewer)
    blueprint = tryout.blueprint
    blueprint.name = NEW_TITLE
    with pytest.raises(UjianError, match="hanya peninjau"):
        blueprint_save(blueprint=blueprint, actor=tutor)
    for obj in (module, section, tryout, blueprint):
        obj.refresh_from_db()
    assert module.is_published and tryout.is_published
    assert section.title != NEW_TITLE and blueprint.name != NEW_TITLE
