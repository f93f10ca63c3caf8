"""Regrading: after a reviewer publishes a fixed version of a question used in a tryout, score
the attempts that saw the old version with the new version's option scores.

The candidate's frozen snapshot ("s") stays as it is; `items["r"][position]` records which
snapshot scores that position now. A dry run computes every change and writes nothing to the
attempts; applying runs in a Celery task in chunks with progress, and is idempotent: positions
already scored by the new version are skipped, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from soal.models import Question, Status

from ..errors import UjianError
from ..models import Answer, Attempt, AttemptStatus, QuestionSnapshot, Regrade, RegradeStatus
from .scoring import compute_result, result_assign
from .snapshots import snapshots_ensure

CHUNK = 1000
# Scores are below 1,000, so one integer orders (total, TKP, TIU, TWK) like the ranking does.
_BASE = 1000


def regrade_problems(old: dict, new: dict) -> list[str]:
    """Why the new version cannot score answers given to the old one (empty when it can)."""
    problems = []
    if old["subtest"] != new["subtest"]:
        problems.append(_("Subtes versi baru berbeda dari versi lama."))
    old_opts, new_opts = old["options"], new["options"]
    if len(old_opts) != len(new_opts):
        problems.append(
            _("Jumlah pilihan berubah (%(old)d → %(new)d): jawaban lama tidak dapat dinilai ulang.")
            % {"old": len(old_opts), "new": len(new_opts)}
        )
    else:
        old_texts = [o["text"].strip() for o in old_opts]
        new_texts = [o["text"].strip() for o in new_opts]
        if old_texts != new_texts and sorted(old_texts) == sorted(new_texts):
            problems.append(
                _("Urutan pilihan berubah: jawaban lama tidak dapat dinilai ulang dengan aman.")
            )
    return problems


def later_versions(question: Question) -> list[Question]:
    """Published versions that replace this one, newest first."""
    found, current = [], question
    seen = {question.pk}
    while True:
        nxt = (
            Question.objects.filter(previous_version=current)
            .exclude(pk__in=seen)
            .order_by("-version")
            .first()
        )
        if nxt is None:
            break
        seen.add(nxt.pk)
        found.append(nxt)
        current = nxt
    return [q for q in reversed(found) if q.status == Status.PUBLISHED]


@transaction.atomic
def regrade_create(*, tryout, old_snapshot: QuestionSnapshot, new_question: Question, actor):
    """Start a dry run (the task fills `preview`); refuses a version that cannot score old
    answers."""
    if new_question.status != Status.PUBLISHED:
        raise UjianError(_("Versi baru belum terbit: terbitkan dulu sebelum menilai ulang."))
    old_question_id = old_snapshot.data.get("question")
    if old_question_id is None or new_question.pk not in {
        q.pk for q in later_versions(Question.objects.get(pk=old_question_id))
    }:
        raise UjianError(_("Soal itu bukan versi yang lebih baru dari soal ini."))
    question = (
        Question.objects.select_related("section__module")
        .prefetch_related("options__credits__principle")
        .get(pk=new_question.pk)
    )
    new_id = snapshots_ensure([question])[question.pk]
    new_snapshot = QuestionSnapshot.objects.get(pk=new_id)
    problems = regrade_problems(old_snapshot.data, new_snapshot.data)
    if problems:
        raise UjianError(" ".join(problems))
    if new_snapshot.pk == old_snapshot.pk:
        raise UjianError(_("Versi baru sama dengan yang dikerjakan peserta."))
    regrade = Regrade.objects.create(
        tryout=tryout, old_snapshot=old_snapshot, new_snapshot=new_snapshot, created_by=actor
    )
    from ..tasks import regrade_preview_task

    regrade_preview_task.delay_on_commit(regrade.pk)
    return regrade


def _affected(regrade: Regrade):
    """Scored attempts that saw the old version and are not yet scored by the new one."""
    return Attempt.objects.filter(
        tryout_id=regrade.tryout_id,
        status=AttemptStatus.SCORED,
        items__s__contains=[regrade.old_snapshot_id],
    ).order_by("pk")


def _rank_keys(tryout_id: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.array(
        list(
            Attempt.objects.filter(tryout_id=tryout_id, status=AttemptStatus.SCORED)
            .order_by("pk")
            .values_list("pk", "total", "score_tkp", "score_tiu", "score_twk")
        ),
        dtype=np.int64,
    ).reshape(-1, 5)
    return rows[:, 0], _key(rows[:, 1:])


def _key(scores: np.ndarray) -> np.ndarray:
    t, k, i, w = (scores[:, j] for j in range(4))
    return ((t * _BASE + k) * _BASE + i) * _BASE + w


def _ranks(keys: np.ndarray, of: np.ndarray) -> np.ndarray:
    """1 + how many keys are strictly better, for each of `of`."""
    ordered = np.sort(keys)
    return len(keys) - np.searchsorted(ordered, of, side="right") + 1


def _summary(result: dict) -> dict:
    return {
        "total": result["total"],
        "passed": result["passed"],
        "sections": {s["label"]: s["score"] for s in result["sections"]},
    }


def _new_results(regrade: Regrade, attempts: Sequence[Attempt]) -> list[tuple[Attempt, dict]]:
    """Each attempt with its result scored by the new version (attempts are changed in memory
    only: items["r"] gains the new snapshot at the old version's positions)."""
    old_id, new_id = regrade.old_snapshot_id, regrade.new_snapshot_id
    ids = {new_id}
    for a in attempts:
        ids |= a.snapshot_ids() | set(a.items.get("r", {}).values())
    snapshots = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))
    answers: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(attempt__in=[a.pk for a in attempts]).only(
        "attempt_id", "position", "choice"
    ):
        answers.setdefault(answer.attempt_id, []).append(answer)
    threshold = regrade.tryout.blueprint.total_threshold
    out = []
    for a in attempts:
        replaced = dict(a.items.get("r", {}))
        for position, sid in enumerate(a.items["s"]):
            if sid == old_id:
                replaced[str(position)] = new_id
        a.items = {**a.items, "r": replaced}
        out.append((a, compute_result(a, answers.get(a.pk, []), threshold, snapshots)))
    return out


def _changed(attempt: Attempt, result: dict) -> bool:
    old = attempt.result or {}
    return _summary(old) != _summary(result) if old else True


def regrade_preview(*, regrade_id: int) -> int:
    """The dry run: who would change and how. Writes only the Regrade row, never an attempt."""
    regrade = Regrade.objects.select_related("tryout__blueprint").get(pk=regrade_id)
    if regrade.status != RegradeStatus.PREVIEWING:
        return len(regrade.preview)
    ids, keys = _rank_keys(regrade.tryout_id)
    new_keys = keys.copy()
    position_of = {pk: i for i, pk in enumerate(ids.tolist())}
    changes: list[tuple[Attempt, dict, dict]] = []
    affected = list(_affected(regrade).select_related("user"))
    for start in range(0, len(affected), CHUNK):
        part = affected[start : start + CHUNK]
        old_results = {a.pk: a.result for a in part}
        for a, result in _new_results(regrade, part):
            if _summary(old_results[a.pk] or {"total": None, "passed": None, "sections": []}) == (
                _summary(result)
            ):
                continue
            by = result["by_subtest"]
            new_keys[position_of[a.pk]] = _key(
                np.array([[result["total"], by.get("TKP", 0), by.get("TIU", 0), by.get("TWK", 0)]])
            )[0]
            changes.append((a, old_results[a.pk], result))
    preview = []
    if changes:
        rows = np.array([position_of[a.pk] for a, _o, _n in changes])
        old_rank = _ranks(keys, keys[rows])
        new_rank = _ranks(new_keys, new_keys[rows])
        for (a, old, new), r_old, r_new in zip(changes, old_rank, new_rank, strict=True):
            preview.append(
                {
                    "attempt": str(a.uuid),
                    "user": a.user.get_full_name() or a.user.get_username(),
                    "old": {**_summary(old), "rank": int(r_old)},
                    "new": {**_summary(new), "rank": int(r_new)},
                }
            )
    Regrade.objects.filter(pk=regrade.pk, status=RegradeStatus.PREVIEWING).update(
        preview=preview,
        total=len(affected),
        changed=len(preview),
        status=RegradeStatus.PREVIEWED,
    )
    return len(preview)


def regrade_request_apply(*, regrade: Regrade, actor) -> bool:
    """Claim a previewed regrade for applying (a double click enqueues it once)."""
    claimed = Regrade.objects.filter(pk=regrade.pk, status=RegradeStatus.PREVIEWED).update(
        status=RegradeStatus.APPLYING, applied_by=actor, done=0
    )
    if claimed:
        from ..tasks import regrade_apply_task

        transaction.on_commit(lambda: regrade_apply_task.delay(regrade.pk))
    return bool(claimed)


def regrade_apply(*, regrade_id: int) -> int:
    """Write the new results, chunk by chunk, each chunk locked and re-checked; returns how many
    attempts' results changed. Running it again changes nothing."""
    regrade = Regrade.objects.select_related("tryout__blueprint").get(pk=regrade_id)
    if regrade.status != RegradeStatus.APPLYING:
        return 0
    pks = list(_affected(regrade).values_list("pk", flat=True))
    Regrade.objects.filter(pk=regrade.pk).update(total=len(pks), done=0)
    changed = 0
    now = timezone.now()
    fields = ["items", "result", "total", "score_tkp", "score_tiu", "score_twk", "passed"]
    for start in range(0, len(pks), CHUNK):
        with transaction.atomic():
            part = list(
                Attempt.objects.select_for_update()
                .filter(pk__in=pks[start : start + CHUNK], status=AttemptStatus.SCORED)
                .order_by("pk")
            )
            todo = [
                a
                for a in part
                if any(
                    sid == regrade.old_snapshot_id
                    and a.items.get("r", {}).get(str(p)) != regrade.new_snapshot_id
                    for p, sid in enumerate(a.items["s"])
                )
            ]
            updated, moved = [], []
            for a, result in _new_results(regrade, todo):
                if _changed(a, result):
                    result_assign(a, result)
                    a.regraded_at = now
                    moved.append(a)
                else:
                    updated.append(a)
            if moved:
                Attempt.objects.bulk_update(moved, [*fields, "regraded_at"], batch_size=500)
            if updated:
                Attempt.objects.bulk_update(updated, ["items"], batch_size=500)
            changed += len(moved)
            Regrade.objects.filter(pk=regrade.pk).update(done=F("done") + len(part))
    Regrade.objects.filter(pk=regrade.pk, status=RegradeStatus.APPLYING).update(
        status=RegradeStatus.DONE, changed=changed, applied_at=now, finished_at=timezone.now()
    )
    return changed


def regrade_fail(*, regrade_id: int, error: str) -> None:
    Regrade.objects.filter(pk=regrade_id).exclude(status=RegradeStatus.DONE).update(
        status=RegradeStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
