"""factory_boy factories for every app, one place so tests share their setup."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from cpns.models import Institution, Membership, User
from cpns.roles import roles_ensure


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.django.Password("rahasia-123")

    @factory.post_generation
    def tutor(self, create: bool, extracted: bool, **kwargs) -> None:
        if create and extracted:
            roles_ensure()
            self.is_staff = True
            self.save(update_fields=["is_staff"])
            self.groups.add(Group.objects.get(name="Tutor"))

    @factory.post_generation
    def reviewer(self, create: bool, extracted: bool, **kwargs) -> None:
        if create and extracted:
            roles_ensure()
            self.is_staff = True
            self.save(update_fields=["is_staff"])
            self.groups.add(Group.objects.get(name="Tutor"), Group.objects.get(name="Reviewer"))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Lembaga {n}")
    slug = factory.Sequence(lambda n: f"lembaga-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)


# --- materi -------------------------------------------------------------------------------------
from materi.models import Module, Principle, Section  # noqa: E402


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Principle
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"prinsip-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    group = Principle.Group.ASAS
    explanation = "Penjelasan singkat prinsip untuk pengujian."


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"modul-{n}")
    title = factory.Sequence(lambda n: f"Modul {n}")
    order = factory.Sequence(int)
    intro = "Pengantar modul."
    summary = "Ringkasan modul."
    is_published = True


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    module = factory.SubFactory(ModuleFactory)
    slug = factory.Sequence(lambda n: f"bagian-{n}")
    title = factory.Sequence(lambda n: f"Bagian {n}")
    order = factory.Sequence(int)
    body = "Isi bagian tentang pelayanan publik yang baik."
    key_points = "Poin satu\nPoin dua"


# --- soal ---------------------------------------------------------------------------------------
from soal.models import Status  # noqa: E402
from soal.services.questions import question_create  # noqa: E402
from soal.services.rules import OptionData, QuestionData  # noqa: E402


def question_data(subtest: str = "TKP", aspect: str | None = None, **overrides) -> QuestionData:
    """Valid content for a question; TKP gets five options scored 3,5,1,4,2 with credits."""
    PrincipleFactory(code="sq-empathy")
    PrincipleFactory(code="asas-tidak-diskriminatif")
    if subtest == "TKP":
        scores = overrides.pop("scores", [3, 5, 1, 4, 2])
        options = [
            OptionData(
                text=f"Tindakan {letter} untuk warga",
                score=score,
                rationale=f"Alasan untuk skor {score}.",
                upholds=["sq-empathy"] if score >= 3 else [],
                violates=[] if score >= 3 else ["asas-tidak-diskriminatif"],
            )
            for letter, score in zip("ABCDEFGH", scores, strict=False)
        ]
        aspect = aspect or "pelayanan-publik"
    else:
        scores = overrides.pop("scores", [0, 0, 5, 0])
        options = [
            OptionData(text=f"Jawaban {letter}", score=score, rationale="Alasan.")
            for letter, score in zip("ABCDEFGH", scores, strict=False)
        ]
        aspect = aspect or {"TWK": "nasionalisme", "TIU": "verbal"}.get(subtest, "pemahaman-materi")
    values = {
        "stem": "Seorang warga datang ke loket. Apa yang Anda lakukan?",
        "subtest": subtest,
        "aspect": aspect,
        "options": options,
        "explanation": "Pembahasan: pilihan terbaik menjunjung empati dan tidak diskriminatif.",
    }
    values.update(overrides)
    return QuestionData(**values)


def create_question(status: str = Status.PUBLISHED, author=None, **kwargs):
    return question_create(data=question_data(**kwargs), author=author, status=status)


# --- ujian --------------------------------------------------------------------------------------
from ujian.models import Blueprint, BlueprintSection, Tryout  # noqa: E402


def make_bank(pelayanan: int = 6, jejaring: int = 4, **kwargs) -> list:
    questions = []
    for i in range(pelayanan):
        questions.append(
            create_question(stem=f"Situasi pelayanan nomor {i}. Sikap Anda?", **kwargs)
        )
    for i in range(jejaring):
        questions.append(
            create_question(
                stem=f"Situasi jejaring nomor {i}. Sikap Anda?", aspect="jejaring-kerja", **kwargs
            )
        )
    return questions


def make_blueprint(
    sections=(("Pelayanan", "pelayanan-publik", 3, 10), ("Jejaring", "jejaring-kerja", 2, None)),
    duration_minutes: int = 10,
    total_threshold: int | None = None,
    slug: str = "kisi-uji",
) -> Blueprint:
    blueprint = Blueprint.objects.create(
        slug=slug,
        name="Kisi-kisi uji",
        duration_minutes=duration_minutes,
        total_threshold=total_threshold,
    )
    for order, (label, aspect, count, threshold) in enumerate(sections, start=1):
        subtest = "TKP" if aspect in {"pelayanan-publik", "jejaring-kerja"} else aspect.upper()
        BlueprintSection.objects.create(
            blueprint=blueprint,
            order=order,
            label=label,
            subtest=subtest,
            aspect=aspect if subtest == "TKP" else "",
            question_count=count,
            passing_threshold=threshold,
        )
    return blueprint


def make_tryout(blueprint: Blueprint | None = None, **kwargs) -> Tryout:
    values = {"slug": "tryout-uji", "title": "Tryout uji", "max_attempts": 3}
    values.update(kwargs)
    return Tryout.objects.create(blueprint=blueprint or make_blueprint(), **values)
