"""The proctor's actions on a session's candidates — each locked, re-checked by the service that
owns the state, and written to the append-only audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ujian.models import Attempt, AttemptStatus, SubmitReason
from ujian.services import attempts as attempt_svc

from ..errors import LembagaError
from ..models import (
    MAX_EXTRA_ATTEMPTS,
    AttemptGrant,
    AuditAction,
    AuditEntry,
    Candidate,
    ExamSession,
)
from .sessions import FINISHED, attempts_used, session_candidates, window_end

# Every proctor action, with the label the console's form and the audit log show.
ACTIONS = {a.value: a.label for a in AuditAction if a is not AuditAction.BUILD}


def _window_extend(session: ExamSession, candidate: Candidate, attempt, minutes: int) -> bool:
    """Let a candidate who has not finished start or go on for `minutes` past the session's
    window (or past their own extended window). The candidate row is locked by the caller's
    transaction through select_for_update."""
    if attempt is not None and attempt.status not in (
        AttemptStatus.BUILDING,
        AttemptStatus.READY,
    ):
        return False  # started: extra minutes on the attempt is the override for that
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    base = max(session.ends_at, locked.window_ends_at or session.ends_at, timezone.now())
    locked.window_ends_at = base + timedelta(minutes=minutes)
    locked.save(update_fields=["window_ends_at"])
    return True


def _attempts_locked(session: ExamSession, user_id: int) -> list[Attempt]:
    """The candidate's attempts at the session's tryout, newest first, locked."""
    return list(
        Attempt.objects.select_for_update()
        .filter(tryout=session.tryout, user_id=user_id)
        .only("pk", "number", "status")
        .order_by("-number")
    )


def _attempt_grant(
    session: ExamSession, candidate: Candidate, now: datetime
) -> tuple[int | None, str]:
    """One more attempt for a candidate whose exam went wrong: (the number the new attempt
    will have, "") or (None, why not). Nothing changes while their attempt is unused or still
    running, or once their window is over. The candidate's row lock serialises proctors
    granting at once; the second one re-checks, finds the grant unused, and changes nothing."""
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if now >= window_end(session, locked):
        return None, _("jendela sesi peserta sudah ditutup")
    attempts = _attempts_locked(session, locked.user_id)
    if not attempts or attempts[0].status in (AttemptStatus.BUILDING, AttemptStatus.READY):
        return None, _("peserta belum memakai percobaannya")
    if attempts[0].status == AttemptStatus.IN_PROGRESS:
        return None, _("ujian peserta masih berlangsung")
    grant = AttemptGrant.objects.filter(session=session, candidate=locked).first()
    extra = grant.extra_attempts if grant else 0
    if attempts_used(attempts) < session.tryout.max_attempts + extra:
        return None, _("peserta masih punya percobaan yang belum dipakai")
    if extra >= MAX_EXTRA_ATTEMPTS:
        return None, _("batas percobaan tambahan peserta sudah tercapai")
    if grant is None:  # the candidate's row lock keeps a second proctor from creating it too
        AttemptGrant.objects.create(session=session, candidate=locked, extra_attempts=1)
    else:
        AttemptGrant.objects.filter(pk=grant.pk).update(extra_attempts=F("extra_attempts") + 1)
    return attempts[0].number + 1, ""


def _attempt_grant_withdraw(session: ExamSession, candidate: Candidate) -> tuple[int | None, str]:
    """Take back an extra attempt the candidate has not opened (granted by mistake, or to the
    wrong person): (extra attempts left, "") or (None, why not). Once the candidate typed the
    token for it, the attempt exists and the grant stays; a proctor ends that attempt with
    "Paksa selesai" instead. Same locks as the grant, so a grant and a withdrawal at once
    are applied one after the other."""
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    grant = (
        AttemptGrant.objects.select_for_update().filter(session=session, candidate=locked).first()
    )
    if grant is None or grant.extra_attempts == 0:
        return None, _("peserta tidak punya percobaan tambahan")
    attempts = _attempts_locked(session, locked.user_id)
    if attempts and attempts[0].status not in FINISHED:
        return None, _("peserta sudah membuka percobaan tambahannya")
    if attempts_used(attempts) >= session.tryout.max_attempts + grant.extra_attempts:
        return None, _("percobaan tambahan peserta sudah dipakai")
    AttemptGrant.objects.filter(pk=grant.pk).update(extra_attempts=F("extra_attempts") - 1)
    return grant.extra_attempts - 1, ""


def cohort_candidate_ids(session: ExamSession, cohort_uuid) -> list[int]:
    """Every candidate of one of the session's cohorts: a cohort-wide override."""
    if cohort_uuid is None:
        return []
    return list(
        session_candidates(session).filter(cohort__uuid=cohort_uuid).values_list("pk", flat=True)
    )


def _attempt_of(session: ExamSession, candidate_id: int) -> tuple[Candidate, Attempt | None]:
    candidate = session_candidates(session).filter(pk=candidate_id).first()
    if candidate is None:
        raise LembagaError(_("Peserta tidak ada di sesi ini."))
    attempt = (
        Attempt.objects.filter(tryout=session.tryout, user_id=candidate.user_id)
        .order_by("-number")
        .first()
    )
    return candidate, attempt


MINUTE_ACTIONS = ("add_minutes", "reopen", "extend_window")


def proctor_act(
    *,
    session: ExamSession,
    actor,
    action: str,
    candidate_ids: list[int],
    reason: str,
    minutes: int | None = None,
) -> int:
    """Apply one action to one or more candidates; every change is audited. Each attempt is
    locked and re-checked by the ujian service, so two proctors pressing at once act once."""
    reason = reason.strip()
    if action not in ACTIONS:
        raise LembagaError(_("Tindakan tidak dikenal."))
    if not reason:
        raise LembagaError(_("Alasan wajib diisi untuk setiap tindakan pengawas."))
    if not candidate_ids:
        raise LembagaError(_("Pilih sedikitnya satu peserta."))
    if action in MINUTE_ACTIONS and not (minutes and 1 <= minutes <= 240):
        raise LembagaError(_("Tambahan waktu harus 1 sampai 240 menit."))
    done = 0
    refusals: list[str] = []
    now = timezone.now()
    for candidate_id in candidate_ids:
        with transaction.atomic():
            candidate, attempt = _attempt_of(session, candidate_id)
            if attempt is None and action not in (
                "extend_window",
                "grant_attempt",
                "revoke_attempt",
            ):
                continue
            data = {"minutes": minutes} if action in MINUTE_ACTIONS else {}
            if action == "add_minutes":
                changed = attempt_svc.attempt_extend(attempt_id=attempt.pk, seconds=minutes * 60)
            elif action == "unlock":
                changed = attempt_svc.attempt_device_unlock(attempt_id=attempt.pk)
            elif action == "reopen":
                changed = attempt_svc.attempt_reopen(attempt_id=attempt.pk, seconds=minutes * 60)
            elif action == "extend_window":
                changed = _window_extend(session, candidate, attempt, minutes)
            elif action == "grant_attempt":
                number, why = _attempt_grant(session, candidate, now)
                changed = number is not None
                if changed:
                    data = {"attempt": number}
                else:
                    refusals.append(why)
            elif action == "revoke_attempt":
                left, why = _attempt_grant_withdraw(session, candidate)
                changed = left is not None
                if changed:
                    data = {"extra_left": left}
                else:
                    refusals.append(why)
            else:
                changed = attempt_svc.attempt_submit(
                    attempt_id=attempt.pk, reason=SubmitReason.PROCTOR
                )
            if not changed:
                continue
            AuditEntry.objects.create(
                session=session,
                actor=actor,
                action=action,
                target_id=candidate.user_id,
                reason=reason,
                data=data,
            )
            done += 1
    if done == 0:
        why = {
            "force_submit": _("peserta yang dipilih belum mulai atau sudah selesai"),
            "unlock": _("ujian peserta yang dipilih tidak sedang terkunci atau sudah selesai"),
            "add_minutes": _("ujian peserta yang dipilih sudah selesai"),
            "reopen": _("ujian peserta yang dipilih belum diserahkan atau sesi sudah ditutup"),
            "extend_window": _("peserta yang dipilih sudah menyelesaikan ujiannya"),
            "grant_attempt": "; ".join(dict.fromkeys(refusals)),
            "revoke_attempt": "; ".join(dict.fromkeys(refusals)),
        }[action]
        raise LembagaError(_("Tidak ada yang berubah: %(why)s.") % {"why": why})
    return done
