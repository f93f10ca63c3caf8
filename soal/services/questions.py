"""Creating, changing and moving questions through draft → review → published → retired."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materi.models import Principle, Section

from ..errors import SoalError
from ..models import Effect, Option, OptionPrinciple, Question, QuestionEvent, Status
from .rules import OptionData, QuestionData, publication_problems, structural_problems


def known_principle_codes() -> set[str]:
    return set(Principle.objects.values_list("code", flat=True))


def section_by_ref(ref: str | None) -> Section | None:
    if not ref:
        return None
    module_slug, _sep, section_slug = ref.partition("/")
    return Section.objects.filter(module__slug=module_slug, slug=section_slug).first()


def question_to_data(question: Question) -> QuestionData:
    options = []
    for option in question.options.all():
        credits = list(option.credits.all())
        options.append(
            OptionData(
                text=option.text,
                score=option.score,
                rationale=option.rationale,
                upholds=[c.principle.code for c in credits if c.effect == Effect.UPHOLDS],
                violates=[c.principle.code for c in credits if c.effect == Effect.VIOLATES],
                figure_svg=option.figure_svg,
            )
        )
    section = question.section
    return QuestionData(
        stem=question.stem,
        subtest=question.subtest,
        aspect=question.aspect,
        options=options,
        explanation=question.explanation,
        key=question.key,
        section_ref=f"{section.module.slug}/{section.slug}" if section else None,
        figure_svg=question.figure_svg,
        figure_alt=question.figure_alt,
    )


def _write_options(question: Question, options: list[OptionData], codes: dict[str, Principle]):
    question.options.all().delete()
    created = Option.objects.bulk_create(
        Option(
            question=question,
            position=i,
            text=o.text.strip(),
            score=o.score,
            rationale=o.rationale.strip(),
            figure_svg=o.figure_svg.strip(),
        )
        for i, o in enumerate(options)
    )
    OptionPrinciple.objects.bulk_create(
        OptionPrinciple(option=option, principle=codes[code], effect=effect)
        for option, data in zip(created, options, strict=True)
        for effect, code_list in ((Effect.UPHOLDS, data.upholds), (Effect.VIOLATES, data.violates))
        for code in dict.fromkeys(code_list)
    )


def _check(data: QuestionData, codes: dict[str, Principle], *, publish: bool) -> None:
    check = publication_problems if publish else structural_problems
    problems = check(data, known_principles=set(codes))
    if problems:
        raise SoalError(_("Soal belum memenuhi aturan:"), problems)


@transaction.atomic
def question_create(
    *,
    data: QuestionData,
    author=None,
    status: str = Status.DRAFT,
    reviewer=None,
    action: str = QuestionEvent.Action.CREATED,
    actor=None,
) -> Question:
    codes = {p.code: p for p in Principle.objects.all()}
    _check(data, codes, publish=status == Status.PUBLISHED)
    question = Question.objects.create(
        key=data.key or None,
        stem=data.stem.strip(),
        explanation=data.explanation.strip(),
        figure_svg=data.figure_svg.strip(),
        figure_alt=data.figure_alt.strip(),
        subtest=data.subtest,
        aspect=data.aspect,
        scoring=data.scoring,
        status=status,
        author=author,
        reviewer=reviewer,
        section=section_by_ref(data.section_ref),
        published_at=timezone.now() if status == Status.PUBLISHED else None,
    )
    _write_options(question, data.options, codes)
    QuestionEvent.objects.create(question=question, actor=actor or author, action=action)
    return question


@transaction.atomic
def question_update_content(*, question: Question, data: QuestionData, actor=None) -> Question:
    """Replace a draft's content (used by the fixture loader and importers, never on published)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status == Status.PUBLISHED:
        raise SoalError(_("Soal yang sudah terbit tidak diubah langsung; buat versi baru."))
    codes = {p.code: p for p in Principle.objects.all()}
    _check(data, codes, publish=False)
    question.stem, question.explanation = data.stem.strip(), data.explanation.strip()
    question.figure_svg, question.figure_alt = data.figure_svg.strip(), data.figure_alt.strip()
    question.subtest, question.aspect, question.scoring = data.subtest, data.aspect, data.scoring
    question.section = section_by_ref(data.section_ref)
    question.save()
    _write_options(question, data.options, codes)
    QuestionEvent.objects.create(question=question, actor=actor, action=QuestionEvent.Action.EDITED)
    return question


def can_edit(user, question: Question) -> bool:
    """Tutors change their own drafts; reviewers may also fix what is under review."""
    if question.status == Status.DRAFT:
        return user.is_superuser or question.author_id == user.pk
    if question.status == Status.REVIEW:
        return user.has_perm("soal.publish_question")
    return False


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


@transaction.atomic
def question_submit(*, question: Question, actor) -> Question:
    question = _locked(question)
    if question.status != Status.DRAFT:
        raise SoalError(_("Hanya draf yang dapat diajukan untuk ditinjau."))
    if not (actor.is_superuser or question.author_id == actor.pk):
        raise SoalError(_("Anda hanya dapat mengajukan draf milik Anda sendiri."))
    problems = publication_problems(question_to_data(question), known_principles=None)
    if problems:
        raise SoalError(_("Soal belum memenuhi aturan:"), problems)
    question.status = Status.REVIEW
    question.save(update_fields=["status", "updated_at"])
    QuestionEvent.objects.create(
        question=question, actor=actor, action=QuestionEvent.Action.SUBMITTED
    )
    return question


@transaction.atomic
def question_publish(*, question: Question, actor) -> Question:
    question = _locked(question)
    if not actor.has_perm("soal.publish_question"):
        raise SoalError(_("Hanya peninjau yang dapat menerbitkan soal."))
    if question.status not in (Status.REVIEW, Status.DRAFT):
        raise SoalError(_("Soal ini tidak dalam status draf atau ditinjau."))
    problems = publication_problems(question_to_data(question), known_principles=None)
    if problems:
        raise SoalError(_("Soal belum memenuhi aturan:"), problems)
    question.status, question.reviewer = Status.PUBLISHED, actor
    question.published_at, question.review_comment = timezone.now(), ""
    question.save()
    QuestionEvent.objects.create(
        question=question, actor=actor, action=QuestionEvent.Action.PUBLISHED
    )
    previous = question.previous_version
    if previous is not None and previous.status == Status.PUBLISHED:
        # A new version replaces the old one in practice and in future tryouts.
        _retire(previous, actor, _("diganti versi %(v)d") % {"v": question.version})
    return question


@transaction.atomic
def question_return(*, question: Question, actor, comment: str) -> Question:
    question = _locked(question)
    if not actor.has_perm("soal.publish_question"):
        raise SoalError(_("Hanya peninjau yang dapat mengembalikan soal."))
    if question.status != Status.REVIEW:
        raise SoalError(_("Hanya soal yang sedang ditinjau yang dapat dikembalikan."))
    if not comment.strip():
        raise SoalError(_("Tuliskan catatan agar penulis tahu apa yang perlu diperbaiki."))
    question.status, question.review_comment = Status.DRAFT, comment.strip()
    question.save(update_fields=["status", "review_comment", "updated_at"])
    QuestionEvent.objects.create(
        question=question, actor=actor, action=QuestionEvent.Action.RETURNED, detail=comment.strip()
    )
    return question


def _retire(question: Question, actor, detail: str = "") -> None:
    question.status = Status.RETIRED
    question.save(update_fields=["status", "updated_at"])
    QuestionEvent.objects.create(
        question=question, actor=actor, action=QuestionEvent.Action.RETIRED, detail=detail
    )


@transaction.atomic
def question_retire(*, question: Question, actor) -> Question:
    question = _locked(question)
    if not actor.has_perm("soal.publish_question"):
        raise SoalError(_("Hanya peninjau yang dapat mempensiunkan soal."))
    if question.status == Status.RETIRED:
        return question
    _retire(question, actor)
    return question


@transaction.atomic
def question_duplicate(*, question: Question, actor) -> Question:
    """A new draft copy. Of a published question it is the next version (the way to edit one)."""
    data = question_to_data(question)
    data.key = None
    copy = question_create(data=data, author=actor, action=QuestionEvent.Action.DUPLICATED)
    if question.owner_id is not None:  # a private question's copy stays private
        copy.owner_id = question.owner_id
        copy.save(update_fields=["owner"])
    if question.status == Status.PUBLISHED:
        copy.previous_version, copy.version = question, question.version + 1
        copy.save(update_fields=["previous_version", "version"])
    return copy
