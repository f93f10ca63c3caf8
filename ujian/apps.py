from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UjianConfig(AppConfig):
    name = "ujian"
    verbose_name = _("Tryout")
