"""The session token: short, typed by a candidate, shown on the proctor console, rotating every
N minutes. Derived (HMAC of the session's secret and the time step), so nothing is stored and
every web process agrees on it without a shared cache."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.utils import timezone

# No 0/O, 1/I/L: a token is read aloud in a noisy room and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def _step(session, when: datetime) -> int:
    return int(when.timestamp()) // (session.token_minutes * 60)


def _token_for_step(session, step: int) -> str:
    digest = hmac.new(
        session.token_secret.encode(), f"{session.pk}:{step}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def token_current(session, now: datetime | None = None) -> str:
    return _token_for_step(session, _step(session, now or timezone.now()))


def token_rotates_at(session, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    seconds = (_step(session, now) + 1) * session.token_minutes * 60
    return datetime.fromtimestamp(seconds, tz=now.tzinfo or timezone.get_current_timezone())


def token_valid(session, token: str, now: datetime | None = None) -> bool:
    """The current token, or the previous one during the grace period after it rotated."""
    now = now or timezone.now()
    typed = "".join(token.split()).upper()
    if not typed:
        return False
    step = _step(session, now)
    if hmac.compare_digest(typed, _token_for_step(session, step)):
        return True
    rotated_at = datetime.fromtimestamp(step * session.token_minutes * 60, tz=now.tzinfo)
    in_grace = now - rotated_at < timedelta(minutes=session.token_grace_minutes)
    return in_grace and hmac.compare_digest(typed, _token_for_step(session, step - 1))
