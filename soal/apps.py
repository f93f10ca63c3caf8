from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SoalConfig(AppConfig):
    name = "soal"
    verbose_name = _("Bank soal")
