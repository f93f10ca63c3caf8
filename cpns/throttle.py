"""Who is asking and how often: the client address and a small per-address rate limit.

django-axes throttles log-ins; sign-up and password reset are not log-ins, so they are counted
here, in the cache, per client address. `client_ip` is also axes' address source
(AXES_CLIENT_IP_CALLABLE), so both agree on who the client is behind a proxy.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind CPNS_PROXY_COUNT trusted proxies, the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    N proxies the client is the N-th entry from the right; entries left of it are whatever the
    client chose to send and are never trusted.
    """
    count = settings.CPNS_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def throttle_exceeded(
    request: HttpRequest, *, scope: str, limit: int, window_seconds: int = 3600
) -> bool:
    """Counts one attempt of `scope` from this client; True once it is over `limit` per window."""
    cache = caches[settings.CPNS_THROTTLE_CACHE]
    key = f"throttle:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a log-in names, as axes counts it: e-mails differing only in case or spaces
    are one account, so changing the case does not restart the count."""
    value = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username")
    return str(value or "").strip().lower()
