from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MateriConfig(AppConfig):
    name = "materi"
    verbose_name = _("Materi")
