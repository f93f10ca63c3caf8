"""Security headers the full stack sets, in one place so the answer-save shortcut
(ujian/fastpath.py), which bypasses middleware, sends exactly the same set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Nothing on the site uses these browser features; an injected script or frame gets none either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


_csp_cache: tuple[object, object, list[tuple[str, str]]] | None = None


def _csp_headers() -> list[tuple[str, str]]:
    """The CSP header(s), built once per policy: building costs about as much as the answer save
    the shortcut exists for. Rebuilt when the settings object changes (tests override it)."""
    global _csp_cache
    enforced = settings.CONTENT_SECURITY_POLICY
    report_only = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    if _csp_cache is None or _csp_cache[0] is not enforced or _csp_cache[1] is not report_only:
        from csp.utils import build_policy

        headers = []
        if enforced:
            headers.append(("Content-Security-Policy", build_policy()))
        if report_only:
            headers.append(("Content-Security-Policy-Report-Only", build_policy(report_only=True)))
        _csp_cache = (enforced, report_only, headers)
    return _csp_cache[2]


def security_headers(request: HttpRequest) -> list[tuple[str, str]]:
    """What SecurityMiddleware, XFrameOptionsMiddleware, django-csp and the Permissions-Policy
    middleware add to a response, for responses that never pass through them."""
    headers = [
        *_csp_headers(),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if settings.SECURE_HSTS_SECONDS and request.is_secure():
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def permissions_policy_middleware(get_response: Callable) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware
