from celery import shared_task


@shared_task(ignore_result=False)
def ping(payload: str = "ping") -> str:
    """Round-trip check for the broker and workers (used by tests and operators)."""
    return f"pong:{payload}"
