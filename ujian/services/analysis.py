"""Item analysis of a tryout: collect the response matrix with set-based queries, run the
statistics engine (soal.analysis) per subtest, store the figures. Runs in a Celery task after a
tryout closes or on demand, never while a page renders."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Min, QuerySet, Subquery
from django.utils import timezone

from soal.analysis.classical import single_correct_analysis
from soal.analysis.groups import score_groups
from soal.analysis.moodle import quiz_statistics
from soal.analysis.tkp import SMALL_SAMPLE, VERY_SMALL_SAMPLE, tkp_analysis
from soal.models import Question

from ..models import Attempt, AttemptStatus, ItemStat, QuestionSnapshot, Tryout, TryoutStat

SINGLE_MAX = 5
MAX_OPTIONS = 5
# Every option order an attempt can hold, so a displayed choice maps back through one lookup.
_PERMS = [
    "".join(map(str, p))
    for n in range(1, MAX_OPTIONS + 1)
    for p in itertools.permutations(range(n))
]
_PERM_CODE = {p: i for i, p in enumerate(_PERMS)}
_PERM_TABLE = np.full((len(_PERMS), MAX_OPTIONS), -1, dtype=np.int64)
for _i, _p in enumerate(_PERMS):
    _PERM_TABLE[_i, : len(_p)] = [int(c) for c in _p]


@dataclass
class SubtestMatrix:
    subtest: str
    snapshots: list[int]  # column → snapshot id (the version the candidates saw)
    chosen: np.ndarray  # attempts × items, original option index, −1 blank or not presented
    presented: np.ndarray  # attempts × items, bool
    option_scores: np.ndarray  # items × 5, the scoring version's option scores, −1 for none
    marks: np.ndarray  # attempts × items, points


@dataclass
class TryoutMatrix:
    attempt_ids: np.ndarray
    subtests: dict[str, SubtestMatrix]
    snapshot_data: dict[int, dict]
    random_forms: bool


def analysed_attempts(tryout_id: int) -> QuerySet[Attempt]:
    """Each candidate's first scored attempt of the tryout. A later attempt (a retake, or another
    attempt an institution granted) is answered by someone who has seen the questions: counting
    it would make items look easier and more reliable than they are, and one person twice
    breaks the independence the statistics assume. Moodle's report offers the same choice."""
    first = (
        Attempt.objects.filter(tryout_id=tryout_id, status=AttemptStatus.SCORED)
        .values("user_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return Attempt.objects.filter(pk__in=Subquery(first))


def _answers(tryout_id: int) -> np.ndarray:
    """(attempt id, position, displayed choice) of every answer of the analysed attempts (the
    same rule as `analysed_attempts`), one query, read straight into an array (a million rows
    through the ORM cost seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attempt_id, a.position, a.choice FROM ujian_answer a "
            "WHERE a.choice IS NOT NULL AND a.attempt_id IN ("
            "SELECT MIN(t.id) FROM ujian_attempt t WHERE t.tryout_id = %s AND t.status = %s "
            "GROUP BY t.user_id)",
            [tryout_id, AttemptStatus.SCORED],
        )
        rows = cursor.fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def tryout_matrix(*, tryout_id: int) -> TryoutMatrix:
    attempts = list(
        analysed_attempts(tryout_id).order_by("pk").values_list("pk", "items", "sections")
    )
    n = len(attempts)
    attempt_ids = np.array([a[0] for a in attempts], dtype=np.int64)
    # Flatten every (attempt, position) cell: its row, snapshot, subtest and option order.
    rows, sids, codes, subtests, offsets = [], [], [], [], np.zeros(n + 1, dtype=np.int64)
    replaced: dict[int, int] = {}
    for row, (_pk, items, sections) in enumerate(attempts):
        s = items.get("s", [])
        offsets[row + 1] = offsets[row] + len(s)
        rows.append(np.full(len(s), row, dtype=np.int64))
        sids.extend(s)
        codes.extend(_PERM_CODE[o] for o in items.get("o", []))
        subtests.extend(sec[1] for sec in sections for _ in range(sec[4]))
        for position, new in items.get("r", {}).items():
            replaced.setdefault(s[int(position)], new)
    cell_row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cell_sid = np.array(sids, dtype=np.int64)
    cell_code = np.array(codes, dtype=np.int64)
    cell_subtest = np.array(subtests, dtype=object)
    cell_choice = np.full(len(cell_sid), -1, dtype=np.int64)

    answers = _answers(tryout_id)
    if len(answers):
        row_of = np.searchsorted(attempt_ids, answers[:, 0])
        flat = offsets[row_of] + answers[:, 1]
        keep = answers[:, 1] < (offsets[row_of + 1] - offsets[row_of])
        flat, displayed = flat[keep], answers[keep, 2]
        cell_choice[flat] = _PERM_TABLE[cell_code[flat], np.minimum(displayed, MAX_OPTIONS - 1)]

    ids = set(np.unique(cell_sid).tolist()) | set(replaced.values())
    data = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))

    matrices: dict[str, SubtestMatrix] = {}
    random_forms = False
    for subtest in dict.fromkeys(cell_subtest.tolist()):
        mask = cell_subtest == subtest
        sub_sid, sub_row, sub_choice = cell_sid[mask], cell_row[mask], cell_choice[mask]
        columns = list(dict.fromkeys(sub_sid.tolist()))
        column_of = {sid: c for c, sid in enumerate(columns)}
        col = np.array([column_of[s] for s in sub_sid.tolist()], dtype=np.int64)
        k = len(columns)
        chosen = np.full((n, k), -1, dtype=np.int64)
        presented = np.zeros((n, k), dtype=bool)
        chosen[sub_row, col] = sub_choice
        presented[sub_row, col] = True
        random_forms = random_forms or not presented.all()
        scores = np.full((k, MAX_OPTIONS), -1, dtype=np.int64)
        for c, sid in enumerate(columns):
            opts = data[replaced.get(sid, sid)]["options"]
            scores[c, : len(opts)] = [o["score"] for o in opts]
        marks = np.where(
            chosen >= 0, np.take_along_axis(scores.T, np.maximum(chosen, 0), axis=0), 0
        ).astype(np.float64)
        matrices[subtest] = SubtestMatrix(subtest, columns, chosen, presented, scores, marks)
    return TryoutMatrix(attempt_ids, matrices, data, random_forms)


def _sample_warning(n: int) -> str | None:
    if n < VERY_SMALL_SAMPLE:
        return "very_small"
    if n < SMALL_SAMPLE:
        return "small"
    return None


def _group_rates(chosen: np.ndarray, totals: np.ndarray) -> list[dict]:
    """Per item, per option (and blank last): share of choosers overall and in the upper,
    middle and lower 27 % groups of the subtest total."""
    n, k = chosen.shape
    codes = np.array([*range(MAX_OPTIONS), -1])
    picked = (chosen[:, :, None] == codes).astype(np.float64)
    groups = score_groups(totals)
    out = []
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = picked.mean(axis=0) if n else np.full((k, len(codes)), np.nan)
        if groups is None:
            upper = middle = lower = np.full((k, len(codes)), np.nan)
        else:
            upper = np.einsum("n,nko->ko", groups.upper, picked) / groups.size
            lower = np.einsum("n,nko->ko", groups.lower, picked) / groups.size
            weight = groups.middle.sum()
            middle = (
                np.einsum("n,nko->ko", groups.middle, picked) / weight
                if weight > 0
                else np.full((k, len(codes)), np.nan)
            )
    for i in range(k):
        out.append(
            {
                name: [None if np.isnan(v) else float(v) for v in arr[i]]
                for name, arr in (
                    ("overall", overall),
                    ("upper", upper),
                    ("middle", middle),
                    ("lower", lower),
                )
            }
        )
    return out


def subtest_analysis(m: SubtestMatrix) -> tuple[dict, list[dict]]:
    """Test-level figures and one dict per item (column) for one subtest.

    When attempts drew different questions (random forms), each question's own figures are
    computed over the attempts that were shown it (a cell never shown is not a blank answer);
    the rest score stays the attempt's subtest total without the item. Test-level reliability
    (CIC, α, KR-20) then mixes forms and is an approximation."""
    test, items = _analyse(m)
    if m.presented.all():
        return test, items
    for j in range(m.marks.shape[1]):
        rows = m.presented[:, j]
        if rows.all() or not rows.any():
            continue
        subset = SubtestMatrix(
            m.subtest,
            m.snapshots,
            m.chosen[rows],
            m.presented[rows],
            m.option_scores,
            m.marks[rows],
        )
        _test, sub_items = _analyse(subset)
        items[j] = sub_items[j]
        items[j]["sample_warning"] = _sample_warning(int(rows.sum()))
    return test, items


def _analyse(m: SubtestMatrix) -> tuple[dict, list[dict]]:
    n, k = m.marks.shape
    maxima = np.maximum(m.option_scores.max(axis=1), 0).astype(np.float64)
    moodle = quiz_statistics(m.marks, maxima)
    test = {
        "attempts": n,
        "items": k,
        "sample_warning": _sample_warning(n),
        "moodle": asdict(moodle.quiz),
    }
    items = [{"moodle": asdict(s), "flags": []} for s in moodle.items]
    totals = m.marks.sum(axis=1)
    rates = _group_rates(m.chosen, totals)
    for i, item in enumerate(items):
        item["rates"] = rates[i]
        item["presented"] = int(m.presented[:, i].sum())
        item["option_scores"] = [int(s) for s in m.option_scores[i] if s >= 0]

    if m.subtest == "TKP":
        counts = (m.option_scores >= 0).sum(axis=1)
        if len(set(counts.tolist())) <= 1 and k:
            width = int(counts[0])
            try:
                tkp = tkp_analysis(chosen=m.chosen, option_scores=m.option_scores[:, :width])
            except ValueError as exc:
                test["engine_error"] = str(exc)
            else:
                test["tkp"] = {"alpha": tkp.alpha}
                for item, t in zip(items, tkp.items, strict=True):
                    item["tkp"] = asdict(t)
                    item["flags"] = [asdict(f) for f in t.flags]
    elif m.subtest in ("TWK", "TIU"):
        try:
            classical = single_correct_analysis(
                marks=m.marks, max_mark=SINGLE_MAX, chosen=m.chosen, option_count=MAX_OPTIONS
            )
        except ValueError as exc:
            test["engine_error"] = str(exc)
        else:
            test["classical"] = {
                "mean": classical.mean,
                "sd": classical.sd,
                "kr20": classical.kr20,
                "sem": classical.sem,
            }
            for item, c in zip(items, classical.items, strict=True):
                item["classical"] = asdict(c)
                if c.discrimination is not None and c.discrimination < 0 and n >= 2:
                    item["flags"].append(
                        {
                            "code": "negative_discrimination",
                            "message": "",
                            "option": None,
                            "sample_warning": None,
                        }
                    )
    return test, items


@transaction.atomic
def tryout_stats_compute(*, tryout_id: int) -> TryoutStat | None:
    """Compute and store a tryout's item analysis, replacing the previous one (idempotent)."""
    tryout = Tryout.objects.select_for_update().filter(pk=tryout_id).first()
    if tryout is None:
        return None
    matrix = tryout_matrix(tryout_id=tryout_id)
    now = timezone.now()
    tests: dict[str, dict] = {}
    rows: list[ItemStat] = []
    for subtest, m in matrix.subtests.items():
        test, items = subtest_analysis(m)
        tests[subtest] = test
        for sid, item in zip(m.snapshots, items, strict=True):
            data = matrix.snapshot_data[sid]
            rows.append(
                ItemStat(
                    tryout=tryout,
                    snapshot_id=sid,
                    question_id=data.get("question"),
                    version=data.get("version") or 1,
                    subtest=subtest,
                    presented=item["presented"],
                    flag_count=len(item["flags"]),
                    facility=item["moodle"]["facility"],
                    discrimination=item["moodle"]["discrimination_index"],
                    data=item,
                    computed_at=now,
                )
            )
    ItemStat.objects.filter(tryout=tryout).delete()
    # A question deleted since keeps its statistics, without the link.
    existing = set(
        Question.objects.filter(pk__in={r.question_id for r in rows if r.question_id}).values_list(
            "pk", flat=True
        )
    )
    for r in rows:
        if r.question_id not in existing:
            r.question_id = None
    ItemStat.objects.bulk_create(rows, batch_size=500)
    stat, _created = TryoutStat.objects.update_or_create(
        tryout=tryout,
        defaults={
            "computed_at": now,
            "attempts": len(matrix.attempt_ids),
            "data": {"subtests": tests, "random_forms": matrix.random_forms},
        },
    )
    return stat


def tryouts_needing_stats(now=None) -> list[int]:
    """Tryouts closed with scored attempts whose statistics predate the close (or are missing)."""
    now = now or timezone.now()
    closed = Tryout.objects.filter(closes_at__isnull=False, closes_at__lte=now).filter(
        attempts__status=AttemptStatus.SCORED
    )
    stale = closed.exclude(stat__computed_at__gte=F("closes_at"))
    return list(stale.values_list("pk", flat=True).distinct())
