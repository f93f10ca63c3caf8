"""Regrading: after a reviewer publishes a fixed version of a question used in a tryout, score
the attempts that saw the old version with the new version's option scores.

The candidate's frozen snapshot ("s") stays as it is; `items["r"][position]` records which
snapshot scores that position now. A dry run computes every change and writes nothing to the
attempts; applying runs in a Celery task in chunks with progress, and is idempotent: positions
already scored by the new version are skipped, so a second run changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from soal.models import Question, Status
from soal.scoring import PrincipleScore, weakest

from ..errors import UjianError
from ..models import Answer, Attempt, AttemptStatus, QuestionSnapshot, Regrade, RegradeStatus
from .snapshots import snapshots_ensure

CHUNK = 1000
# Scores are below 1,000, so one integer orders (total, TKP, TIU, TWK) like the ranking does.
_BASE = 1000


def regrade_problems(old: dict, new: dict) -> list[str]:
    """Why the new version cannot score answers given to the old one (empty when it can)."""
    problems = []
    if old["subtest"] != new["subtest"]:
        problems.append(_("Subtes versi baru berbeda dari versi lama."))
    if old["aspect"] != new["aspect"]:
        problems.append(_("Aspek versi baru berbeda dari versi lama."))
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


def _affected_pks(regrade: Regrade) -> list[int]:
    """Scored attempts that saw the old version, in primary-key order."""
    scored = Attempt.objects.filter(tryout_id=regrade.tryout_id, status=AttemptStatus.SCORED)
    if connection.vendor == "postgresql":
        return list(
            scored.filter(items__s__contains=[regrade.old_snapshot_id])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    # SQLite (the embedded default) has no JSON containment lookup: filter here instead.
    return [
        pk
        for pk, items in scored.order_by("pk").values_list("pk", "items")
        if regrade.old_snapshot_id in (items or {}).get("s", [])
    ]


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


def _summary(result: dict | None) -> dict:
    result = result or {}
    return {
        "total": result.get("total"),
        "passed": result.get("passed"),
        "sections": {s["label"]: s["score"] for s in result.get("sections", [])},
    }


def _shown(result: dict, rank: int) -> dict:
    """A preview side: sections as [label, score] pairs, in the blueprint's order (a JSON
    object in PostgreSQL would come back with its keys reordered)."""
    summary = _summary(result)
    return {**summary, "sections": list(map(list, summary["sections"].items())), "rank": rank}


@dataclass(frozen=True)
class _Version:
    """What scoring needs of one snapshot."""

    subtest: str
    aspect: str
    scores: tuple[int, ...]
    violates: tuple[frozenset[str], ...]
    principles: tuple[str, ...]

    @classmethod
    def of(cls, data: dict) -> _Version:
        options = data["options"]
        return cls(
            subtest=data["subtest"],
            aspect=data["aspect"],
            scores=tuple(o["score"] for o in options),
            violates=tuple(frozenset(o["violates"]) for o in options),
            principles=tuple(sorted({c for o in options for c in (*o["upholds"], *o["violates"])})),
        )

    @property
    def best(self) -> int:
        return max(self.scores, default=0)

    def points(self, choice: int | None) -> int:
        return self.scores[choice] if choice is not None and choice < len(self.scores) else 0


def result_rescored(
    result: dict,
    *,
    position: int,
    choice: int | None,
    section: str,
    old: _Version,
    new: _Version,
    total_threshold: int | None,
) -> dict:
    """The result `compute_result` gives when one position is scored by `new` instead of `old`
    (same subtest and aspect), derived from the stored result by the same definitions: only that
    position's points, maximum and principle credits change. Recomputing every attempt from
    scratch costs minutes for 10,000 attempts; this costs a second. Tests check it against
    `compute_result` for every attempt."""
    # Copy only what changes (a deep copy of every result was most of the time at 10,000).
    r = dict(result)
    r["by_subtest"] = dict(result["by_subtest"])
    r["sections"] = [dict(s) for s in result["sections"]]
    r["aspects"] = [dict(a) for a in result["aspects"]]
    d = new.points(choice) - old.points(choice)
    db = new.best - old.best
    r["total"] += d
    r["maximum"] += db
    r["by_subtest"][new.subtest] = r["by_subtest"].get(new.subtest, 0) + d
    verdicts = []
    for s in r["sections"]:
        if s["label"] == section:
            s["score"] += d
            s["max"] += db
        if s["threshold"] is not None:
            s["passed"] = s["score"] >= s["threshold"]
            verdicts.append(s["passed"])
    for a in r["aspects"]:
        if a["aspect"] == new.aspect:
            a["score"] += d
            a["max"] += db
    if total_threshold is not None:
        r["total_passed"] = r["total"] >= total_threshold
        verdicts.append(r["total_passed"])
    r["passed"] = all(verdicts) if verdicts else None
    if choice is not None:  # unanswered questions are not in the principle profile
        profile = {p["code"]: p for p in r["principles"]}
        for code in {*old.principles, *new.principles}:
            entry = profile.get(code)
            profile[code] = (
                {**entry, "violations": list(entry["violations"])}
                if entry
                else {"code": code, "earned": 0, "available": 0, "questions": 0, "violations": []}
            )
        for version, sign in ((old, -1), (new, 1)):
            chosen_violates = version.violates[choice] if choice < len(version.violates) else ()
            for code in version.principles:
                entry = profile[code]
                entry["earned"] += sign * version.points(choice)
                entry["available"] += sign * version.best
                entry["questions"] += sign
                if code in chosen_violates:
                    if sign < 0:
                        entry["violations"].remove(position)
                    else:
                        entry["violations"] = sorted([*entry["violations"], position])
        kept = [p for p in profile.values() if p["questions"] > 0]
        r["principles"] = sorted(kept, key=lambda p: p["code"])
        scores = {
            p["code"]: PrincipleScore(p["code"], p["earned"], p["available"], p["questions"])
            for p in kept
        }
        r["weakest"] = [p.code for p in weakest(scores, 3)]
    return r


def _section_labels(sections: list) -> list[str]:
    return [s[0] for s in sections for _ in range(s[4])]


def _chosen(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Displayed choice of each (attempt, position), one query for the whole chunk."""
    if not pairs:
        return {}
    if connection.vendor != "postgresql":
        # SQLite (the embedded default, small tryouts): the same answer through the ORM.
        wanted = Q()
        for attempt_id, position in pairs:
            wanted |= Q(attempt_id=attempt_id, position=position)
        rows = Answer.objects.filter(wanted, choice__isnull=False).values_list(
            "attempt_id", "position", "choice"
        )
        return {(a, p): c for a, p, c in rows}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attempt_id, a.position, a.choice FROM ujian_answer a "
            "JOIN unnest(%s::bigint[], %s::int[]) AS t(attempt, pos) "
            "ON a.attempt_id = t.attempt AND a.position = t.pos WHERE a.choice IS NOT NULL",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
        return {(a, p): c for a, p, c in cursor.fetchall()}


def _rescore_chunk(regrade: Regrade, rows: list[tuple], versions: dict[int, _Version]):
    """For each (pk, items, result, sections): the new items and result; attempts whose
    positions are all already scored by the new version are left out."""
    old_id, new_id = regrade.old_snapshot_id, regrade.new_snapshot_id
    threshold = regrade.tryout.blueprint.total_threshold
    todo = []
    for pk, items, result, sections in rows:
        replaced = items.get("r", {})
        positions = [
            p
            for p, sid in enumerate(items["s"])
            if sid == old_id and replaced.get(str(p)) != new_id
        ]
        if positions:
            todo.append((pk, items, result, sections, positions))
    chosen = _chosen([(pk, p) for pk, *_rest, positions in todo for p in positions])
    out = []
    for pk, items, result, sections, positions in todo:
        labels = _section_labels(sections)
        replaced = dict(items.get("r", {}))
        for p in positions:
            current = replaced.get(str(p), old_id)
            displayed = chosen.get((pk, p))
            order = items["o"][p]
            choice = (
                int(order[displayed]) if displayed is not None and displayed < len(order) else None
            )
            result = result_rescored(
                result,
                position=p,
                choice=choice,
                section=labels[p],
                old=versions[current],
                new=versions[new_id],
                total_threshold=threshold,
            )
            replaced[str(p)] = new_id
        out.append((pk, {**items, "r": replaced}, result))
    return out


def _versions(regrade: Regrade, rows: list[tuple]) -> dict[int, _Version]:
    ids = {regrade.old_snapshot_id, regrade.new_snapshot_id}
    ids |= {sid for _pk, items, _r, _s in rows for sid in items.get("r", {}).values()}
    data = QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data")
    return {pk: _Version.of(d) for pk, d in data}


def _row(pk: int, items: dict, result: dict, changed: bool) -> dict:
    by = result["by_subtest"]
    return {
        "id": pk,
        "items": items,
        "result": result,
        "total": result["total"],
        "tkp": by.get("TKP", 0),
        "tiu": by.get("TIU", 0),
        "twk": by.get("TWK", 0),
        "passed": result["passed"],
        "changed": changed,
    }


def _score_key(result: dict) -> int:
    by = result["by_subtest"]
    row = [result["total"], by.get("TKP", 0), by.get("TIU", 0), by.get("TWK", 0)]
    return int(_key(np.array([row], dtype=np.int64))[0])


def regrade_preview(*, regrade_id: int) -> int:
    """The dry run: who would change and how. Writes only the Regrade row, never an attempt."""
    regrade = Regrade.objects.select_related("tryout__blueprint").get(pk=regrade_id)
    if regrade.status != RegradeStatus.PREVIEWING:
        return len(regrade.preview)
    ids, keys = _rank_keys(regrade.tryout_id)
    new_keys = keys.copy()
    row_of = {pk: i for i, pk in enumerate(ids.tolist())}
    pks = _affected_pks(regrade)
    changes = []
    for start in range(0, len(pks), CHUNK):
        rows = list(
            Attempt.objects.filter(pk__in=pks[start : start + CHUNK])
            .order_by("pk")
            .values_list("pk", "items", "result", "sections")
        )
        old_results = {pk: result for pk, _i, result, _s in rows}
        for pk, _items, result in _rescore_chunk(regrade, rows, _versions(regrade, rows)):
            if _summary(old_results[pk]) == _summary(result):
                continue
            new_keys[row_of[pk]] = _score_key(result)
            changes.append((pk, old_results[pk], result))
    preview = []
    if changes:
        people = {
            pk: (str(uuid), name or email)
            for pk, uuid, name, email in Attempt.objects.filter(
                pk__in=[c[0] for c in changes]
            ).values_list("pk", "uuid", "user__full_name", "user__email")
        }
        at = np.array([row_of[pk] for pk, _o, _n in changes])
        old_rank = _ranks(keys, keys[at])
        new_rank = _ranks(new_keys, new_keys[at])
        for (pk, old, new), r_old, r_new in zip(changes, old_rank, new_rank, strict=True):
            preview.append(
                {
                    "attempt": people[pk][0],
                    "user": people[pk][1],
                    "old": _shown(old, int(r_old)),
                    "new": _shown(new, int(r_new)),
                }
            )
    Regrade.objects.filter(pk=regrade.pk, status=RegradeStatus.PREVIEWING).update(
        preview=preview,
        total=len(pks),
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


# One statement per chunk: the new items, result and score columns of every attempt in it.
# The rows travel as one JSON document: text arrays of JSON would be escaped element by element.
_UPDATE = """
UPDATE ujian_attempt AS t SET
    items = v.items, result = v.result, total = v.total, score_tkp = v.tkp,
    score_tiu = v.tiu, score_twk = v.twk, passed = v.passed,
    regraded_at = CASE WHEN v.changed THEN %s ELSE t.regraded_at END
FROM jsonb_to_recordset(%s::jsonb) AS v(
    id bigint, items jsonb, result jsonb, total int, tkp int, tiu int, twk int, passed boolean,
    changed boolean
)
WHERE t.id = v.id
"""


def regrade_apply(*, regrade_id: int) -> int:
    """Write the new results, chunk by chunk, each chunk locked and re-checked; returns how many
    attempts' results changed. Running it again changes nothing."""
    regrade = Regrade.objects.select_related("tryout__blueprint").get(pk=regrade_id)
    if regrade.status != RegradeStatus.APPLYING:
        return 0
    pks = _affected_pks(regrade)
    Regrade.objects.filter(pk=regrade.pk).update(total=len(pks), done=0)
    changed = 0
    now = timezone.now()
    for start in range(0, len(pks), CHUNK):
        with transaction.atomic():
            rows = list(
                Attempt.objects.select_for_update()
                .filter(pk__in=pks[start : start + CHUNK], status=AttemptStatus.SCORED)
                .order_by("pk")
                .values_list("pk", "items", "result", "sections")
            )
            old = {pk: result for pk, _i, result, _s in rows}
            updates = []
            for pk, items, result in _rescore_chunk(regrade, rows, _versions(regrade, rows)):
                moved = _summary(old[pk]) != _summary(result)
                changed += moved
                updates.append(_row(pk, items, result, moved))
            if updates and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(_UPDATE, [now, json.dumps(updates)])
            elif updates:  # SQLite (the embedded default): one UPDATE per attempt, same columns
                for row in updates:
                    Attempt.objects.filter(pk=row["id"]).update(
                        items=row["items"],
                        result=row["result"],
                        total=row["total"],
                        score_tkp=row["tkp"],
                        score_tiu=row["tiu"],
                        score_twk=row["twk"],
                        passed=row["passed"],
                        **({"regraded_at": now} if row["changed"] else {}),
                    )
            Regrade.objects.filter(pk=regrade.pk).update(done=F("done") + len(rows))
    Regrade.objects.filter(pk=regrade.pk, status=RegradeStatus.APPLYING).update(
        status=RegradeStatus.DONE, changed=changed, applied_at=now, finished_at=timezone.now()
    )
    return changed


def regrade_fail(*, regrade_id: int, error: str) -> None:
    Regrade.objects.filter(pk=regrade_id).exclude(status=RegradeStatus.DONE).update(
        status=RegradeStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
