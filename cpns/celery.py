"""The Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpns.settings")

app = Celery("cpns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def beat_expire_at_start(sender=None, **kwargs) -> None:
    """Send the expiry of overdue attempts the moment beat (re)starts. Beat runs an entry it has
    no record of (a fresh schedule file, as after every container start) only a whole interval
    after starting, so overdue attempts would wait up to CPNS_EXPIRE_EVERY_SECONDS more. The
    task is idempotent: meeting beat's own first run submits and scores nothing twice."""
    entry = app.conf.beat_schedule.get("expire-overdue-attempts")
    if entry:
        app.send_task(entry["task"])
