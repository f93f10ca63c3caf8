from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LembagaConfig(AppConfig):
    name = "lembaga"
    verbose_name = _("Lembaga")
