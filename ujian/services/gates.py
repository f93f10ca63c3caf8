"""ujian's answer to soal's practice registry: practice waits while the user's attempt runs."""

from __future__ import annotations

from django.utils.translation import gettext as _

from soal.gates import PracticeBlock

from ..models import Attempt, AttemptStatus
from .attempts import attempt_expire_if_overdue


def practice_block_while_attempt_runs(user) -> PracticeBlock | None:
    """Practice scores the same bank and shows every option's score, so it is closed while an
    attempt is in progress; an attempt past its deadline is closed here first, as on its pages."""
    if not user.is_authenticated:
        return None
    running = Attempt.objects.filter(user=user, status=AttemptStatus.IN_PROGRESS).select_related(
        "tryout"
    )
    for attempt in running:
        if attempt_expire_if_overdue(attempt):
            continue
        return PracticeBlock(
            message=_(
                "Latihan ditutup sementara karena tryout Anda sedang berlangsung. Selesaikan "
                "tryout terlebih dahulu; setelah itu latihan dibuka kembali."
            ),
            url=attempt.get_absolute_url(),
            link_text=_("Kembali ke tryout “%(title)s”") % {"title": attempt.tryout.title},
        )
    return None
