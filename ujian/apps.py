from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UjianConfig(AppConfig):
    name = "ujian"
    verbose_name = _("Tryout")

    def ready(self) -> None:
        # soal never imports ujian; ujian tells soal when practice must wait (see soal/gates.py).
        from soal.gates import practice_check_register

        from .services.gates import practice_block_while_attempt_runs

        practice_check_register(practice_block_while_attempt_runs)
