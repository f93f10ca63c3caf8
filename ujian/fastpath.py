"""A WSGI shortcut for the exam's hottest request: saving an answer.

Every click on the exam screen is a save; a tryout of thousands of candidates sends hundreds of
them per second. Django's full stack (URL resolving and ten middleware: sessions, locale,
messages, …) costs more CPU than the save itself, and a save needs none of it: the request
carries a signed token naming the user and the attempt (`save_token`), and the answer is one
SQL statement. So a save that carries the token goes straight to the same view function
(`ujian.views.save`) with the same service and the same JSON; anything else — no token, another
path or method, a host Django would refuse — takes the normal route unchanged.

CSRF: the shortcut needs the `X-Attempt-Token` header, which a cross-site form cannot send and a
cross-site script cannot send without a CORS preflight we never grant; and the token itself is
a secret bound to one user and one attempt. Requests without it get Django's CSRF checks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError

from cpns.security import security_headers

logger = logging.getLogger("django.request")

SAVE_PATH = re.compile(
    r"^/tryout/sesi/(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/jawab/$"
)

EXTRA_HEADERS = [("Cache-Control", "no-store")]


class AnswerSaveShortcut:
    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = None
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("HTTP_X_ATTEMPT_TOKEN"):
            match = SAVE_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.app(environ, start_response)
        request = WSGIRequest(environ)
        try:
            request.get_host()  # ALLOWED_HOSTS, as Django would check it
        except DisallowedHost:
            return self.app(environ, start_response)
        return self._save(request, match["uuid"], start_response)

    def _save(self, request: WSGIRequest, uuid: str, start_response: Callable) -> Iterable[bytes]:
        from django.http import JsonResponse
        from django.utils import timezone

        from .views import save

        # The same signals Django sends around a request: they recycle database connections.
        signals.request_started.send(sender=self.__class__, environ=request.environ)
        try:
            response = save(request, uuid)
        except DatabaseError:
            # The browser keeps the answer in its queue and sends it again.
            response = JsonResponse(
                {
                    "status": "error",
                    "message": "Server sedang sibuk; jawaban akan dikirim ulang otomatis.",
                    "now": int(timezone.now().timestamp() * 1000),
                },
                status=503,
            )
        except Exception:
            # A bug, not the client's input (the view answers every bad body with a JSON 4xx):
            # logged as Django logs a 500, and answered in JSON so the page keeps the answer
            # queued and retries instead of choking on an HTML error page.
            logger.exception("Answer save failed: %s", request.path)
            response = JsonResponse(
                {
                    "status": "error",
                    "message": "Terjadi kesalahan di server; jawaban akan dikirim ulang otomatis.",
                    "now": int(timezone.now().timestamp() * 1000),
                },
                status=500,
            )
        finally:
            signals.request_finished.send(sender=self.__class__)
        content = response.content
        # CommonMiddleware would set it; without it a keep-alive client cannot find the end.
        headers = [*response.items(), ("Content-Length", str(len(content))), *EXTRA_HEADERS]
        # The security headers the middleware it skips would add (CSP, HSTS, …).
        headers += security_headers(request)
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [content]
