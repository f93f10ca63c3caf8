"""The Celery app, configured from Django settings (CELERY_* names)."""

import logging
import os
import threading
import time

from celery import Celery
from celery.signals import beat_init, worker_init, worker_ready

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


_worker_started_at = 0.0


@worker_init.connect
def worker_note_start(sender=None, **kwargs) -> None:
    """Before the worker consumes anything: every task delivered earlier went to another one."""
    global _worker_started_at
    _worker_started_at = time.time()


@worker_ready.connect
def worker_restore_orphans(sender=None, **kwargs) -> None:
    """Take back at once what a killed worker held, instead of after the visibility timeout.
    In a thread: the worker starts on the queued work meanwhile (see cpns/broker.py)."""
    from cpns.broker import restore_orphaned_tasks

    def run() -> None:
        try:
            restore_orphaned_tasks(
                app, hostname=sender.hostname, started_at=_worker_started_at or time.time()
            )
        except Exception:  # the visibility timeout still restores them; never stop the worker
            logging.getLogger(__name__).exception("restoring orphaned tasks failed")

    threading.Thread(target=run, name="restore-orphans", daemon=True).start()
