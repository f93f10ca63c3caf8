"""What waits while a candidate's attempt runs: practice (through soal's registry) and the review
of earlier attempts. Both show every option's score, and the running attempt may hold the same
questions: the tryout would be open-book."""

from __future__ import annotations

from django.utils.translation import gettext as _

from soal.gates import PracticeBlock

from ..models import Attempt, AttemptStatus
from .attempts import attempt_expire_if_overdue


def running_attempt(user) -> Attempt | None:
    """The user's attempt in progress; one past its deadline is closed here first, as on its
    own pages, so it holds nothing back once the time is up."""
    if not user.is_authenticated:
        return None
    running = Attempt.objects.filter(user=user, status=AttemptStatus.IN_PROGRESS).select_related(
        "tryout"
    )
    for attempt in running:
        if not attempt_expire_if_overdue(attempt):
            return attempt
    return None


def practice_block_while_attempt_runs(user) -> PracticeBlock | None:
    """Registered with soal.gates in UjianConfig.ready()."""
    attempt = running_attempt(user)
    if attempt is None:
        return None
    return PracticeBlock(
        message=_(
            "Latihan ditutup sementara karena tryout Anda sedang berlangsung. Selesaikan "
            "tryout terlebih dahulu; setelah itu latihan dibuka kembali."
        ),
        url=attempt.get_absolute_url(),
        link_text=_("Kembali ke tryout “%(title)s”") % {"title": attempt.tryout.title},
    )
