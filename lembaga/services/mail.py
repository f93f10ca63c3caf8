"""Set-password links for accounts an institution created (console e-mail in the embedded
default). Uses Django's own password-reset tokens, so the link works once and expires."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def set_password_links_send(*, user_ids: list[int]) -> int:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    messages = []
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        if user.has_usable_password():
            continue  # already set: a rerun sends nothing twice
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        body = _(
            "Halo %(name)s,\n\nLembaga Anda mendaftarkan Anda di cpns. Buat kata sandi Anda "
            "melalui tautan berikut:\n\n%(url)s\n"
        ) % {"name": user.get_short_name(), "url": base + path}
        messages.append((_("Buat kata sandi akun cpns"), body, None, [user.email]))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
