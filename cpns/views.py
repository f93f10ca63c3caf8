from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import SignupForm
from .throttle import throttle_exceeded


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "cpns/home.html")


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and throttle_exceeded(
        request, scope="signup", limit=settings.CPNS_SIGNUP_LIMIT
    ):
        form.add_error(None, _("Terlalu banyak pendaftaran dari alamat ini. Coba lagi nanti."))
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Selamat datang! Akun Anda sudah dibuat."))
        return redirect(_safe_next(request) or "home")
    return render(request, "registration/signup.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per client address: each request sends an e-mail."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if throttle_exceeded(
            request, scope="password-reset", limit=settings.CPNS_PASSWORD_RESET_LIMIT
        ):
            form = self.get_form()
            form.add_error(
                None, _("Terlalu banyak permintaan atur ulang kata sandi. Coba lagi nanti.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


def _safe_next(request: HttpRequest) -> str | None:
    """The `next` parameter when it points into this site, else None (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any failure means "not healthy"; report its kind
        return False, type(exc).__name__


def _broker_ok() -> tuple[bool, str]:
    from .celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return True, "eager"
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, no broker (that is /healthz)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok, db_state = _database_ok()
    broker_ok, broker_state = _broker_ok()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": db_state, "broker": broker_state},
        status=200 if healthy else 503,
    )
