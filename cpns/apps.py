from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpnsConfig(AppConfig):
    name = "cpns"
    verbose_name = _("Pengguna dan lembaga")
