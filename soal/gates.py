"""Whether a user may practise right now, decided by checks that higher layers register.

Practice shows every option's score, so it must wait while a tryout of the same user runs (the
tryout would otherwise be open-book). Tryouts live in `ujian`, which `soal` never imports: ujian
registers its check here from its AppConfig.ready(), and soal only asks the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PracticeBlock:
    """Why practice waits, already translated, with the way back to what is holding it."""

    message: str
    url: str
    link_text: str


PracticeCheck = Callable[[object], "PracticeBlock | None"]

_checks: list[PracticeCheck] = []


def practice_check_register(check: PracticeCheck) -> None:
    """Add a check; registering the same function again (ready() may rerun) is harmless."""
    if check not in _checks:
        _checks.append(check)


def practice_block_for(user) -> PracticeBlock | None:
    """The first reason this user may not practise now, or None."""
    for check in _checks:
        block = check(user)
        if block is not None:
            return block
    return None
