"""HTTP for item analysis ("Analisis butir") and regrading. Figures are read from the stored
statistics; computing and regrading happen in Celery tasks, never in these views."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpns.models import Membership
from soal.models import LETTERS, Question
from soal.services.questions import question_duplicate

from .errors import UjianError
from .models import ItemStat, QuestionSnapshot, Regrade, RegradeStatus, Tryout, TryoutStat
from .services import regrade as regrade_svc
from .tasks import tryout_stats_task

SORTS = {
    "flags": ["-flag_count", "pk"],
    "facility": ["facility", "pk"],
    "-facility": ["-facility", "pk"],
    "discrimination": ["discrimination", "pk"],
    "-discrimination": ["-discrimination", "pk"],
    "subtest": ["subtest", "pk"],
}


def _is_analyst_staff(user) -> bool:
    return user.is_staff and (user.is_superuser or user.is_tutor or user.is_reviewer)


def analysable_tryouts(user):
    """Tutors and reviewers see public tryouts; an institution's admins its own tryouts."""
    if not user.is_authenticated:
        return Tryout.objects.none()
    q = Q(
        owner__in=Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
            "institution"
        )
    )
    if _is_analyst_staff(user):
        q |= Q(owner__isnull=True)
    return Tryout.objects.filter(q)


def can_regrade(user, tryout: Tryout) -> bool:
    """Changing candidates' scores: reviewers on public tryouts, the owner's admins on theirs
    (whoever may analyse an institution's tryout is its admin)."""
    return tryout.owner_id is not None or user.has_perm("soal.publish_question")


def get_tryout_for_analyst(user, uuid) -> Tryout:
    """The one permission helper: a tryout this user may analyse, or 404."""
    return get_object_or_404(analysable_tryouts(user).select_related("blueprint"), uuid=uuid)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    tryouts = list(analysable_tryouts(request.user).select_related("stat").order_by("-opens_at"))
    if not tryouts and not _is_analyst_staff(request.user):
        raise Http404
    return render(request, "ujian/analysis/index.html", {"tryouts": tryouts})


def _report_rows(tryout: Tryout, sort: str) -> list[ItemStat]:
    return list(
        ItemStat.objects.filter(tryout=tryout)
        .select_related("question")
        .order_by(*SORTS.get(sort, SORTS["flags"]))
    )


@login_required
def report(request: HttpRequest, uuid) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    sort = request.GET.get("urut", "flags")
    if sort not in SORTS:
        sort = "flags"
    stat = TryoutStat.objects.filter(tryout=tryout).first()
    context = {
        "tryout": tryout,
        "stat": stat,
        "rows": _report_rows(tryout, sort) if stat else [],
        "sort": sort,
        "subtests": sorted((stat.data.get("subtests", {}) if stat else {}).items()),
        "regrades": list(tryout.regrades.select_related("created_by", "applied_by")[:20]),
    }
    template = "ujian/analysis/report.html#table" if request.htmx else "ujian/analysis/report.html"
    return render(request, template, context)


@login_required
@require_POST
def recompute(request: HttpRequest, uuid) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    tryout_stats_task.delay_on_commit(tryout.pk)
    messages.success(
        request, _("Statistik sedang dihitung ulang. Muat ulang halaman sebentar lagi.")
    )
    return redirect("ujian:analysis_report", uuid=tryout.uuid)


EXPORT_HEADER = [
    "no",
    "soal",
    "versi",
    "subtes",
    "n",
    "fasilitas_%",
    "sd_%",
    "indeks_diskriminasi_%",
    "efisiensi_diskriminatif_%",
    "bobot_efektif_%",
    "item_rest",
    "alpha_jika_dihapus",
    "konsistensi",
    "tanda",
]


def export_rows(tryout: Tryout) -> list[list]:
    rows = []
    for i, s in enumerate(_report_rows(tryout, "subtest"), start=1):
        m, t = s.data.get("moodle", {}), s.data.get("tkp") or {}
        c = s.data.get("classical") or {}
        rows.append(
            [
                i,
                (s.question.key or f"#{s.question_id}")
                if s.question
                else f"snapshot {s.snapshot_id}",
                s.version,
                s.subtest,
                s.presented,
                m.get("facility"),
                m.get("sd"),
                m.get("discrimination_index"),
                m.get("discriminative_efficiency"),
                m.get("effective_weight"),
                t.get("item_rest", c.get("point_biserial")),
                t.get("alpha_if_deleted"),
                t.get("consistency"),
                "; ".join(f["code"] for f in s.data.get("flags", [])),
            ]
        )
    return rows


@login_required
def export(request: HttpRequest, uuid, fmt: str) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = export_rows(tryout)
    filename = f"analisis-butir-{tryout.slug}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Analisis butir"
    sheet.append(EXPORT_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# Server-rendered bar chart of option shares (user units; numbers never localised).
CHART_W, BAR_H, GAP, LEFT = 360, 22, 8, 70


def option_chart(item: ItemStat) -> dict:
    overall = item.data.get("rates", {}).get("overall", [])
    scores = item.data.get("option_scores", [])
    bars = []
    width = CHART_W - LEFT - 50
    # Bars scale to the most chosen option so small differences stay visible; labels say the %.
    top = max((v for v in overall[: len(scores)] if v is not None), default=0.0) or 1.0
    for i, score in enumerate(scores):
        share = overall[i] if i < len(overall) and overall[i] is not None else 0.0
        bars.append(
            {
                "letter": LETTERS[i],
                "score": score,
                "y": i * (BAR_H + GAP),
                "ty": i * (BAR_H + GAP) + BAR_H - 6,
                "w": round(width * share / top, 1),
                "tx": round(LEFT + width * share / top + 4, 1),
                "pct": round(100 * share, 1),
            }
        )
    return {
        "w": CHART_W,
        "h": len(bars) * (BAR_H + GAP),
        "left": LEFT,
        "bars": bars,
        "bar_h": BAR_H,
    }


def _rate_rows(item: ItemStat, options: list[dict]) -> list[dict]:
    rates = item.data.get("rates", {})
    scores = item.data.get("option_scores", [])
    labels = [*LETTERS[: len(scores)], "–"]
    indices = [*range(len(scores)), len(rates.get("overall", [])) - 1]
    tkp_options = (item.data.get("tkp") or {}).get("options", [])
    rows = []
    for label, i in zip(labels, indices, strict=True):
        rows.append(
            {
                "label": label,
                "text": options[i]["text"] if i < len(scores) and i < len(options) else "",
                "score": scores[i] if i < len(scores) else None,
                **{g: rates.get(g, [None] * 6)[i] for g in ("overall", "upper", "middle", "lower")},
                "mean_rest": tkp_options[i]["mean_rest"] if i < len(tkp_options) else None,
            }
        )
    return rows


@login_required
def item(request: HttpRequest, uuid, snapshot_id: int) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    stat = get_object_or_404(
        ItemStat.objects.select_related("snapshot", "question"),
        tryout=tryout,
        snapshot_id=snapshot_id,
    )
    history = []
    if stat.question_id:
        history = list(
            ItemStat.objects.filter(
                question_id=stat.question_id, tryout__in=analysable_tryouts(request.user)
            )
            .select_related("tryout")
            .order_by("-computed_at")
        )
    newer = regrade_svc.later_versions(stat.question) if stat.question else []
    context = {
        "tryout": tryout,
        "item": stat,
        "data": stat.snapshot.data,
        "chart": option_chart(stat),
        "rate_rows": _rate_rows(stat, stat.snapshot.data.get("options", [])),
        "history": history,
        "newer": newer,
        "can_revise": bool(
            stat.question and request.user.is_staff and request.user.has_perm("soal.add_question")
        ),
        "regrades": list(Regrade.objects.filter(tryout=tryout, old_snapshot_id=snapshot_id)),
        "can_regrade": can_regrade(request.user, tryout),
    }
    return render(request, "ujian/analysis/item.html", context)


@login_required
@require_POST
def revise(request: HttpRequest, uuid, snapshot_id: int) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    stat = get_object_or_404(
        ItemStat, tryout=tryout, snapshot_id=snapshot_id, question__isnull=False
    )
    if not (request.user.is_staff and request.user.has_perm("soal.add_question")):
        raise Http404
    draft = question_duplicate(question=stat.question, actor=request.user)
    messages.success(
        request,
        _("Draf versi %(v)d dibuat. Perbaiki skor pilihan, lalu terbitkan.") % {"v": draft.version},
    )
    return redirect(reverse("admin:soal_question_change", args=[draft.pk]))


@login_required
@require_POST
def regrade_start(request: HttpRequest, uuid, snapshot_id: int) -> HttpResponse:
    tryout = get_tryout_for_analyst(request.user, uuid)
    if not can_regrade(request.user, tryout):
        raise Http404
    snapshot = get_object_or_404(QuestionSnapshot, pk=snapshot_id, item_stats__tryout=tryout)
    new_question = get_object_or_404(Question, pk=request.POST.get("versi") or 0)
    try:
        regrade = regrade_svc.regrade_create(
            tryout=tryout, old_snapshot=snapshot, new_question=new_question, actor=request.user
        )
    except UjianError as exc:
        messages.error(request, exc.message)
        return redirect("ujian:analysis_item", uuid=tryout.uuid, snapshot_id=snapshot_id)
    return redirect("ujian:regrade", uuid=tryout.uuid, regrade=regrade.uuid)


PREVIEW_ROWS = 300


def _regrade_for(request, uuid, regrade) -> tuple[Tryout, Regrade]:
    tryout = get_tryout_for_analyst(request.user, uuid)
    obj = get_object_or_404(
        Regrade.objects.select_related("old_snapshot", "new_snapshot", "created_by", "applied_by"),
        tryout=tryout,
        uuid=regrade,
    )
    return tryout, obj


@login_required
def regrade_view(request: HttpRequest, uuid, regrade) -> HttpResponse:
    tryout, obj = _regrade_for(request, uuid, regrade)
    context = {
        "tryout": tryout,
        "regrade": obj,
        "busy": obj.status in (RegradeStatus.PREVIEWING, RegradeStatus.APPLYING),
        "can_regrade": can_regrade(request.user, tryout),
        "percent": round(100 * obj.done / obj.total) if obj.total else 0,
        # Thousands of rows help nobody on a page; the count says how many more there are.
        "preview_rows": obj.preview[:PREVIEW_ROWS],
        "preview_more": max(0, len(obj.preview) - PREVIEW_ROWS),
    }
    template = (
        "ujian/analysis/regrade.html#status" if request.htmx else "ujian/analysis/regrade.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def regrade_apply(request: HttpRequest, uuid, regrade) -> HttpResponse:
    tryout, obj = _regrade_for(request, uuid, regrade)
    if not can_regrade(request.user, tryout):
        raise Http404
    if not regrade_svc.regrade_request_apply(regrade=obj, actor=request.user):
        messages.info(request, _("Penilaian ulang ini sudah dijalankan atau belum siap."))
    return redirect("ujian:regrade", uuid=tryout.uuid, regrade=obj.uuid)
